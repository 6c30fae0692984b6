"""docs/: every file MkDocs would read or copy is looked at by ``shequ validate``: links out of
the project, special files, pages that are not UTF-8 or too large, and pages the nav names
that do not exist."""

from __future__ import annotations

import os

import pytest

from conftest import line_of
from site_project import edit, make_site_project, the_problem, validate

PAGE = "docs/guides/find-support.md"


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setenv("SHEQU_TODAY", "2026-11-26")
    return make_site_project(tmp_path / "project")


def test_a_page_that_is_not_utf8_is_named_with_its_line(site):
    (site / PAGE).write_bytes("# 寻找扶持\n\n正文\n".encode("gbk"))
    code, problems = validate(site)
    assert code == 1
    problem = the_problem(problems, "docs.encoding")
    assert (problem["file"], problem["line"]) == (PAGE, 1)


def test_a_page_with_a_nul_byte_is_named_with_its_line(site):
    (site / PAGE).write_bytes(b"# Title\n\nline\x00\n")
    code, problems = validate(site)
    assert (code, the_problem(problems, "docs.encoding")["line"]) == (1, 3)


def test_a_page_too_large_is_refused(site):
    (site / PAGE).write_bytes(b"a" * (2 * 1024 * 1024 + 1))
    code, problems = validate(site)
    assert code == 1
    assert the_problem(problems, "docs.too-large")["file"] == PAGE


@pytest.mark.parametrize("target", ["/etc/passwd", "../../../outside.md", "missing.md"])
def test_a_linked_page_is_refused_wherever_it_points(site, target):
    (site / PAGE).unlink()
    os.symlink(target, site / PAGE)
    code, problems = validate(site)
    assert code == 1
    assert the_problem(problems, "files.symlink")["file"] == PAGE
    # The page is there, as a link: the nav's entry for it is not reported as well.
    assert not [p for p in problems if p["rule"] == "config.nav-missing"]


def test_a_linked_folder_and_an_asset_link_are_refused(site, tmp_path):
    os.symlink(tmp_path, site / "docs" / "assets")
    os.symlink("/etc/hostname", site / "docs" / "guides" / "logo.png")
    code, problems = validate(site)
    assert code == 1
    assert sorted(p["file"] for p in problems if p["rule"] == "files.symlink") == [
        "docs/assets", "docs/guides/logo.png"]


def test_a_named_pipe_is_refused_without_being_read(site):
    os.mkfifo(site / "docs" / "pipe.md")
    code, problems = validate(site)  # reading the pipe would block until a writer comes
    assert code == 1
    assert the_problem(problems, "files.not-a-file")["file"] == "docs/pipe.md"


def test_a_page_the_nav_names_must_exist(site):
    (site / PAGE).unlink()
    code, problems = validate(site)
    assert code == 1
    problem = the_problem(problems, "config.nav-missing")
    assert (problem["file"], problem["field"], problem["line"]) == (
        "mkdocs.yml", "nav[0].简体中文[1].指南[1].寻找扶持", line_of(site / "mkdocs.yml", "guides/find-support.md"))


def test_generated_pages_in_the_nav_follow_the_plugins_data_path(site):
    edit(site / "mkdocs.yml", "  - shequ\n", "  - shequ:\n      data_path: open-data/\n")
    code, problems = validate(site)
    assert code == 1  # data/index.md is no longer a generated page
    assert {p["field"] for p in problems if p["rule"] == "config.nav-missing"} == {
        "nav[0].简体中文[5].数据下载", "nav[1].English[5].Data"}
    text = (site / "mkdocs.yml").read_text(encoding="utf-8").replace("data/index.md", "open-data/index.md")
    (site / "mkdocs.yml").write_text(text, encoding="utf-8")
    assert validate(site) == (0, [])


def test_hidden_files_are_left_alone_as_mkdocs_leaves_them(site):
    (site / "docs" / ".notes.md").write_bytes(b"\xff\xfe")
    assert validate(site) == (0, [])


def test_docs_dir_is_read_from_the_configuration(site):
    os.rename(site / "docs", site / "pages")
    edit(site / "mkdocs.yml", "edit_uri:", "docs_dir: pages\nedit_uri:")
    (site / "pages" / "guides" / "find-support.md").write_bytes("# 寻找\n".encode("gbk"))
    code, problems = validate(site)
    assert code == 1
    assert the_problem(problems, "docs.encoding")["file"] == "pages/guides/find-support.md"


def test_the_nav_check_knows_every_folder_of_generated_pages(mini):
    """checks.site_config may not import the render stage, so it names the folders of the
    generated pages itself: every generated listing page must be in one of them."""
    from shequ.build.pipeline import validate as load_and_check
    from shequ.checks.site_config import GENERATED_SECTIONS
    from shequ.project import Project
    from shequ.render import Directory, Renderer, Settings, listing_pages
    from shequ.render.language import LANGUAGES

    sources, report = load_and_check(Project.at(mini.root))
    assert report.valid, report.format_text()
    folders = set()
    for lang in LANGUAGES:
        renderer = Renderer(Directory(sources), Settings(data_path="data/"), lang=lang)
        for page in listing_pages(renderer, lambda: None):
            parts = page.path.split("/")
            folders.add(parts[1] if parts[0] == lang else parts[0])
    assert folders == set(GENERATED_SECTIONS) | {"data"}
