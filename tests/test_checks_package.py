"""Package rules: datasets/package.yaml carries what the data package and the site need."""

import pytest

from conftest import line_of, one_problem, problems_of

PACKAGE = "datasets/package.yaml"


def edit_package(mini, old: str, new: str):
    path = mini.root / PACKAGE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def package_rules(report) -> set[str]:
    return {p.rule for p in report.problems if p.rule.startswith("package.")}


def test_shipped_package_metadata_passes_every_package_rule(mini):
    assert package_rules(mini.report()) == set()


def test_unknown_package_key_is_named_with_a_hint(mini):
    path = edit_package(mini, "version: ", "verison: 0.1.0\nversion: ")
    problem = one_problem(mini.report(), "package.unknown-key")
    assert (problem.file, problem.field, problem.line) == (PACKAGE, "verison", line_of(path, "verison:"))
    assert problem.hint == "did you mean 'version'?"


def test_missing_title_is_required(mini):
    path = mini.root / PACKAGE
    text = path.read_text(encoding="utf-8")
    path.write_text("\n".join(line for line in text.splitlines() if not line.startswith("title:")) + "\n",
                    encoding="utf-8")
    problem = one_problem(mini.report(), "package.required", "title")
    assert problem.line == line_of(path, "name:")  # a missing field points at the start of the mapping


@pytest.mark.parametrize("old, new, rule", [
    ("version: 0.1.0", "version: one", "package.version"),
    ('created: "2026-11-26"', 'created: "26/11/2026"', "package.created"),
    ("name: shequ-community-organizations", "name: Shequ Orgs", "package.name"),
    ("demonstration: true", "demonstration: yes please", "package.demonstration"),
])
def test_malformed_package_values_are_errors_on_their_line(mini, old, new, rule):
    path = edit_package(mini, old, new)
    problem = one_problem(mini.report(), rule)
    assert problem.line == line_of(path, new)


@pytest.mark.parametrize("old, new, field", [
    ("(demonstration data)", "(real data)", "title"),
    ("（演示数据）", "", "title_zh"),
])
def test_demonstration_data_must_say_so_in_each_title(mini, old, new, field):
    path = edit_package(mini, old, new)
    problem = one_problem(mini.report(), "package.demonstration", field)
    assert problem.line == line_of(path, f"{field}:")
    edit_package(mini, "demonstration: true", "demonstration: false")
    assert not problems_of(mini.report(), "package.demonstration")


def test_unknown_key_in_a_vocabulary_term_is_named_with_a_hint(mini):
    path = mini.root / "datasets" / "vocabularies" / "statuses.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("label_en: Active", "lable_en: Active", 1), encoding="utf-8")
    report = mini.report()
    problem = one_problem(report, "vocabularies.unknown-key")
    assert (problem.field, problem.line) == ("terms[0].lable_en", line_of(path, "lable_en"))
    assert problem.hint == "did you mean 'label_en'?"
    # The real label is then missing, which the Table Schema says is required.
    assert one_problem(report, "structure.required", "terms[0].label_en")


def test_unknown_top_level_key_in_a_vocabulary_is_named(mini):
    path = mini.root / "datasets" / "vocabularies" / "statuses.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title_zh:", "titel_zh: 状态\ntitle_zh:", 1), encoding="utf-8")
    problem = one_problem(mini.report(), "vocabularies.unknown-key")
    assert (problem.field, problem.hint) == ("titel_zh", "did you mean 'title_zh'?")


# Correction channels (corrections: in package.yaml) ----------------------------------------------

def test_valid_correction_channels_pass_and_are_offered(mini):
    from shequ.checks.package import correction_channels
    from shequ.sources.load import load
    from shequ.project import Project

    edit_package(mini, "demonstration: true", "demonstration: true\ncorrections:\n"
                 "  email: corrections@example.org\n  form: https://example.org/form?id=1")
    assert package_rules(mini.report()) == set()
    sources = load(Project.at(mini.root))
    assert correction_channels(sources.package) == {"email": "corrections@example.org",
                                                    "form": "https://example.org/form?id=1"}


@pytest.mark.parametrize("value, field", [
    ('{email: "x@example.org?bcc=all@example.org"}', "email"),  # would add a recipient
    ('{email: "Shequ <x@example.org>"}', "email"),
    ('{email: "x@example.org\\" onclick=\\"alert(1)"}', "email"),
    ('{form: "javascript:alert(1)"}', "form"),
    ('{form: "https://example.org/\\"><script>"}', "form"),
    ('{mail: x@example.org}', "mail"),
])
def test_a_correction_channel_that_could_change_the_link_is_an_error_and_never_offered(mini, value, field):
    from shequ.checks.package import correction_channels
    from shequ.sources.load import load
    from shequ.project import Project

    path = edit_package(mini, "demonstration: true", f"demonstration: true\ncorrections: {value}")
    problem = one_problem(mini.report(), "package.corrections")
    assert problem.field == f"corrections.{field}" and problem.line == line_of(path, f"corrections: {value}")
    assert correction_channels(load(Project.at(mini.root)).package) == {}


def test_corrections_must_be_a_mapping(mini):
    edit_package(mini, "demonstration: true", "demonstration: true\ncorrections: x@example.org")
    problem = one_problem(mini.report(), "package.corrections", "corrections")
    assert "must be a mapping" in problem.message
