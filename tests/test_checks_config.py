"""mkdocs.yml: every value the site uses is checked by ``shequ validate``, read without
running any of MkDocs' tags, so that a build never fails on, or publishes, a value that
validate let through."""

from __future__ import annotations

import pytest

from conftest import line_of
from site_project import edit, make_site_project, the_problem, validate

CONFIG = "mkdocs.yml"
XSS = '"><img src=x onerror=alert(document.domain)>'


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setenv("SHEQU_TODAY", "2026-11-26")
    return make_site_project(tmp_path / "project")


def test_the_shipped_configuration_is_valid(site):
    assert validate(site) == (0, [])


@pytest.mark.parametrize("old, new, rule, field, needle", [
    ("edit_uri: edit/main/docs/", f"repo_url: https://github.com/x/y{XSS}\nedit_uri: edit/main/docs/",
     "config.url", "repo_url", "repo_url:"),
    ("edit_uri: edit/main/docs/", "site_url: javascript:alert(1)\nedit_uri: edit/main/docs/",
     "config.url", "site_url", "site_url:"),
    ("edit_uri: edit/main/docs/", "site_url: 12\nedit_uri: edit/main/docs/", "config.url", "site_url", "site_url:"),
    ("edit_uri: edit/main/docs/", "edit_uri: 'edit/main/docs/\" onmouseover=\"alert(1)'", "config.url", "edit_uri",
     "edit_uri:"),
    ("copyright: Data CC BY 4.0 · Code MIT", "copyright: <script>alert(1)</script>", "config.markup", "copyright",
     "copyright:"),
    ("edit_uri: edit/main/docs/", f"repo_name: x{XSS}\nedit_uri: edit/main/docs/", "config.markup", "repo_name",
     "repo_name:"),
    ("site_name: Shequ 社区", "site_name: [Shequ]", "config.type", "site_name", "site_name:"),
    ("language: zh", "language: xx", "config.language", "theme.language", "language:"),
    ("language: zh", "language: ../../../etc/passwd", "config.language", "theme.language", "language:"),
    ("edit_uri: edit/main/docs/", "site_dir: datasets\nedit_uri: edit/main/docs/", "config.site-dir", "site_dir",
     "site_dir:"),
    ("edit_uri: edit/main/docs/", "site_dir: .\nedit_uri: edit/main/docs/", "config.site-dir", "site_dir",
     "site_dir:"),
    ("edit_uri: edit/main/docs/", "docs_dir: pages\nedit_uri: edit/main/docs/", "config.docs-dir", "docs_dir",
     "docs_dir:"),
    ("edit_uri: edit/main/docs/", "extra:\n  homepage: javascript:alert(1)\nedit_uri: edit/main/docs/",
     "config.url", "extra.homepage", "homepage:"),
    ("edit_uri: edit/main/docs/", f"extra:\n  social:\n    - icon: x\n      link: https://x.org/\n      name: a{XSS}\n"
     "edit_uri: edit/main/docs/", "config.markup", "extra.social[0].name", "name: a"),
    ("  - shequ\n", "  - shequ:\n      per_page: many\n", "config.plugin", "plugins[0].shequ.per_page", "per_page:"),
    ("  - shequ\n", "  - shequ:\n      per_page: 0\n", "config.plugin", "plugins[0].shequ.per_page", "per_page:"),
    ("  - shequ\n", "  - shequ:\n      data_path: ../../outside/\n", "config.plugin", "plugins[0].shequ.data_path",
     "data_path:"),
    ("  - shequ\n", "  - shequ:\n      source_edit_uri: 'https://x.org/\"><b>'\n", "config.url",
     "plugins[0].shequ.source_edit_uri", "source_edit_uri:"),
    ("  - shequ\n", "  - shequ: [data]\n", "config.plugin", "plugins[0].shequ", "- shequ:"),
    ("      - 首页: index.md", "      - 首页: no-such-page.md", "config.nav-missing", "nav[0].简体中文[0].首页",
     "no-such-page.md"),
    ("      - 首页: index.md", "      - 首页: 12", "config.nav", "nav[0].简体中文[0].首页", "首页: 12"),
    ("      - 首页: index.md", "      - '<img src=x onerror=alert(1)>': index.md", "config.markup",
     "nav[0].简体中文[0].<img src=x onerror=alert(1)>", "<img"),
])
def test_a_wrong_setting_is_named_with_its_line_and_rule(site, old, new, rule, field, needle):
    path = edit(site / CONFIG, old, new)
    code, problems = validate(site)
    assert code == 1
    problem = the_problem(problems, rule)
    assert (problem["file"], problem["field"], problem["line"]) == (CONFIG, field, line_of(path, needle))


def test_tags_are_read_as_opaque_values_and_never_run(site, tmp_path, monkeypatch):
    """``!!python/name:`` would import and ``!ENV`` read the environment in MkDocs' loader;
    validate reads the file as data, and leaves what MkDocs decides at build time alone."""
    marker = tmp_path / "ran"
    edit(site / CONFIG, "edit_uri: edit/main/docs/",
         "site_url: !ENV [SHEQU_TEST_SITE_URL, 'https://example.org/']\n"
         f"hooks_value: !!python/object/apply:os.system ['touch {marker}']\n"
         "emoji: !!python/name:material.extensions.emoji.twemoji\n"
         "edit_uri: edit/main/docs/")
    monkeypatch.setenv("SHEQU_TEST_SITE_URL", "javascript:alert(1)")
    assert validate(site) == (0, [])
    assert not marker.exists()


@pytest.mark.parametrize("text, rule", [
    ("site_name: [unclosed\n", "yaml.syntax"),
    ("".join(f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 10) + "]\n" if i else "l0: &l0 [a,a,a,a,a,a,a,a,a,a]\n"
             for i in range(9)), "yaml.alias"),
    ("- a list\n", "yaml.not-a-mapping"),
])
def test_an_unreadable_configuration_is_one_clear_error(site, text, rule):
    (site / CONFIG).write_text(text, encoding="utf-8")
    code, problems = validate(site)
    assert code == 1
    assert the_problem(problems, rule)["file"] == CONFIG


def test_inherited_settings_are_checked_too(site):
    (site / "base.yml").write_text(f"repo_url: https://github.com/x/y{XSS}\n", encoding="utf-8")
    edit(site / CONFIG, "site_name:", "INHERIT: base.yml\nsite_name:")
    code, problems = validate(site)
    assert code == 1
    problem = the_problem(problems, "config.url")
    assert (problem["file"], problem["line"], problem["field"]) == ("base.yml", 1, "repo_url")


def test_a_project_without_a_site_needs_no_configuration(mini):
    assert [p for p in mini.report().problems if p.file == CONFIG] == []
