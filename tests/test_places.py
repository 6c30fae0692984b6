"""Places in both languages, the tile-grid map and the search that forgives, without a browser:
the English names of divisions, their column and import, the map's colours, the synonyms
file, and what the directory index holds for credit codes, pinyin and spelling."""

from __future__ import annotations

import csv
import gzip
import json
import re
from pathlib import Path

import pytest

from shequ.project import Project
from shequ.search.tokens import pinyin_words
from shequ.sources import load as load_module
from shequ.sources.divisions import import_divisions, read_table
from shequ.sources.romanize import english_name, plain_pinyin
from shequ.sources.synonyms import Synonyms
from shequ.render.tilemap import FILLS, GRID, OUTLINE, contrast, ink

from test_site import ORG, site  # noqa: F401  (site is a fixture)

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "shequ" / "assets" / "shequ-search.js"
#: The official lists: beside the repository's folder (or its worktrees' folder).
REFERENCE = next((p for p in (REPO.parent / "shared" / "reference" / "divisions",
                              REPO.parent.parent / "shared" / "reference" / "divisions") if p.is_dir()), None)


# English names -----------------------------------------------------------------------------------

@pytest.mark.parametrize("chinese, english", [
    ("浦东新区", "Pudong New Area"),
    ("朝阳区", "Chaoyang District"),  # 朝 read zhao alone; the generic term decides
    ("西安市", "Xi'an City"),  # the apostrophe before a syllable starting with a, o or e
    ("长治市", "Changzhi City"),  # 长 in place names is chang
    ("长子县", "Zhangzi County"),  # … but not in this one
    ("尼勒克县", "Nileke County"),  # 勒 in place names is le, 什 is shi
    ("阿图什市", "Atushi City"),
    ("涉县", "Shexian County"),  # one-syllable proper name: the generic's pinyin joins it
    ("三里屯街道", "Sanlitun Subdistrict"),
    ("张江镇", "Zhangjiang Town"),
    ("黄松峪乡", "Huangsongyu Township"),
    ("吕梁市", "Lüliang City"),
    ("四川省", "Sichuan Province"),
    ("陕西省", "Shaanxi Province"),  # the established spelling that tells it from 山西 Shanxi
    ("北京市", "Beijing Municipality"),
    ("内蒙古自治区", "Inner Mongolia Autonomous Region"),
    ("广西壮族自治区", "Guangxi Zhuang Autonomous Region"),
    ("香港特别行政区", "Hong Kong Special Administrative Region"),
    ("延边朝鲜族自治州", "Yanbian Korean Autonomous Prefecture"),
    ("黔东南苗族侗族自治州", "Qiandongnan Miao and Dong Autonomous Prefecture"),
    ("伊犁哈萨克自治州", "Yili Kazak Autonomous Prefecture"),  # 族 left out before 自治
    ("鄂伦春自治旗", "Oroqen Autonomous Banner"),  # the group is the whole name
    ("市辖区", "Municipal Districts"),  # a grouping of the statistical lists, described
])
def test_english_names_follow_the_place_name_rules(chinese, english):
    assert english_name(chinese) == english


def test_pinyin_for_search_is_plain_ascii():
    assert plain_pinyin("浦东新区") == "pudongxinqu"
    assert plain_pinyin("吕梁") == "luliang"


def test_the_demo_divisions_table_carries_english_names_that_the_import_would_make():
    table = read_table(REPO / "datasets" / "reference" / "divisions.csv")
    assert table and all(row["name_en"] for row in table.values())
    assert table["310115"]["name_en"] == "Pudong New Area"
    made = {code: english_name(row["name"]) for code, row in table.items()}
    # The table may correct a made name (郫都区: pypinyin reads 都 dou); the rest are as made.
    assert [c for c in table if table[c]["name_en"] != made[c]] == []


def test_the_schema_declares_the_column_with_its_roles():
    schema = json.loads((REPO / "datasets" / "schemas" / "divisions.schema.json").read_text(encoding="utf-8"))
    [field] = [f for f in schema["fields"] if f["name"] == "name_en"]
    assert set(field["roles"]) == {"name", "searchable"}
    assert field["title_zh"] and field["description_zh"]


def test_the_data_package_publishes_the_english_names(tmp_path):
    from shequ.cli import main
    from click.testing import CliRunner

    out = tmp_path / "package"
    result = CliRunner().invoke(main, ["publish", "--project", str(REPO), "--out", str(out)])
    assert result.exit_code == 0, result.output
    with (out / "divisions.csv").open(encoding="utf-8") as fh:
        rows = {r["code"]: r for r in csv.DictReader(fh)}
    assert rows["110105"]["name_en"] == "Chaoyang District"
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    [resource] = [r for r in descriptor["resources"] if r["name"] == "divisions"]
    fields = [f for f in resource["schema"]["fields"] if f["name"] == "name_en"]
    assert fields and "roles" not in fields[0]  # roles steer the project's code only


def test_the_import_makes_english_names_and_keeps_corrections(mini, tmp_path):
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "provinces.csv").write_text("code,name\n11,北京市\n31,上海市\n", encoding="utf-8")
    (lists / "cities.csv").write_text("code,name,provinceCode\n1101,市辖区,11\n3101,市辖区,31\n", encoding="utf-8")
    (lists / "areas.csv").write_text("code,name,cityCode,provinceCode\n110105,朝阳区,1101,11\n"
                                     "310115,浦东新区,3101,31\n", encoding="utf-8")
    (lists / "streets.csv").write_text("code,name,areaCode,provinceCode,cityCode\n"
                                       "110105001,建外街道,110105,11,1101\n110105002,朝外街道,110105,11,1101\n",
                                       encoding="utf-8")
    project = Project.at(mini.root)
    import_divisions(project, [lists], ["310115"])
    table = read_table(project.divisions_table)
    assert table["310115"]["name_en"] == "Pudong New Area"
    assert table["110105001"]["name_en"] == "Jianwai Subdistrict"
    assert project.divisions_table.read_text(encoding="utf-8").startswith("code,name,level,parent,name_en,urban_communities,rural_communities\n")
    # A maintainer's correction stays …
    text = project.divisions_table.read_text(encoding="utf-8").replace("Jianwai Subdistrict", "Jianguomenwai")
    project.divisions_table.write_text(text, encoding="utf-8")
    import_divisions(project, [lists])
    assert read_table(project.divisions_table)["110105001"]["name_en"] == "Jianguomenwai"
    # … until the official Chinese name changes.
    (lists / "streets.csv").write_text("code,name,areaCode,provinceCode,cityCode\n"
                                       "110105001,建国门外街道,110105,11,1101\n", encoding="utf-8")
    import_divisions(project, [lists])
    assert read_table(project.divisions_table)["110105001"]["name_en"] == "Jianguomenwai Subdistrict"


def test_the_national_lists_all_get_english_names(tmp_path):
    if REFERENCE is None:
        pytest.skip("the official division lists are not beside the repository")
    from shequ.sources.divisions import read_official

    official = read_official([REFERENCE])
    names = {code: english_name(d.name) for code, d in official.items()}
    assert all(names.values())
    assert all(n.isascii() or "ü" in n for n in names.values()), [n for n in names.values() if not n.isascii()][:5]
    assert names["510117"] == "Pidu District"  # 都 read du, as the place is called
    assert names["4201"] == "Wuhan City"
    assert names["5134"] == "Liangshan Yi Autonomous Prefecture"


# The tile-grid map -------------------------------------------------------------------------------

def test_the_grid_holds_every_provincial_level_division_once():
    assert len(GRID) == 34 and {"71", "81", "82"} <= set(GRID)
    cells = [(col, row) for col, row, *_ in GRID.values()]
    assert len(set(cells)) == len(cells)


@pytest.mark.parametrize("fill", FILLS)
def test_tile_text_and_outlines_meet_the_contrast_rules(fill):
    assert contrast(ink(fill), fill) >= 4.5
    assert contrast(OUTLINE, "#ffffff") >= 3


# Synonyms ----------------------------------------------------------------------------------------

def test_synonyms_expand_chinese_inside_text_and_latin_as_words():
    synonyms = Synonyms([("长者", "老年人", "银龄"), ("关爱", "关怀"), ("elderly", "senior")])
    assert synonyms.expand("长者关爱小组") == "老年人 银龄 关怀"
    assert synonyms.expand("Senior care") == "elderly"
    assert synonyms.expand("seniority") == ""
    assert synonyms.expand("社区文化") == ""


def test_a_malformed_synonyms_file_is_an_error_with_its_place(mini):
    path = mini.root / "datasets" / "reference" / "synonyms.yaml"
    path.write_text("groups:\n  - [长者, 老年人]\n  - [长者]\n", encoding="utf-8")
    sources = load_module.load(Project.at(mini.root))
    [problem] = [p for p in sources.problems if p.rule == "synonyms.groups"]
    assert problem.file == "datasets/reference/synonyms.yaml" and problem.path == ("groups", 1)
    assert sources.synonyms.groups == [("长者", "老年人")]


def test_the_project_synonyms_file_is_valid():
    sources = load_module.load(Project.at(REPO))
    assert not [p for p in sources.problems if p.rule == "synonyms.groups"]
    assert any("长者" in g and "老年人" in g for g in sources.synonyms.groups)


# The search script's pinyin ----------------------------------------------------------------------

def test_the_script_knows_every_pinyin_syllable():
    import unicodedata
    from pypinyin.pinyin_dict import pinyin_dict

    expected = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            plain = "".join(c for c in unicodedata.normalize("NFD", reading) if not unicodedata.combining(c))
            if plain.isascii() and plain.isalpha() and plain not in ("m", "n", "ng", "hm", "hng"):
                expected.add(plain)
    [listed] = re.findall(r'\n  "([a-z ]+)"\.split\(" "\)', SCRIPT.read_text(encoding="utf-8"))
    assert set(listed.split()) == expected


def test_pinyin_words_pair_neighbouring_syllables():
    assert pinyin_words("朝阳区银龄互助会") >= {"zpyinling", "zphuzhu", "zpchaoyang"}
    assert pinyin_words("吕梁 A") == {"zpluliang"}  # ü as u, as a query types it


# The directory index of the demo site -----------------------------------------------------------

def _gz(path: Path):
    return json.loads(gzip.decompress(path.read_bytes()))


def test_the_index_files_credit_codes_by_their_first_six_characters(site):  # noqa: F811
    index = site.site / "directory-index"
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["uscc_prefix"] == 6
    entries = _gz(index / "u" / "511101.json.gz")
    paths = [_gz(index / "d" / f"{i // manifest['chunk']}.json.gz")[i % manifest["chunk"]][0] for _, i in entries]
    assert f"organizations/{ORG}/" in paths


def test_the_index_names_regions_in_english_for_english_pages(site):  # noqa: F811
    manifest = json.loads((site.site / "directory-index" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["regions_en"]["310115"] == "Pudong New Area"
    assert manifest["fields"][-1] == "place_en"


def test_the_spelling_files_hold_known_words_most_used_first(site):  # noqa: F811
    words = _gz(site.site / "directory-index" / "s" / "m6.json.gz")
    assert "mutual" in words
    assert all(len(w) == 6 and w[0] == "m" for w in words)


def test_the_manifest_lists_exactly_the_spelling_files_there_are(site):  # noqa: F811
    """The script asks only for the files the manifest lists: a word with no file costs no request (and no 404)."""
    manifest = json.loads((site.site / "directory-index" / "manifest.json").read_text(encoding="utf-8"))
    files = sorted(p.name.removesuffix(".json.gz") for p in (site.site / "directory-index" / "s").iterdir())
    assert manifest["spelling"] == files and "m6" in files
