"""Identifier rules: a record's id follows the pattern, equals its file name, and is unique
even on file systems that ignore case."""

from __future__ import annotations

from conftest import ORGANIZATION, line_of, make_uscc, one_problem, problems_of

ORG = "organizations"
SILVER = "org-silver-age"


def test_ids_matching_their_file_names_pass(mini):
    report = mini.report()
    assert not [p for p in report.problems if p.rule.startswith("ids.")]


def test_id_different_from_the_file_name_is_reported_at_the_id(mini):
    mini.edit(ORG, SILVER, "id: org-silver-age", "id: org-silver")
    p = one_problem(mini.report(), "ids.file-name")
    assert (p.file, p.field) == ("datasets/organizations/org-silver-age.yaml", "id")
    assert p.line == line_of(mini.path(ORG, SILVER), "id: org-silver")
    assert p.hint == "rename the file to 'org-silver.yaml' or set id: org-silver-age"


def test_record_without_an_id_key_needs_one(mini):
    mini.edit(ORG, SILVER, "id: org-silver-age\n", "")
    report = mini.report()
    assert not problems_of(report, "ids.file-name")  # nothing to compare with the file name
    p = one_problem(report, "structure.required", "id")
    assert (p.file, p.line) == ("datasets/organizations/org-silver-age.yaml", 1)


def test_record_without_an_id_is_not_also_called_a_duplicate(mini):
    mini.edit(ORG, SILVER, "id: org-silver-age\n", "")
    assert not problems_of(mini.report(), "structure.duplicate")


def test_file_name_that_is_not_a_valid_id_is_reported_for_the_file(mini):
    mini.write(ORG, "Org_Bad", ORGANIZATION.format(uscc=make_uscc(subject="MJ0000002"))
               .replace("id: org-silver-age\n", ""))
    p = one_problem(mini.report(), "ids.file-name")
    assert (p.file, p.field) == ("datasets/organizations/Org_Bad.yaml", "")
    assert p.line == 1  # about the file as a whole
    assert "'Org_Bad.yaml' is not a valid id" in p.message


def test_ids_differing_only_in_case_are_duplicates(mini):
    # Valid ids are lowercase, so such a pair always also breaks the file-name rule;
    # the duplicate is reported on the second file in sorted order.
    mini.write(ORG, "Org-Silver-Age", ORGANIZATION.format(uscc=make_uscc(subject="MJ0000002"))
               .replace("id: org-silver-age\n", ""))
    report = mini.report()
    p = one_problem(report, "ids.duplicate")
    assert (p.file, p.field) == ("datasets/organizations/org-silver-age.yaml", "id")
    assert p.line == line_of(mini.path(ORG, SILVER), "id:")
    assert "datasets/organizations/Org-Silver-Age.yaml" in p.message
