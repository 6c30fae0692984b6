"""The division importer: official lists in, the project's divisions table out."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from shequ.sources.divisions import (
    DivisionImportError,
    import_divisions,
    nbs_code,
    read_list,
    read_official,
    read_table,
)
from shequ.project import Project

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference" / "divisions"

PROVINCES = 'code,name\n11,"北京市"\n44,"广东省"\n'
CITIES = 'code,name,provinceCode\n1101,"市辖区",11\n4403,"深圳市",44\n'
AREAS = 'code,name,cityCode,provinceCode\n110105,"朝阳区",1101,11\n110108,"海淀区",1101,11\n440305,"南山区",4403,44\n'
STREETS = ('code,name,areaCode,provinceCode,cityCode\n'
           '110105003,"呼家楼街道",110105,11,1101\n'
           '110105004,"三里屯街道",110105,11,1101\n'
           '110108006,"紫竹院街道",110108,11,1101\n'
           '440305005,"蛇口街道",440305,44,4403\n'
           '440305009,"西丽街道",440305,44,4403\n')
MCA = "110000 北京市\n110105 朝阳区\n110108 海淀区\n440000 广东省\n440300 深圳市\n440305 南山区\n419001 济源市\n"


@pytest.fixture
def lists(tmp_path) -> dict[str, Path]:
    folder = tmp_path / "lists"
    folder.mkdir()
    out = {}
    for name, text in (("provinces.csv", PROVINCES), ("cities.csv", CITIES), ("areas.csv", AREAS),
                       ("streets.csv", STREETS), ("mca.txt", MCA)):
        out[name.split(".")[0]] = folder / name
        (folder / name).write_text(text, encoding="utf-8")
    return out


@pytest.fixture
def project(tmp_path) -> Project:
    """A copy of the project's metadata, schemas and vocabularies, with no records."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "datasets", root / "datasets",
                    ignore=lambda folder, names: [n for n in names if Path(folder) == REPO / "datasets"
                                                  and n in ("organizations", "incubators", "reference")])
    (root / "datasets" / "organizations").mkdir()
    (root / "datasets" / "incubators").mkdir()
    return Project.at(root)


def add_org(project: Project, rid: str, division: str, uscc: str | None = None) -> None:
    text = f'id: {rid}\nname: 示例\ndivision: "{division}"\n' + (f"uscc: {uscc}\n" if uscc else "")
    (project.datasets / "organizations" / f"{rid}.yaml").write_text(text, encoding="utf-8")


def table_rows(project: Project) -> list[dict]:
    with project.divisions_table.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def every_list(lists) -> list[Path]:
    return [lists[k] for k in ("provinces", "cities", "areas", "streets", "mca")]


# --- nbs_code -------------------------------------------------------------------------------


@pytest.mark.parametrize("gbt, nbs", [("110000", "11"), ("440300", "4403"), ("110105", "110105"),
                                      ("110100", "1101"), ("441900", "4419")])
def test_nbs_code_strips_trailing_zero_pairs(gbt, nbs):
    assert nbs_code(gbt) == nbs


@pytest.mark.parametrize("bad", ["11", "1101050", "11010A", "", None, "１１００００"])
def test_nbs_code_refuses_what_is_not_a_6_digit_code(bad):
    with pytest.raises(ValueError):
        nbs_code(bad)


# --- reading the lists ----------------------------------------------------------------------


def test_each_format_is_recognised_by_its_first_line(lists):
    assert read_list(lists["provinces"])[0] == "nbs-provinces"
    assert read_list(lists["cities"])[0] == "nbs-cities"
    assert read_list(lists["areas"])[0] == "nbs-areas"
    kind, streets = read_list(lists["streets"])
    assert kind == "nbs-streets" and [d.code for d in streets][:2] == ["110105003", "110105004"]
    kind, mca = read_list(lists["mca"])
    assert kind == "mca-gbt2260"
    assert {d.code: d.name for d in mca}["11"] == "北京市"
    assert {d.code: d.level for d in mca} == {"11": "province", "110105": "county", "110108": "county",
                                               "44": "province", "4403": "prefecture", "440305": "county",
                                               "419001": "county"}


def test_columns_may_come_in_another_order_and_with_a_bom(tmp_path):
    path = tmp_path / "areas.csv"
    path.write_text("\ufeffname,code,provinceCode,cityCode\n朝阳区,110105,11,1101\n", encoding="utf-8")
    assert [(d.code, d.name) for d in read_list(path)[1]] == [("110105", "朝阳区")]


def test_an_unknown_header_is_refused_with_file_and_line(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("id,label\n1,x\n", encoding="utf-8")
    with pytest.raises(DivisionImportError) as exc:
        read_list(path)
    assert exc.value.line == 1 and exc.value.file == str(path)
    assert str(exc.value).startswith(f"{path}:1: unrecognised first line")


@pytest.mark.parametrize("text, line, words", [
    ('code,name,areaCode,provinceCode,cityCode\n110105003,"呼家楼街道",110105,11\n', 2, "columns"),
    ('code,name,areaCode,provinceCode,cityCode\n110105003,"呼家楼街道",110105,11,1101\n11010500,"x",110105,11,1101\n',
     3, "9-digit"),
    ('code,name,areaCode,provinceCode,cityCode\n110105003,"",110105,11,1101\n', 2, "empty"),
    ('code,name,areaCode,provinceCode,cityCode\n110105003,"呼家楼街道",110108,11,1101\n', 2, "not the start"),
    ('code,name,provinceCode\n1101,"市辖区",11\n1101,"北京",11\n', 3, "twice"),
    ("110000 北京市\n110105朝阳区\n", 2, "code name"),
    ("110000 北京市\n110105 朝阳区\n110105 东城区\n", 3, "twice"),
])
def test_a_bad_row_is_refused_with_its_line(tmp_path, text, line, words):
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DivisionImportError) as exc:
        read_list(path)
    assert exc.value.line == line and words in exc.value.message


def test_a_good_row_with_a_repeated_identical_line_is_read_once(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text('code,name,provinceCode\n1101,"市辖区",11\n1101,"市辖区",11\n', encoding="utf-8")
    assert len(read_list(path)[1]) == 1


def test_text_that_is_not_utf8_is_refused_with_its_line(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("110000 北京市\n110105 朝阳区\n".encode("utf-8") + "110108 海淀区\n".encode("gbk"))
    with pytest.raises(DivisionImportError) as exc:
        read_list(path)
    assert exc.value.line == 3 and "UTF-8" in exc.value.message


@pytest.mark.parametrize("name, words", [(".", "folder"), ("missing.csv", "no such file"),
                                         ("empty.csv", "empty")])
def test_a_folder_a_missing_file_or_an_empty_file_is_refused(tmp_path, name, words):
    (tmp_path / "empty.csv").write_text("\n\n", encoding="utf-8")
    with pytest.raises(DivisionImportError, match=words):
        read_list(tmp_path / name)


def test_a_list_given_first_wins_and_a_different_name_is_reported(tmp_path, lists):
    other = tmp_path / "other.txt"
    other.write_text("110105 朝阳县\n", encoding="utf-8")
    warnings = []
    official = read_official([lists["areas"], other], warnings)
    assert official["110105"].name == "朝阳区"
    assert warnings and "朝阳县" in warnings[0]
    assert read_official([lists["areas"], lists["mca"]], warnings := [])["110105"].name == "朝阳区"
    assert warnings == []


def test_a_folder_stands_for_the_lists_in_it_and_other_files_are_skipped(lists):
    (lists["mca"].parent / "LICENSE.txt").write_text("Do what you want\n", encoding="utf-8")
    official = read_official([lists["mca"].parent])
    assert official["110105003"].name == "呼家楼街道" and official["419001"].name == "济源市"


# --- the project table ----------------------------------------------------------------------


def test_the_table_lists_the_divisions_the_data_uses_with_their_ancestors(project, lists):
    add_org(project, "org-aaa", "110105003")
    add_org(project, "org-bbb", "440305", uscc="52440305MJ0000014X")  # county, and its code in the USCC
    result = import_divisions(project, every_list(lists), [])
    rows = table_rows(project)
    assert [r["code"] for r in rows] == ["11", "1101", "110105", "110105003", "44", "4403", "440305"]
    assert rows[3] == {"code": "110105003", "name": "呼家楼街道", "level": "township", "parent": "110105",
                       "name_en": "Hujialou Subdistrict", "urban_communities": "", "rural_communities": ""}  # no village list given
    assert rows[0]["parent"] == "" and rows[1]["level"] == "prefecture"
    assert result.rows == 7 and result.added == [r["code"] for r in rows] and result.ok
    raw = project.divisions_table.read_bytes()
    assert raw.startswith(b"code,name,level,parent,name_en,urban_communities,rural_communities\n") and b"\r" not in raw
    assert "市辖区".encode("utf-8") in raw


def test_the_uscc_division_is_added_normalised(project, lists):
    add_org(project, "org-aaa", "110105003", uscc="51110000MJ0000017Q")  # registered at 110000: Beijing
    add_org(project, "org-bbb", "440305005", uscc="51440300MJ0000017Q")  # at 440300: Shenzhen
    import_divisions(project, every_list(lists), [])
    codes = [r["code"] for r in table_rows(project)]
    assert "11" in codes and "4403" in codes and "110000" not in codes and "440300" not in codes


def test_a_code_in_no_list_is_reported_and_not_added(project, lists):
    add_org(project, "org-aaa", "110105999")
    result = import_divisions(project, every_list(lists), [])
    assert result.not_found == ["110105999 (used in datasets/organizations/org-aaa.yaml)"]
    assert not result.ok
    assert "110105999" not in {r["code"] for r in table_rows(project)}


def test_incubators_count_too(project, lists):
    (project.datasets / "incubators" / "inc-aaa.yaml").write_text('id: inc-aaa\ndivision: "440305009"\n',
                                                                   encoding="utf-8")
    import_divisions(project, every_list(lists), [])
    assert "440305009" in {r["code"] for r in table_rows(project)}


def test_a_prefix_adds_everything_under_it(project, lists):
    result = import_divisions(project, every_list(lists), ["440300"])  # a GB/T code, normalised to 4403
    assert [r["code"] for r in table_rows(project)] == ["44", "4403", "440305", "440305005", "440305009"]
    assert result.ok


@pytest.mark.parametrize("prefix, words", [("99", "no division"), ("44a", "not a division code"),
                                           ("4", "not a division code")])
def test_a_prefix_that_matches_nothing_is_an_error(project, lists, prefix, words):
    with pytest.raises(DivisionImportError, match=words):
        import_divisions(project, every_list(lists), [prefix])
    assert not project.divisions_table.exists()


def test_rows_already_in_the_table_are_kept_and_names_corrected(project, lists):
    project.divisions_table.parent.mkdir(parents=True, exist_ok=True)
    project.divisions_table.write_text("code,name,level,parent\n110108,海淀,county,1101\n71,台湾省,province,\n",
                                       encoding="utf-8")
    add_org(project, "org-aaa", "110105003")
    result = import_divisions(project, every_list(lists), [])
    rows = {r["code"]: r["name"] for r in table_rows(project)}
    assert rows["71"] == "台湾省"  # in none of these lists, but kept
    assert rows["110108"] == "海淀区" and result.renamed == [("110108", "海淀", "海淀区")]
    assert result.kept == 2 and "110108" not in result.added


def test_a_broken_existing_table_is_refused_with_its_line(project, lists):
    project.divisions_table.parent.mkdir(parents=True, exist_ok=True)
    project.divisions_table.write_text("code,name,level,parent\n11,北京市,province,\nxx,?,county,\n", encoding="utf-8")
    with pytest.raises(DivisionImportError) as exc:
        import_divisions(project, every_list(lists), [])
    assert exc.value.line == 3


def test_a_parent_in_no_list_is_reported_but_the_row_still_names_it(project, lists):
    add_org(project, "org-aaa", "419001")  # 济源市: the GB/T list has no 419000
    result = import_divisions(project, [lists["mca"]], [])
    rows = {r["code"]: r for r in table_rows(project)}
    assert rows["419001"]["parent"] == "4190" and "4190" not in rows
    assert result.missing_parents == ["41", "4190"] and "NBS cities" in result.warnings[0]


def test_a_parent_named_by_another_list_is_found(project, lists, tmp_path):
    cities = tmp_path / "cities4190.csv"
    cities.write_text('code,name,provinceCode\n4190,"省直辖县级行政区划",41\n', encoding="utf-8")
    provinces = tmp_path / "p.csv"
    provinces.write_text('code,name\n41,"河南省"\n', encoding="utf-8")
    add_org(project, "org-aaa", "419001")
    result = import_divisions(project, [lists["mca"], cities, provinces], [])
    assert [r["code"] for r in table_rows(project)] == ["41", "4190", "419001"] and result.ok


def test_no_lists_is_an_error(project):
    with pytest.raises(DivisionImportError):
        import_divisions(project, [], [])


def test_importing_twice_changes_nothing(project, lists):
    add_org(project, "org-aaa", "110105003")
    import_divisions(project, every_list(lists), ["4403"])
    first = project.divisions_table.read_bytes()
    result = import_divisions(project, every_list(lists), [])
    assert project.divisions_table.read_bytes() == first and result.added == []


# --- the real national lists ----------------------------------------------------------------


def real_lists() -> list[Path]:
    if not (REFERENCE / "nbs-2023-streets.csv").is_file():
        pytest.skip(f"the official division lists are not at {REFERENCE}")
    return sorted(p for p in REFERENCE.iterdir() if p.suffix in (".csv", ".txt") and not p.name.startswith("LICENSE"))


def test_the_full_national_township_list_imports(project):
    files = real_lists()
    kind, streets = read_list(REFERENCE / "nbs-2023-streets.csv")
    assert kind == "nbs-streets" and len(streets) == 41_352
    provinces = [d.code for d in read_list(REFERENCE / "nbs-2023-provinces.csv")[1]]
    result = import_divisions(project, files, provinces)
    rows = read_table(project.divisions_table)
    assert len(rows) > 44_000 and rows["110105003"]["name"] == "呼家楼街道"
    assert rows["1101"]["name"] == "市辖区" and rows["419001"]["parent"] == "4190" and "4190" in rows
    assert result.ok, result.warnings[:3]


def test_every_row_of_the_shipped_table_is_in_the_official_lists():
    official = read_official(real_lists())
    table = REPO / "datasets" / "reference" / "divisions.csv"
    raw = table.read_bytes()
    assert b"\r" not in raw
    with table.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        # The shipped table's columns are the ones its Table Schema declares, in that order.
        declared = json.loads((REPO / "datasets" / "schemas" / "divisions.schema.json").read_text("utf-8"))
        assert reader.fieldnames == [f["name"] for f in declared["fields"]]
        rows = list(reader)
    assert rows, "the shipped divisions table is empty"
    assert [r["code"] for r in rows] == sorted(r["code"] for r in rows)
    codes = {r["code"] for r in rows}
    for r in rows:
        assert r["code"] in official, f"{r['code']} is in no official list"
        assert r["name"] == official[r["code"]].name, f"{r['code']}: {r['name']} != {official[r['code']].name}"
        assert r["level"] == official[r["code"]].level
        assert r["parent"] == official[r["code"]].parent
        assert not r["parent"] or r["parent"] in codes, f"parent of {r['code']} is missing"
