"""shequ diff: records added, removed and changed between git revisions, on a temporary
repository with real commits; text and Markdown output."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from conftest import MiniProject
from shequ.cli import main
from shequ.tools.diff import md, record_diff
from shequ.project import Project

SILVER = "datasets/organizations/org-silver-age.yaml"


def git(root, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def commit(root, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


@pytest.fixture
def repo(mini):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    git(mini.root, "init", "-q", "-b", "main")
    git(mini.root, "config", "user.name", "Test")
    git(mini.root, "config", "user.email", "test@example.org")
    git(mini.root, "config", "commit.gpgsign", "false")
    commit(mini.root, "initial records")
    return mini


def run(root, *args: str):
    return CliRunner().invoke(main, ["diff", "--project", str(root), *args], catch_exceptions=False)


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


def second_commit(mini: MiniProject) -> None:
    mini.edit("organizations", "org-silver-age", "示例路1号", "示例路2号")
    mini.edit("organizations", "org-silver-age", "fields_of_activity: [elderly-care, mutual-aid]",
              "fields_of_activity: [elderly-care, culture]")
    mini.edit("organizations", "org-silver-age", "url: https://example.org/shequ-demo/org-silver-age",
              "url: https://example.org/jianwai/2026")
    mini.edit("organizations", "org-silver-age", "phone: 010-6555 0123\n", "")
    mini.write("organizations", "org-reading-club", NEW_ORG)
    mini.path("organizations", "org-harmony-mediators").unlink()
    commit(mini.root, "second")


def test_diff_between_two_commits_lists_added_removed_and_changed_fields(repo):
    second_commit(repo)
    result = run(repo.root, "HEAD~1", "HEAD")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Record changes from HEAD~1 to HEAD: 1 added, 1 removed, 1 changed\n"
        "  organizations: 1 added, 1 removed, 1 changed\n"
        "  incubators: 0 added, 0 removed, 0 changed\n"
        "\n"
        "+ datasets/organizations/org-reading-club.yaml  建外书香读书会\n"
        "- datasets/organizations/org-harmony-mediators.yaml  朝外调解志愿队\n"
        f"~ {SILVER}  朝阳区银龄互助会\n"
        "    address: 北京市朝阳区建外街道示例路1号 → 北京市朝阳区建外街道示例路2号\n"
        "    fields_of_activity: [elderly-care, mutual-aid] → [elderly-care, culture]\n"
        "    sources[0].url: https://example.org/shequ-demo/org-silver-age → https://example.org/jianwai/2026\n"
        "    phone: 010-6555 0123 → (none)\n"
    )


def test_default_is_uncommitted_changes_and_base_alone_includes_the_working_tree(repo):
    clean = run(repo.root)
    assert clean.exit_code == 0
    assert clean.stdout == "Record changes from HEAD to the working tree: none\n"

    second_commit(repo)
    repo.edit("incubators", "inc-chaoyang-base", "capacity: 30", "capacity: 40")
    uncommitted = record_diff(Project.at(repo.root))
    assert [(c.kind, c.id) for c in uncommitted.changes] == [("changed", "inc-chaoyang-base")]
    assert [(f.field, f.old, f.new) for f in uncommitted.changes[0].fields] == [("capacity", 30, 40)]

    since_first = record_diff(Project.at(repo.root), "HEAD~1")
    assert since_first.head == "the working tree"
    assert since_first.counts() == {"added": 1, "removed": 1, "changed": 2}


def test_three_dots_compare_from_the_merge_base_like_a_pull_request(repo):
    git(repo.root, "checkout", "-q", "-b", "fix-address")
    repo.edit("organizations", "org-silver-age", "示例路1号", "示例路3号")
    commit(repo.root, "fix address")
    git(repo.root, "checkout", "-q", "main")
    repo.edit("incubators", "inc-chaoyang-base", "capacity: 30", "capacity: 31")
    commit(repo.root, "meanwhile on main")

    pr = record_diff(Project.at(repo.root), "main...fix-address")
    assert [(c.kind, c.id) for c in pr.changes] == [("changed", "org-silver-age")]
    two_dots = record_diff(Project.at(repo.root), "main..fix-address")
    assert {c.id for c in two_dots.changes} == {"org-silver-age", "inc-chaoyang-base"}


def test_comment_and_layout_changes_are_not_record_changes(repo):
    path = repo.path("organizations", "org-silver-age")
    text = path.read_text("utf-8")
    path.write_text("# yaml-language-server: $schema=../schemas/json/organization.schema.json\n"
                    + text.replace("alternate_names: [银龄互助会]", "alternate_names:\n  - 银龄互助会"), "utf-8")
    assert run(repo.root).stdout == "Record changes from HEAD to the working tree: none\n"


def test_an_unreadable_record_is_reported_not_a_crash(repo):
    repo.path("organizations", "org-silver-age").write_text("name: [unclosed\n", "utf-8")
    result = run(repo.root)
    assert result.exit_code == 0
    assert f"~ {SILVER}  朝阳区银龄互助会  (now cannot be read:" in result.stdout


def test_markdown_output_is_a_table_and_escapes_the_data(repo):
    repo.edit("organizations", "org-silver-age", "name: 朝阳区银龄互助会",
              'name: "<img src=x onerror=alert(1)> | [click](https://evil.example) **bold**"')
    result = run(repo.root, "--format", "markdown")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("### Record changes\n\nFrom HEAD to the working tree: **0 added, 0 removed, 1 changed**.\n")
    assert "| organizations | 0 | 0 | 1 |" in out
    assert "#### Changed" in out
    assert "  | field | old | new |" in out
    assert not re.search(r"(?<!\\)[<\[]|(?<!\\)\*\*bold", out), "unescaped markup from the data"
    assert r"\<img src=x onerror=alert(1)\> \| \[click\](https://evil.example) \*\*bold\*\*" in out
    assert md("a|b\nc") == r"a\|b c"


def test_markdown_with_no_changes(repo):
    assert run(repo.root, "--format", "markdown").stdout == (
        "### Record changes\n\nNo records changed from HEAD to the working tree.\n")


def test_project_in_a_subfolder_of_the_repository(tmp_path, monkeypatch):
    monkeypatch.setenv("SHEQU_TODAY", "2026-11-26")
    top = tmp_path / "repo"
    mini = MiniProject(top / "data" / "shequ")
    (top / "datasets" / "organizations").mkdir(parents=True)  # a decoy outside the project
    (top / "datasets" / "organizations" / "org-decoy.yaml").write_text("id: org-decoy\n", "utf-8")
    git(top, "init", "-q")
    git(top, "config", "user.name", "Test")
    git(top, "config", "user.email", "test@example.org")
    commit(top, "initial")
    mini.edit("organizations", "org-silver-age", "示例路1号", "示例路2号")
    (top / "datasets" / "organizations" / "org-decoy.yaml").unlink()
    commit(top, "edit")
    diff = record_diff(Project.at(mini.root), "HEAD~1", "HEAD")
    assert [(c.kind, c.file) for c in diff.changes] == [("changed", SILVER)]


def test_unknown_revision_and_no_repository_are_usage_errors(repo, tmp_path):
    bad = run(repo.root, "no-such-branch")
    assert bad.exit_code == 2
    assert "unknown revision 'no-such-branch'" in bad.stderr
    assert run(repo.root, "--", "--output=/tmp/x").exit_code == 2  # never passed to git as an option

    elsewhere = MiniProject(tmp_path / "not-a-repo")
    outside = run(elsewhere.root)
    assert outside.exit_code == 2
    assert "not in a git repository" in outside.stderr
