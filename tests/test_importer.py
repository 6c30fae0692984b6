"""shequ import: CSV (GB18030 too) and XLSX with Chinese headers become checked records, one per
row; every row that cannot be imported is named with its row number and why; nothing is overwritten."""

from __future__ import annotations

import csv
import datetime as dt
import io
import textwrap

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from conftest import make_uscc
from shequ.cli import main
from shequ.tools.importer import decode
from shequ.tools.jsonschemas import modeline
from shequ.sources.yamlfiles import parse_yaml

MAPPING = """\
columns:
  name: 社会组织名称
  uscc: 统一社会信用代码
  legal_form: 组织类型
  management_track: 管理方式
  registration_authority: 登记管理机关
  registration_date: 成立登记日期
  division: 区划代码
  address: 住所
  fields_of_activity: 活动领域
values:
  legal_form: {社会团体: social-group, 民办非企业单位: social-service-agency, 未登记: unregistered}
  management_track: {登记: registered, 备案: filed, 社区管理: community-guided}
  fields_of_activity: {养老服务: elderly-care, 邻里互助: mutual-aid, 文化体育: culture}
defaults:
  status: active
source:
  title: 朝阳区民政局社会组织名录（示例导出）
  url: https://example.org/chaoyang/2026-11
  accessed: 2026-11-20
"""

HEADERS = ["序号", "社会组织名称", "统一社会信用代码", "组织类型", "管理方式", "登记管理机关", "成立登记日期",
           "区划代码", "住所", "活动领域"]

GOOD_ROWS = [
    ["1", "建外街道夕阳红合唱团", make_uscc(subject="MJ0000011"), "社会团体", "登记", "北京市朝阳区民政局",
     "2019/5/12", "110105001", "建外街道示例路3号", "文化体育、养老服务"],
    ["2", "朝外街道邻里守望队", "", "未登记", "备案", "朝外街道办事处", "2021年3月1日", "110105002", "",
     "邻里互助"],
    ["3", "建外街道银发志愿者协会", "", "未登记", "社区管理", "", "", "110105001", "", "养老服务,邻里互助"],
]


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write_csv(path, rows, encoding="gb18030"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)  # quotes "养老服务,邻里互助"; lines end in CRLF, as Excel writes them
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.fixture
def mapping(tmp_path):
    path = tmp_path / "朝阳区映射.yaml"
    path.write_text(MAPPING, "utf-8")
    return path


def records(mini) -> dict[str, dict]:
    out = {}
    for path in sorted((mini.root / "datasets" / "organizations").glob("*.yaml")):
        out[path.name] = parse_yaml(path.read_text("utf-8"))
    return out


def test_gb18030_csv_with_chinese_headers(mini, mapping, tmp_path):
    csv_file = write_csv(tmp_path / "名录.csv", [HEADERS, *GOOD_ROWS])
    with pytest.raises(UnicodeDecodeError):
        csv_file.read_bytes().decode("utf-8")  # really GB18030, not UTF-8
    before = set(records(mini))
    result = run("import", "organizations", str(csv_file), "--mapping", str(mapping), "--project", str(mini.root))
    assert result.exit_code == 0, result.output
    assert result.stdout == "imported 3 of 3 rows into datasets/organizations/\n"
    new = {name: data for name, data in records(mini).items() if name not in before}
    assert len(new) == 3
    by_name = {d["name"]: (name, d) for name, d in new.items()}
    name, choir = by_name["建外街道夕阳红合唱团"]
    assert name.startswith("org-") and choir["id"] == name[:-5]
    assert choir["legal_form"] == "social-group" and choir["management_track"] == "registered"
    assert choir["registration_date"] == dt.date(2019, 5, 12)
    assert choir["fields_of_activity"] == ["culture", "elderly-care"]
    assert choir["status"] == "active"
    assert choir["last_verified"] == dt.date(2026, 11, 26)
    assert choir["sources"] == [{"title": "朝阳区民政局社会组织名录（示例导出）",
                                 "url": "https://example.org/chaoyang/2026-11", "accessed": dt.date(2026, 11, 20)}]
    assert by_name["朝外街道邻里守望队"][1]["registration_date"] == dt.date(2021, 3, 1)
    assert "uscc" not in by_name["朝外街道邻里守望队"][1]
    assert by_name["建外街道银发志愿者协会"][1]["fields_of_activity"] == ["elderly-care", "mutual-aid"]
    for name in new:
        text = (mini.root / "datasets" / "organizations" / name).read_text("utf-8")
        assert text.startswith(modeline("organizations") + "\n")
    report = mini.report()
    assert report.valid, report.format_text()


def xlsx(path, rows, title_row: str | None = None):
    book = Workbook()
    sheet = book.active
    sheet.title = "社会组织名录"
    if title_row:
        sheet.append([title_row])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


BAD_ROWS = [
    # row 2: fine; a real spreadsheet date and a division typed as a number
    [1, "建外街道书画社", make_uscc(subject="MJ0000021"), "社会团体", "登记", "北京市朝阳区民政局",
     dt.datetime(2018, 4, 2), 110105001, "示例路9号", "文化体育"],
    # row 3: a division not in the divisions table, an unknown activity
    [2, "某某街道舞蹈队", "", "未登记", "备案", "某街道办事处", "2020-01-01", "110199001", "", "广场舞"],
    # row 4: already in the data (the code of org-silver-age)
    [3, "银龄互助会（重复）", make_uscc(), "社会团体", "登记", "北京市朝阳区民政局", "2019-05-12", "110105001", "", "养老服务"],
    [None] * 10,  # row 5: empty, skipped
    # row 6: an impossible date and a registered organization without its code
    [5, "朝外街道志愿服务总队", "", "社会团体", "登记", "北京市朝阳区民政局", "2019-02-30", "110105002", "", "邻里互助"],
    # row 7: repeats row 2
    [6, "建外街道书画社", make_uscc(subject="MJ0000021"), "社会团体", "登记", "北京市朝阳区民政局",
     "2018-04-02", "110105001", "", "文化体育"],
]


def test_xlsx_with_chinese_headers_reports_every_row_it_cannot_import(mini, mapping, tmp_path):
    book = xlsx(tmp_path / "名录.xlsx", [HEADERS, *BAD_ROWS])
    before = records(mini)
    result = run("import", "organizations", str(book), "--mapping", str(mapping), "--project", str(mini.root))
    assert result.exit_code == 1
    err = result.stderr
    assert "row 2:" not in err
    assert "row 3: division: 110199001 is not in the divisions table" in err
    assert "row 3: fields_of_activity[0]: '广场舞' is not a term of fields_of_activity" in err
    assert "row 4: already in the data as datasets/organizations/org-silver-age.yaml (same Unified Social Credit Code" in err
    assert "row 5:" not in err
    assert "row 6: registration_date: '2019-02-30' is not a date (YYYY-MM-DD)" in err
    assert "row 6: uscc: is required for organizations registered with civil affairs" in err
    assert "row 7: repeats row 2 (same Unified Social Credit Code" in err
    assert result.stdout.startswith("nothing was written: 4 of 5 rows cannot be imported")
    assert records(mini) == before

    partial = run("import", "organizations", str(book), "--mapping", str(mapping), "--project", str(mini.root),
                  "--skip-invalid")
    assert partial.exit_code == 1
    assert partial.stdout == "imported 1 of 5 rows into datasets/organizations/\n"
    [(name, data)] = [(n, d) for n, d in records(mini).items() if n not in before]
    assert data["division"] == "110105001" and data["registration_date"] == dt.date(2018, 4, 2)
    assert mini.report().valid


def test_dry_run_writes_nothing_and_a_second_import_duplicates_nothing(mini, mapping, tmp_path):
    csv_file = write_csv(tmp_path / "list.csv", [HEADERS, *GOOD_ROWS], encoding="utf-8-sig")
    before = records(mini)
    dry = run("import", "organizations", str(csv_file), "--mapping", str(mapping), "--project", str(mini.root),
              "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.stdout == "dry run: 3 of 3 rows would be imported; nothing was written\n"
    assert records(mini) == before

    assert run("import", "organizations", str(csv_file), "--mapping", str(mapping),
               "--project", str(mini.root)).exit_code == 0
    after = records(mini)
    again = run("import", "organizations", str(csv_file), "--mapping", str(mapping), "--project", str(mini.root))
    assert again.exit_code == 1
    assert again.stderr.count("already in the data as datasets/organizations/") == 3
    assert records(mini) == after


def test_header_row_below_a_title_and_row_numbers_as_the_spreadsheet_shows(mini, mapping, tmp_path):
    mapping.write_text(MAPPING + "sheet: 社会组织名录\nheader_row: 2\n", "utf-8")
    rows = [HEADERS, GOOD_ROWS[1], [None] * 10, [9, "", "", "未登记", "备案", "", "", "110105002", "", "邻里互助"]]
    book = xlsx(tmp_path / "list.xlsx", rows, title_row="朝阳区社区社会组织备案名单（2026年）")
    result = run("import", "organizations", str(book), "--mapping", str(mapping), "--project", str(mini.root))
    assert result.exit_code == 1
    assert "row 5: name: is required" in result.stderr


@pytest.mark.parametrize("mapping_text,expected", [
    ("columns:\n  nmae: 社会组织名称\n", "'nmae' is not a field of organizations (did you mean 'name'?)"),
    ("columns:\n  name: 组织全称\n", "no column '组织全称' in row 1 (columns: 序号, 社会组织名称,"),
    ("columns:\n  id: 序号\n", "'id' is not a field of organizations"),
    ("colums:\n  name: x\n", "unknown key 'colums' (did you mean 'columns'?)"),
    ("columns: [name]\n", "'columns' must be a mapping"),
    ("columns:\n  name: 社会组织名称\nsheet: 其他\n", None),
])
def test_unusable_mappings_are_usage_errors(mini, tmp_path, mapping_text, expected):
    path = tmp_path / "m.yaml"
    path.write_text(mapping_text, "utf-8")
    csv_file = write_csv(tmp_path / "list.csv", [HEADERS, *GOOD_ROWS])
    result = run("import", "organizations", str(csv_file), "--mapping", str(path), "--project", str(mini.root))
    if expected is None:  # a sheet name only matters for XLSX
        assert result.exit_code == 1  # the rows lack required fields, but the mapping is usable
        return
    assert result.exit_code == 2, result.output
    assert expected in result.stderr


def test_unreadable_files_are_usage_errors(mini, mapping, tmp_path):
    old = tmp_path / "list.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    result = run("import", "organizations", str(old), "--mapping", str(mapping), "--project", str(mini.root))
    assert result.exit_code == 2 and "save it as .xlsx or CSV" in result.stderr
    book = xlsx(tmp_path / "list.xlsx", [HEADERS])
    mapping.write_text(MAPPING + "sheet: 第二页\n", "utf-8")
    result = run("import", "organizations", str(book), "--mapping", str(mapping), "--project", str(mini.root))
    assert result.exit_code == 2 and "has no sheet '第二页' (sheets: 社会组织名录)" in result.stderr


def test_encodings():
    assert decode("名称,代码\n".encode("gb18030")) == ("名称,代码\n", "gb18030")
    assert decode("名称\n".encode("utf-8-sig")) == ("名称\n", "utf-8")
    assert decode("名称\n".encode("utf-8")) == ("名称\n", "utf-8")
    assert decode("𠀀\n".encode("gb18030"))[0] == "𠀀\n"  # beyond GBK: four-byte GB18030


def test_incubators_import_too(mini, tmp_path):
    mapping = tmp_path / "inc.yaml"
    mapping.write_text(textwrap.dedent("""\
        columns: {name: 名称, kind: 类型, division: 区划, capacity: 容量, support_types: 服务内容}
        values:
          kind: {孵化基地: incubation-base, 服务平台: service-platform}
          support_types: {场地: activity-sites, 孵化: incubation}
        source: {title: 朝阳区孵化平台名单, url: "https://example.org/inc"}
        """), "utf-8")
    csv_file = write_csv(tmp_path / "inc.csv", [["名称", "类型", "区划", "容量", "服务内容"],
                                                ["建外街道社会组织服务中心", "服务平台", "110105001", "12", "场地；孵化"]])
    result = run("import", "incubators", str(csv_file), "--mapping", str(mapping), "--project", str(mini.root))
    assert result.exit_code == 0, result.output
    [path] = [p for p in (mini.root / "datasets" / "incubators").glob("inc-*.yaml") if p.stem != "inc-chaoyang-base"]
    data = parse_yaml(path.read_text("utf-8"))
    assert data["capacity"] == 12 and data["support_types"] == ["activity-sites", "incubation"]
    assert data["sources"][0]["accessed"] == dt.date(2026, 11, 26)


def test_the_mapping_example_in_contributing_works(mini, tmp_path):
    import re

    from conftest import REPO

    text = (REPO / "CONTRIBUTING.md").read_text("utf-8")
    example = next(block for block in re.findall(r"```yaml\n(.*?)```", text, re.S) if "columns:" in block)
    mapping = tmp_path / "chaoyang-mapping.yaml"
    mapping.write_text(example.replace("sheet: 名录", "sheet: 社会组织名录"), "utf-8")
    headers = ["社会组织名称", "统一社会信用代码", "组织类型", "登记管理机关", "成立登记日期", "区划代码", "住所", "活动领域"]
    row = ["建外街道书画社", make_uscc(subject="MJ0000031"), "社会团体", "北京市朝阳区民政局", "2019年5月12日",
           "110105001", "示例路9号", "养老服务、文化体育"]
    book = xlsx(tmp_path / "名录.xlsx", [headers, row])
    result = run("import", "organizations", str(book), "--mapping", str(mapping), "--project", str(mini.root))
    assert result.exit_code == 0, result.output
