"""From YAML records to the rows of the published tables.

The Table Schemas in ``datasets/schemas/`` are the single truth for columns,
types, constraints and descriptions. This module says only how a record's YAML
keys map onto those tables:

- a key that is a column of the record's main table holds one value;
- a key in :data:`LAYOUT`'s children holds a list, each item a row of a child
  table (a plain value, or a mapping whose keys are that table's columns).

Each row remembers where it came from, so that a problem found in a table cell
can be reported at the file, field and line of the YAML value.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from shequ.errors import ShequError
from shequ import rules
from shequ.project import Project
from shequ.report import Problem, Report
from shequ.sources.yamlfiles import Record


@dataclass(frozen=True)
class Child:
    key: str  # the YAML key in the record
    table: str  # the published table its items go to
    column: str | None = None  # for lists of plain values: the column an item fills
    fixed: tuple = ()  # constant columns, e.g. (("vocabulary", "fields_of_activity"),)
    min_items: int = 0

    @property
    def is_mapping(self) -> bool:
        return self.column is None


@dataclass(frozen=True)
class Layout:
    main: str
    parent_column: str
    children: tuple[Child, ...]


LAYOUT: dict[str, Layout] = {
    "organizations": Layout(
        main="organizations",
        parent_column="organization_id",
        children=(
            Child("alternate_names", "organization_alternate_names", column="name"),
            Child("fields_of_activity", "organization_classifications", column="code",
                  fixed=(("vocabulary", "fields_of_activity"),), min_items=1),
            Child("service_populations", "organization_classifications", column="code",
                  fixed=(("vocabulary", "service_populations"),)),
            Child("service_functions", "organization_classifications", column="code",
                  fixed=(("vocabulary", "service_functions"),)),
            Child("support_received", "organization_support"),
            Child("sources", "organization_sources", min_items=1),
        ),
    ),
    "incubators": Layout(
        main="incubators",
        parent_column="incubator_id",
        children=(
            Child("support_types", "incubator_support_types", column="code", min_items=1),
            Child("sources", "incubator_sources", min_items=1),
        ),
    ),
}

#: Published tables, in the order they appear in the data package.
TABLE_ORDER = (
    "organizations",
    "organization_alternate_names",
    "organization_classifications",
    "organization_support",
    "organization_sources",
    "incubators",
    "incubator_support_types",
    "incubator_sources",
    "vocabulary_terms",
    "divisions",
    "policy_documents",
    "policy_dates",
    "policy_history",
    "policy_sources",
    "policy_provisions",
)

#: Columns filled by the pipeline, never written in YAML.
POSITION = "position"
#: A term's single-column key, ``vocabulary/code``, in any table with vocabulary and code columns:
#: SQL clients (datasette) follow a foreign key of one column only, and the pair is two.
TERM = "term"
FILLED = (POSITION, TERM)


def term_key(vocabulary, code) -> str | None:
    """``vocabulary/code``, or None where either part is missing or not text (the checks say so)."""
    if isinstance(vocabulary, str) and isinstance(code, str) and vocabulary and code:
        return f"{vocabulary}/{code}"
    return None


def with_term(values: dict, columns: list[str]) -> dict:
    """``values`` with the term key filled in, where the table has that column."""
    if TERM in columns:
        values[TERM] = term_key(values.get("vocabulary"), values.get("code"))
    return values

#: The custom property of a Table Schema field that says what the field is for.
ROLES = "roles"
#: The custom property of a main table's schema that gives the roles of a record's lists
#: (``alternate_names``, ``fields_of_activity``…), which are rows of child tables.
LIST_ROLES = "listRoles"
#: Every role a field may declare; see CONTRIBUTING.md, "What a field is for".
ROLE_NAMES = {
    "searchable": "its text, or its code's labels, are found by search",
    "facet": "a filter of the organizations' directory (an object: {\"facet\": name, \"order\": n})",
    "result": "shown beside an organization in search results",
    "sort": "a sort key of search results (an object: {\"sort\": name})",
    "no-future": "a date that must not lie in the future",
    "free-text": "text written by people: published and shown exactly as written",
    "name": "a name: an invisible character in it is an error, not a warning",
    "formatted": "its pattern fixes its form, so a leading '+' or '-' is not a formula",
    "notable": "a change to it is listed in the release notes",
    "asked": "asked by `shequ new`, as a flag",
    "topic": "its vocabulary's terms have topic pages (an object: {\"topic\": order})",
}


class SchemaError(ShequError):
    """A Table Schema is missing or unreadable: nothing else can be checked without it."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.text() for p in problems), Report(problems))
        self.problems = problems


def _read_schema(project: Project, name: str) -> tuple[dict | None, Problem | None]:
    path = project.schemas / f"{name}.schema.json"
    rel = project.relative(path)
    if path.is_symlink():
        return None, Problem(rules.FILES_SYMLINK, "symbolic links are not allowed in datasets/", rel,
                             hint="replace the link with the file itself")
    if not path.exists():
        return None, Problem(rules.SCHEMAS_MISSING, "the Table Schema is missing", rel,
                             hint="restore it from the repository")
    if not path.is_file():
        return None, Problem(rules.FILES_NOT_A_FILE, "is a folder, but a file was expected", rel)
    try:
        text = path.read_text(encoding="utf-8")
        descriptor = json.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        return None, Problem(rules.SCHEMAS_UNREADABLE, f"cannot be read: {exc}", rel)
    except json.JSONDecodeError as exc:
        return None, Problem(rules.SCHEMAS_JSON, f"is not valid JSON: {exc.msg}", rel, line=exc.lineno)
    fields = descriptor.get("fields") if isinstance(descriptor, dict) else None
    if not isinstance(fields, list) or not all(isinstance(f, dict) and isinstance(f.get("name"), str)
                                                 for f in fields):
        return None, Problem(rules.SCHEMAS_FIELDS, "needs a list of fields, each with a name", rel, line=1)
    if not isinstance(descriptor.get("primaryKey"), list):
        return None, Problem(rules.SCHEMAS_FIELDS, "needs a primaryKey list", rel, line=1)
    lists = descriptor.get(LIST_ROLES, {})
    if not isinstance(lists, dict):
        return None, Problem(rules.SCHEMAS_ROLES, f"{LIST_ROLES} must map list keys to their roles", rel, line=1)
    declared = [(f["name"], f.get(ROLES, [])) for f in fields] + list(lists.items())
    for name, roles in declared:
        problem = _roles_problem(roles)
        if problem:
            return None, Problem(rules.SCHEMAS_ROLES, f"field {name!r}: {problem}", rel, line=_line_of(text, name),
                                 hint="known roles: " + ", ".join(sorted(ROLE_NAMES)))
    return descriptor, None


def _line_of(text: str, name: str) -> int:
    """The line that names a field (``"name": "x"``) or a list (``"x": [``) in a schema's text; 1 if none."""
    for number, line in enumerate(text.splitlines(), start=1):
        if f'"name": "{name}"' in line or line.strip().startswith(f'"{name}": ['):
            return number
    return 1


def without_roles(descriptor: dict) -> dict:
    """A copy of a Table Schema without the roles: they steer this project's own code, and
    the published package keeps to the Table Schema standard's properties and its own."""
    out = {k: v for k, v in descriptor.items() if k != LIST_ROLES}
    out["fields"] = [{k: v for k, v in f.items() if k != ROLES} for f in descriptor["fields"]]
    return out


def _roles_problem(roles) -> str | None:
    """What is wrong with a field's declared roles, or None."""
    if not isinstance(roles, list):
        return "roles must be a list"
    for role in roles:
        if isinstance(role, dict):
            if len(role) < 1 or next(iter(role)) not in ("facet", "sort", "topic"):
                return f"unknown role {role!r}"
            key = next(iter(role))
            if not isinstance(role[key], (str, int)) or not isinstance(role.get("order", 0), int):
                return f"role {key!r} needs a name"
        elif role not in ROLE_NAMES or role in ("facet", "sort", "topic"):
            return f"unknown role {role!r}"
    return None


@dataclass(frozen=True)
class FieldRoles:
    """What one key of a record is for, as its Table Schema declares it."""

    key: str  # the record's YAML key: a main-table column, a list, or a column of a list's items
    roles: frozenset[str]
    vocabulary: str | None = None  # its codes' vocabulary (a list of codes: the list's)
    is_list: bool = False  # a list of values (rows of a child table)
    facet: str | None = None  # the directory filter's name
    facet_order: int = 0
    sort: str | None = None  # the sort key's name
    topic_order: int | None = None
    type: str = "string"

    def has(self, role: str) -> bool:
        return role in self.roles


def _field_roles(key: str, declared: list, **kwargs) -> FieldRoles:
    names, extra = set(), {}
    for role in declared:
        if isinstance(role, dict):
            kind = next(iter(role))
            names.add(kind)
            if kind == "facet":
                extra.update(facet=role["facet"], facet_order=role.get("order", 0))
            elif kind == "sort":
                extra["sort"] = role["sort"]
            else:
                extra["topic_order"] = role["topic"]
        else:
            names.add(role)
    return FieldRoles(key, frozenset(names), **kwargs, **extra)


class Schemas:
    """The Table Schemas of the project, read once."""

    def __init__(self, project: Project):
        self.project = project

    @cached_property
    def descriptors(self) -> dict[str, dict]:
        """Every table's schema; raises :class:`SchemaError` naming each file that cannot serve."""
        out, problems = {}, []
        for name in TABLE_ORDER:
            descriptor, problem = _read_schema(self.project, name)
            if problem:
                problems.append(problem)
            else:
                out[name] = descriptor
        if problems:
            raise SchemaError(problems)
        return out

    def fields(self, table: str) -> list[dict]:
        return self.descriptors[table]["fields"]

    def columns(self, table: str) -> list[str]:
        return [f["name"] for f in self.fields(table)]

    def field(self, table: str, column: str) -> dict:
        for f in self.fields(table):
            if f["name"] == column:
                return f
        raise KeyError(column)

    def record_keys(self, dataset: str) -> list[str]:
        """Every key a record of this dataset may have."""
        layout = LAYOUT[dataset]
        return self.columns(layout.main) + [c.key for c in layout.children]

    def roles(self, dataset: str) -> list[FieldRoles]:
        """What each key of a record of ``dataset`` is for: the main table's columns in
        their order, then the record's lists in the order the schema declares them."""
        return list(self._all_roles[dataset])

    @cached_property
    def _all_roles(self) -> dict[str, tuple[FieldRoles, ...]]:
        return {dataset: tuple(self._read_roles(dataset)) for dataset in LAYOUT}

    def _read_roles(self, dataset: str) -> list[FieldRoles]:
        layout = LAYOUT[dataset]
        out = [_field_roles(f["name"], f.get(ROLES, []), vocabulary=f.get("vocabulary"), type=f.get("type", "string"))
               for f in self.fields(layout.main)]
        children = {c.key: c for c in layout.children}
        for key, declared in self.descriptors[layout.main].get(LIST_ROLES, {}).items():
            child = children.get(key)
            vocabulary = dict(child.fixed).get("vocabulary", key) if child and child.column == "code" else None
            out.append(_field_roles(key, declared, vocabulary=vocabulary, is_list=True))
        return out

    def with_role(self, dataset: str, role: str) -> list[FieldRoles]:
        """The keys of a record of ``dataset`` that have ``role``, in the schema's order."""
        return [f for f in self.roles(dataset) if f.has(role)]

    def keys_with_role(self, role: str) -> set[str]:
        """Every YAML key, in any record or list item, whose field has ``role`` (the text rules
        look at a value's own key only)."""
        out = set()
        for dataset, layout in LAYOUT.items():
            out.update(f.key for f in self.with_role(dataset, role))
            for child in layout.children:
                if child.is_mapping:
                    out.update(f["name"] for f in self.fields(child.table) if role in _role_names(f.get(ROLES, [])))
        return out

    def facets(self) -> list[FieldRoles]:
        """The directory's filters, in their order: the organizations' fields with a facet role."""
        facets = self.with_role("organizations", "facet")
        return sorted(facets, key=lambda f: f.facet_order)

    def item_keys(self, child: Child, layout: Layout) -> list[str]:
        """The keys of one item of a list of mappings."""
        return [c for c in self.columns(child.table) if c != layout.parent_column and c not in FILLED]


def _role_names(declared: list) -> set[str]:
    return {next(iter(r)) if isinstance(r, dict) else r for r in declared}


@dataclass(frozen=True, slots=True)  # one per table row: slots halve their memory
class Origin:
    """Where a table row came from: a YAML file and the path of the row in it, or a CSV line."""

    file: str
    prefix: tuple = ()
    kind: str = "main"  # main | mapping | scalar | csv
    line: int | None = None
    item_column: str | None = None  # for kind "scalar": the column holding the item

    def path(self, column: str | None) -> tuple:
        if self.kind in ("main", "mapping"):
            return self.prefix + ((column,) if column else ())
        if self.kind == "scalar":
            return self.prefix if column in (None, self.item_column) else self.prefix[:1]
        return (column,) if column else ()


@dataclass
class Table:
    name: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    origins: list[Origin] = field(default_factory=list)

    def add(self, row: list, origin: Origin) -> None:
        self.rows.append(row)
        self.origins.append(origin)

    def dicts(self) -> list[dict]:
        return [dict(zip(self.columns, row)) for row in self.rows]


def record_tables(schemas: Schemas, records: dict[str, list[Record]]) -> dict[str, Table]:
    """Rows of every record table. Values are as the YAML gave them; checks come after.

    Items that cannot be rows (a list that is not a list, an item that is not a
    mapping) are skipped here and reported by the structure checks.
    """
    tables = {name: Table(name, schemas.columns(name)) for name in TABLE_ORDER}
    for dataset, layout in LAYOUT.items():
        main = tables[layout.main]
        for rec in records.get(dataset, ()):
            data = rec.data
            main.add([data.get(c) for c in main.columns], Origin(rec.file))
            for child in layout.children:
                items = data.get(child.key)
                if not isinstance(items, list):
                    continue
                table = tables[child.table]
                fixed = dict(child.fixed)
                for i, item in enumerate(items):
                    if child.is_mapping:
                        if not isinstance(item, dict):
                            continue
                        values = {**item, layout.parent_column: rec.id, POSITION: i + 1}
                        origin = Origin(rec.file, (child.key, i), "mapping")
                    else:
                        values = {**fixed, layout.parent_column: rec.id, child.column: item}
                        origin = Origin(rec.file, (child.key, i), "scalar", item_column=child.column)
                    with_term(values, table.columns)
                    table.add([values.get(c) for c in table.columns], origin)
    return tables


#: A reference table larger than this is refused: the divisions a project uses fit in a few megabytes.
MAX_CSV_BYTES = 64 * 1024 * 1024


def read_csv_table(project: Project, schemas: Schemas, name: str, path: Path) -> tuple[Table, list[Problem]]:
    """A reference table kept as CSV in the sources (the divisions table). A file that cannot
    be read as UTF-8 CSV gives an empty table and a problem naming the line."""
    table = Table(name, schemas.columns(name))
    rel = project.relative(path)
    if not path.is_file():
        return table, []
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        return table, [Problem(rules.CSV_TOO_LARGE, f"file is {size:,} bytes; the limit is {MAX_CSV_BYTES:,}", rel)]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return table, [Problem(rules.CSV_ENCODING, f"byte {exc.start} is not UTF-8", rel,
                               line=raw[: exc.start].count(b"\n") + 1, hint="save the file as UTF-8")]
    if "\x00" in text:
        return table, [Problem(rules.CSV_ENCODING, "file contains a NUL byte", rel,
                               line=text[: text.index("\x00")].count("\n") + 1)]
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    done = 0  # lines read up to the end of the last whole row: a broken row starts after them
    try:
        reader.fieldnames  # noqa: B018 - reads the header
        done = reader.line_num
        for i, row in enumerate(reader):
            table.add([row.get(c) or None for c in table.columns], Origin(rel, kind="csv", line=i + 2))
            done = reader.line_num
    except csv.Error as exc:  # an unclosed quote, a cell longer than the csv module's field limit
        return Table(name, schemas.columns(name)), [Problem(rules.CSV_SYNTAX, f"cannot be read as CSV: {exc}", rel,
                                                             line=done + 1)]
    return table, []


def typed(value: Any, type_: str) -> Any:
    """A checked cell value in its published Python type (YAML may give "2020" for a year)."""
    if value is None or value == "":
        return None
    if type_ == "integer":
        return int(value)
    if type_ == "number":
        number = float(value) if not isinstance(value, (int, float)) else value
        return int(number) if isinstance(number, float) and number.is_integer() else number
    if type_ == "date":
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return value if isinstance(value, str) else str(value)
