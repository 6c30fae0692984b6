"""Problems printed three ways: text for people, JSON for programs, GitHub workflow commands."""

from __future__ import annotations

import json
import re

from shequ.report import ERROR, WARNING, Problem, Report, field_label

USCC_PROBLEM = Problem("uscc.check-character", "check character is 'H', expected 'K'",
                       "datasets/organizations/x.yaml", ("uscc",), line=7,
                       hint="GB 32100-2015: re-type the code from the certificate")


def unescape(value: str) -> str:
    """Undo GitHub's workflow-command escaping (actions/toolkit: % CR LF, and : , in properties)."""
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        value = value.replace(code, char)
    return value


COMMAND = re.compile(r"^::(error|warning) ([^:]*)::(.*)$")


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """(severity, properties, message) of one '::error k=v,k=v::message' line, unescaped."""
    match = COMMAND.match(line)
    assert match, line
    props = dict(item.split("=", 1) for item in match.group(2).split(","))
    return match.group(1), {k: unescape(v) for k, v in props.items()}, unescape(match.group(3))


# --- fields ----------------------------------------------------------------------------------


def test_field_label_joins_keys_with_dots_and_indexes_with_brackets():
    assert field_label(("sources", 0, "url")) == "sources[0].url"
    assert field_label(("fields_of_activity", 2)) == "fields_of_activity[2]"
    assert field_label(()) == ""


# --- text ------------------------------------------------------------------------------------


def test_text_line_has_file_line_field_message_hint_and_rule():
    assert USCC_PROBLEM.text() == (
        "datasets/organizations/x.yaml:7: uscc: check character is 'H', expected 'K' "
        "(GB 32100-2015: re-type the code from the certificate) [uscc.check-character]")


def test_text_of_a_whole_file_problem_has_no_line_and_no_field():
    p = Problem("files.unexpected", "is not a record file", "datasets/organizations/x.yml")
    assert p.text() == "datasets/organizations/x.yml: is not a record file [files.unexpected]"


def test_text_marks_warnings():
    p = Problem("text.invisible", "contains U+200B", "a.yaml", ("description_zh",), WARNING, line=3)
    assert p.text() == "a.yaml:3: warning: description_zh: contains U+200B [text.invisible]"


def test_text_report_is_sorted_by_file_then_line_and_ends_with_a_summary():
    report = Report([
        Problem("yaml.syntax", "second", "b.yaml", line=2),
        Problem("yaml.syntax", "later line", "a.yaml", line=10),
        Problem("yaml.syntax", "first", "a.yaml", line=2),
        Problem("uscc.duplicate", "a warning", "a.yaml", severity=WARNING, line=5),
    ])
    lines = report.format_text().splitlines()
    assert [line.split(":")[0] + ":" + line.split(":")[1] for line in lines[:4]] == [
        "a.yaml:2", "a.yaml:5", "a.yaml:10", "b.yaml:2"]
    assert lines[-1] == "invalid: 3 errors, 1 warning"


def test_summary_of_an_empty_report_says_valid():
    report = Report()
    assert report.valid
    assert report.format_text() == "valid: no problems found\n"


def test_report_with_only_warnings_is_valid():
    report = Report([Problem("yaml.syntax", "m", "a.yaml", severity=WARNING)])
    assert report.valid
    assert report.summary() == "valid: 0 errors, 1 warning"


# --- json ------------------------------------------------------------------------------------


def test_json_carries_counts_and_every_problem_with_file_line_field_and_rule():
    report = Report([Problem("uscc.duplicate", "warned", "datasets/z.yaml", severity=WARNING), USCC_PROBLEM])
    data = json.loads(report.format_json())
    assert (data["valid"], data["errors"], data["warnings"]) == (False, 1, 1)
    first = data["problems"][0]  # sorted by file: datasets/organizations/… before datasets/z.yaml
    assert first == {
        "rule": "uscc.check-character", "severity": ERROR, "file": "datasets/organizations/x.yaml", "line": 7,
        "field": "uscc", "message": "check character is 'H', expected 'K'",
        "hint": "GB 32100-2015: re-type the code from the certificate",
    }
    second = data["problems"][1]
    assert (second["field"], second["line"], second["hint"]) == (None, None, None)


def test_json_keeps_chinese_and_control_characters_readable_and_valid():
    p = Problem("yaml.syntax", "名称 has a\nnewline and a \"quote\"", "datasets/organizations/组织.yaml", ("name",), line=2)
    text = Report([p]).format_json()
    assert "组织.yaml" in text  # not \u-escaped
    assert json.loads(text)["problems"][0]["message"] == "名称 has a\nnewline and a \"quote\""


# --- github ----------------------------------------------------------------------------------


def test_github_annotation_names_file_line_and_rule():
    lines = Report([USCC_PROBLEM]).format_github().splitlines()
    assert lines[0].startswith("::error file=datasets/organizations/x.yaml,line=7,title=uscc.check-character::")
    severity, props, message = parse_command(lines[0])
    assert severity == "error"
    assert props == {"file": "datasets/organizations/x.yaml", "line": "7", "title": "uscc.check-character"}
    # ':' is fine in the message itself; only properties escape it.
    assert message == ("uscc: check character is 'H', expected 'K' "
                       "(GB 32100-2015: re-type the code from the certificate)")
    assert lines[-1] == "invalid: 1 error, 0 warnings"


def test_github_warning_without_a_line_has_no_line_property():
    line = Report([Problem("uscc.duplicate", "m", "a.yaml", severity=WARNING)]).format_github().splitlines()[0]
    severity, props, _ = parse_command(line)
    assert severity == "warning"
    assert "line" not in props


def test_github_escapes_percent_and_newlines_in_the_message():
    p = Problem("yaml.syntax", "100% sure\r\nsecond line %0A literal", "a.yaml", line=1)
    line = Report([p]).format_github().splitlines()[0]
    raw_message = line.split("::", 2)[2]
    assert "\n" not in raw_message and "\r" not in raw_message
    assert raw_message == "100%25 sure%0D%0Asecond line %250A literal"
    assert parse_command(line)[2] == "100% sure\r\nsecond line %0A literal"


def test_github_escapes_colon_and_comma_in_properties():
    p = Problem("yaml.syntax", "m", "datasets/a,b:c%d.yaml", line=3)
    p.rule = "odd:rule,id"  # no catalogued id holds these characters; the escaping guards the title all the same
    line = Report([p]).format_github().splitlines()[0]
    head = line.split("::")[1]  # "error file=…,line=3,title=…": the real separators only
    assert head == "error file=datasets/a%2Cb%3Ac%25d.yaml,line=3,title=odd%3Arule%2Cid"
    _, props, _ = parse_command(line)
    assert props == {"file": "datasets/a,b:c%d.yaml", "line": "3", "title": "odd:rule,id"}


def test_github_newline_in_a_file_name_cannot_start_a_new_command():
    p = Problem("yaml.syntax", "m", "a\n::error file=evil.yaml::injected.yaml", line=1)
    out = Report([p]).format_github().splitlines()
    assert len(out) == 2  # the annotation and the summary
    assert parse_command(out[0])[1]["file"] == "a\n::error file=evil.yaml::injected.yaml"


def test_format_dispatches_on_the_three_names():
    report = Report([USCC_PROBLEM])
    assert report.format("text") == report.format_text()
    assert report.format("json") == report.format_json()
    assert report.format("github") == report.format_github()
