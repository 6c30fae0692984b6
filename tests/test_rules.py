"""The rule catalogue: every rule the code reports is catalogued, used, and triggered by its example."""

from __future__ import annotations

import ast
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from shequ import rules
from shequ.cli import main
from shequ.report import Problem

PACKAGE = Path(rules.__file__).parent
REPO = Path(__file__).resolve().parents[1]
RULE_ID = re.compile(r"^[a-z]+\.[a-z][a-z0-9-]*$")


def _code_files():
    return [p for p in sorted(PACKAGE.rglob("*.py")) if p.name != "rules.py"]


def _catalogue_names() -> dict[str, rules.Rule]:
    return {name: value for name, value in vars(rules).items() if isinstance(value, rules.Rule)}


def test_problem_with_an_unknown_rule_id_fails_at_once():
    with pytest.raises(KeyError, match="uscc.check-charactr"):
        Problem("uscc.check-charactr", "m", "a.yaml")


def test_problem_keeps_the_rule_id_and_takes_its_severity():
    problem = Problem(rules.USCC_DIVISION_MISMATCH, "m", "a.yaml")
    assert (problem.rule, problem.severity) == ("uscc.division-mismatch", "warning")
    assert Problem(rules.USCC_DUPLICATE, "m", "a.yaml").severity == "error"


def test_every_rule_the_code_names_is_catalogued_and_every_entry_is_used():
    names = _catalogue_names()
    used, literals = set(), []
    families = {rule_id.split(".")[0] + "." for rule_id in rules.CATALOGUE}  # e.g. f"structure.{kind}"
    for path in _code_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "rules":
                assert hasattr(rules, node.attr), f"{path.name}:{node.lineno}: rules.{node.attr} is not catalogued"
                used.add(node.attr)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in rules.CATALOGUE:
                literals.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {node.value!r}")
            elif (isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant)
                  and node.values[0].value in families):
                literals.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: a rule id built from parts")
    assert not literals, "name rules by their catalogue constant, not a string:\n" + "\n".join(literals)
    assert sorted(set(names) - used) == [], "catalogue entries no code reports"


def test_catalogue_ids_are_well_formed_and_entries_complete():
    for rule in rules.CATALOGUE.values():
        assert RULE_ID.match(rule.id), rule.id
        assert rule.severity in (rules.ERROR, rules.WARNING)
        assert rule.title and rule.description.endswith(".") and rule.hint and not rule.hint.endswith(".")


def _apply(root: Path, example: rules.Change) -> None:
    path = root / example.file
    if example.action == "edit":
        text = path.read_text(encoding="utf-8")
        assert example.old in text, f"{example.old!r} not in {example.file}"
        path.write_text(text.replace(example.old, example.new, 1), encoding="utf-8")
    elif example.action == "write":
        if path.is_dir():
            shutil.rmtree(path)
        if isinstance(example.new, bytes):
            path.write_bytes(example.new)
        else:
            path.write_text(example.new, encoding="utf-8")
    elif example.action == "delete":
        assert path.exists(), example.file
        path.unlink()
    elif example.action == "folder":
        path.mkdir()
    elif example.action == "symlink":
        os.symlink(example.new, path)
    else:
        raise AssertionError(f"unknown example action {example.action!r}")


TRIGGERABLE = [r for r in rules.CATALOGUE.values() if r.example is not None]
UNTRIGGERABLE = [r for r in rules.CATALOGUE.values() if r.example is None]


def test_the_small_project_starts_valid(mini):
    assert mini.report().problems == []


@pytest.mark.parametrize("rule", TRIGGERABLE, ids=lambda r: r.id)
def test_example_reports_exactly_its_rule(mini, rule):
    for change in rule.example.changes:
        _apply(mini.root, change)
    report = mini.report()
    found = {p.rule for p in report.problems}
    assert rule.id in found and found <= {rule.id, *rule.example.also}, report.format_text()


@pytest.mark.parametrize("rule", UNTRIGGERABLE, ids=lambda r: r.id)
def test_rules_without_an_example_say_why(rule):
    assert len(rule.untriggerable) > 20
    pytest.skip(f"{rule.id}: {rule.untriggerable}")


def _shequ(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_committed_rules_reference_is_current():
    result = _shequ("rules", "--check", "--project", str(REPO))
    assert result.exit_code == 0, "run 'shequ rules --write' and commit docs/rules.md"


def test_rules_prints_every_rule_with_its_example():
    result = _shequ("rules")
    assert result.exit_code == 0
    for rule in rules.CATALOGUE.values():
        assert f"## `{rule.id}`" in result.output
    section = result.output.split("## `uscc.check-character`")[1].split("\n## ")[0]
    assert "```diff\n-MJ0000001\n+MJ0000002\n```" in section


def test_rules_check_fails_on_a_stale_reference_and_write_brings_it_up_to_date(mini):
    reference = mini.root / rules.REFERENCE_PATH
    missing = _shequ("rules", "--check", "--project", str(mini.root))
    assert missing.exit_code == 1 and "out of date" in missing.output and not reference.exists()
    assert _shequ("rules", "--write", "--project", str(mini.root)).exit_code == 0
    reference.write_text(reference.read_text(encoding="utf-8").replace("Wrong check character", "Bad"),
                         encoding="utf-8")
    assert _shequ("rules", "--check", "--project", str(mini.root)).exit_code == 1
    assert _shequ("rules", "--write", "--project", str(mini.root)).exit_code == 0
    assert _shequ("rules", "--check", "--project", str(mini.root)).exit_code == 0
    assert reference.read_text(encoding="utf-8") == rules.reference()
