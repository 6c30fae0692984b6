"""Text rules: no spreadsheet formulas, no invisible or direction-changing characters,
no control characters."""

from __future__ import annotations

import pytest

from conftest import line_of, one_problem, problems_of

ORG = "organizations"
SILVER = "org-silver-age"
SILVER_FILE = "datasets/organizations/org-silver-age.yaml"
NAME = "name: 朝阳区银龄互助会"


def rename(mini, yaml_value: str) -> int:
    """Give org-silver-age another name (as written in YAML); returns the line of the name."""
    mini.edit(ORG, SILVER, NAME, f"name: {yaml_value}")
    return line_of(mini.path(ORG, SILVER), "name: ")


def test_plain_names_pass(mini):
    assert not [p for p in mini.report().problems if p.rule.startswith("text.")]


@pytest.mark.parametrize("yaml_value, first", [
    ("\"=cmd|' /C calc'!A0\"", "="),
    ('"+SUM(1,2)"', "+"),
    ('"-2+3"', "-"),
    ('"@SUM(A1)"', "@"),
    ('"\\tabc"', "\t"),
])
def test_name_starting_like_a_formula_is_rejected(mini, yaml_value, first):
    line = rename(mini, yaml_value)
    p = one_problem(mini.report(), "text.formula")
    assert (p.file, p.field, p.line) == (SILVER_FILE, "name", line)
    assert p.message.startswith(f"starts with '{first}'")


def test_formula_sign_inside_a_name_passes(mini):
    rename(mini, "银龄互助会=邻里+互助")
    assert not problems_of(mini.report(), "text.formula")


def test_formula_in_an_alternate_name_is_rejected_at_its_item(mini):
    mini.edit(ORG, SILVER, "alternate_names: [银龄互助会]", 'alternate_names: [银龄互助会, "=1+1"]')
    p = one_problem(mini.report(), "text.formula")
    assert (p.file, p.field) == (SILVER_FILE, "alternate_names[1]")
    assert p.line == line_of(mini.path(ORG, SILVER), "alternate_names:")


def test_formula_in_a_description_is_rejected_too(mini):
    mini.edit(ORG, SILVER, "description_en: A", 'description_en: "=1+1" #')
    p = one_problem(mini.report(), "text.formula")
    assert (p.field, p.line) == ("description_en", line_of(mini.path(ORG, SILVER), "description_en:"))


def test_international_phone_number_starting_with_plus_is_not_a_formula(mini):
    mini.edit(ORG, SILVER, "phone: 010-6555 0123", "phone: +86 10 6555 0123")
    report = mini.report()
    assert not problems_of(report, "text.formula")
    assert report.valid, report.format_text()


def test_right_to_left_override_in_a_name_is_an_error(mini):
    line = rename(mini, '"朝阳区\\u202e银龄互助会"')
    report = mini.report()
    p = one_problem(report, "text.invisible")
    assert (p.file, p.field, p.line, p.severity) == (SILVER_FILE, "name", line, "error")
    assert "U+202E" in p.message
    assert not report.valid


def test_zero_width_space_in_a_name_is_an_error(mini):
    line = rename(mini, '"朝阳区\\u200b银龄互助会"')
    p = one_problem(mini.report(), "text.invisible")
    assert (p.field, p.line, p.severity) == ("name", line, "error")
    assert "U+200B" in p.message


def test_zero_width_space_in_an_incubator_operator_is_an_error(mini):
    mini.edit("incubators", "inc-chaoyang-base", "operator: 示例社会工作服务中心",
              'operator: "\\u200b示例社会工作服务中心"')
    p = one_problem(mini.report(), "text.invisible")
    assert (p.file, p.field, p.severity) == ("datasets/incubators/inc-chaoyang-base.yaml", "operator", "error")
    assert p.line == line_of(mini.path("incubators", "inc-chaoyang-base"), "operator:")


def test_zero_width_space_in_a_description_is_only_a_warning(mini):
    mini.edit(ORG, SILVER, "description_zh: 虚构", 'description_zh: "虚\\u200b构')
    mini.edit(ORG, SILVER, "组织。\n", '组织。"\n')
    report = mini.report()
    p = one_problem(report, "text.invisible")
    assert (p.file, p.field, p.severity) == (SILVER_FILE, "description_zh", "warning")
    assert p.line == line_of(mini.path(ORG, SILVER), "description_zh:")
    assert report.valid


def test_control_character_is_rejected(mini):
    line = rename(mini, '"朝阳区\\a银龄互助会"')
    p = one_problem(mini.report(), "text.control")
    assert (p.file, p.field, p.line) == (SILVER_FILE, "name", line)


def test_newline_in_a_description_is_not_a_control_character(mini):
    mini.edit(ORG, SILVER, "description_en: A fictional", 'description_en: "Two lines.\\nA fictional')
    mini.edit(ORG, SILVER, "older residents.\n", 'older residents."\n')
    assert not problems_of(mini.report(), "text.control")
