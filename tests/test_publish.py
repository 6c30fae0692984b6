"""The published data package: valid for frictionless, described truthfully, reproducible to
the byte, replaced all at once or not at all, and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from conftest import REPO, MiniProject
from shequ.atomic import MARKER
from shequ.publish import package as publish_module
from shequ.publish import xlsx
from shequ.build.pipeline import publish_package
from shequ.errors import InvalidSources
from shequ.project import Project
from shequ.publish.package import PublishedTable, write_xlsx
from shequ.sources.tables import TABLE_ORDER

SQL_TYPE_OF = {"integer": "INTEGER", "number": "REAL"}  # everything else is stored as TEXT


def publish(root: Path, out: Path):
    return publish_package(Project.at(root), out)[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def siblings(out: Path) -> list[str]:
    """Everything beside the output folder, apart from the folder itself."""
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name)


def frictionless_validate(folder: Path, tmp_path: Path) -> dict:
    """``frictionless validate`` as a plain ``pip install frictionless`` runs it: without the
    ``[json]`` extra (ijson, jsonlines), which the project itself installs."""
    exe = shutil.which("frictionless")
    if exe is None:
        pytest.fail("the frictionless command is not installed: pip install -e \".[test]\"")
    plain = tmp_path / "plain-frictionless"
    plain.mkdir(exist_ok=True)
    (plain / "sitecustomize.py").write_text(
        "import sys\n# As if the [json] extra were not installed.\n"
        "sys.modules['ijson'] = None\nsys.modules['jsonlines'] = None\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(plain)}
    result = subprocess.run([exe, "validate", "--json", "datapackage.json"], cwd=folder, env=env,
                            capture_output=True, text=True, timeout=300)
    return json.loads(result.stdout)


def descriptor(folder: Path) -> dict:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> tuple[MiniProject, Path]:
    """The mini project and its published package, built once for the tests that only read them."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SHEQU_TODAY", "2026-11-26")
        project = MiniProject(tmp_path_factory.mktemp("shared") / "project")
        out = tmp_path_factory.mktemp("shared-out") / "data"
        publish(project.root, out)
    return project, out


@pytest.fixture
def package(shared) -> Path:
    """The shared published package: read it, never change it."""
    return shared[1]


@pytest.fixture
def own_package(mini, tmp_path) -> Path:
    """The mini project published to a folder of its own, which the test may replace or break."""
    out = tmp_path / "out" / "data"
    publish(mini.root, out)
    return out


# --- valid and truthful ----------------------------------------------------------------------


def test_mini_package_is_valid_for_a_plain_frictionless_install(package, tmp_path):
    report = frictionless_validate(package, tmp_path)
    assert report["valid"] is True, json.dumps(report["errors"], ensure_ascii=False)[:2000]
    # Every resource was checked: CSV and JSON tables, the workbook, the database, its metadata, the Excel CSVs and the
    # exports (tests/test_exports.py looks at those).
    resources = descriptor(package)["resources"]
    assert report["stats"]["tasks"] == len(resources)
    assert len([r for r in resources if r["format"] in ("csv", "json", "xlsx", "sqlite")]) >= 2 * len(TABLE_ORDER) + 4


def test_repository_demonstration_data_publishes_a_valid_package(tmp_path):
    records = [p for p in (REPO / "datasets" / "organizations").glob("*.yaml")]
    if not records:
        pytest.skip("datasets/organizations holds no demonstration records yet")
    root = tmp_path / "repo"
    shutil.copytree(REPO / "datasets", root / "datasets")  # never write into the repository
    out = tmp_path / "data"
    result = publish(root, out)
    assert result.tables["organizations"] == len(records)
    report = frictionless_validate(out, tmp_path)
    assert report["valid"] is True, json.dumps(report["errors"], ensure_ascii=False)[:2000]
    assert "demonstration data" in descriptor(out)["title"]


def test_package_title_says_demonstration_data(package):
    assert "demonstration data" in descriptor(package)["title"]


def test_created_comes_from_package_yaml_not_the_clock(shared):
    import yaml

    mini, package = shared
    meta = yaml.safe_load((mini.root / "datasets" / "package.yaml").read_text(encoding="utf-8"))
    assert descriptor(package)["created"] == f"{meta['created']}T00:00:00Z"


def test_every_resource_states_the_bytes_and_hash_of_its_file(package):
    resources = descriptor(package)["resources"]
    # Only the files that describe the others are not resources: the descriptor itself,
    # the checksums, and the zip of everything (which holds the descriptor).
    # A resource of several files (the Parquet partitions, the HSDS pages) has a list of paths and the
    # hash of their bytes one after the other (tests/test_exports.py).
    single = [r for r in resources if isinstance(r["path"], str)]
    parts = {path for r in resources if isinstance(r["path"], list) for path in r["path"]}
    assert {r["path"] for r in single} | parts | {"datapackage.json", "SHA256SUMS", "shequ-data.zip"} == \
        {p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file() and p.name != MARKER}
    for resource in single:
        data = (package / resource["path"]).read_bytes()
        assert resource["bytes"] == len(data), resource["name"]
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest(), resource["name"]


def test_csv_for_excel_zip_holds_each_table_with_a_utf8_byte_order_mark(package):
    with zipfile.ZipFile(package / "shequ-csv-excel.zip") as zf:
        assert zf.namelist() == [f"{name}.csv" for name in TABLE_ORDER]
        for name in zf.namelist():
            assert zf.read(name) == b"\xef\xbb\xbf" + (package / name).read_bytes(), name
    assert "shequ-csv-excel.zip" in {r["path"] for r in descriptor(package)["resources"] if isinstance(r["path"], str)}


def test_everything_zip_holds_every_other_file_and_is_in_the_checksums(package):
    with zipfile.ZipFile(package / "shequ-data.zip") as zf:
        names = zf.namelist()
        # Every file of the package, those in folders (Parquet partitions, HSDS pages) under their paths.
        assert sorted(names) == sorted(p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file()
                                       and p.name not in ("shequ-data.zip", "SHA256SUMS", MARKER))
        assert any(name.startswith("parquet/") for name in names) and any(name.startswith("hsds/") for name in names)
        for name in names:
            assert zf.read(name) == (package / name).read_bytes(), name
    sums = dict(line.split("  ")[::-1] for line in (package / "SHA256SUMS").read_text().splitlines())
    assert sums["shequ-data.zip"] == hashlib.sha256((package / "shequ-data.zip").read_bytes()).hexdigest()


def test_plain_frictionless_sees_a_json_table_whose_bytes_changed(own_package, tmp_path):
    path = own_package / "organizations.json"
    path.write_text(path.read_text(encoding="utf-8").replace("org-silver-age", "org-silver-agE", 1),
                    encoding="utf-8")
    report = frictionless_validate(own_package, tmp_path)
    assert report["valid"] is False
    failed = [t for t in report["tasks"] if not t["valid"]]
    assert [t["name"] for t in failed] == ["organizations-json"]
    assert {e["type"] for e in failed[0]["errors"]} == {"hash-count"}


def test_each_csv_resource_states_the_bytes_hash_and_rows_of_its_file(package):
    resources = [r for r in descriptor(package)["resources"] if r["format"] == "csv"]
    assert [r["name"] for r in resources] == list(TABLE_ORDER)
    for resource in resources:
        data = (package / resource["path"]).read_bytes()
        assert resource["bytes"] == len(data), resource["name"]
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest(), resource["name"]
        rows = list(csv.reader(data.decode("utf-8").splitlines()))
        assert rows[0] == [f["name"] for f in resource["schema"]["fields"]]
        assert resource["rows"] == len(rows) - 1, resource["name"]


def test_row_counts_are_those_of_the_mini_project(package):
    rows = {r["name"]: r["rows"] for r in descriptor(package)["resources"] if r["format"] == "csv"}
    # Two organizations, one incubator, five divisions; silver-age has one alternate name,
    # one support entry, four classifications, the mediators two.
    assert (rows["organizations"], rows["incubators"], rows["divisions"]) == (2, 1, 5)
    assert (rows["organization_alternate_names"], rows["organization_support"]) == (1, 1)
    assert rows["organization_classifications"] == 4 + 2
    assert rows["organization_sources"] == 2 and rows["incubator_sources"] == 1


def test_json_tables_hold_the_same_rows_as_the_csv_tables(package):
    for name in TABLE_ORDER:
        with (package / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
            from_csv = [{k: v for k, v in row.items()} for row in csv.DictReader(fh)]
        from_json = json.loads((package / f"{name}.json").read_text(encoding="utf-8"))
        assert len(from_json) == len(from_csv), name
        for a, b in zip(from_csv, from_json):
            assert a == {k: "" if v is None else str(v) for k, v in b.items()}, name


def test_self_check_passes_the_package_publish_wrote(own_package):
    publish_module.self_check(own_package)


def _edit_json(folder: Path, name: str, edit) -> None:
    path = folder / f"{name}.json"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")


@pytest.mark.parametrize("table, edit, message", [
    ("organizations", lambda t: t.replace('"org-silver-age"', '"org-silver-agE"', 1), "differs from row"),
    ("organization_support", lambda t: t.replace('"year":2021', '"year":"2021"', 1),
     "str where the schema says integer"),
    ("organization_support", lambda t: t.replace('"year":2021', '"year":true', 1),
     "bool where the schema says integer"),
    ("organization_support", lambda t: t.replace('"year":2021,', '', 1), "is not an object with the fields"),
    ("organizations", lambda t: t.replace(",\n", ",\n{", 1), "is not JSON"),
    ("organizations", lambda t: t[:-len("]\n")], "not closed"),
    ("organizations", lambda t: t + "[]\n", "text after the last row"),
])
def test_self_check_fails_a_json_table_that_differs_from_its_csv(own_package, table, edit, message):
    # The JSON tables are checked against their CSV twins, which frictionless validates.
    _edit_json(own_package, table, edit)
    with pytest.raises(publish_module.PublishError, match=message):
        publish_module.self_check(own_package)


def test_self_check_in_worker_processes_finds_what_it_finds_here(own_package, monkeypatch):
    monkeypatch.setattr(publish_module, "SELF_CHECK_PARALLEL_ROWS", 0)
    publish_module.self_check(own_package)
    _edit_json(own_package, "organizations", lambda t: t.replace('"org-silver-age"', '"org-x"', 1))
    with pytest.raises(publish_module.PublishError, match="organizations-json: row 2: differs from row 2"):
        publish_module.self_check(own_package)


def test_self_check_fails_a_json_table_missing_a_row(own_package):
    rows = json.loads((own_package / "organizations.json").read_text(encoding="utf-8"))
    _edit_json(own_package, "organizations", lambda t: "[\n" + json.dumps(rows[0], ensure_ascii=False,
                                                                           separators=(",", ":")) + "\n]\n")
    with pytest.raises(publish_module.PublishError, match="fewer rows than organizations.csv"):
        publish_module.self_check(own_package)


def test_self_check_still_validates_each_csv_with_frictionless(own_package):
    path = own_package / "organizations.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("org-silver-age", "org silver age", 1),
                    encoding="utf-8")
    with pytest.raises(publish_module.PublishError, match="organizations: "):
        publish_module.self_check(own_package)


def test_sha256sums_passes_sha256sum_check_and_covers_every_file(package):
    exe = shutil.which("sha256sum")
    if exe is None:
        pytest.skip("sha256sum is not installed")
    result = subprocess.run([exe, "-c", "SHA256SUMS"], cwd=package, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    listed = sorted(line.split("  ", 1)[1] for line in (package / "SHA256SUMS").read_text().splitlines())
    assert listed == sorted(p.relative_to(package).as_posix() for p in package.rglob("*")
                            if p.is_file() and p.name not in ("SHA256SUMS", MARKER))


def test_a_tampered_file_fails_sha256sum_check(own_package):
    package = own_package
    exe = shutil.which("sha256sum")
    if exe is None:
        pytest.skip("sha256sum is not installed")
    with (package / "organizations.csv").open("a", encoding="utf-8") as fh:
        fh.write("tampered\n")
    result = subprocess.run([exe, "-c", "SHA256SUMS"], cwd=package, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "organizations.csv: FAILED" in result.stdout


# --- reproducible ----------------------------------------------------------------------------


class _AnyDatetime(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, dt.datetime)  # code checking isinstance(x, datetime) still works


class _DayLater(dt.datetime, metaclass=_AnyDatetime):
    """datetime as it will be a day and a bit from now."""

    @classmethod
    def now(cls, tz=None):
        return dt.datetime.now(tz) + CLOCK_SHIFT

    @classmethod
    def utcnow(cls):
        return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) + CLOCK_SHIFT

    @classmethod
    def today(cls):
        return cls.now()


CLOCK_SHIFT = dt.timedelta(days=1, seconds=7)


def move_clock_forward(monkeypatch) -> None:
    """Make the clock read a day later for the writers: time.time(), and datetime.now() in the
    modules that write files (zip entries, the workbook's document properties in shequ itself)."""
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + CLOCK_SHIFT.total_seconds())
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] in ("zipfile", "shequ", "sqlite3") and \
                getattr(module, "datetime", None) is dt.datetime:
            monkeypatch.setattr(module, "datetime", _DayLater)


def test_two_publishes_are_byte_identical_even_a_day_apart(mini, tmp_path, monkeypatch):
    first, second = tmp_path / "first" / "data", tmp_path / "second" / "data"
    publish(mini.root, first)
    move_clock_forward(monkeypatch)
    publish(mini.root, second)
    a, b = snapshot(first), snapshot(second)
    assert list(a) == list(b)
    for kind in ("csv", "json", "xlsx", "sqlite"):
        assert any(name.endswith(kind) for name in a), kind
    assert {"datapackage.json", "SHA256SUMS"} <= set(a)
    assert [name for name in a if a[name] != b[name]] == []


def test_republishing_the_same_sources_replaces_the_output_with_equal_bytes(mini, own_package):
    before = snapshot(own_package)
    publish(mini.root, own_package)
    assert snapshot(own_package) == before


# --- atomic ----------------------------------------------------------------------------------


def test_publish_of_invalid_sources_leaves_the_previous_output_byte_identical(mini, own_package):
    before = snapshot(own_package)
    mini.edit("organizations", "org-silver-age", "status: active", "status: activ")
    with pytest.raises(InvalidSources) as caught:
        publish(mini.root, own_package)
    assert "vocabularies.unknown-term" in [p.rule for p in caught.value.report.errors]
    assert snapshot(own_package) == before
    assert siblings(own_package) == []


@pytest.mark.parametrize("parallel", [False, True])
def test_sources_that_cannot_be_typed_are_reported_not_raised(mini, tmp_path, monkeypatch, parallel):
    # Large projects make the published tables while the checks run, before there is a report.
    from shequ import checks

    if parallel:
        monkeypatch.setattr(checks, "PARALLEL_CHECK_ROWS", 1)
    mini.edit("organizations", "org-silver-age", "year: 2021", "year: twenty-one")
    with pytest.raises(InvalidSources) as caught:
        publish(mini.root, tmp_path / "data")
    assert "structure.type" in [p.rule for p in caught.value.report.errors]
    assert not (tmp_path / "data").exists()


def test_a_large_project_publishes_what_a_small_one_does(mini, tmp_path, monkeypatch):
    from shequ import checks

    publish(mini.root, tmp_path / "small")
    monkeypatch.setattr(checks, "PARALLEL_CHECK_ROWS", 1)
    publish(mini.root, tmp_path / "large")
    assert snapshot(tmp_path / "small") == snapshot(tmp_path / "large")


def test_publish_whose_write_step_fails_leaves_the_previous_output_and_no_temp_folders(mini, own_package,
                                                                                       monkeypatch):
    before = snapshot(own_package)
    mini.edit("organizations", "org-silver-age", "community: 示例社区", "community: 另一个社区")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(publish_module, "write_sqlite", broken)
    with pytest.raises(OSError, match="disk full"):
        publish(mini.root, own_package)
    assert snapshot(own_package) == before
    assert siblings(own_package) == []


def test_first_publish_that_fails_leaves_nothing_behind(mini, tmp_path, monkeypatch):
    out = tmp_path / "fresh" / "data"

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(publish_module, "write_sqlite", broken)
    with pytest.raises(RuntimeError):
        publish(mini.root, out)
    assert not out.exists()
    assert siblings(out) == []


def test_staging_folders_left_by_a_killed_run_are_cleaned_up(mini, own_package):
    leftover = own_package.parent / f".{own_package.name}.tmp-killed"
    leftover.mkdir()
    (leftover / "half.csv").write_text("id\n", encoding="utf-8")
    publish(mini.root, own_package)
    assert siblings(own_package) == []


def test_every_organization_has_an_org_id_from_its_credit_code_or_its_record_id(package):
    with (package / "organizations.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {bool(r["uscc"]) for r in rows} == {True, False}  # the mini project has both kinds
    for row in rows:
        expected = "CN-USCI-" + row["uscc"] if row["uscc"] else "SHEQU-" + row["id"]
        assert row["org_id"] == expected
    assert len({r["org_id"] for r in rows}) == len(rows)
    # The data dictionary (the schema in datapackage.json) describes it in both languages.
    [organizations] = [r for r in descriptor(package)["resources"] if r["name"] == "organizations"]
    [field] = [f for f in organizations["schema"]["fields"] if f["name"] == "org_id"]
    assert "CN-USCI-" in field["description"] and "CN-USCI-" in field["description_zh"]
    assert field["title_zh"] != field["title"] and field["constraints"] == {"required": True, "unique": True}


# --- XLSX ------------------------------------------------------------------------------------


def test_workbook_has_a_sheet_per_table_and_a_fields_sheet(package):
    book = openpyxl.load_workbook(package / "shequ.xlsx")
    assert book.sheetnames == ["organizations_flat", *TABLE_ORDER, "fields"]
    resources = {r["name"]: r for r in descriptor(package)["resources"] if r["format"] == "csv"}
    for name in TABLE_ORDER:
        sheet = book[name]
        fields = resources[name]["schema"]["fields"]
        header = [c.value for c in sheet[2]]
        # The field names, each coded column followed by its label.
        assert [h for h in header if not h.endswith("_label")] == [f["name"] for f in fields], name
        titles = [c.value for c in sheet[1]]
        assert titles[:len(header)][header.index(fields[0]["name"])] == fields[0]["title_zh"], name
        assert sheet.max_row - 2 == resources[name]["rows"], name
        assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref.startswith("A2:"), name
    fields = book["fields"]
    described = {(row[0], row[1]) for row in fields.iter_rows(min_row=3, values_only=True)}
    assert described == {(name, f["name"]) for name in TABLE_ORDER for f in resources[name]["schema"]["fields"]}


def test_workbook_shows_labels_beside_codes_and_dates_as_dates(package):
    book = openpyxl.load_workbook(package / "shequ.xlsx")
    sheet = book["organizations"]
    header = [c.value for c in sheet[2]]
    rows = [dict(zip(header, r)) for r in sheet.iter_rows(min_row=3, values_only=True)]
    with sqlite3.connect(package / "shequ.sqlite") as db:
        legal = dict(db.execute("SELECT code, label_zh FROM vocabulary_terms WHERE vocabulary = 'legal_forms'"))
        divisions = dict(db.execute("SELECT code, name FROM divisions"))
        founded = dict(db.execute("SELECT id, founded FROM organizations"))
    for row in rows:
        assert row["legal_form_label"] == legal[row["legal_form"]]
        assert row["division_label"] == divisions[row["division"]]
        if founded[row["id"]]:
            assert row["founded"] == dt.datetime.fromisoformat(founded[row["id"]])  # a date cell
    # A classification's vocabulary varies by row: its term key carries the label.
    classes = book["organization_classifications"]
    class_header = [c.value for c in classes[2]]
    with sqlite3.connect(package / "shequ.sqlite") as db:
        query = "SELECT vocabulary, code, label_zh FROM vocabulary_terms"
        terms = {(v, c): label for v, c, label in db.execute(query)}
    labelled = [dict(zip(class_header, r)) for r in classes.iter_rows(min_row=3, values_only=True)]
    assert labelled and all(r["term_label"] == terms[r["vocabulary"], r["code"]] for r in labelled)
    date_cell = sheet.cell(3, header.index("founded") + 1)
    assert date_cell.is_date and date_cell.number_format == "yyyy-mm-dd"
    # A Chinese character takes two columns: the name column fits the longest name.
    name_letter = xlsx.column_letter(header.index("name"))
    assert sheet.column_dimensions[name_letter].width >= min(60, 2 * max(len(r["name"]) for r in rows))


def test_flat_organizations_sheet_names_every_level_of_division(package):
    sheet = openpyxl.load_workbook(package / "shequ.xlsx")["organizations_flat"]
    header = [c.value for c in sheet[2]]
    with sqlite3.connect(package / "shequ.sqlite") as db:
        divisions = {code: (name, parent) for code, name, parent in db.execute("SELECT code, name, parent FROM divisions")}
    rows = [dict(zip(header, r)) for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert rows
    for row in rows:
        code, chain = row["division"], []
        while code:
            chain.append((code, divisions[code][0]))
            code = divisions[code][1]
        by_length = {len(c): (c, n) for c, n in chain}
        for level, length in (("province", 2), ("prefecture", 4), ("county", 6), ("township", 9)):
            assert (row[f"{level}_code"], row[f"{level}_name"]) == by_length.get(length, (None, None)), level
        assert row["township_code"] == row["division"]


def formula_table() -> dict[str, PublishedTable]:
    schema = {"fields": [{"name": "id", "type": "string"}, {"name": "note", "type": "string"},
                         {"name": "count", "type": "integer"}], "primaryKey": ["id"]}
    rows = [["a", "=1+1", 1], ["b", "@SUM(A1:A2)", 2], ["c", "+1", 3], ["d", "-1", 4],
            ["e", "=HYPERLINK(\"http://example.org\",\"x\")", 5], ["f", "https://example.org", 6]]
    return {"notes": PublishedTable("notes", schema, rows)}


def test_workbook_stores_formula_like_text_as_strings(tmp_path):
    # The text rules reject such values in every field of the sources, so the
    # workbook writer is tested directly with a hand-made table.
    path = tmp_path / "book.xlsx"
    tables = formula_table()
    write_xlsx(path, tables, dt.datetime(2026, 11, 26), "test")
    sheet = openpyxl.load_workbook(path)["notes"]
    notes = [row[1] for row in sheet.iter_rows(min_row=3)]
    assert [c.value for c in notes] == [row[1] for row in tables["notes"].rows]
    assert [c.data_type for c in notes] == ["s"] * len(notes)  # 'f' would be a formula
    assert all(c.hyperlink is None for c in notes)
    counts = [row[2] for row in sheet.iter_rows(min_row=3)]
    assert [c.data_type for c in counts] == ["n"] * len(counts)


def test_workbook_text_reads_back_as_written(tmp_path):
    path = tmp_path / "book.xlsx"
    texts = ["x & y <z> \"q\"", " leading", "trailing ", "line\nbreak", "tab\there", "社区 互助", "\u3000全角空格"]
    rows = [[text, dt.date(2021, 5, 1), 2.5, None] for text in texts]
    xlsx.write_workbook(path, [xlsx.Sheet("t", ["text", "date", "amount", "empty"], rows)], "T & <title>",
                        dt.datetime(2026, 11, 26))
    book = openpyxl.load_workbook(path)
    sheet = book["t"]
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] == \
        [[text, dt.datetime(2021, 5, 1), 2.5, None] for text in texts]  # a date cell
    assert {c.data_type for row in sheet.iter_rows(min_row=2) for c in row[:1]} == {"s"}
    assert {c.number_format for row in sheet.iter_rows(min_row=2) for c in row[1:2]} == {"yyyy-mm-dd"}
    assert sheet.freeze_panes == "A2" and all(c.font.b for c in sheet[1])
    assert (book.properties.title, book.properties.created) == ("T & <title>", dt.datetime(2026, 11, 26))


def test_workbook_escapes_control_characters_as_excel_does(tmp_path):
    # XML cannot hold most control characters; Excel reads _xHHHH_ as the character, and
    # _x005F_ as a literal underscore, so text that looks like an escape stays text.
    path = tmp_path / "book.xlsx"
    xlsx.write_workbook(path, [xlsx.Sheet("t", ["text"], [["a\x01b"], ["_x0041_"]])], "t", dt.datetime(2026, 1, 1))
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<t>a_x0001_b</t>" in sheet and "<t>_x005F_x0041_</t>" in sheet
    openpyxl.load_workbook(path)  # still a readable workbook


def test_workbook_refuses_more_rows_than_a_spreadsheet_holds(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)
    with pytest.raises(ValueError, match="at most 2"):
        xlsx.write_workbook(tmp_path / "book.xlsx", [xlsx.Sheet("t", ["n"], [[1], [2], [3]])], "t",
                            dt.datetime(2026, 1, 1))


def test_a_table_longer_than_a_sheet_goes_on_across_sheets(tmp_path, monkeypatch):
    """Excel's 1,048,576 rows, shrunk to 5: two header rows and three rows of data per sheet."""
    monkeypatch.setattr(xlsx, "MAX_ROWS", 5)
    schema = {"fields": [{"name": "id", "type": "string", "title_zh": "编号"},
                         {"name": "n", "type": "integer", "title_zh": "数"}], "primaryKey": ["id"]}
    rows = [[f"r{i:02}", i] for i in range(8)]
    tables = {"things": publish_module.PublishedTable("things", schema, rows)}
    publish_module.write_xlsx(tmp_path / "book.xlsx", tables, dt.datetime(2026, 1, 1), "t")
    book = openpyxl.load_workbook(tmp_path / "book.xlsx")
    assert book.sheetnames[:3] == ["things", "things_2", "things_3"]
    found = []
    for name in book.sheetnames[:3]:
        sheet = book[name]
        assert [c.value for c in sheet[1]] == ["编号", "数"] and [c.value for c in sheet[2]] == ["id", "n"]
        assert sheet.max_row <= 5
        found += [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert found == rows


def test_workbook_bytes_depend_on_the_cells_alone(tmp_path):
    sheets = [xlsx.Sheet("t", ["n", "s"], [[i, f"row {i}"] for i in range(5000)])]
    for name in ("a.xlsx", "b.xlsx"):
        xlsx.write_workbook(tmp_path / name, sheets, "t", dt.datetime(2026, 1, 1))
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


# --- SQLite ----------------------------------------------------------------------------------


def test_database_columns_are_typed_as_the_schemas_say(package):
    resources = {r["name"]: r for r in descriptor(package)["resources"] if r["format"] == "csv"}
    with sqlite3.connect(package / "shequ.sqlite") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        vocabularies = {f["vocabulary"] for r in resources.values() for f in r["schema"]["fields"]
                        if f.get("vocabulary")}
        # Beside the package's tables: a table per vocabulary (for single-column foreign keys)
        # and the full-text indexes with FTS5's shadow tables.
        assert {t for t in tables if "_fts" not in t} == set(TABLE_ORDER) | {f"vocabulary_{v}" for v in vocabularies}
        assert {t for t in tables if t.endswith("_fts")} == {"organizations_fts", "incubators_fts"}
        for name in TABLE_ORDER:
            info = db.execute(f'PRAGMA table_info("{name}")').fetchall()
            fields = resources[name]["schema"]["fields"]
            assert [col[1] for col in info] == [f["name"] for f in fields], name
            assert [col[2] for col in info] == [SQL_TYPE_OF.get(f["type"], "TEXT") for f in fields], name
            required = {f["name"] for f in fields if f.get("constraints", {}).get("required")}
            assert {col[1] for col in info if col[3]} >= required, name
        assert db.execute("SELECT typeof(year), typeof(amount_cny) FROM organization_support").fetchone() == (
            "integer", "real")
        assert db.execute("SELECT count(*) FROM organizations").fetchone() == (2,)


def test_database_has_the_primary_keys_of_the_schemas(package):
    resources = {r["name"]: r for r in descriptor(package)["resources"] if r["format"] == "csv"}
    with sqlite3.connect(package / "shequ.sqlite") as db:
        for name in TABLE_ORDER:
            info = db.execute(f'PRAGMA table_info("{name}")').fetchall()
            key = [col[1] for col in sorted((c for c in info if c[5]), key=lambda c: c[5])]
            assert key == resources[name]["schema"]["primaryKey"], name


def test_database_has_the_foreign_keys_of_the_schemas(package):
    resources = {r["name"]: r for r in descriptor(package)["resources"] if r["format"] == "csv"}
    with sqlite3.connect(package / "shequ.sqlite") as db:
        for name in TABLE_ORDER:
            rows = db.execute(f'PRAGMA foreign_key_list("{name}")').fetchall()
            found: dict[int, tuple] = {}
            for fk_id, seq, table, from_, to, *_ in sorted(rows, key=lambda r: (r[0], r[1])):
                target, froms, tos = found.get(fk_id, (table, [], []))
                found[fk_id] = (target, froms + [from_], tos + [to])
            expected = {(fk["reference"]["resource"] or name, tuple(fk["fields"]), tuple(fk["reference"]["fields"]))
                        for fk in resources[name]["schema"].get("foreignKeys", [])}
            expected |= {(f"vocabulary_{f['vocabulary']}", (f["name"],), ("code",))
                         for f in resources[name]["schema"]["fields"] if f.get("vocabulary")}
            assert {(t, tuple(f), tuple(o)) for t, f, o in found.values()} == expected, name
        organizations = {(r[2], r[3], r[4]) for r in db.execute('PRAGMA foreign_key_list("organizations")')}
        assert organizations == {("incubators", "incubated_by", "id"), ("divisions", "division", "code"),
                                 ("vocabulary_legal_forms", "legal_form", "code"),
                                 ("vocabulary_management_tracks", "management_track", "code"),
                                 ("vocabulary_statuses", "status", "code")}
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_database_refuses_a_row_that_breaks_a_foreign_key(package):
    with sqlite3.connect(package / "shequ.sqlite") as db:
        db.execute("PRAGMA foreign_keys = ON")
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("INSERT INTO organization_alternate_names VALUES ('no-such-org', 'x')")
