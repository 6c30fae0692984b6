"""Community counts from NBS's village-level list, and organizations against the 2017 targets.

The sample below is written in the format of NBS's village-level list (统计用区划代码,
城乡分类代码, 名称): 12-digit committee codes whose first nine digits are the township's,
and an urban-rural class whose first digit says urban (1) or rural (2).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shequ.project import Project
from shequ.render.coverage import compute_coverage
from shequ.render.model import Directory
from shequ.sources.divisions import DivisionImportError, import_divisions, read_table, read_village_counts
from shequ.sources.load import load

VILLAGES = """统计用区划代码,城乡分类代码,名称
110105001001,111,建外第一社区居委会
110105001002,111,建外第二社区居委会
110105002001,111,朝外社区居委会
110105002201,220,朝外村委会
110105002202,121,东坝村委会
"""
STREETS = """code,name,areaCode,provinceCode,cityCode
110105001,建外街道,110105,11,1101
110105002,朝外街道,110105,11,1101
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_village_list_counts_urban_and_rural_committees_per_township(tmp_path):
    counts = read_village_counts(_write(tmp_path, "villages.csv", VILLAGES))
    # a villagers' committee in a town centre (121) is urban by NBS's class, whatever its name
    assert counts == {"110105001": (2, 0), "110105002": (2, 1)}


@pytest.mark.parametrize("row,message,line", [
    ("11010500100,111,短代码\n", "is not a 12-digit village-level code", 2),
    ("110105001001,311,建外第一社区居委会\n", "is not an urban-rural class", 2),
    ("110105001001,111\n", "2 columns", 2),
])
def test_bad_village_rows_name_file_and_line(tmp_path, row, message, line):
    path = _write(tmp_path, "villages.csv", VILLAGES.splitlines()[0] + "\n" + row)
    with pytest.raises(DivisionImportError) as caught:
        read_village_counts(path)
    assert message in caught.value.message and caught.value.line == line and caught.value.file == str(path)


def test_import_writes_community_counts_to_the_townships(mini, tmp_path):
    project = Project.at(mini.root)
    lists = [_write(tmp_path, "streets.csv", STREETS), _write(tmp_path, "villages.csv", VILLAGES)]
    result = import_divisions(project, lists)
    table = read_table(project.divisions_table)
    assert (table["110105002"]["urban_communities"], table["110105002"]["rural_communities"]) == ("2", "1")
    assert table["110105"]["urban_communities"] == ""  # counts belong to townships only
    assert str(lists[1]) in result.read


def test_coverage_compares_organizations_with_the_targets(mini, tmp_path):
    project = Project.at(mini.root)
    import_divisions(project, [_write(tmp_path, "streets.csv", STREETS), _write(tmp_path, "villages.csv", VILLAGES)])
    covered = compute_coverage(Directory(load(project)))
    # one organization in each township; targets 10 per urban and 5 per rural community
    assert (covered["110105001"].organizations, covered["110105001"].target) == (1, 20)
    assert (covered["110105002"].organizations, covered["110105002"].target) == (1, 25)
    total = covered[""]
    assert (total.organizations, total.urban, total.rural, total.townships) == (2, 4, 1, 2)
    assert total.share_of_target == round(100 * 2 / 45) and covered["11"].target == 45


def test_no_counts_no_coverage(mini):
    assert compute_coverage(Directory(load(Project.at(mini.root)))) == {}


def test_community_counts_belong_to_townships_and_come_in_pairs(mini):
    from shequ.checks import divisions as division_checks

    project = Project.at(mini.root)
    project.divisions_table.write_text(
        "code,name,level,parent,urban_communities,rural_communities\n"
        "11,北京市,province,,3,1\n1101,市辖区,prefecture,11,,\n110105,朝阳区,county,1101,,\n"
        "110105001,建外街道,township,110105,2,\n110105002,朝外街道,township,110105,2,1\n", encoding="utf-8")
    problems = [p for p in division_checks.check(load(project)) if p.rule == "divisions.communities"]
    assert [(p.line, p.field) for p in problems] == [(2, "urban_communities"), (5, "rural_communities")]
