"""Structure rules: record shape, unknown keys, and the Table Schemas' types and constraints,
each reported at the YAML file, field and line it came from."""

from __future__ import annotations

from conftest import line_of, one_problem, problems_of

ORG = "organizations"
SILVER = "org-silver-age"
HARMONY = "org-harmony-mediators"
SILVER_FILE = "datasets/organizations/org-silver-age.yaml"
HARMONY_FILE = "datasets/organizations/org-harmony-mediators.yaml"
INCUBATOR_FILE = "datasets/incubators/inc-chaoyang-base.yaml"

SUPPORT_ITEM = """\
  - type: government-procurement
    provider: 朝阳区民政局
    year: 2021
    amount_cny: 50000"""


def test_mini_project_has_no_structure_problems(mini):
    report = mini.report()
    assert report.valid, report.format_text()
    assert not [p for p in report.problems if p.rule.startswith(("structure.", "urls."))]


def test_unknown_key_suggests_the_close_known_field(mini):
    mini.edit(ORG, SILVER, "division:", "divison:")
    report = mini.report()
    p = one_problem(report, "structure.unknown-key")
    assert (p.file, p.field) == (SILVER_FILE, "divison")
    assert p.line == line_of(mini.path(ORG, SILVER), "divison:")
    assert p.hint == "did you mean 'division'?"
    # The misspelt key leaves the real one missing, which is said too.
    assert one_problem(report, "structure.required", "division").file == SILVER_FILE


def test_unknown_key_far_from_any_field_lists_the_known_fields(mini):
    mini.edit(ORG, SILVER, "community:", "zzzzzz: 1\ncommunity:")
    p = one_problem(mini.report(), "structure.unknown-key")
    assert p.field == "zzzzzz"
    assert p.line == line_of(mini.path(ORG, SILVER), "zzzzzz:")
    assert p.hint.startswith("known fields: id, name,")


def test_unknown_key_inside_a_list_item_is_reported_at_the_item_key(mini):
    mini.edit(ORG, SILVER, "    url: https://example.org/shequ-demo/org-silver-age",
              "    link: https://example.org/shequ-demo/org-silver-age")
    report = mini.report()
    p = one_problem(report, "structure.unknown-key")
    assert (p.file, p.field) == (SILVER_FILE, "sources[0].link")
    assert p.line == line_of(mini.path(ORG, SILVER), "link:")
    assert p.hint == "known fields: title, url, accessed"
    # url is now missing from the item: reported at the item, which starts on the '- title' line.
    missing = one_problem(report, "structure.required", "sources[0].url")
    assert missing.line == line_of(mini.path(ORG, SILVER), "- title:")


def test_list_field_given_as_a_single_value_is_not_a_list(mini):
    mini.edit(ORG, SILVER, "alternate_names: [银龄互助会]", "alternate_names: 银龄互助会")
    p = one_problem(mini.report(), "structure.not-a-list")
    assert (p.file, p.field) == (SILVER_FILE, "alternate_names")
    assert p.line == line_of(mini.path(ORG, SILVER), "alternate_names:")


def test_list_item_that_should_be_a_mapping_is_reported(mini):
    mini.edit(ORG, SILVER, SUPPORT_ITEM, "  - government-procurement")
    p = one_problem(mini.report(), "structure.item-not-mapping")
    assert (p.file, p.field) == (SILVER_FILE, "support_received[0]")
    assert p.line == line_of(mini.path(ORG, SILVER), "- government-procurement")
    assert "type, provider, year, amount_cny" in p.message


def test_missing_required_list_is_reported_on_the_first_line(mini):
    mini.edit(ORG, HARMONY, "sources:", "old_sources:")
    report = mini.report()
    p = one_problem(report, "structure.required", "sources")
    assert p.file == HARMONY_FILE
    assert p.line == 1  # the key is absent: the record as a whole, which starts on line 1
    assert one_problem(report, "structure.unknown-key").hint == "did you mean 'sources'?"


def test_empty_required_list_needs_at_least_one_item(mini):
    mini.edit(ORG, HARMONY, "fields_of_activity: [promoting-harmony]", "fields_of_activity: []")
    p = one_problem(mini.report(), "structure.required", "fields_of_activity")
    assert p.file == HARMONY_FILE
    assert p.line == line_of(mini.path(ORG, HARMONY), "fields_of_activity:")
    assert "at least 1" in p.message


def test_missing_required_column_is_reported_with_its_schema_description(mini):
    mini.edit(ORG, HARMONY, "status: active\n", "")
    p = one_problem(mini.report(), "structure.required", "status")
    assert p.file == HARMONY_FILE
    assert p.line == 1
    assert "statuses vocabulary" in p.hint


def test_a_value_listed_twice_is_a_duplicate_at_the_second_item(mini):
    mini.edit(ORG, SILVER, "alternate_names: [银龄互助会]", "alternate_names: [银龄互助会, 银龄互助会]")
    p = one_problem(mini.report(), "structure.duplicate")
    assert (p.file, p.field) == (SILVER_FILE, "alternate_names[1]")
    assert p.line == line_of(mini.path(ORG, SILVER), "alternate_names:")  # a flow list sits on one line


def test_impossible_date_in_quotes_is_a_type_error(mini):
    mini.edit(ORG, SILVER, "founded: 2018-11-03", 'founded: "2018-13-03"')
    p = one_problem(mini.report(), "structure.type")
    assert (p.file, p.field) == (SILVER_FILE, "founded")
    assert p.line == line_of(mini.path(ORG, SILVER), "founded:")
    assert p.hint == "write dates as YYYY-MM-DD"


def test_datetime_where_a_date_belongs_is_a_type_error(mini):
    mini.edit(ORG, SILVER, "founded: 2018-11-03", "founded: 2018-11-03T10:00:00")
    p = one_problem(mini.report(), "structure.type")
    assert (p.field, p.line) == ("founded", line_of(mini.path(ORG, SILVER), "founded:"))


def test_number_where_text_belongs_suggests_quotes(mini):
    mini.edit(ORG, SILVER, 'division: "110105001"', "division: 110105001")
    p = one_problem(mini.report(), "structure.type")
    assert (p.file, p.field) == (SILVER_FILE, "division")
    assert p.line == line_of(mini.path(ORG, SILVER), "division:")
    assert p.hint == 'write it in quotes, e.g. "110105001"'


def test_non_http_url_is_refused_by_the_url_scheme_rule(mini):
    mini.edit(ORG, SILVER, "website: https://", "website: ftp://")
    p = one_problem(mini.report(), "urls.scheme")
    assert (p.file, p.field) == (SILVER_FILE, "website")
    assert p.line == line_of(mini.path(ORG, SILVER), "website:")


def test_javascript_url_in_a_source_is_refused(mini):
    mini.edit(ORG, SILVER, "    url: https://example.org/shequ-demo/org-silver-age", "    url: javascript:alert(1)")
    p = one_problem(mini.report(), "urls.scheme")
    assert (p.field, p.line) == ("sources[0].url", line_of(mini.path(ORG, SILVER), "url: javascript"))


def test_pattern_violation_names_the_expected_pattern(mini):
    mini.edit(ORG, SILVER, "phone: 010-6555 0123", "phone: call us")
    p = one_problem(mini.report(), "structure.pattern")
    assert (p.file, p.field) == (SILVER_FILE, "phone")
    assert p.line == line_of(mini.path(ORG, SILVER), "phone:")
    assert p.hint.startswith("expected pattern ")


def test_malformed_email_is_reported_as_not_an_email_address(mini):
    mini.edit(ORG, SILVER, "email: contact@example.org", "email: contact-example.org")
    p = one_problem(mini.report(), "structure.email")
    assert (p.file, p.field) == (SILVER_FILE, "email")
    assert p.line == line_of(mini.path(ORG, SILVER), "email:")
    assert p.message == "'contact-example.org' is not an email address"


def test_well_formed_email_passes(mini):
    mini.edit(ORG, SILVER, "email: contact@example.org", "email: shequ+contact@mail.example.org.cn")
    report = mini.report()
    assert not [p for p in report.problems if p.field == "email"], report.format_text()


def test_text_longer_than_the_schema_allows_is_reported(mini):
    mini.edit(ORG, SILVER, "community: 示例社区", "community: " + "长" * 201)
    p = one_problem(mini.report(), "structure.maxlength")
    assert (p.file, p.field) == (SILVER_FILE, "community")
    assert p.line == line_of(mini.path(ORG, SILVER), "community:")
    assert p.message == "is longer than 200 characters"


def test_text_exactly_at_the_limit_is_accepted(mini):
    mini.edit(ORG, SILVER, "community: 示例社区", "community: " + "长" * 200)
    assert not problems_of(mini.report(), "structure.maxlength")


def test_number_below_the_minimum_is_reported(mini):
    mini.edit("incubators", "inc-chaoyang-base", "capacity: 30", "capacity: -1")
    p = one_problem(mini.report(), "structure.minimum")
    assert (p.file, p.field) == (INCUBATOR_FILE, "capacity")
    assert p.line == line_of(mini.path("incubators", "inc-chaoyang-base"), "capacity:")


def test_number_above_the_maximum_in_a_list_item_is_reported(mini):
    mini.edit(ORG, SILVER, "year: 2021", "year: 2200")
    p = one_problem(mini.report(), "structure.maximum")
    assert (p.file, p.field) == (SILVER_FILE, "support_received[0].year")
    assert p.line == line_of(mini.path(ORG, SILVER), "year: 2200")
    assert p.message == "2200 is more than 2100"


def test_value_outside_an_enum_in_the_divisions_table_is_reported_at_its_csv_line(mini):
    table = mini.root / "datasets" / "reference" / "divisions.csv"
    table.write_text(table.read_text(encoding="utf-8").replace("11,北京市,province,", "11,北京市,capital,"),
                     encoding="utf-8")
    p = one_problem(mini.report(), "structure.enum")
    assert (p.file, p.field) == ("datasets/reference/divisions.csv", "level")
    assert p.line == line_of(table, "capital")


def test_blank_row_in_the_divisions_table_is_reported_at_its_csv_line(mini):
    table = mini.root / "datasets" / "reference" / "divisions.csv"
    text = table.read_text(encoding="utf-8")
    table.write_text(text + ",,,\n", encoding="utf-8")
    p = one_problem(mini.report(), "structure.blank-row")
    assert (p.file, p.field) == ("datasets/reference/divisions.csv", "")
    assert p.line == len(text.splitlines()) + 1  # the line after the last division
