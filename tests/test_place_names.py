"""Names transliterated from minority languages (datasets/reference/place_names.yaml): the list
wins over pypinyin in English names and in the import, a bad entry is a clear error, and the
project's own list is well formed and names real divisions. No build, no browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from shequ.project import Project
from shequ.sources import load as load_module
from shequ.sources.divisions import DivisionImportError, import_divisions, list_files, list_format, \
    read_official, read_table
from shequ.sources.place_names import load_place_names
from shequ.sources.romanize import english_name

REPO = Path(__file__).resolve().parents[1]
#: The official lists: beside the repository's folder (or its worktrees' folder).
REFERENCE = next((p for p in (REPO.parent / "shared" / "reference" / "divisions",
                              REPO.parent.parent / "shared" / "reference" / "divisions") if p.is_dir()), None)
URUMQI_LIST = "names:\n  乌鲁木齐市:\n    en: Ürümqi\n    source: https://example.org/urumqi\n"


def test_a_listed_name_wins_over_pypinyin_and_keeps_the_generic_term():
    assert english_name("乌鲁木齐市") == "Wulumuqi City"
    listed = {"乌鲁木齐市": "Ürümqi", "果洛藏族自治州": "Golog", "克孜勒苏柯尔克孜自治州": "Kizilsu"}
    assert english_name("乌鲁木齐市", listed) == "Ürümqi City"
    assert english_name("果洛藏族自治州", listed) == "Golog Tibetan Autonomous Prefecture"
    assert english_name("克孜勒苏柯尔克孜自治州", listed) == "Kizilsu Kirgiz Autonomous Prefecture"
    assert english_name("浦东新区", listed) == "Pudong New Area"  # names not listed are as before


def test_a_listed_county_keeps_its_one_syllable_name_and_its_generic_term():
    # Unlisted, a one-syllable proper name takes its generic term's pinyin (朗县 → Langxian County);
    # a listed name is the transliteration alone, so the pinyin of 县 must not be joined to it.
    names, _ = load_place_names(Project.at(REPO))
    assert english_name("朗县") == "Langxian County"
    assert english_name("朗县", names) == f"{names['朗县']} County"
    assert english_name("错那市", names) == f"{names['错那市']} City"
    assert english_name("桑珠孜区", names) == f"{names['桑珠孜区']} District"


def _lists(folder: Path) -> Path:
    folder.mkdir()
    (folder / "provinces.csv").write_text("code,name\n65,新疆维吾尔自治区\n", encoding="utf-8")
    (folder / "cities.csv").write_text("code,name,provinceCode\n6501,乌鲁木齐市,65\n", encoding="utf-8")
    return folder


def test_the_import_applies_the_list_even_over_a_kept_name(mini, tmp_path):
    project = Project.at(mini.root)
    lists = _lists(tmp_path / "lists")
    import_divisions(project, [lists], ["6501"])
    assert read_table(project.divisions_table)["6501"]["name_en"] == "Wulumuqi City"  # no list yet
    project.place_names_file.write_text(URUMQI_LIST, encoding="utf-8")
    import_divisions(project, [lists])
    table = read_table(project.divisions_table)
    assert table["6501"]["name_en"] == "Ürümqi City"
    assert table["65"]["name_en"] == "Xinjiang Uygur Autonomous Region"


def test_a_bad_entry_stops_the_import_with_file_line_and_field(mini, tmp_path):
    project = Project.at(mini.root)
    before = project.divisions_table.read_bytes()
    project.place_names_file.write_text(URUMQI_LIST.replace("Ürümqi", "wulumuqi shi!"), encoding="utf-8")
    with pytest.raises(DivisionImportError) as caught:
        import_divisions(project, [_lists(tmp_path / "lists")], ["6501"])
    error = caught.value
    assert error.file == "datasets/reference/place_names.yaml" and error.line == 3
    assert "names.乌鲁木齐市.en" in error.message and "placenames.entry" in error.message
    assert project.divisions_table.read_bytes() == before  # nothing written


def test_validate_reports_a_bad_entry_at_its_field(mini):
    project = Project.at(mini.root)
    project.place_names_file.write_text(URUMQI_LIST.replace("https://example.org/urumqi", "see the atlas"),
                                       encoding="utf-8")
    sources = load_module.load(project)
    [problem] = [p for p in sources.problems if p.rule == "placenames.entry"]
    assert problem.file == "datasets/reference/place_names.yaml"
    assert problem.path == ("names", "乌鲁木齐市", "source")


def test_the_project_list_is_valid_and_cites_a_source_per_entry():
    names, problems = load_place_names(Project.at(REPO))
    assert problems == []
    assert names  # the project ships the list
    # An entry that pypinyin already gets right would only be noise.
    assert [zh for zh in names if english_name(zh, names) == english_name(zh)] == []


def _official_to_county_level() -> list[Path]:
    """The real lists down to the county level (townships are not needed: no key names one)."""
    if REFERENCE is None:
        pytest.skip("the official division lists are not beside the repository")
    return [p for p in list_files([REFERENCE])
            if list_format(p) in ("nbs-provinces", "nbs-cities", "nbs-areas", "mca-gbt2260")]


def test_the_official_lists_know_every_listed_name_once_and_make_urumqi():
    official = read_official(_official_to_county_level())
    names, _ = load_place_names(Project.at(REPO))
    codes_by_name: dict[str, list[str]] = {}
    for d in official.values():
        codes_by_name.setdefault(d.name, []).append(d.code)
    assert [zh for zh in names if zh not in codes_by_name] == []
    # The key is the name alone: a name two divisions share would rename both.
    assert {zh: codes_by_name[zh] for zh in names if len(codes_by_name[zh]) > 1} == {}
    if "6501" not in official:
        pytest.skip("the official lists given have no 650100")
    assert english_name(official["6501"].name, names) == "Ürümqi City"


def test_the_import_gives_xizang_counties_their_listed_names(mini):
    files = _official_to_county_level()
    project = Project.at(mini.root)
    project.place_names_file.write_bytes(Project.at(REPO).place_names_file.read_bytes())
    import_divisions(project, files, ["54"])
    names, _ = load_place_names(project)
    counties = {code: row for code, row in read_table(project.divisions_table).items()
                if code.startswith("54") and len(code) == 6}
    if not counties:
        pytest.skip("the official lists given have no county of Xizang")
    listed = {code: row for code, row in counties.items() if row["name"] in names}
    assert listed, "the project lists no county of Xizang"
    for row in listed.values():
        assert row["name_en"] == english_name(row["name"], names)
        assert row["name_en"].startswith(names[row["name"]] + " ")
    for row in counties.values():
        if row["name"] not in names:  # the others keep the pinyin of their characters
            assert row["name_en"] == english_name(row["name"])
