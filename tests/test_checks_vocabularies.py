"""Vocabulary rules: every code is a term of its vocabulary; vocabulary files are well formed."""

from __future__ import annotations

import pytest

from conftest import line_of, one_problem, problems_of

ORG = "organizations"
SILVER = "org-silver-age"
SILVER_FILE = "datasets/organizations/org-silver-age.yaml"


def vocabulary_rules(report) -> list[str]:
    return [p.rule for p in report.problems if p.rule.startswith(("vocabularies.", "vocabulary."))]


def test_known_terms_pass(mini):
    assert vocabulary_rules(mini.report()) == []


def test_unknown_code_in_a_single_field_suggests_the_close_term(mini):
    mini.edit(ORG, SILVER, "status: active", "status: activ")
    p = one_problem(mini.report(), "vocabularies.unknown-term")
    assert (p.file, p.field) == (SILVER_FILE, "status")
    assert p.line == line_of(mini.path(ORG, SILVER), "status:")
    assert p.message == "'activ' is not a term of statuses"
    assert p.hint == "did you mean 'active'?"


def test_unknown_code_in_a_list_is_reported_at_its_item(mini):
    mini.edit(ORG, SILVER, "fields_of_activity: [elderly-care, mutual-aid]",
              "fields_of_activity: [elderly-care, mutual-aids]")
    p = one_problem(mini.report(), "vocabularies.unknown-term")
    assert (p.file, p.field) == (SILVER_FILE, "fields_of_activity[1]")
    assert p.line == line_of(mini.path(ORG, SILVER), "fields_of_activity:")
    assert p.hint == "did you mean 'mutual-aid'?"


def test_unknown_code_in_a_list_of_mappings_lists_the_known_terms(mini):
    mini.edit(ORG, SILVER, "type: government-procurement", "type: gov")
    p = one_problem(mini.report(), "vocabularies.unknown-term")
    assert (p.file, p.field) == (SILVER_FILE, "support_received[0].type")
    assert p.line == line_of(mini.path(ORG, SILVER), "type: gov")
    assert p.hint.startswith("known terms: ") and "government-procurement" in p.hint


def test_unknown_code_of_an_incubator_is_reported(mini):
    mini.edit("incubators", "inc-chaoyang-base", "support_types: [activity-sites, incubation]",
              "support_types: [activity-sites, incubations]")
    p = one_problem(mini.report(), "vocabularies.unknown-term")
    assert (p.file, p.field) == ("datasets/incubators/inc-chaoyang-base.yaml", "support_types[1]")
    assert p.line == line_of(mini.path("incubators", "inc-chaoyang-base"), "support_types:")


def test_code_of_another_vocabulary_is_not_accepted(mini):
    # 'seniors' is a service population, not a field of activity.
    mini.edit(ORG, SILVER, "fields_of_activity: [elderly-care, mutual-aid]",
              "fields_of_activity: [elderly-care, seniors]")
    p = one_problem(mini.report(), "vocabularies.unknown-term")
    assert p.field == "fields_of_activity[1]"


def test_missing_vocabulary_file_is_reported_at_each_field_that_uses_it(mini):
    (mini.root / "datasets" / "vocabularies" / "statuses.yaml").unlink()
    report = mini.report()
    found = problems_of(report, "vocabularies.missing")
    assert {(p.file, p.field) for p in found} == {
        (SILVER_FILE, "status"), ("datasets/organizations/org-harmony-mediators.yaml", "status")}
    for p in found:
        assert p.line == line_of(mini.root / p.file, "status:")
        assert p.hint == "add datasets/vocabularies/statuses.yaml"


def test_terms_that_are_not_a_list_are_reported_in_the_vocabulary_file(mini):
    path = mini.root / "datasets" / "vocabularies" / "incubator_kinds.yaml"
    path.write_text("title_en: Kinds\ntitle_zh: 类型\nterms: incubation-base\n", encoding="utf-8")
    p = one_problem(mini.report(), "vocabulary.terms")
    assert (p.file, p.field) == ("datasets/vocabularies/incubator_kinds.yaml", "terms")
    assert p.line == 3


@pytest.mark.parametrize("bad_term", ["incubation-base", "[incubation-base]"])
def test_term_that_is_not_a_mapping_is_reported_at_its_item(mini, bad_term):
    path = mini.root / "datasets" / "vocabularies" / "incubator_kinds.yaml"
    path.write_text(
        "title_en: Kinds\ntitle_zh: 类型\nterms:\n"
        "  - {code: incubation-base, label_en: Base, label_zh: 基地, provision: opinions-2016/3.1}\n"
        f"  - {bad_term}\n", encoding="utf-8")
    p = one_problem(mini.report(), "vocabulary.terms")
    assert (p.file, p.field) == ("datasets/vocabularies/incubator_kinds.yaml", "terms[1]")
    assert p.line == 5


def test_term_provisions_that_exist_in_the_policy_documents_pass(mini):
    assert not problems_of(mini.report(), "vocabularies.provision")


def test_term_provision_missing_from_the_policy_documents_suggests_the_close_one(mini):
    path = mini.root / "datasets" / "vocabularies" / "statuses.yaml"
    text = path.read_text(encoding="utf-8")
    old = "provision: social-groups-regulations/supervision}"
    assert old in text
    path.write_text(text.replace(old, "provision: social-groups-regulations/supervisio}", 1), encoding="utf-8")
    p = one_problem(mini.report(), "vocabularies.provision")
    assert (p.file, p.field) == ("datasets/vocabularies/statuses.yaml", "terms[0].provision")
    assert p.line == line_of(path, "supervisio}")
    assert p.hint == "did you mean 'social-groups-regulations/supervision'?"


def test_the_term_key_is_filled_by_the_pipeline_and_never_written(mini):
    # term (vocabulary/code) joins two columns; a vocabulary file that writes one is told so.
    path = mini.root / "datasets" / "vocabularies" / "statuses.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("label_en: Active", "term: statuses/other, label_en: Active", 1), encoding="utf-8")
    report = mini.report()
    problem = one_problem(report, "vocabularies.unknown-key")
    assert (problem.field, problem.line) == ("terms[0].term", line_of(path, "term: statuses/other"))
    assert "term" not in (problem.hint or "").split("known fields: ")[-1].split(", ")
    # The written value is not taken: the key is always the term's vocabulary and code.
    from shequ.build.pipeline import validate
    from shequ.project import Project

    sources, _ = validate(Project.at(mini.root))
    [active] = [row for row in sources.tables["vocabulary_terms"].dicts() if row["code"] == "active"]
    assert active["term"] == "statuses/active"


def test_an_unknown_classification_code_is_reported_once_not_again_as_its_term(mini):
    mini.edit(ORG, SILVER, "fields_of_activity: [elderly-care, mutual-aid]",
              "fields_of_activity: [elderly-care, 42]")
    report = mini.report()
    assert [p.field for p in report.errors] == ["fields_of_activity[1]"]
