"""A small project with everything the site reads (mkdocs.yml, CITATION.cff, docs/), for the
tests that break one of those files and run ``shequ validate`` on it through the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from conftest import REPO, MiniProject


def make_site_project(root: Path) -> Path:
    MiniProject(root)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copy(REPO / "CITATION.cff", root / "CITATION.cff")
    shutil.copytree(REPO / "docs", root / "docs", ignore=shutil.ignore_patterns(".*", "__pycache__"))
    return root


#: The address of the site as a deployment sets it (``site_url``): the sitemap then lists every
#: page and the language alternates are full addresses.
SITE_ADDRESS = "https://example.org/shequ/"


#: Two releases' files (datasets/releases/), as `shequ release` writes them: the What's new page
#: and feeds come from them. The removed record's name is hostile: it is shown, escaped, unlinked.
RELEASE_FILES = {
    "0.1.0": """\
version: 0.1.0
date: 2026-10-15
added:
  - dataset: organizations
    id: org-silver-age
    name: 朝阳区银龄互助会
    name_en: Chaoyang Silver Age Mutual Aid Association
  - dataset: organizations
    id: org-gone-club
    name: "<script>alert(1)</script> & 读书会"
    name_en: "Gone <b>Club</b> & Co"
""",
    "0.2.0": """\
version: 0.2.0
date: 2026-11-20
since: 0.1.0
note: 演示：虚构的发布。
note_en: "Demonstration: a fictional release."
added:
  - dataset: organizations
    id: org-harmony-mediators
    name: 朝外调解志愿队
  - dataset: incubators
    id: inc-chaoyang-base
    name: 朝阳区社区社会组织孵化基地
    name_en: Chaoyang Community Organization Incubation Base
changed:
  - dataset: organizations
    id: org-silver-age
    name: 朝阳区银龄互助会
    name_en: Chaoyang Silver Age Mutual Aid Association
    fields: [address, fields_of_activity]
removed:
  - dataset: organizations
    id: org-gone-club
    name: "<script>alert(1)</script> & 读书会"
    name_en: "Gone <b>Club</b> & Co"
""",
}


def write_release_files(root: Path) -> None:
    folder = root / "datasets" / "releases"
    folder.mkdir(exist_ok=True)
    for version, text in RELEASE_FILES.items():
        (folder / f"{version}.yaml").write_text(text, encoding="utf-8")


def make_addressed_project(root: Path) -> Path:
    """``make_site_project`` with a ``site_url`` in its mkdocs.yml, and two releases' files."""
    make_site_project(root)
    write_release_files(root)
    config = root / "mkdocs.yml"
    config.write_text(f"site_url: {SITE_ADDRESS}\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
    return root


def edit(path: Path, old: str, new: str) -> Path:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def invoke(*args: str):
    """The shequ command in this process. An exception that escapes it is a failure of the test."""
    from shequ.cli import main

    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def validate(root: Path) -> tuple[int, list[dict]]:
    """``shequ validate --format json``: its exit code and the problems it lists."""
    result = invoke("validate", "--project", str(root), "--format", "json")
    return result.exit_code, json.loads(result.output)["problems"]


def the_problem(problems: list[dict], rule: str) -> dict:
    found = [p for p in problems if p["rule"] == rule]
    assert len(found) == 1, f"expected one {rule}, got {json.dumps(problems, ensure_ascii=False, indent=1)}"
    return found[0]
