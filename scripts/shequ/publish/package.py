"""The publish stage: checked sources → a Frictionless data package.

Writes, for every table, CSV (UTF-8) and JSON; one XLSX workbook with a sheet
per table and a sheet describing every field; one SQLite database with typed
columns, primary and foreign keys; and ``datapackage.json`` with sizes, sha256
hashes, row counts and schemas. Output is reproducible (sorted rows, fixed
column order, dates from ``package.yaml`` and never from the clock) and atomic
(written beside the target and swapped in only after frictionless has
validated it).
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import functools
import gc
import hashlib
import json
import multiprocessing as mp
import os
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from frictionless import Package

from shequ import atomic, catalogues
from shequ.catalogues import N_, NC_

from shequ.errors import ShequError
from shequ.publish import bundles, datasette, xlsx
from shequ.publish.exports import write_exports
from shequ.publish.identifiers import local_scheme, organization_identifier
from shequ.sources.load import Sources
from shequ.sources.tables import TABLE_ORDER, TERM, typed, without_roles

DATABASE = "shequ.sqlite"
WORKBOOK = "shequ.xlsx"
XLSX_MEDIATYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "date": "TEXT", "string": "TEXT"}


class PublishError(ShequError):
    """The written package failed its own validation."""


@dataclass
class PublishedTable:
    name: str
    schema: dict  # the published schema: source schema plus vocabulary enums
    rows: list[list]  # typed, sorted by primary key


@dataclass
class PublishResult:
    out: Path
    tables: dict[str, int]  # table -> row count
    files: list[str]


def published_schema(sources: Sources, name: str) -> dict:
    """The source Table Schema, with each vocabulary field's allowed codes filled in."""
    schema = copy.deepcopy(without_roles(sources.schemas.descriptors[name]))
    for field in schema["fields"]:
        vocab = sources.vocabularies.get(field.get("vocabulary", ""))
        if vocab is not None:
            field.setdefault("constraints", {})["enum"] = list(vocab.terms)
    return schema


ORG_ID = "org_id"


def _org_id_field(local: str) -> dict:
    title = N_("Organization identifier (org-id)")
    description = N_("CN-USCI- and the Unified Social Credit Code where the organization has one; "
                     "otherwise {prefix}- and the record id, which never changes.")
    zh = catalogues.translations("zh").gettext
    return {"name": ORG_ID, "type": "string", "title": title, "title_zh": zh(title),
            "description": description.format(prefix=local), "description_zh": zh(description).format(prefix=local),
            "constraints": {"required": True, "unique": True}}


def _with_org_id(schema: dict, rows: list[list], local: str) -> None:
    """Adds the derived column org_id after uscc (in place): the identifier that exchange
    formats (360Giving, HSDS, IATI) use for an organization; ``local``, the prefix of those
    without a credit code."""
    names = [f["name"] for f in schema["fields"]]
    uscc, record_id = names.index("uscc"), names.index("id")
    schema["fields"].insert(uscc + 1, _org_id_field(local))
    for row in rows:
        row.insert(uscc + 1, organization_identifier(row[record_id], row[uscc], local))


def prepare_tables(sources: Sources) -> dict[str, PublishedTable]:
    out = {}
    for name in TABLE_ORDER:
        table = sources.tables[name]
        schema = published_schema(sources, name)
        types = [f["type"] for f in schema["fields"]]
        text = [t == "string" for t in types]
        # Most cells are text already in their published type: only the others go through typed().
        rows = [[v if text_column and v.__class__ is str and v else typed(v, t)
                 for v, t, text_column in zip(row, types, text)] for row in table.rows]
        key_index = [table.columns.index(k) for k in schema["primaryKey"]]
        if all(row[i] is not None for row in rows for i in key_index):
            rows.sort(key=itemgetter(*key_index))  # the same order, without a key tuple per row
        else:
            rows.sort(key=lambda r: tuple(_sort_key(r[i]) for i in key_index))
        if name == "organizations":
            _with_org_id(schema, rows, local_scheme(sources.package))
        out[name] = PublishedTable(name, schema, rows)
    return out


def _sort_key(value):
    return (value is None, value if value is not None else 0)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _json_value(value):
    return value.isoformat() if isinstance(value, dt.date) else value


#: Rows formatted at a time by the CSV and JSON writers: the files are streamed, so
#: memory does not grow with the table (organizations.json is over 100 MB at 100,000).
CHUNK_ROWS = 5000


def write_csv(path: Path, table: PublishedTable) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow([f["name"] for f in table.schema["fields"]])
        for start in range(0, len(table.rows), CHUNK_ROWS):
            writer.writerows([_cell(v) for v in row] for row in table.rows[start:start + CHUNK_ROWS])


def write_json(path: Path, table: PublishedTable) -> None:
    """A JSON array with one object per line."""
    names = [f["name"] for f in table.schema["fields"]]
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("[\n")
        for start in range(0, len(table.rows), CHUNK_ROWS):
            lines = [encode({k: _json_value(v) for k, v in zip(names, row)})
                     for row in table.rows[start:start + CHUNK_ROWS]]
            fh.write((",\n" if start else "") + ",\n".join(lines))
        fh.write("\n]\n" if table.rows else "]\n")


def write_xlsx(path: Path, tables: dict[str, PublishedTable], created: dt.datetime, title: str) -> None:
    # Text is always written as text (see shequ.xlsx): nothing in a cell becomes a formula,
    # a link or a number the publisher did not mean.
    sheets = [readable_sheet(t, tables) for t in tables.values()]
    if "organizations" in tables and "divisions" in tables:
        sheets.insert(0, readable_sheet(flat_organizations(tables), tables))
    described = []
    for table in tables.values():
        for f in table.schema["fields"]:
            constraints = f.get("constraints", {})
            described.append([table.name, f["name"], f["type"], "yes" if constraints.get("required") else "no",
                              f.get("title", ""), f.get("title_zh", ""), f.get("description", ""),
                              ", ".join(constraints.get("enum", []))])
    header = ["table", "field", "type", "required", "title", "title_zh", "description", "allowed values"]
    sheets.append(xlsx.Sheet("fields", header, described, [_zh(h) for h in FIELDS_SHEET_TITLES]))
    # A table longer than a sheet can hold goes on across sheets, rather than failing the build.
    xlsx.write_workbook(path, [part for sheet in sheets for part in xlsx.split_to_fit(sheet)], title, created)


#: Beside a coded column, the workbook adds its label: a vocabulary's Chinese label, or a division's name.
LABEL_SUFFIX = "_label"

#: The Chinese header row of the sheet 'fields', whose field names say the English.
FIELDS_SHEET_TITLES = (NC_("workbook column", "Table"), NC_("workbook column", "Field"),
                       NC_("workbook column", "Type"), NC_("workbook column", "Required"),
                       NC_("workbook column", "English title"), NC_("workbook column", "Chinese title"),
                       NC_("workbook column", "Description"), NC_("workbook column", "Allowed values"))

#: The levels of administrative divisions, from the top, with the titles of their code and name columns.
DIVISION_LEVELS = (
    ("province", NC_("workbook column", "Province code"), NC_("workbook column", "Province name")),
    ("prefecture", NC_("workbook column", "Prefecture code"), NC_("workbook column", "Prefecture name")),
    ("county", NC_("workbook column", "County code"), NC_("workbook column", "County name")),
    ("township", NC_("workbook column", "Township code"), NC_("workbook column", "Township name")),
)


def _zh(title: str) -> str:
    """The Chinese of a workbook column title (a message in the context "workbook column")."""
    return catalogues.translations("zh").pgettext("workbook column", title)


def readable_sheet(table: PublishedTable, tables: dict[str, PublishedTable]) -> xlsx.Sheet:
    """The table as a sheet a person can read: Chinese titles above the field names, and
    beside each coded column a column with its label."""
    labels = _labels(tables)
    header, titles, columns = [], [], []  # columns: (index, labels or None)
    for index, f in enumerate(table.schema["fields"]):
        header.append(f["name"])
        titles.append(f.get("title_zh") or f.get("title") or f["name"])
        columns.append((index, None))
        lookup = labels.get(f.get("vocabulary") or _referenced_table(table, f))
        if lookup is not None:
            header.append(f["name"] + LABEL_SUFFIX)
            titles.append(_zh(NC_("workbook column", "{title} (label)")).format(title=titles[-1]))
            columns.append((index, lookup))
    rows = [[row[i] if lookup is None else lookup.get(row[i]) for i, lookup in columns] for row in table.rows]
    return xlsx.Sheet(table.name, header, rows, titles)


def _referenced_table(table: PublishedTable, field: dict) -> str:
    """The table that a single-column foreign key from ``field`` refers to, or ''."""
    return next((fk["reference"]["resource"] for fk in table.schema.get("foreignKeys", [])
                 if fk["fields"] == [field["name"]]), "")


def _labels(tables: dict[str, PublishedTable]) -> dict[str, dict]:
    """code → label, per vocabulary; term key (vocabulary/code) → label under 'vocabulary_terms';
    and division code → name under 'divisions'."""
    labels: dict[str, dict] = {}
    terms = tables.get("vocabulary_terms")
    if terms is not None:
        names = [f["name"] for f in terms.schema["fields"]]
        for row in terms.rows:
            term = dict(zip(names, row))
            labels.setdefault(term["vocabulary"], {})[term["code"]] = term["label_zh"]
            if TERM in term:
                labels.setdefault("vocabulary_terms", {})[term[TERM]] = term["label_zh"]
    if "divisions" in tables:
        labels["divisions"] = {row[0]: row[1] for row in tables["divisions"].rows}
    return labels


def flat_organizations(tables: dict[str, PublishedTable]) -> PublishedTable:
    """Organizations with the code and name of their province, prefecture, county and township,
    so that a spreadsheet user need not walk up the divisions table."""
    division_fields = [f["name"] for f in tables["divisions"].schema["fields"]]
    columns = [division_fields.index(name) for name in ("code", "name", "level", "parent")]
    divisions = {row[columns[0]]: [row[i] for i in columns] for row in tables["divisions"].rows}
    organizations = tables["organizations"]
    fields = organizations.schema["fields"]
    position = [f["name"] for f in fields].index("division") + 1
    added = []
    for level, code_title, name_title in DIVISION_LEVELS:
        added += [{"name": f"{level}_code", "type": "string", "title": code_title, "title_zh": _zh(code_title)},
                  {"name": f"{level}_name", "type": "string", "title": name_title, "title_zh": _zh(name_title)}]
    rows = []
    for row in organizations.rows:
        found = {}
        code = row[position - 1]
        while code in divisions:
            _, name, level, parent = divisions[code]
            found[level] = (code, name)
            code = parent
        cells = [cell for level, _, _ in DIVISION_LEVELS for cell in found.get(level, (None, None))]
        rows.append([*row[:position], *cells, *row[position:]])
    schema = {"fields": [*fields[:position], *added, *fields[position:]],
              "foreignKeys": [fk for fk in organizations.schema.get("foreignKeys", [])
                              if fk["reference"]["resource"] != "divisions"]}
    return PublishedTable("organizations_flat", schema, rows)


def write_sqlite(path: Path, tables: dict[str, PublishedTable]) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        vocabularies = datasette.used_vocabularies([t.schema for t in tables.values()])
        terms = tables["vocabulary_terms"]
        term_names = [f["name"] for f in terms.schema["fields"]]
        with connection:
            datasette.create_vocabulary_tables(connection, vocabularies,
                                               [dict(zip(term_names, row)) for row in terms.rows])
        parents: dict[str, set[tuple]] = {}  # table -> the column lists that foreign keys refer to
        for table in tables.values():
            for fk in table.schema.get("foreignKeys", []):
                parent = fk["reference"]["resource"] or table.name
                parents.setdefault(parent, set()).add(tuple(fk["reference"]["fields"]))
        for table in tables.values():
            schema = table.schema
            columns = []
            for f in schema["fields"]:
                not_null = " NOT NULL" if f.get("constraints", {}).get("required") else ""
                columns.append(f'"{f["name"]}" {SQL_TYPES[f["type"]]}{not_null}')
            columns.append("PRIMARY KEY (" + ", ".join(f'"{k}"' for k in schema["primaryKey"]) + ")")
            # SQLite takes a foreign key only to the parent's primary key or to columns declared unique.
            for referenced in sorted(parents.get(table.name, ())):
                if list(referenced) != schema["primaryKey"]:
                    columns.append("UNIQUE (" + ", ".join(f'"{c}"' for c in referenced) + ")")
            for fk in schema.get("foreignKeys", []):
                ref = fk["reference"]
                ref_table = ref["resource"] or table.name
                columns.append(
                    "FOREIGN KEY (" + ", ".join(f'"{c}"' for c in fk["fields"]) + f') REFERENCES "{ref_table}" ('
                    + ", ".join(f'"{c}"' for c in ref["fields"]) + ")"
                )
            columns.extend(datasette.foreign_key_clauses(schema))
            connection.execute(f'CREATE TABLE "{table.name}" (\n  ' + ",\n  ".join(columns) + "\n)")
        with connection:
            # Referenced tables first, so that foreign keys hold while inserting.
            for name in _insert_order(tables):
                table = tables[name]
                marks = ", ".join("?" * len(table.schema["fields"]))
                connection.executemany(
                    f'INSERT INTO "{name}" VALUES ({marks})',
                    ([_sql_value(v) for v in row] for row in table.rows),
                )
            for name, searched in datasette.SEARCHED.items():
                datasette.enable_search(connection, name, searched)
        problems = connection.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise PublishError(f"SQLite foreign key check failed: {problems[:5]}")
    finally:
        connection.close()


def write_datasette_metadata(path: Path, sources: Sources, tables: dict[str, PublishedTable]) -> None:
    schemas = {t.name: t.schema for t in tables.values()}
    meta = datasette.metadata(sources.package, schemas, datasette.used_vocabularies(list(schemas.values())),
                              Path(DATABASE).stem)
    path.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _insert_order(tables: dict[str, PublishedTable]) -> list[str]:
    order, seen = [], set()

    def visit(name):
        if name in seen:
            return
        seen.add(name)
        for fk in tables[name].schema.get("foreignKeys", []):
            if fk["reference"]["resource"]:
                visit(fk["reference"]["resource"])
        order.append(name)

    for name in tables:
        visit(name)
    return order


def _sql_value(value):
    return value.isoformat() if isinstance(value, dt.date) else value


class Digests:
    """Size and sha256 of written files, each read once (in blocks, however large the
    file) for both the descriptor and SHA256SUMS."""

    def __init__(self):
        self._known: dict[Path, tuple[int, str]] = {}

    def __call__(self, path: Path) -> tuple[int, str]:
        if path not in self._known:
            digest, size = hashlib.sha256(), 0
            with path.open("rb") as fh:
                while block := fh.read(1 << 20):
                    digest.update(block)
                    size += len(block)
            self._known[path] = (size, digest.hexdigest())
        return self._known[path]


def _file_facts(path: Path, digests: Digests) -> dict:
    size, hexdigest = digests(path)
    return {"bytes": size, "hash": "sha256:" + hexdigest}


def package_descriptor(sources: Sources, tables: dict[str, PublishedTable], out: Path,
                       digests: Digests | None = None) -> dict:
    digests = digests or Digests()
    meta = sources.package
    descriptor = {
        key: meta[key]
        for key in ("name", "title", "title_zh", "description", "description_zh", "version", "homepage", "keywords",
                    "licenses", "sources", "contributors")
        if key in meta
    }
    if "created" in meta:
        # Data Package wants a datetime; midnight UTC of the release date keeps it clock-free.
        descriptor["created"] = created_datetime(sources).isoformat() + "Z"
    descriptor["resources"] = resources = []
    for table in tables.values():
        resources.append({
            "name": table.name,
            "type": "table",
            "path": f"{table.name}.csv",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            **_file_facts(out / f"{table.name}.csv", digests),
            "rows": len(table.rows),
            "schema": table.schema,
        })
    for table in tables.values():
        # Declared as files, with bytes, hash and the schema of their rows (no "rows": frictionless
        # would count them and fail a file it does not parse). frictionless
        # checks a file's bytes and hash without parsing it, so a plain install (without
        # the [json] extra that table-reading JSON needs) validates the whole package. The
        # publisher checks each JSON file cell by cell against its CSV twin (self_check).
        resources.append({
            "name": f"{table.name}-json",
            "type": "file",
            "path": f"{table.name}.json",
            "format": "json",
            "mediatype": "application/json",
            "encoding": "utf-8",
            **_file_facts(out / f"{table.name}.json", digests),
            "schema": {k: v for k, v in table.schema.items() if k != "foreignKeys"},
        })
    resources.append({
        "name": "workbook", "type": "file", "path": WORKBOOK, "format": "xlsx", "mediatype": XLSX_MEDIATYPE,
        **_file_facts(out / WORKBOOK, digests),
        "description": "Every table as a sheet with Chinese titles, labels and dates; organizations_flat; a sheet 'fields'.",
    })
    resources.append({
        "name": "database", "type": "file", "path": DATABASE, "format": "sqlite",
        "mediatype": "application/vnd.sqlite3", **_file_facts(out / DATABASE, digests),
        "description": "Every table with typed columns, primary keys and foreign keys.",
    })
    resources.append({
        "name": "csv-for-excel", "type": "file", "path": bundles.EXCEL_CSV_ZIP, "format": "zip",
        "mediatype": "application/zip", **_file_facts(out / bundles.EXCEL_CSV_ZIP, digests),
        "description": "The CSV tables with a UTF-8 byte order mark, for a double click in Excel.",
    })
    resources.append({
        "name": "datasette-metadata", "type": "file", "path": datasette.METADATA, "format": "json",
        "mediatype": "application/json", "encoding": "utf-8", **_file_facts(out / datasette.METADATA, digests),
        "description": "Titles, descriptions, licence and sources of the database, for datasette -m.",
    })
    return descriptor


def write_checksums(folder: Path, digests: Digests | None = None) -> None:
    """SHA256SUMS in the format ``sha256sum -c`` reads, covering every file."""
    digests = digests or Digests()
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "SHA256SUMS")
    lines = [f"{digests(p)[1]}  {p.relative_to(folder).as_posix()}\n" for p in files]
    (folder / "SHA256SUMS").write_text("".join(lines), encoding="utf-8")


#: Above this many rows, the self-check runs in worker processes.
SELF_CHECK_PARALLEL_ROWS = 50_000

#: The Python type of a JSON value, per Table Schema field type.
_JSON_TYPES = {"string": (str,), "date": (str,), "integer": (int,), "number": (int, float)}


@functools.lru_cache(maxsize=1)
def _read_package(descriptor_path: str) -> Package:
    # Reading a descriptor validates all of its metadata: once per process, not once per
    # resource (with 40 resources that was most of a small publish).
    return Package(descriptor_path)


def _check_resource(descriptor_path: str, name: str) -> list[str]:
    descriptor = json.loads(Path(descriptor_path).read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    twin = resources.get(name.removesuffix("-json")) if name.endswith("-json") else None
    if twin is not None and "schema" in resources[name] and twin.get("format") == "csv" and \
            all(f["type"] in _JSON_TYPES for f in twin["schema"]["fields"]):
        return _check_json_twin(Path(descriptor_path).parent, resources[name], twin)
    key = _passed_key(descriptor, resources, name, Path(descriptor_path).parent)
    if key is not None and key in _PASSED:
        return []
    resource = _read_package(descriptor_path).get_resource(name)
    report = resource.validate()
    found = [f"{name}: {row[0]}: {row[1]}" for row in report.flatten(["type", "message"])[:20]]
    if not found and key is not None:
        _PASSED.add(key)
    return found


#: The resources this process has seen pass, by :func:`_passed_key`: republishing sources
#: that changed in one table (``serve``, a maintainer's tools) validates that table again,
#: not the forty that are byte for byte the ones that passed.
_PASSED: set[str] = set()


def _passed_key(descriptor: dict, resources: dict[str, dict], name: str, folder: Path) -> str | None:
    """What frictionless's verdict on resource ``name`` depends on: the package's own keys,
    the descriptors of the resource and of those its foreign keys read, and the bytes of
    their files as they are on disk now (a file changed after writing is checked again).
    None where a file cannot be read: frictionless then says what is wrong."""
    digest = hashlib.sha256()
    digest.update(json.dumps({k: v for k, v in descriptor.items() if k != "resources"}, sort_keys=True).encode())
    resource = resources[name]
    referenced = {fk.get("reference", {}).get("resource") for fk in resource.get("schema", {}).get("foreignKeys", [])}
    for read in [name, *sorted(r for r in referenced if r and r != name)]:
        digest.update(json.dumps(resources.get(read), sort_keys=True).encode())
        paths = resources.get(read, {}).get("path", [])
        for path in [paths] if isinstance(paths, str) else paths:
            try:
                with open(folder / path, "rb") as file:
                    while chunk := file.read(1 << 20):
                        digest.update(chunk)
            except (OSError, TypeError):
                return None
    return digest.hexdigest()


def _check_resource_in_worker(descriptor_path: str, name: str) -> list[str]:
    # A worker process ends with the self-check: the cyclic collector's passes over
    # frictionless's short-lived row objects would find nothing worth the time.
    gc.disable()
    return _check_resource(descriptor_path, name)


def _check_json_twin(folder: Path, resource: dict, twin: dict) -> list[str]:
    """Check a JSON table against the CSV table it repeats, which frictionless validates.

    Both files are written from the same rows. If the JSON holds the same cells
    as the CSV, each as the JSON type of its field (text for strings and dates,
    numbers for integers and numbers, null for a missing value), frictionless
    reads the same values from it and passes or fails it as it does the CSV;
    so the JSON is compared cell by cell, streamed, instead of being validated
    row by row a second time (a third of the self-check's time). The JSON must
    also be the array written: one object per line, its keys the fields in order.
    """
    name = resource["name"]
    expected_schema = {k: v for k, v in twin["schema"].items() if k != "foreignKeys"}
    if resource["schema"] != expected_schema:
        return [f"{name}: schema: differs from the schema of {twin['path']}"]
    fields = twin["schema"]["fields"]
    names = [f["name"] for f in fields]
    types = [_JSON_TYPES[f["type"]] for f in fields]
    problems: list[str] = []

    def problem(where: str, message: str) -> None:
        problems.append(f"{name}: {where}: {message}")

    with (folder / resource["path"]).open(encoding="utf-8", newline="") as fh, \
            (folder / twin["path"]).open(encoding="utf-8", newline="") as csv_fh:
        reader = csv.reader(csv_fh)
        next(reader, None)  # the header: frictionless checks it against the schema
        if fh.readline() != "[\n":
            return [f"{name}: json: does not start a JSON array on its first line"]
        count, more, closed = 0, True, False
        for number, line in enumerate(fh, start=2):
            if line == "]\n" and not closed:
                closed = True
                continue
            if closed or not more:
                problem(f"line {number}", "text after the last row")
                break
            more = line.endswith(",\n")
            try:
                obj = json.loads(line[:-2] if more else line)
            except json.JSONDecodeError as exc:
                problem(f"line {number}", f"is not JSON: {exc.msg}")
                break
            count += 1
            if not isinstance(obj, dict) or list(obj) != names:
                problem(f"row {count}", f"is not an object with the fields {', '.join(names)} in order")
                break
            values = list(obj.values())
            for field, value, kinds in zip(names, values, types):
                if value is not None and (not isinstance(value, kinds) or isinstance(value, bool)):
                    problem(f"row {count}", f"{field}: {type(value).__name__} where the schema says "
                                            f"{fields[names.index(field)]['type']}")
            if [_cell(v) for v in values] != next(reader, None):
                problem(f"row {count}", f"differs from row {count} of {twin['path']}")
            if len(problems) >= 20:
                break
        if not problems:
            if not closed or (more and count):  # "[" then "]": an empty table
                problem("json", "the array is not closed after its last row")
            if next(reader, None) is not None:
                problem("rows", f"fewer rows than {twin['path']}")
            if count != resource.get("rows", count):
                problem("rows", f"{count} rows where the descriptor says {resource['rows']}")
    return problems


def self_check(out: Path) -> None:
    """Validate the written package with frictionless; a failure fails the publish.

    frictionless reads the descriptor and validates every CSV table (types,
    constraints, primary and foreign keys, bytes, hash, row count) and every
    file's bytes and hash. A JSON table holds the rows of its CSV twin: it is
    compared with it cell by cell (:func:`_check_json_twin`), which shows that
    it is as valid as the CSV at a fraction of the cost.

    Each resource is checked on its own (foreign keys still resolve through
    the package), largest first, so large packages use every core.
    """
    path = str(out / "datapackage.json")
    package = Package(path)  # raises on an invalid descriptor
    names = [r.name for r in sorted(package.resources, key=lambda r: -(r.rows or 0))]
    rows = sum(r.rows or 0 for r in package.resources)
    workers = min(os.cpu_count() or 1, 4)
    if rows > SELF_CHECK_PARALLEL_ROWS and workers > 1:
        # Fresh processes: they need only the written files, and a forked copy of this
        # process would carry the sources and tables (a gigabyte at 100,000 organizations).
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as pool:
            found = list(pool.map(_check_resource_in_worker, [path] * len(names), names))
    else:
        found = [_check_resource(path, name) for name in names]
    lines = [line for lines in found for line in lines]
    if lines:
        raise PublishError("the written data package is not valid:\n" + "\n".join(lines[:20]))


def created_datetime(sources: Sources) -> dt.datetime:
    created = sources.package.get("created")
    if isinstance(created, str):
        created = dt.date.fromisoformat(created)
    if not isinstance(created, dt.date):
        created = dt.date(2000, 1, 1)
    return dt.datetime(created.year, created.month, created.day)


def _write_workbook_and_csv(folder: Path, tables: dict[str, PublishedTable], created: dt.datetime,
                            title: str) -> None:
    write_xlsx(folder / WORKBOOK, tables, created, title)
    for table in tables.values():
        write_csv(folder / f"{table.name}.csv", table)


def _write_json_and_sqlite(folder: Path, tables: dict[str, PublishedTable]) -> None:
    for table in tables.values():
        write_json(folder / f"{table.name}.json", table)
    write_sqlite(folder / DATABASE, tables)


def write_package(sources: Sources, folder: Path, tables: dict[str, PublishedTable] | None = None) -> PublishResult:
    """Write the data package into an empty folder (no swapping, no checks). ``tables``:
    what :func:`prepare_tables` gives, if the caller has it already."""
    if tables is None:
        tables = prepare_tables(sources)
    # A forked process writes the workbook and the CSV files on the other core while
    # this one writes the JSON files and the database: the two halves take about as
    # long. Small packages are not worth a fork.
    first_half = (folder, tables, created_datetime(sources), str(sources.package.get("title", "")))
    rows = sum(len(t.rows) for t in tables.values())
    child = None
    if rows > 20_000 and (os.cpu_count() or 1) > 1 and "fork" in mp.get_all_start_methods():
        child = mp.get_context("fork").Process(target=_write_workbook_and_csv, args=first_half)
        child.start()
    else:
        _write_workbook_and_csv(*first_half)
    try:
        _write_json_and_sqlite(folder, tables)
    finally:
        if child is not None:
            child.join()
    if child is not None and child.exitcode != 0:
        raise PublishError(f"writing {WORKBOOK} and the CSV files failed (exit code {child.exitcode})")
    write_datasette_metadata(folder / datasette.METADATA, sources, tables)
    bundles.write_excel_csv_zip(folder, [f"{name}.csv" for name in tables])
    digests = Digests()
    exported = write_exports(folder, tables, sources, digests)
    descriptor = package_descriptor(sources, tables, folder, digests)
    descriptor["resources"] += exported
    (folder / "datapackage.json").write_text(
        json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    # Not in datapackage.json, which it holds; SHA256SUMS lists it.
    bundles.write_everything_zip(folder)
    write_checksums(folder, digests)
    files = sorted(p.name for p in folder.iterdir())
    return PublishResult(folder, {t.name: len(t.rows) for t in tables.values()}, files)


def publish(sources: Sources, out: Path, tables: dict[str, PublishedTable] | None = None) -> PublishResult:
    """Write, self-check and swap in the data package at ``out``, a folder of its own
    (:func:`shequ.atomic.claim`: never the project, its sources or a folder of other files)."""
    out = Path(out).resolve()
    with atomic.staging(out, sources.project.root) as tmp:
        result = write_package(sources, tmp, tables)
        self_check(tmp)
    result.out = out
    return result
