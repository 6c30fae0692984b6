"""``serve``'s incremental rebuilds: the output after an edit is the output of a clean build.

A small project is built as ``mkdocs serve`` builds it (the plugin kept between
builds), records are edited, added and removed, and the rebuilt site is compared
file by file with a clean build of the same sources, once the search index that
follows each rebuild is written.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path

import pytest

from test_site import INC, ORG, make_site_project

from shequ.build import manifest
from shequ.build.incremental import BuildCache
from shequ.project import Project


def hashes(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def _config(root: Path, site: Path):
    from mkdocs.config import load_config

    return load_config(str(root / "mkdocs.yml"), site_dir=str(site))


def _plugin(config):
    return config.plugins["shequ"]


@pytest.fixture
def serve(tmp_path, monkeypatch):
    """Builds like ``mkdocs serve``: one plugin kept across builds. Yields (root, build)."""
    from mkdocs.commands.build import build

    monkeypatch.setenv("SHEQU_TODAY", "2026-11-26")
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    root = make_site_project(tmp_path / "project")
    site = tmp_path / "served"
    config = _config(root, site)
    config.plugins.on_startup(command="serve", dirty=False)
    plugin = _plugin(config)

    def rebuild():
        config = _config(root, site)
        assert _plugin(config) is plugin  # MkDocs keeps a plugin that has on_startup between builds
        build(config, serve_url="http://127.0.0.1:8000/")
        plugin.build.search.wait()  # a rebuild's search index follows it, beside the served site
        return plugin

    yield root, site, rebuild
    config.plugins.on_shutdown()
    config.plugins.on_startup(command="build", dirty=False)  # the next test's builds start afresh
    logging.getLogger("mkdocs").handlers.clear()


def clean_build(root: Path, site: Path) -> None:
    from mkdocs.commands.build import build

    config = _config(root, site)
    config.plugins.on_startup(command="build", dirty=False)
    build(config, serve_url="http://127.0.0.1:8000/")


def _set_name(path: Path, name: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^name: .*$", f"name: {name}", text, count=1, flags=re.M), encoding="utf-8")


def test_a_rebuild_after_edits_is_the_clean_build(serve, tmp_path):
    root, site, rebuild = serve
    plugin = rebuild()
    assert plugin.build.cache.parsed > 0
    organizations = root / "datasets" / "organizations"
    first = hashes(site)
    listed_first = manifest.read(site / manifest.NAME)

    # An incubated organization renamed: its page, its incubator's page and the listings change.
    _set_name(organizations / f"{ORG}.yaml", "改名后的银龄互助会")
    # An incubator renamed: the pages of the organizations it incubated change.
    _set_name(root / "datasets" / "incubators" / f"{INC}.yaml", "改名后的孵化基地")
    # One record removed and one added: a demo record moved to a new id.
    moved = sorted(p for p in organizations.glob("*.yaml") if not p.name.startswith("org-site-test"))[0]
    (organizations / "org-added-record.yaml").write_text(
        moved.read_text(encoding="utf-8").replace(moved.stem, "org-added-record"), encoding="utf-8")
    moved.unlink()
    # The served pages of the last build stay as they were while the next is made: keep a link
    # to one the edit changes, and to one it does not (the spare tree holds links to both).
    served_before = {}
    for path in (f"organizations/{ORG}/index.html", f"en/incubators/{INC}/index.html"):
        keep = tmp_path / path.replace("/", "_")
        os.link(site / path, keep)
        served_before[keep] = keep.read_bytes()

    plugin = rebuild()
    for keep, data in served_before.items():
        assert keep.read_bytes() == data, keep  # a changed page was written anew, not through a link
    assert plugin.build.cache.parsed == 3  # the two edited files and the new one
    records = len(plugin.build.renderer.directory.organizations) + len(plugin.build.renderer.directory.incubators)
    pages = records * len(plugin.build.renderers)  # a page per record in each language
    assert 0 < plugin.build.cache.reused < pages - 2 * 3  # most record pages were linked, not rendered
    assert plugin.build.cache.spare_used  # the last build's pages came from the spare tree made after it

    clean_build(root, tmp_path / "clean")
    served, clean = hashes(site), hashes(tmp_path / "clean")
    assert served.keys() == clean.keys()
    assert [path for path in served if served[path] != clean[path]] == []
    assert served != first
    # The manifest, written after the index that follows the rebuild, lists exactly the files that
    # changed: what a deploy uploads (shequ.tools.deploy).
    listed = manifest.read(site / manifest.NAME)
    assert {path: entry.sha256 for path, entry in listed.items()} == {
        path: digest for path, digest in served.items() if path not in manifest.NOT_LISTED}
    changed = {path for path in listed.keys() | listed_first.keys() if listed.get(path) != listed_first.get(path)}
    assert {f"organizations/{ORG}/index.html", f"organizations/{ORG}.json", f"{moved.parent.name}/{moved.stem}.json",
            "organizations/org-added-record.json"} <= changed
    assert "assets/shequ.css" not in changed and len(changed) < len(listed) / 2
    page = (site / "organizations" / ORG / "index.html").read_text(encoding="utf-8")
    assert "改名后的银龄互助会" in page and "改名后的孵化基地" in page
    assert "改名后的银龄互助会" in (site / "incubators" / INC / "index.html").read_text(encoding="utf-8")


def test_a_shared_file_edit_renders_every_page_again(serve, tmp_path):
    root, site, rebuild = serve
    rebuild()
    vocabulary = root / "datasets" / "vocabularies" / "statuses.yaml"
    text = vocabulary.read_text(encoding="utf-8")
    vocabulary.write_text(text.replace("label_en: Active", "label_en: Active (in operation)", 1), encoding="utf-8")
    assert "Active (in operation)" in vocabulary.read_text(encoding="utf-8")
    plugin = rebuild()
    assert plugin.build.cache.parsed == 0 and plugin.build.cache.reused == 0
    clean_build(root, tmp_path / "clean")
    assert hashes(site) == hashes(tmp_path / "clean")


def test_an_edit_that_fails_a_check_leaves_the_served_site(serve):
    from mkdocs.exceptions import Abort, PluginError

    root, site, rebuild = serve
    rebuild()
    before = hashes(site)
    path = root / "datasets" / "organizations" / f"{ORG}.yaml"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("division: ", "divison: ", 1), encoding="utf-8")
    with pytest.raises((Abort, PluginError)):
        rebuild()
    assert hashes(site) == before
    path.write_text(good.replace("name: ", "name: 又", 1), encoding="utf-8")
    plugin = rebuild()
    assert plugin.build.cache.parsed == 1
    assert "又" in (site / "organizations" / ORG / "index.html").read_text(encoding="utf-8")


def test_record_files_are_parsed_again_only_when_their_bytes_change(tmp_path):
    root = make_site_project(tmp_path / "project")
    project = Project.at(root)
    cache = BuildCache(root=root)
    records, problems = cache.load_records(project)
    total = sum(len(r) for r in records.values())
    assert cache.parsed == total and problems == []
    again, _ = cache.load_records(project)
    assert cache.parsed == 0
    assert [r.data for r in again["organizations"]] == [r.data for r in records["organizations"]]

    path = root / "datasets" / "organizations" / f"{ORG}.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "divison: x\n", encoding="utf-8")
    (root / "datasets" / "organizations" / "broken.yaml").write_text("a: [", encoding="utf-8")
    edited, problems = cache.load_records(project)
    assert cache.parsed == 2
    assert [p.rule for p in problems] == ["yaml.syntax"]
    assert next(r for r in edited["organizations"] if r.id == ORG).data["divison"] == "x"
    (root / "datasets" / "organizations" / "broken.yaml").unlink()
    cache.load_records(project)
    assert cache.parsed == 0 and "datasets/organizations/broken.yaml" not in cache.files
