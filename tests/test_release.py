"""shequ release X.Y.Z: the version set in package.yaml and CITATION.cff with comments kept, and a
CHANGELOG.md section from the record diff since the previous release tag; on a temporary git repository."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import REPO
from shequ.cli import main

NEW_ORG = """\
id: org-reading-club
name: 建外书香读书会
legal_form: unregistered
management_track: community-guided
division: "110105001"
status: active
fields_of_activity: [culture]
sources:
  - title: Shequ demonstration record (fictional)
    url: https://example.org/shequ-demo/org-reading-club
    accessed: 2026-11-01
last_verified: 2026-11-01
"""


def git(root, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def commit(root, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def run(root, *args: str):
    return CliRunner().invoke(main, ["release", "--project", str(root), *args], catch_exceptions=False)


@pytest.fixture
def repo(mini):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    shutil.copy(REPO / "CITATION.cff", mini.root / "CITATION.cff")
    package = mini.root / "datasets" / "package.yaml"
    package.write_text(package.read_text("utf-8").replace("\nversion: 0.1.0\n",
                                                          "\n# The data version; shequ release sets it.\n"
                                                          "version: 0.1.0  # MAJOR.MINOR.PATCH\n"), "utf-8")
    git(mini.root, "init", "-q", "-b", "main")
    git(mini.root, "config", "user.name", "Test")
    git(mini.root, "config", "user.email", "test@example.org")
    git(mini.root, "config", "commit.gpgsign", "false")
    git(mini.root, "config", "tag.gpgsign", "false")
    commit(mini.root, "initial records")
    return mini


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    a, b = before.splitlines(), after.splitlines()
    assert len(a) == len(b)
    return [(x, y) for x, y in zip(a, b) if x != y]


def test_first_release_then_a_second_with_a_changelog_from_the_record_diff(repo):
    root = repo.root
    first = run(root, "0.1.0")
    assert first.exit_code == 0, first.output
    assert "release 0.1.0 (first release: 3 added, 0 removed, 0 changed)" in first.stdout
    changelog = (root / "CHANGELOG.md").read_text("utf-8")
    assert changelog.startswith("# Changelog\n")
    assert "## 0.1.0 — 2026-11-26\n\nRecords in this first release: 3.\n" in changelog
    assert "| organizations | 2 | 0 | 0 |" in changelog
    commit(root, "Release 0.1.0")
    git(root, "tag", "-a", "v0.1.0", "-m", "Release 0.1.0")

    repo.write("organizations", "org-reading-club", NEW_ORG)
    repo.path("organizations", "org-harmony-mediators").unlink()
    repo.edit("organizations", "org-silver-age", "status: active", "status: dissolved\ndissolved: 2026-10-01")
    repo.edit("organizations", "org-silver-age", "示例路1号", "示例路2号")
    repo.edit("incubators", "inc-chaoyang-base", "capacity: 30", "capacity: 35")
    commit(root, "edits")

    package_before = (root / "datasets" / "package.yaml").read_text("utf-8")
    citation_before = (root / "CITATION.cff").read_text("utf-8")
    result = run(root, "0.2.0")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "release 0.2.0 (since v0.1.0: 1 added, 1 removed, 2 changed)" in out
    assert "git tag -a v0.2.0 -m \"Release 0.2.0\"" in out
    assert ("git commit -m \"Release 0.2.0\" -- datasets/package.yaml CITATION.cff CHANGELOG.md "
            "datasets/releases/0.2.0.yaml") in out

    package_after = (root / "datasets" / "package.yaml").read_text("utf-8")
    assert changed_lines(package_before, package_after) == [
        ("version: 0.1.0  # MAJOR.MINOR.PATCH", "version: 0.2.0  # MAJOR.MINOR.PATCH")]
    assert "# The data version; shequ release sets it.\n" in package_after
    citation_after = (root / "CITATION.cff").read_text("utf-8")
    assert changed_lines(citation_before, citation_after) == [("version: 0.1.0", "version: 0.2.0")] or \
        changed_lines(citation_before, citation_after) == [("version: 0.1.0", "version: 0.2.0"),
                                                           ('date-released: "2026-11-26"', 'date-released: "2026-11-26"')]
    assert 'date-released: "2026-11-26"' in citation_after  # quotes kept

    changelog = (root / "CHANGELOG.md").read_text("utf-8")
    section = changelog.split("## 0.2.0", 1)[1].split("## 0.1.0", 1)[0]
    assert changelog.index("## 0.2.0") < changelog.index("## 0.1.0")
    assert " — 2026-11-26\n\nRecords since v0.1.0: 1 added, 1 removed, 2 changed.\n" in section
    assert "| organizations | 1 | 1 | 1 |" in section and "| incubators | 0 | 0 | 1 |" in section
    assert "- Added: 建外书香读书会 (`org-reading-club`)" in section
    assert "- Removed: 朝外调解志愿队 (`org-harmony-mediators`)" in section
    assert "- 朝阳区银龄互助会 (`org-silver-age`): status active → dissolved" in section
    assert "- 1 other record updated (capacity)." in section

    # The release's file, for the What's new page and feeds, holds the very records of `shequ diff`.
    from shequ.project import Project
    from shequ.sources.releases import load_release_changes
    from shequ.tools.diff import record_diff

    releases, problems = load_release_changes(Project.at(root))
    assert problems == [] and [(r.version, r.since) for r in releases] == [("0.2.0", "0.1.0"), ("0.1.0", None)]
    assert len(releases[1].of("added")) == 3 and releases[0].date == "2026-11-26"
    diff = record_diff(Project.at(root), "v0.1.0", "HEAD")
    assert {(e.kind, e.dataset, e.id) for e in releases[0].entries} == {
        (c.kind, c.dataset, c.id) for c in diff.changes}
    assert {e.id: set(e.fields) for e in releases[0].of("changed")} == {
        "org-silver-age": {"address", "status", "dissolved"}, "inc-chaoyang-base": {"capacity"}}
    assert [(e.name, e.name_en) for e in releases[0].of("removed")] == [("朝外调解志愿队", None)]


def test_the_updated_citation_file_is_valid_cff(repo):
    assert run(repo.root, "0.1.1").exit_code == 0
    done = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                           "vendor.citation-file-format", str(repo.root / "CITATION.cff")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("version,message", [
    ("1.2", "'1.2' is not a version"),
    ("v1.2.0", "'v1.2.0' is not a version"),
    ("0.0.9", "0.0.9 is older than the current version 0.1.0"),
])
def test_bad_versions_are_usage_errors_and_change_nothing(repo, version, message):
    result = run(repo.root, version)
    assert result.exit_code == 2
    assert message in result.stderr
    assert git(repo.root, "status", "--porcelain") == ""


def test_an_existing_tag_or_section_is_refused(repo):
    git(repo.root, "tag", "v0.1.0")
    result = run(repo.root, "0.1.0")
    assert result.exit_code == 2 and "tag v0.1.0 already exists" in result.stderr
    (repo.root / "CHANGELOG.md").write_text("# Changelog\n\n## 0.3.0 — 2026-11-01\n\nHand-written.\n", "utf-8")
    result = run(repo.root, "0.3.0")
    assert result.exit_code == 2 and "already has a section for 0.3.0" in result.stderr
    (repo.root / "datasets" / "releases").mkdir()
    (repo.root / "datasets" / "releases" / "0.4.0.yaml").write_text("version: 0.4.0\ndate: 2026-11-01\n", "utf-8")
    result = run(repo.root, "0.4.0")
    assert result.exit_code == 2 and "datasets/releases/0.4.0.yaml already exists" in result.stderr
    assert "version: 0.1.0" in (repo.root / "datasets" / "package.yaml").read_text("utf-8")


def test_invalid_data_is_not_released(repo):
    repo.edit("organizations", "org-silver-age", "division: \"110105001\"", "divison: \"110105001\"")
    result = run(repo.root, "0.2.0")
    assert result.exit_code == 1
    assert "[structure.unknown-key]" in result.stderr and "nothing was changed" in result.stderr
    assert "version: 0.1.0" in (repo.root / "datasets" / "package.yaml").read_text("utf-8")
    assert not (repo.root / "CHANGELOG.md").exists()


def test_history_lists_the_releases_for_the_downloads_page(repo):
    from shequ.project import Project
    from shequ.sources.releases import history, latest_url

    assert history(Project.at(repo.root)) == []
    assert run(repo.root, "0.1.0").exit_code == 0
    commit(repo.root, "Release 0.1.0")
    git(repo.root, "tag", "-a", "v0.1.0", "-m", "Release 0.1.0")
    repo.write("organizations", "org-reading-club", NEW_ORG)
    commit(repo.root, "one more")
    assert run(repo.root, "0.2.0").exit_code == 0
    releases = history(Project.at(repo.root))
    assert [(r.version, r.date, r.tag) for r in releases] == [("0.2.0", "2026-11-26", "v0.2.0"),
                                                              ("0.1.0", "2026-11-26", "v0.1.0")]
    assert releases[0].summary == "Records since v0.1.0: 1 added, 0 removed, 0 changed."
    site = "https://github.com/shequ-project/shequ"
    assert releases[1].url(site, "shequ.xlsx") == f"{site}/releases/download/v0.1.0/shequ.xlsx"
    assert latest_url(site + "/", "shequ.xlsx") == f"{site}/releases/latest/download/shequ.xlsx"
