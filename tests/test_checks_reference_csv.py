"""datasets/reference/divisions.csv: a file that cannot be read as UTF-8 CSV is one problem
naming the file and line, in every command, not a traceback."""

from __future__ import annotations

import pytest

from site_project import the_problem, validate

DIVISIONS = "datasets/reference/divisions.csv"
HEADER = "code,name,level,parent\n"


@pytest.mark.parametrize("data, rule, line", [
    ((HEADER + "11,北京市,province,\n").encode("gbk"), "csv.encoding", 2),
    ((HEADER + "11,北京\x00市,province,\n").encode("utf-8"), "csv.encoding", 2),
    ((HEADER + '11,"北京市\n').encode("utf-8"), "csv.syntax", 2),
], ids=["gbk", "nul", "unclosed-quote"])
def test_an_unreadable_divisions_table_is_named_with_its_line(mini, data, rule, line):
    (mini.root / DIVISIONS).write_bytes(data)
    code, problems = validate(mini.root)
    assert code == 1
    problem = the_problem(problems, rule)
    assert (problem["file"], problem["line"]) == (DIVISIONS, line)


def test_a_byte_order_mark_is_harmless(mini):
    path = mini.root / DIVISIONS
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert validate(mini.root) == (0, [])
