"""Bulk import: a registry export or survey (CSV or XLSX) becomes one YAML record per row.

A mapping file says which column fills which field::

    columns:                      # field: column header, as in the file
      name: 社会组织名称
      uscc: 统一社会信用代码
      legal_form: 组织类型
      registration_date: 成立登记日期
      division: 区划代码
      address: 住所
      fields_of_activity: 活动领域   # a list: "养老、文化" gives two items
    values:                       # cell text → code, per field
      legal_form: {社会团体: social-group, 民办非企业单位: social-service-agency}
      fields_of_activity: {养老服务: elderly-care, 文化体育: culture}
    defaults:                     # for every row where the column is empty or absent
      management_track: registered
    source:                       # the source every record cites
      title: 北京市朝阳区民政局社会组织名录（2026 年 11 月导出）
      url: https://example.org/chaoyang/2026-11
      accessed: 2026-11-20        # default: today
    sheet: 名录                   # XLSX: the sheet (default: the first)
    header_row: 1                 # the row holding the column headers (default: 1)

CSV may be UTF-8 (with or without a byte-order mark) or GB18030 (which includes
GBK and GB2312), as Chinese spreadsheets save it. Every row gets a new id. The
records are written to a copy of the datasets, in a hidden folder of the project
(``.shequ-import-*``), and checked with all the rules there; a row is reported, by its row number as a spreadsheet shows it,
with every reason it cannot be imported. Nothing is written unless every row
passes (or ``skip_invalid`` is set), and no existing file is ever replaced. The rows are
written all at once: an import that is killed leaves all of them or none.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import stat
import unicodedata
import zipfile
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from shequ import atomic
from shequ.errors import ShequError
from shequ.project import Project
from shequ.report import Problem, did_you_mean
from shequ.tools.scaffold import (build_record, describe, dump_record, files_named, make_rng, new_id, split_list, taken_ids,
                       write_new)
from shequ.sources.yamlfiles import INVISIBLE, YamlProblem, parse_yaml, read_yaml_text
from shequ.sources.tables import LAYOUT, Schemas

MAPPING_KEYS = ("columns", "values", "defaults", "source", "sheet", "header_row")
SOURCE_KEYS = ("title", "url", "accessed")
MAX_ROWS = 200_000
#: Larger input files are refused before they are read: a registry export of 200,000 rows is far smaller.
MAX_FILE_BYTES = 100 * 1024 * 1024
#: An XLSX is a zip of XML files. Its members' sizes once unpacked are read from the zip's
#: directory before anything is parsed (and the zip module never unpacks more than they say):
#: a small file whose shared strings unpack to gigabytes is refused, not parsed.
#: The shared strings are held in memory whole (each string an object: 64 MB of the smallest
#: strings take about 400 MB); the sheets are read row by row.
MAX_XLSX_MEMBER_BYTES = 128 * 1024 * 1024
MAX_XLSX_STRINGS_BYTES = 64 * 1024 * 1024
MAX_XLSX_UNPACKED_BYTES = 256 * 1024 * 1024


class ImportFileError(ShequError):
    """The file or the mapping cannot be used at all (a usage error, not a row's problem)."""


@dataclass
class Mapping:
    columns: dict[str, str]  # field → header
    values: dict[str, dict[str, Any]]  # field → {cell text: value}
    defaults: dict[str, Any]
    sheet: str | None = None
    header_row: int = 1


@dataclass
class RowFailure:
    row: int
    reasons: list[str]


@dataclass
class RowRecord:
    row: int
    id: str
    text: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    dataset: str
    rows: int  # data rows read (empty rows are skipped)
    records: list[RowRecord]  # rows that pass every check
    failures: list[RowFailure]
    written: list[Path]
    dry_run: bool

    @property
    def ok(self) -> bool:
        return not self.failures


# --- the mapping -------------------------------------------------------------------------------


def allowed_fields(schemas: Schemas, dataset: str) -> list[str]:
    layout = LAYOUT[dataset]
    keys = [k for k in schemas.columns(layout.main) if k != "id"]  # ids are always new
    keys += [c.key for c in layout.children if not c.is_mapping]
    return keys + [f"source_{k}" for k in SOURCE_KEYS]


def read_mapping(project: Project, path: Path, dataset: str) -> Mapping:
    try:
        data = parse_yaml(read_yaml_text(path))
    except YamlProblem as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        raise ImportFileError(f"{where}: {exc.message}") from None
    except OSError as exc:
        raise ImportFileError(f"cannot read the mapping {path}: {exc.strerror}") from None
    if not isinstance(data, dict):
        raise ImportFileError(f"{path}: the mapping must be a YAML mapping with 'columns:'")
    unknown = [k for k in data if k not in MAPPING_KEYS]
    if unknown:
        hint = did_you_mean(str(unknown[0]), list(MAPPING_KEYS)) or f"known keys: {', '.join(MAPPING_KEYS)}"
        raise ImportFileError(f"{path}: unknown key '{unknown[0]}' ({hint})")
    allowed = allowed_fields(Schemas(project), dataset)

    def fields_of(section: str) -> dict:
        value = data.get(section) or {}
        if not isinstance(value, dict):
            raise ImportFileError(f"{path}: '{section}' must be a mapping of field names")
        for key in value:
            if key not in allowed:
                hint = did_you_mean(str(key), allowed) or f"fields: {', '.join(allowed)}"
                raise ImportFileError(f"{path}: {section}: '{key}' is not a field of {dataset} ({hint})")
        return value

    columns = fields_of("columns")
    if not columns:
        raise ImportFileError(f"{path}: 'columns' is empty: map at least the name column")
    for key, header in columns.items():
        if not isinstance(header, (str, int)) or isinstance(header, bool):
            raise ImportFileError(f"{path}: columns: {key}: give the column header as text")
    values = fields_of("values")
    for key, table in values.items():
        if not isinstance(table, dict):
            raise ImportFileError(f"{path}: values: {key}: must map cell texts to values")
    defaults = dict(fields_of("defaults"))
    source = data.get("source") or {}
    if not isinstance(source, dict) or any(k not in SOURCE_KEYS for k in source):
        raise ImportFileError(f"{path}: 'source' takes {', '.join(SOURCE_KEYS)}")
    for key, value in source.items():
        defaults.setdefault(f"source_{key}", value)
    header_row = data.get("header_row", 1)
    if not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1:
        raise ImportFileError(f"{path}: header_row must be a row number, 1 or more")
    sheet = data.get("sheet")
    return Mapping({k: str(v) for k, v in columns.items()},
                   {k: {str(a): b for a, b in t.items()} for k, t in values.items()},
                   defaults, None if sheet is None else str(sheet), header_row)


# --- reading the file --------------------------------------------------------------------------


def decode(raw: bytes) -> tuple[str, str]:
    """The text of a CSV file and its encoding: UTF-8 (BOM or not), else GB18030."""
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"byte {exc.start} is neither UTF-8 nor GB18030: save the file as UTF-8 CSV") from None


def read_rows(path: Path, mapping: Mapping) -> tuple[list[str], list[tuple[int, list]]]:
    """The headers and the (row number, cells) of every row below them."""
    suffix = path.suffix.lower()
    _check_input_file(path)
    if suffix in (".csv", ".tsv", ".txt"):
        rows = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path, mapping.sheet)
    elif suffix == ".xls":
        raise ImportFileError(f"{path.name}: the old .xls format cannot be read: save it as .xlsx or CSV")
    else:
        raise ImportFileError(f"{path.name}: give a .csv or .xlsx file")
    header, body = None, []
    for number, cells in rows:
        if number < mapping.header_row:
            continue
        if number == mapping.header_row:
            header = [_header(c) for c in cells]
            continue
        if len(body) >= MAX_ROWS:
            raise ImportFileError(f"{path.name}: more than {MAX_ROWS:,} rows; split the file")
        body.append((number, list(cells)))
    if header is None:
        raise ImportFileError(f"{path.name}: no header row (row {mapping.header_row}); the file is empty")
    return header, body


def _check_input_file(path: Path) -> None:
    """Refuse what cannot be read in bounded time and memory: a named pipe or device (reading
    it would block), a folder, a file over :data:`MAX_FILE_BYTES`."""
    try:
        info = path.stat()
    except OSError as exc:
        raise ImportFileError(f"{path.name}: cannot be read ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise ImportFileError(f"{path.name}: is not a regular file; give a .csv or .xlsx file")
    if info.st_size > MAX_FILE_BYTES:
        raise ImportFileError(f"{path.name}: is {info.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,} (split the file)")


def _header(cell: Any) -> str:
    return "" if cell is None else " ".join(str(cell).replace("\ufeff", "").split())


def _csv_rows(path: Path):
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc.strerror}") from None
    text, _ = decode(raw)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for cells in reader:
            number += 1
            yield number, cells
    except csv.Error as exc:  # an unclosed quote, a cell longer than the csv module's field limit
        raise ImportFileError(f"{path.name}: row {number + 1} (line {reader.line_num}) cannot be read as CSV: "
                              f"{exc}") from None


def _shown(text: str, limit: int = 40) -> str:
    """Text from the file, cut short for a message (a header cell may be a megabyte long)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_xlsx_archive(path: Path) -> None:
    """Refuse a workbook that is not a zip, or whose members would unpack beyond the limits."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ImportFileError(f"{path.name} cannot be read as an XLSX workbook: it is empty, truncated or not "
                              f"a workbook ({exc}); save it again as .xlsx or CSV") from None
    total = sum(m.file_size for m in members)
    for member in members:
        limit = MAX_XLSX_STRINGS_BYTES if member.filename.lower().endswith("sharedstrings.xml") else \
            MAX_XLSX_MEMBER_BYTES
        if member.file_size > limit or total > MAX_XLSX_UNPACKED_BYTES:
            raise ImportFileError(f"{path.name}: {_shown(member.filename)} unpacks to {member.file_size:,} bytes "
                                  f"(the limit is {limit:,}), the workbook to {total:,} (the limit is "
                                  f"{MAX_XLSX_UNPACKED_BYTES:,}): split the file, or save it as CSV")


def _xlsx_rows(path: Path, sheet: str | None):
    from openpyxl import load_workbook

    _check_xlsx_archive(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - whatever openpyxl raises on a damaged file, it is the file's fault
        raise ImportFileError(f"{path.name} cannot be read as an XLSX workbook ({type(exc).__name__}: {exc})") from None
    try:
        if sheet is None:
            if not book.worksheets:
                raise ImportFileError(f"{path.name} has no worksheet")
            ws = book.worksheets[0]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            raise ImportFileError(f"{path.name} has no sheet '{sheet}' (sheets: {', '.join(book.sheetnames)})")
        number = 0
        try:
            for number, cells in enumerate(ws.iter_rows(values_only=True), start=1):
                yield number, list(cells)
        except ImportFileError:
            raise
        except Exception as exc:  # noqa: BLE001 - a truncated or damaged sheet fails while it is read
            raise ImportFileError(f"{path.name}: the sheet cannot be read after row {number} "
                                  f"({type(exc).__name__}: {exc}); save it again as .xlsx or CSV") from None
    finally:
        book.close()


# --- rows to records ---------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    return value


def row_values(mapping: Mapping, index: dict[str, int], cells: list, list_fields: set[str]) -> dict[str, Any]:
    """Field values of one row: cells by the mapping, translated, defaults where empty."""
    values: dict[str, Any] = {}
    for key, header in mapping.columns.items():
        i = index[header]
        value = _cell(cells[i]) if i < len(cells) else None
        if value is None:
            continue
        table = mapping.values.get(key, {})
        if key in list_fields:
            values[key] = [table.get(str(v), v) for v in split_list([value])]
        else:
            values[key] = table.get(str(value), value)
    for key, value in mapping.defaults.items():
        if values.get(key) in (None, "", []):
            values[key] = value
    return values


def _is_empty(cells: list) -> bool:
    return all(_cell(c) is None for c in cells)


def import_records(project: Project, dataset: str, file: Path, mapping_file: Path, *, dry_run: bool = False,
                   skip_invalid: bool = False, seed: int | str | None = None,
                   today: dt.date | None = None) -> ImportResult:
    """Turn every row of ``file`` into a record of ``dataset``, checked; see the module's doc."""
    schemas = Schemas(project)
    mapping = read_mapping(project, mapping_file, dataset)
    header, body = read_rows(file, mapping)
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        if name:
            index.setdefault(name, i)
    missing = [h for h in mapping.columns.values() if h not in index]
    if missing:
        found = ", ".join(_shown(h) for h in header[:50] if h) or "(none)"
        raise ImportFileError(f"{file.name}: no column '{missing[0]}' in row {mapping.header_row} (columns: {found})")
    # One import at a time; its check runs in a copy of the datasets inside the project.
    with atomic.import_scratch(project.root) as scratch:
        layout = LAYOUT[dataset]
        list_fields = {c.key for c in layout.children if not c.is_mapping}
        existing = _existing_keys(project, dataset)
        taken, rng = taken_ids(project), make_rng(seed)
        failures: list[RowFailure] = []
        pending: dict[str, tuple[int, str]] = {}  # file in the project → (row, text)
        seen: dict[tuple, int] = {}
        rows = 0
        for number, cells in body:
            if _is_empty(cells):
                continue
            rows += 1
            values = row_values(mapping, index, cells, list_fields)
            clash = _clash(values, existing, seen, number)
            if clash:
                failures.append(RowFailure(number, [clash]))
                continue
            record_id = new_id(dataset, taken, rng)
            data = build_record(project, dataset, values, record_id, today, schemas)
            pending[f"datasets/{dataset}/{record_id}.yaml"] = (number, dump_record(schemas, dataset, data))

        records: list[RowRecord] = []
        by_file = _check_in_copy(project, scratch, pending, today)
        for rel, (number, text) in pending.items():
            errors = [describe(p) for p in by_file[rel] if p.severity == "error"]
            if errors:
                failures.append(RowFailure(number, errors))
            else:
                warnings = [describe(p) for p in by_file[rel] if p.severity != "error"]
                records.append(RowRecord(number, rel.rsplit("/", 1)[1][: -len(".yaml")], text, warnings))
        failures.sort(key=lambda f: f.row)
        records.sort(key=lambda r: r.row)
        written: list[Path] = []
        if not dry_run and (skip_invalid or not failures):
            # All rows or none, even if the import is killed half-way (see shequ.atomic).
            files = {project.datasets / dataset / f"{rec.id}.yaml": rec.text for rec in records}
            atomic.write_new_files(files, project.root)
            written = list(files)
    return ImportResult(dataset, rows, records, failures, written, dry_run)


def _check_in_copy(project: Project, scratch: Path, pending: dict[str, tuple[int, str]],
                   today: dt.date | None) -> dict[str, list[Problem]]:
    """The problems of each new file, checked with every rule in a copy of the datasets made in
    ``scratch``: the project's own files are not touched until every row is known to pass."""
    from shequ.build.pipeline import validate

    by_file: dict[str, list[Problem]] = {rel: [] for rel in pending}
    if not pending:
        return by_file
    copy = Project(scratch)
    shutil.copytree(project.datasets, copy.datasets, symlinks=True, ignore=partial(_refuse_special_files, project))
    for rel, (_, text) in pending.items():
        write_new(copy.root / rel, text)
    for problem in validate(copy, today)[1].problems:
        for rel in files_named(problem, by_file):
            by_file[rel].append(problem)
    shutil.rmtree(copy.datasets)  # not needed while the rows are written
    return by_file


def _refuse_special_files(project: Project, folder: str, names: list[str]) -> list[str]:
    """For ``copytree``: stop at a named pipe or device in the datasets (copying it would block)."""
    for name in names:
        path = Path(folder, name)
        mode = path.lstat().st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode)):
            raise ImportFileError(f"{project.relative(path)} is not a regular file: remove it, then import "
                                  "(shequ validate lists such files)")
    return []


def _existing_keys(project: Project, dataset: str) -> dict[tuple, str]:
    """What identifies a record already in the data: its code, or its name in its division."""
    from shequ.sources.yamlfiles import load_records

    out: dict[tuple, str] = {}
    records, _ = load_records(project, dataset)
    for rec in records:
        if isinstance(rec.data.get("uscc"), str):
            out[("uscc", _same_code(rec.data["uscc"]))] = rec.file
        if isinstance(rec.data.get("name"), str):
            out[("name", _same_name(rec.data["name"]), str(rec.data.get("division")))] = rec.file
    return out


def _clash(values: dict, existing: dict[tuple, str], seen: dict[tuple, int], row: int) -> str | None:
    """Why a row duplicates a record already in the data or an earlier row, if it does."""
    keys = []
    if values.get("uscc") is not None:
        keys.append((("uscc", _same_code(str(values["uscc"]))), f"Unified Social Credit Code {values['uscc']}"))
    if values.get("name") is not None:
        keys.append((("name", _same_name(str(values["name"])), str(values.get("division"))),
                     f"name {values['name']} in division {values.get('division')}"))
    for key, what in keys:
        if key in existing:
            return f"already in the data as {existing[key]} (same {what})"
        if key in seen:
            return f"repeats row {seen[key]} (same {what})"
    for key, _ in keys:
        seen[key] = row
    return None


_UNSEEN = re.compile(f"{INVISIBLE.pattern}|[\\s\u3164\u115f\u1160\uffa0\u034f\u00ad]+")


def _same_name(name: str) -> str:
    """A name as a reader sees it, so that look-alikes match: compatibility forms folded (NFKC:
    a compatibility ideograph such as U+F9B4 is its unified twin U+9818, full-width letters are
    letters), spaces and invisible characters dropped, case ignored. Simplified and traditional
    characters stay different: they are different names."""
    return _UNSEEN.sub("", unicodedata.normalize("NFKC", name)).casefold()


def _same_code(code: str) -> str:
    """A code as typed in any width or case: '９１１１…' is '9111…'."""
    return _UNSEEN.sub("", unicodedata.normalize("NFKC", code)).upper()
