"""The render stage's shortcuts give the same site, byte for byte, as rendering every
page the ordinary way (``SHEQU_PLAIN_RENDER=1``): record pages filled into a shared
theme shell, listing rows rendered once per organization. And templates read without
their indentation (``SHEQU_COMPACT_TEMPLATES=0`` turns that off) give pages that are
the same text once every run of white space is taken as one space."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from test_site import site  # noqa: F401  (site is a fixture)

from shequ.build import manifest
from shequ.generator.material import SENTINEL_ID, ThemeShells
from shequ.render.page import GeneratedPage


def site_hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build(root: Path, site_dir: Path, **env) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SHEQU_TODAY": "2026-11-26", **env}
    env.pop("SHEQU_PLAIN_RENDER", None) if "SHEQU_PLAIN_RENDER" not in env else None
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--site-dir", str(site_dir)], cwd=root,
                          env=env, capture_output=True, text=True, timeout=600)


def test_the_fast_render_stage_gives_the_same_site_as_the_plain_one(site, tmp_path):  # noqa: F811
    # The fast build is the session's demo site (test_site.py), built the ordinary way with
    # `mkdocs build`, its listings several pages long; the plain one renders a copy of the same
    # sources, every shortcut off.
    project = tmp_path / "project"
    shutil.copytree(site.root, project, symlinks=True, ignore=shutil.ignore_patterns("site"))
    plain_site, loose_site = tmp_path / "plain", tmp_path / "loose"
    plain = build(project, plain_site, SHEQU_PLAIN_RENDER="1")
    assert plain.returncode == 0, plain.stderr[-3000:]
    assert "rendered without a shared theme shell" not in site.output
    # Long listings of several pages, each row filled into every page's links.
    assert (site.site / "organizations" / "page" / "3" / "index.html").is_file()
    fast_files, plain_files = site_hashes(site.site), site_hashes(plain_site)
    assert fast_files.keys() == plain_files.keys()
    different = [path for path in fast_files if fast_files[path] != plain_files[path]]
    assert different == []
    assert len([p for p in fast_files if p.startswith("organizations/org-")]) > 50

    # Templates with their indentation kept: the same text, white space aside, and larger.
    loose = build(project, loose_site, SHEQU_PLAIN_RENDER="1", SHEQU_COMPACT_TEMPLATES="0")
    assert loose.returncode == 0, loose.stderr[-3000:]
    loose_files = site_hashes(loose_site)
    assert loose_files.keys() == plain_files.keys()
    smaller = 0
    differ = {path for path in plain_files if plain_files[path] != loose_files[path]}
    # The site's manifest lists each file's hash: it differs where the pages do, and there alone.
    plain_listed, loose_listed = manifest.read(plain_site / manifest.NAME), manifest.read(loose_site / manifest.NAME)
    assert {path for path in plain_listed if plain_listed[path] != loose_listed[path]} == differ - {manifest.NAME}
    for path in differ - {manifest.NAME}:
        assert path.endswith((".html", ".xml")), path
        compact, spaced = (plain_site / path).read_text("utf-8"), (loose_site / path).read_text("utf-8")
        assert re.sub(r"\s+", " ", compact) == re.sub(r"\s+", " ", spaced), path
        smaller += len(spaced.encode()) - len(compact.encode())
    page = "organizations/org-site-test-silver/index.html"
    assert (loose_site / page).stat().st_size - (plain_site / page).stat().st_size > 2000
    assert smaller > 0


class FakeTemplate:
    """A theme that prints the title twice, once transformed, so no shell can stand in for it."""

    def __init__(self, transform):
        self.transform = transform
        self.calls = 0

    def render(self, context):
        self.calls += 1
        page = context["page"]
        return (f"<title>{self.transform(page.meta['title'])}</title><a href='{page.edit_url}'>"
                f"{page.url}</a><main>{page.content}</main>")


def _shells(template):
    from mkdocs.config.defaults import MkDocsConfig

    config = MkDocsConfig()
    config.load_dict({"site_name": "t", "docs_dir": "."})
    config.validate()
    config.plugins._current_plugin = "test"  # MkDocs sets it while a plugin's event runs

    def dress(page, generated):
        from markupsafe import escape
        page.meta["title"] = str(escape(generated.title))
        page.edit_url = generated.edit_url

    return ThemeShells(template, None, [], config, dress)


def _page(rid: str, title: str, body: str) -> GeneratedPage:
    return GeneratedPage(f"organizations/{rid}/", title, body, f"https://e.org/edit/main/datasets/organizations/{rid}.yaml")


def test_a_shell_is_used_when_it_gives_the_ordinary_page(monkeypatch):
    from mkdocs.commands import build as mkdocs_build

    monkeypatch.setattr(mkdocs_build, "get_context", lambda nav, files, config, page: {"page": page})
    template = FakeTemplate(lambda t: t)
    shells = _shells(template)
    for i in range(5):
        page = _page(f"org-a{i}", f"名称 {i} <&>", f"<p>{i}</p>")
        html = shells.render(page)
        assert html == shells.render_slow(page)
    assert (shells.fast, shells.slow) == (5, 0)
    # One rendering for the shell and one to check the first page; after that, none.
    assert template.calls == 2 + 5  # (+ the 5 comparisons this test made itself)


def test_a_theme_that_transforms_the_title_is_rendered_the_ordinary_way(monkeypatch):
    from mkdocs.commands import build as mkdocs_build

    monkeypatch.setattr(mkdocs_build, "get_context", lambda nav, files, config, page: {"page": page})
    shells = _shells(FakeTemplate(str.upper))
    for i in range(3):
        page = _page(f"org-b{i}", f"title {i}", "<p>x</p>")
        assert shells.render(page) == shells.render_slow(page)
    assert shells.fast == 0 and shells.slow == 3


def test_values_that_look_like_sentinels_are_rendered_the_ordinary_way(monkeypatch):
    from mkdocs.commands import build as mkdocs_build

    monkeypatch.setattr(mkdocs_build, "get_context", lambda nav, files, config, page: {"page": page})
    shells = _shells(FakeTemplate(lambda t: t))
    page = _page("org-c", "t", f"<p>{SENTINEL_ID}</p>")
    assert shells.render(page) == shells.render_slow(page)
    assert shells.slow == 1
