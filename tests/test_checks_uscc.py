"""Unified Social Credit Code rules (GB 32100-2015)."""

from __future__ import annotations

import pytest
from stdnum.cn import uscc as stdnum_uscc

from conftest import line_of, make_uscc, one_problem, problems_of

ORG = "organizations"
SILVER = "org-silver-age"
HARMONY = "org-harmony-mediators"
SILVER_FILE = "datasets/organizations/org-silver-age.yaml"
HARMONY_FILE = "datasets/organizations/org-harmony-mediators.yaml"
MINI_USCC = make_uscc()  # the code org-silver-age is written with


def set_uscc(mini, value: str) -> int:
    """Give org-silver-age another code; returns the line it is on."""
    mini.edit(ORG, SILVER, f"uscc: {MINI_USCC}", f"uscc: {value}")
    return line_of(mini.path(ORG, SILVER), "uscc:")


def uscc_rules(report) -> set[str]:
    return {p.rule for p in report.problems if p.rule.startswith("uscc.")}


def test_mini_project_code_passes_every_uscc_rule(mini):
    assert stdnum_uscc.is_valid(MINI_USCC)
    assert not uscc_rules(mini.report())


@pytest.mark.parametrize("code, legal_form", [
    ("51100000500002862F", "social-group"),
    ("53100000500019795A", "foundation"),
])
def test_valid_codes_pass_the_check_character_and_type_rules(mini, code, legal_form):
    assert stdnum_uscc.is_valid(code)
    set_uscc(mini, code)
    mini.edit(ORG, SILVER, "legal_form: social-group", f"legal_form: {legal_form}")
    report = mini.report()
    # 100000 is the national registry (the Ministry of Civil Affairs): a real area, valid everywhere.
    assert uscc_rules(report) == set()


def test_national_area_code_is_accepted_but_another_unknown_area_is_not(mini):
    body = "51" + "999999" + "500002862"
    code = body + stdnum_uscc.calc_check_digit(body)
    line = set_uscc(mini, code)
    problem = one_problem(mini.report(), "uscc.division")
    assert (problem.field, problem.line) == ("uscc", line)
    assert "'999999'" in problem.message


def test_wrong_check_character_names_the_expected_one(mini):
    code = "53100000500020462H"
    assert not stdnum_uscc.is_valid(code)
    line = set_uscc(mini, code)
    mini.edit(ORG, SILVER, "legal_form: social-group", "legal_form: foundation")
    report = mini.report()
    p = one_problem(report, "uscc.check-character")
    assert (p.file, p.field, p.line) == (SILVER_FILE, "uscc", line)
    assert p.message == "check character is 'H', expected 'K'"
    assert stdnum_uscc.calc_check_digit(code[:17]) == "K"
    assert uscc_rules(report) == {"uscc.check-character"}  # later rules do not pile on


def test_code_is_required_for_a_registered_organization(mini):
    mini.edit(ORG, SILVER, f"uscc: {MINI_USCC}\n", "")
    p = one_problem(mini.report(), "uscc.required")
    assert (p.file, p.field, p.line) == (SILVER_FILE, "uscc", 1)  # absent: reported at the record


def test_filed_organization_without_a_code_passes(mini):
    report = mini.report()
    assert not [p for p in report.problems if p.file == HARMONY_FILE]


def test_code_on_a_filed_organization_is_not_expected(mini):
    code = make_uscc(subject="MJ0000009")
    mini.edit(ORG, HARMONY, "management_track: filed", f"management_track: filed\nuscc: {code}")
    report = mini.report()
    p = one_problem(report, "uscc.not-expected")
    assert (p.file, p.field) == (HARMONY_FILE, "uscc")
    assert p.line == line_of(mini.path(ORG, HARMONY), "uscc:")


def test_code_in_lower_case_must_be_written_in_capitals(mini):
    line = set_uscc(mini, MINI_USCC.lower())
    p = one_problem(mini.report(), "uscc.format")
    assert (p.file, p.field, p.line) == (SILVER_FILE, "uscc", line)
    assert p.hint == f"uscc: {MINI_USCC}"


def test_code_with_spaces_must_be_written_without_them(mini):
    spaced = f'"{MINI_USCC[:8]} {MINI_USCC[8:]}"'
    line = set_uscc(mini, spaced)
    p = one_problem(mini.report(), "uscc.format")
    assert (p.field, p.line) == ("uscc", line)
    assert p.hint == f"uscc: {MINI_USCC}"


def test_code_of_the_wrong_length_is_not_a_code(mini):
    line = set_uscc(mini, MINI_USCC[:16])
    p = one_problem(mini.report(), "uscc.format")
    assert (p.field, p.line) == ("uscc", line)
    assert "is not a Unified Social Credit Code" in p.message


def test_authority_character_must_be_civil_affairs(mini):
    code = make_uscc()  # 5… ; the same body from the registration authority 9 (industry and commerce)
    other = "9" + code[1:17]
    other += stdnum_uscc.calc_check_digit(other)
    assert stdnum_uscc.is_valid(other)
    line = set_uscc(mini, other)
    p = one_problem(mini.report(), "uscc.authority")
    assert (p.file, p.field, p.line) == (SILVER_FILE, "uscc", line)
    assert "expected '5'" in p.message


@pytest.mark.parametrize("legal_form, type_char", [
    ("social-group", "1"),
    ("social-service-agency", "2"),
    ("foundation", "3"),
])
def test_type_character_matching_the_legal_form_passes(mini, legal_form, type_char):
    set_uscc(mini, make_uscc(legal_type=type_char))
    mini.edit(ORG, SILVER, "legal_form: social-group", f"legal_form: {legal_form}")
    assert not uscc_rules(mini.report())


@pytest.mark.parametrize("legal_form, type_char", [
    ("social-group", "2"),
    ("social-service-agency", "1"),
    ("foundation", "2"),
])
def test_type_character_not_matching_the_legal_form_is_reported(mini, legal_form, type_char):
    line = set_uscc(mini, make_uscc(legal_type=type_char))
    mini.edit(ORG, SILVER, "legal_form: social-group", f"legal_form: {legal_form}")
    p = one_problem(mini.report(), "uscc.type")
    assert (p.file, p.field, p.line) == (SILVER_FILE, "uscc", line)
    assert f"type character is '{type_char}'" in p.message


def test_legal_form_without_a_code_on_a_registered_organization_is_reported_at_the_legal_form(mini):
    mini.edit(ORG, SILVER, "legal_form: social-group", "legal_form: unregistered")
    p = one_problem(mini.report(), "uscc.type")
    assert (p.file, p.field) == (SILVER_FILE, "legal_form")
    assert p.line == line_of(mini.path(ORG, SILVER), "legal_form:")


def test_characters_3_to_8_must_be_a_division_in_the_table(mini):
    line = set_uscc(mini, make_uscc(area="110106"))  # a real district, but not in the mini table
    p = one_problem(mini.report(), "uscc.division")
    assert (p.file, p.field, p.line) == (SILVER_FILE, "uscc", line)
    assert "'110106'" in p.message


def test_characters_3_to_8_of_a_province_use_its_short_code(mini):
    # 110000 is Beijing as GB/T 2260 writes it; the table keeps it as 11.
    set_uscc(mini, make_uscc(area="110000"))
    assert not uscc_rules(mini.report())


def test_code_registered_outside_the_organizations_division_is_a_warning(mini):
    table = mini.root / "datasets" / "reference" / "divisions.csv"
    table.write_text(table.read_text(encoding="utf-8") + "110106,丰台区,county,1101\n", encoding="utf-8")
    line = set_uscc(mini, make_uscc(area="110106"))
    report = mini.report()
    p = one_problem(report, "uscc.division-mismatch")
    assert (p.file, p.field, p.line, p.severity) == (SILVER_FILE, "uscc", line, "warning")
    assert report.valid  # a warning only


def test_two_records_with_the_same_code_are_duplicates(mini):
    mini.edit(ORG, HARMONY, "legal_form: unregistered", "legal_form: social-group")
    mini.edit(ORG, HARMONY, "management_track: filed", f"management_track: registered\nuscc: {MINI_USCC}")
    report = mini.report()
    # Records are checked in file-name order: org-harmony-mediators comes first, so org-silver-age repeats it.
    p = one_problem(report, "uscc.duplicate")
    assert (p.file, p.field) == (SILVER_FILE, "uscc")
    assert p.line == line_of(mini.path(ORG, SILVER), "uscc:")
    assert HARMONY_FILE in p.message


def test_different_codes_are_not_duplicates(mini):
    mini.edit(ORG, HARMONY, "legal_form: unregistered", "legal_form: social-group")
    mini.edit(ORG, HARMONY, "management_track: filed",
              f"management_track: registered\nuscc: {make_uscc(subject='MJ0000002')}")
    report = mini.report()
    assert not problems_of(report, "uscc.duplicate")
    assert not uscc_rules(report)
