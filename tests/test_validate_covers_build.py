"""What ``shequ validate`` calls valid, every command can use: over a corpus of broken trees
(one file the build reads, broken in one way each), a tree that validate passes is
published without error, a tree it refuses is refused by publish too, and ``shequ build``
never ends in a traceback, whatever the tree.

validate and publish run in this process (fast); the site builds run as real processes,
one per tree, only for a few trees: each build costs seconds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from site_project import edit, invoke, make_site_project

ENV = {**os.environ, "SHEQU_TODAY": "2026-11-26", "NO_MKDOCS_2_WARNING": "1", "PYTHONIOENCODING": "utf-8"}
XSS = '"><img src=x onerror=alert(document.domain)>'


def replace(file: str, old: str, new: str) -> Callable[[Path], None]:
    return lambda root: edit(root / file, old, new) and None


def write(file: str, data: bytes) -> Callable[[Path], None]:
    def put(root: Path) -> None:
        path = root / file
        if path.is_symlink() or path.exists():
            path.unlink()
        path.write_bytes(data)
    return put


def link(file: str, target: str) -> Callable[[Path], None]:
    def put(root: Path) -> None:
        (root / file).unlink()
        os.symlink(target, root / file)
    return put


def remove(file: str) -> Callable[[Path], None]:
    return lambda root: (root / file).unlink()


def several(*changes: Callable[[Path], None]) -> Callable[[Path], None]:
    def put(root: Path) -> None:
        for change in changes:
            change(root)
    return put


PACKAGE, CITATION, CONFIG = "datasets/package.yaml", "CITATION.cff", "mkdocs.yml"
HOMEPAGE = "homepage: https://github.com/shequ-project/shequ"
REPOSITORY = "repository: https://github.com/shequ-project/shequ"
AUTHOR = '  - name: "Shequ contributors"'
EDIT_URI = "edit_uri: edit/main/docs/"

#: Each tree: the project with one change. Valid and invalid trees both belong here: the
#: property is about the commands agreeing, whichever way validate decides.
TREES: dict[str, Callable[[Path], None]] = {
    # datasets/package.yaml
    "package-homepage-number": replace(PACKAGE, HOMEPAGE, "homepage: 12"),
    "package-repository-breaks-out": replace(PACKAGE, REPOSITORY, f"repository: 'https://github.com/x/y{XSS}'"),
    "package-repository-not-http": replace(PACKAGE, REPOSITORY, "repository: file:///etc/passwd"),
    "package-description-date": replace(PACKAGE, "description: >-", "description: 2026-01-01\nx_description: >-"),
    "package-keyword-number": replace(PACKAGE, "keywords: [community", "keywords: [12, community"),
    "package-keywords-text": replace(PACKAGE, "keywords: [", "keywords: civil society\nx_keywords: ["),
    "package-licence-path-js": replace(PACKAGE, "path: https://creativecommons.org/licenses/by/4.0/",
                                       "path: javascript:alert(1)"),
    "package-licenses-mapping": replace(PACKAGE, "licenses:\n  - name: CC-BY-4.0", "licenses:\n  name: CC-BY-4.0"),
    "package-contributor-number": replace(PACKAGE, "  - title: Shequ contributors", "  - title: 12"),
    "package-source-date": replace(PACKAGE, "  - title: Fictional demonstration records generated for Shequ",
                                   "  - title: 2026-01-01"),
    "package-title-list": replace(PACKAGE, "title: Shequ community", "title: [Shequ]\nx_title: Shequ community"),
    "package-name-number": replace(PACKAGE, "name: shequ-community-organizations", "name: 12"),
    "package-version-number": replace(PACKAGE, "version: 0.1.0", "version: 1.5"),
    "package-created-nonsense": replace(PACKAGE, 'created: "2026-11-26"', "created: [2026]"),
    # CITATION.cff
    "citation-syntax": replace(CITATION, "title: ", "title: ["),
    "citation-alias-bomb": write(CITATION, b"a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                                           b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"),
    "citation-author-number": replace(CITATION, AUTHOR, "  - name: 12"),
    "citation-author-text": replace(CITATION, AUTHOR, "  - Shequ contributors"),
    "citation-authors-mapping": replace(CITATION, "authors:\n" + AUTHOR, "authors:\n  name: x"),
    "citation-date-nonsense": replace(CITATION, 'date-released: "2026-11-26"', "date-released: [1]"),
    "citation-title-mapping": replace(CITATION, "title: ", "title:\n  en: x\nx_title: "),
    "citation-list": write(CITATION, b"- a\n- b\n"),
    "citation-empty": write(CITATION, b""),
    "citation-gbk": write(CITATION, "title: 社区\n".encode("gbk")),
    "citation-python-tag": write(CITATION, b"title: !!python/object/apply:os.getcwd []\n"),
    "citation-version-number": replace(CITATION, "version: 0.1.0", "version: 1"),
    "citation-missing": remove(CITATION),
    # mkdocs.yml
    "config-repo-url-breaks-out": replace(CONFIG, EDIT_URI, f"repo_url: https://github.com/x/y{XSS}\n{EDIT_URI}"),
    "config-site-url-number": replace(CONFIG, EDIT_URI, f"site_url: 12\n{EDIT_URI}"),
    "config-site-url-env": replace(CONFIG, EDIT_URI, f"site_url: !ENV [SHEQU_NO_SUCH_VARIABLE, "
                                                      f"'https://example.org/shequ/']\n{EDIT_URI}"),
    "config-language-unknown": replace(CONFIG, "language: zh", "language: xx"),
    "config-language-path": replace(CONFIG, "language: zh", "language: ../base"),
    "config-language-en": replace(CONFIG, "language: zh", "language: en"),
    "config-copyright-markup": replace(CONFIG, "copyright: Data", "copyright: <script>alert(1)</script> Data"),
    "config-per-page-text": replace(CONFIG, "  - shequ\n", "  - shequ:\n      per_page: many\n"),
    "config-per-page-zero": replace(CONFIG, "  - shequ\n", "  - shequ:\n      per_page: 0\n"),
    "config-per-page-small": replace(CONFIG, "  - shequ\n", "  - shequ:\n      per_page: 1\n"),
    "config-data-path-out": replace(CONFIG, "  - shequ\n", "  - shequ:\n      data_path: ../../x/\n"),
    "config-data-path-number": replace(CONFIG, "  - shequ\n", "  - shequ:\n      data_path: 12\n"),
    "config-edit-uri-breaks-out": replace(CONFIG, EDIT_URI, "edit_uri: 'edit/\" onclick=\"alert(1)'"),
    "config-site-dir-datasets": replace(CONFIG, EDIT_URI, f"site_dir: datasets\n{EDIT_URI}"),
    "config-docs-dir-missing": replace(CONFIG, EDIT_URI, f"docs_dir: nowhere\n{EDIT_URI}"),
    "config-nav-missing-page": replace(CONFIG, "首页: index.md", "首页: gone.md"),
    "config-nav-number": replace(CONFIG, "首页: index.md", "首页: 12"),
    "config-extra-homepage-js": replace(CONFIG, EDIT_URI, f"extra:\n  homepage: javascript:alert(1)\n{EDIT_URI}"),
    "config-extra-social": replace(CONFIG, EDIT_URI, "extra:\n  social:\n    - icon: material/github\n"
                                                     f"      link: https://github.com/x\n      name: GitHub\n{EDIT_URI}"),
    "config-syntax": replace(CONFIG, "site_name: Shequ 社区", "site_name: [Shequ"),
    "config-list": write(CONFIG, b"- site_name\n"),
    # docs/
    "docs-page-gbk": write("docs/guides/find-support.md", "# 寻找扶持\n正文\n".encode("gbk")),
    "docs-page-nul": write("docs/guides/find-support.md", b"# x\n\x00\n"),
    "docs-page-link-outside": link("docs/guides/find-support.md", "/etc/passwd"),
    "docs-page-missing": remove("docs/guides/find-support.md"),
    # schemas, vocabularies, divisions, policy
    "schema-missing": remove("datasets/schemas/organizations.schema.json"),
    "vocabulary-syntax": replace("datasets/vocabularies/statuses.yaml", "terms:", "terms: ["),
    "divisions-gbk": write("datasets/reference/divisions.csv", "code,name,level,parent\n11,北京市,province,\n"
                           .encode("gbk")),
}

#: Trees also built as a site: those whose build ended in a traceback before validate covered
#: them, and one tree that validate passes with every unusual-but-valid change at once.
BUILT = ("package-homepage-number", "citation-author-number", "config-language-unknown", "docs-page-gbk")
ALL_VALID = several(TREES["config-site-url-env"], TREES["citation-version-number"], TREES["config-language-en"],
                    TREES["config-extra-social"], TREES["config-per-page-small"])


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return make_site_project(tmp_path_factory.mktemp("base") / "project")


def tree(base: Path, folder: Path, change: Callable[[Path], None]) -> Path:
    root = folder / "project"
    shutil.copytree(base, root, symlinks=True)
    change(root)
    return root


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setenv("SHEQU_TODAY", "2026-11-26")


@pytest.mark.parametrize("name", TREES)
def test_publish_agrees_with_validate(base, tmp_path, name):
    root = tree(base, tmp_path, TREES[name])
    validated = invoke("validate", "--project", str(root))
    published = invoke("publish", "--project", str(root), "--out", str(tmp_path / "out"))
    assert validated.exit_code in (0, 1), validated.output
    assert published.exit_code == validated.exit_code, validated.output + published.output
    assert (tmp_path / "out" / "datapackage.json").is_file() == (validated.exit_code == 0)


def test_the_corpus_holds_valid_and_invalid_trees(base, tmp_path):
    """The property above says something only if validate passes some trees and refuses others."""
    codes = {}
    for name in ("citation-version-number", "config-extra-social", "package-homepage-number", "docs-page-gbk"):
        codes[name] = invoke("validate", "--project", str(tree(base, tmp_path / name, TREES[name]))).exit_code
    assert codes == {"citation-version-number": 0, "config-extra-social": 0, "package-homepage-number": 1,
                     "docs-page-gbk": 1}


def shequ_build(root: Path) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("shequ")
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "shequ"]
    return subprocess.run(command + ["build"], cwd=root, env=ENV, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("name", BUILT + ("all-valid",))
def test_build_agrees_with_validate_and_never_shows_a_traceback(base, tmp_path, name):
    root = tree(base, tmp_path, ALL_VALID if name == "all-valid" else TREES[name])
    validated = invoke("validate", "--project", str(root))
    built = shequ_build(root)
    output = built.stdout + built.stderr
    assert "Traceback" not in output, output[-3000:]
    assert built.returncode == validated.exit_code, validated.output + output[-3000:]
    assert (root / "site" / "index.html").is_file() == (validated.exit_code == 0)
