"""The shequ command: exit codes 0 valid / 1 invalid / 2 usage, the three output formats,
--project from anywhere, and publish --out. In-process through click's CliRunner, and
as a real process where the installed entry point matters."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from conftest import line_of
from shequ.atomic import MARKER
from shequ.cli import main

SILVER_FILE = "datasets/organizations/org-silver-age.yaml"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def break_uscc(mini) -> int:
    """Make org-silver-age's check character wrong; returns the line of the code."""
    path = mini.path("organizations", "org-silver-age")
    text = path.read_text(encoding="utf-8")
    line = line_of(path, "uscc:")
    code = text.splitlines()[line - 1].split(": ", 1)[1]
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    mini.edit("organizations", "org-silver-age", f"uscc: {code}", f"uscc: {wrong}")
    return line


@pytest.fixture(scope="module")
def shequ_exe() -> str:
    exe = shutil.which("shequ")
    if exe is None:
        pytest.fail("the shequ entry point is not installed: pip install -e \".[test]\"")
    return exe


# --- validate --------------------------------------------------------------------------------


def test_validate_exits_0_on_a_valid_project(mini):
    result = run("validate", "--project", str(mini.root))
    assert result.exit_code == 0, result.output
    assert result.stdout == "valid: no problems found\n"


def test_validate_exits_1_and_prints_file_and_line_on_an_invalid_project(mini):
    line = break_uscc(mini)
    result = run("validate", "--project", str(mini.root))
    assert result.exit_code == 1
    assert f"{SILVER_FILE}:{line}: uscc: check character is" in result.stdout
    assert "[uscc.check-character]" in result.stdout
    assert result.stdout.endswith("invalid: 1 error, 0 warnings\n")


def test_validate_exits_0_when_there_are_only_warnings(mini):
    mini.edit("organizations", "org-silver-age", "description_zh: 虚构", 'description_zh: "虚\\u200b构')
    mini.edit("organizations", "org-silver-age", "组织。\n", '组织。"\n')
    result = run("validate", "--project", str(mini.root))
    assert result.exit_code == 0, result.output
    assert "warning: description_zh:" in result.stdout


def test_validate_of_a_folder_that_is_not_a_project_is_a_usage_error(tmp_path):
    result = run("validate", "--project", str(tmp_path))
    assert result.exit_code == 2
    assert "datasets/package.yaml is missing" in result.stderr


def test_validate_with_a_file_as_project_is_a_usage_error(mini):
    result = run("validate", "--project", str(mini.root / "datasets" / "package.yaml"))
    assert result.exit_code == 2


def test_unknown_format_is_a_usage_error(mini):
    result = run("validate", "--project", str(mini.root), "--format", "xml")
    assert result.exit_code == 2
    assert "'xml' is not one of" in result.stderr


def test_unknown_command_is_a_usage_error():
    assert run("validat").exit_code == 2


def test_json_format_parses_and_carries_file_line_field_and_rule(mini):
    line = break_uscc(mini)
    result = run("validate", "--project", str(mini.root), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert (data["valid"], data["errors"]) == (False, 1)
    [problem] = data["problems"]
    assert (problem["file"], problem["line"], problem["field"], problem["rule"]) == (
        SILVER_FILE, line, "uscc", "uscc.check-character")


def test_json_format_of_a_valid_project(mini):
    result = run("validate", "--project", str(mini.root), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"valid": True, "errors": 0, "warnings": 0, "problems": []}


def test_github_format_prints_error_annotations(mini):
    line = break_uscc(mini)
    result = run("validate", "--project", str(mini.root), "--format", "github")
    assert result.exit_code == 1
    annotations = [out for out in result.stdout.splitlines() if out.startswith("::")]
    assert len(annotations) == 1, result.stdout
    assert annotations[0].startswith(
        f"::error file={SILVER_FILE},line={line},title=uscc.check-character::uscc: check character is")


def test_project_option_works_from_another_working_directory(mini, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    break_uscc(mini)
    result = run("validate", "--project", str(mini.root))
    assert result.exit_code == 1
    # Files are named relative to the project, not to the working directory.
    assert result.stdout.startswith(f"{SILVER_FILE}:")


def test_project_defaults_to_the_working_directory(mini, monkeypatch):
    monkeypatch.chdir(mini.root)
    assert run("validate").exit_code == 0


# --- publish ---------------------------------------------------------------------------------


def test_publish_writes_the_package_to_the_out_folder(mini, tmp_path):
    out = tmp_path / "package"
    result = run("publish", "--project", str(mini.root), "--out", str(out))
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in out.iterdir() if p.name != MARKER)  # the marker says the folder is publish's own
    assert {"datapackage.json", "SHA256SUMS", "shequ.xlsx", "shequ.sqlite",
            "organizations.csv", "organizations.json", "incubators.csv", "divisions.csv"} <= set(written)
    assert f"published {len(written)} files" in result.stdout
    assert "organizations 2" in result.stdout  # the mini project's two organizations


def test_publish_relative_out_is_inside_the_project(mini, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("publish", "--project", str(mini.root), "--out", "build/pkg")
    assert result.exit_code == 0, result.output
    assert (mini.root / "build" / "pkg" / "datapackage.json").is_file()
    assert not (tmp_path / "build").exists()


def test_publish_of_invalid_sources_exits_1_and_writes_nothing(mini, tmp_path):
    break_uscc(mini)
    out = tmp_path / "package"
    result = run("publish", "--project", str(mini.root), "--out", str(out))
    assert result.exit_code == 1
    assert "[uscc.check-character]" in result.stderr
    assert "publish: nothing was written" in result.stderr
    assert not out.exists()


def test_publish_of_a_folder_that_is_not_a_project_is_a_usage_error(tmp_path):
    assert run("publish", "--project", str(tmp_path), "--out", str(tmp_path / "out")).exit_code == 2


# --- the installed command, as a real process ------------------------------------------------


def test_installed_command_validates_from_another_directory(mini, tmp_path, shequ_exe):
    valid = subprocess.run([shequ_exe, "validate", "--project", str(mini.root)], cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
    assert valid.returncode == 0, valid.stderr
    line = break_uscc(mini)
    invalid = subprocess.run([shequ_exe, "validate", "--project", str(mini.root), "--format", "json"],
                             cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert invalid.returncode == 1
    [problem] = json.loads(invalid.stdout)["problems"]
    assert (problem["file"], problem["line"], problem["rule"]) == (SILVER_FILE, line, "uscc.check-character")


def test_installed_command_exits_2_on_a_usage_error(tmp_path, shequ_exe):
    result = subprocess.run([shequ_exe, "validate", "--project", str(tmp_path)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2
    assert "is not a Shequ project" in result.stderr


def test_installed_command_publishes(mini, tmp_path, shequ_exe):
    out = tmp_path / "package"
    result = subprocess.run([shequ_exe, "publish", "--project", str(mini.root), "--out", str(out)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (out / "datapackage.json").is_file()
    assert (out / "SHA256SUMS").is_file()
