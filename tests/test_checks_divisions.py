"""Division rules: codes in the data are in the divisions table, and the table is consistent."""

from __future__ import annotations

from conftest import line_of, one_problem, problems_of

TABLE_FILE = "datasets/reference/divisions.csv"


def table_path(mini):
    return mini.root / "datasets" / "reference" / "divisions.csv"


def edit_table(mini, old: str, new: str) -> None:
    path = table_path(mini)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def division_rules(report) -> list[str]:
    return [p.rule for p in report.problems if p.rule.startswith("divisions.")]


def test_consistent_table_and_known_codes_pass(mini):
    assert division_rules(mini.report()) == []


def test_level_that_does_not_match_the_code_length_is_reported_at_its_csv_line(mini):
    edit_table(mini, "110105,朝阳区,county,1101", "110105,朝阳区,prefecture,1101")
    p = one_problem(mini.report(), "divisions.level")
    assert (p.file, p.field) == (TABLE_FILE, "level")
    assert p.line == line_of(table_path(mini), "110105,朝阳区")
    assert p.message == "a 6-digit code is a county, not a prefecture"


def test_parent_that_is_not_the_start_of_the_code_is_reported(mini):
    edit_table(mini, "110105001,建外街道,township,110105", "110105001,建外街道,township,1101")
    p = one_problem(mini.report(), "divisions.parent")
    assert (p.file, p.field) == (TABLE_FILE, "parent")
    assert p.line == line_of(table_path(mini), "110105001,")
    assert p.message == "parent of 110105001 is 1101, expected 110105"


def test_province_with_a_parent_is_reported(mini):
    edit_table(mini, "11,北京市,province,", "11,北京市,province,1101")
    p = one_problem(mini.report(), "divisions.parent")
    assert p.line == line_of(table_path(mini), "11,北京市")
    assert "expected empty" in p.message


def test_parent_missing_from_the_table_is_reported_with_the_import_hint(mini):
    edit_table(mini, "1101,市辖区,prefecture,11\n", "")
    report = mini.report()
    p = one_problem(report, "divisions.parent")
    assert (p.file, p.field) == (TABLE_FILE, "parent")
    assert p.line == line_of(table_path(mini), "110105,朝阳区")
    assert p.message == "parent 1101 is not in the table"
    assert "shequ divisions import" in p.hint


def test_record_division_missing_from_the_table_is_reported_at_the_field(mini):
    mini.edit("organizations", "org-harmony-mediators", 'division: "110105002"', 'division: "110105003"')
    p = one_problem(mini.report(), "divisions.unknown")
    assert (p.file, p.field) == ("datasets/organizations/org-harmony-mediators.yaml", "division")
    assert p.line == line_of(mini.path("organizations", "org-harmony-mediators"), "division:")


def test_incubator_division_missing_from_the_table_is_reported(mini):
    mini.edit("incubators", "inc-chaoyang-base", 'division: "110105"', 'division: "110106"')
    p = one_problem(mini.report(), "divisions.unknown")
    assert (p.file, p.field) == ("datasets/incubators/inc-chaoyang-base.yaml", "division")
    assert p.line == line_of(mini.path("incubators", "inc-chaoyang-base"), "division:")


def test_missing_table_is_reported_once_and_every_code_becomes_unknown(mini):
    table_path(mini).unlink()
    report = mini.report()
    p = one_problem(report, "divisions.missing-table")
    assert (p.file, p.field, p.line) == (TABLE_FILE, "", None)  # the file is not there: no line to show
    assert "shequ divisions import" in p.hint
    # Each of the three records names a division, none of which can now be found.
    assert len(problems_of(report, "divisions.unknown")) == 3
