"""README.md's set-up, and the commands README.md and CONTRIBUTING.md show, work as written:
CI runs the same test command and installs the same system packages, and the shown
commands run on a copy of a fresh clone."""

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from shequ.cli import main

REPO = Path(__file__).resolve().parents[1]


def _section(path: Path, heading: str) -> str:
    text = path.read_text(encoding="utf-8")
    return text.split(heading, 1)[1].split("\n## ", 1)[0]


def _readme_commands() -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", _section(REPO / "README.md", "## Set up"), re.S)


def _apt_packages(command: str) -> set[str]:
    words = command.split("apt-get install", 1)[1].split()
    return {w for w in words if not w.startswith("-")}


def test_each_setup_step_is_one_command_line_and_the_environment_comes_first():
    commands = _readme_commands()
    assert all("\n" not in c for c in commands), "each set-up step is one command line"
    first_pip = next(i for i, c in enumerate(commands) if "pip install" in c)
    venv = commands[first_pip]
    assert venv.index("python3 -m venv .venv") < venv.index(". .venv/bin/activate") < venv.index("pip install")
    # The virtual environment needs the system's venv module, installed before it.
    assert any("python3-venv" in c for c in commands[:first_pip])


def test_ci_runs_the_readme_test_command_word_for_word():
    test_command = next(c for c in _readme_commands() if "pytest" in c)
    ci_lines = [line.strip() for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert test_command in ci_lines


def test_ci_installs_the_system_packages_the_readme_names_for_the_tests():
    readme = next(c for c in _readme_commands() if "chromium" in c)
    ci = next(line for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
              if "apt-get install" in line)
    assert _apt_packages(readme) == _apt_packages(ci) >= {"chromium", "fonts-noto-cjk", "npm"}


def _commands_table() -> list[str]:
    """The first word after `shequ` of each row of README's table of commands."""
    table = _section(REPO / "README.md", "## Commands")
    commands = re.findall(r"^\| `shequ ([a-z]+(?: import| organization)?)", table, re.M)
    return commands


@pytest.mark.parametrize("command", _commands_table())
def test_every_command_in_the_readme_exists_and_has_help_with_an_example(command):
    result = CliRunner().invoke(main, [*command.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert re.search(r"Examples?:", result.output)


def _contributing_new_command() -> list[str]:
    blocks = re.findall(r"```sh\n(shequ new organization --name.+?)\n```", (REPO / "CONTRIBUTING.md").read_text("utf-8"),
                        re.S)
    assert len(blocks) == 1, blocks
    return shlex.split(blocks[0].replace("\\\n", " "))


def test_the_contributing_shequ_new_example_works_on_a_fresh_clone(tmp_path, monkeypatch):
    """Copied word for word, the example writes a record that passes every check: its division
    is one the repository ships."""
    for name in ("datasets", "mkdocs.yml", "docs", "CITATION.cff"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SHEQU_TODAY", "2026-11-26")
    before = set((tmp_path / "datasets" / "organizations").iterdir())
    words = _contributing_new_command()
    assert words[0] == "shequ"
    result = CliRunner().invoke(main, words[1:], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    [created] = set((tmp_path / "datasets" / "organizations").iterdir()) - before
    assert "110105004" in created.read_text("utf-8")
