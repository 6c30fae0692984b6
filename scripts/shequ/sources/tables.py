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
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from shequ.project import Project
from shequ.report import Problem
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


class SchemaError(Exception):
    """A Table Schema is missing or unreadable: nothing else can be checked without it."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.text() for p in problems))
        self.problems = problems


def _read_schema(project: Project, name: str) -> tuple[dict | None, Problem | None]:
    path = project.schemas / f"{name}.schema.json"
    rel = project.relative(path)
    if path.is_symlink():
        return None, Problem("files.symlink", "symbolic links are not allowed in datasets/", rel,
                             hint="replace the link with the file itself")
    if not path.exists():
        return None, Problem("schemas.missing", "the Table Schema is missing", rel,
                             hint="restore it from the repository")
    if not path.is_file():
        return None, Problem("files.not-a-file", "is a folder, but a file was expected", rel)
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return None, Problem("schemas.unreadable", f"cannot be read: {exc}", rel)
    except json.JSONDecodeError as exc:
        return None, Problem("schemas.json", f"is not valid JSON: {exc.msg}", rel, line=exc.lineno)
    fields = descriptor.get("fields") if isinstance(descriptor, dict) else None
    if not isinstance(fields, list) or not all(isinstance(f, dict) and isinstance(f.get("name"), str)
                                                 for f in fields):
        return None, Problem("schemas.fields", "needs a list of fields, each with a name", rel, line=1)
    if not isinstance(descriptor.get("primaryKey"), list):
        return None, Problem("schemas.fields", "needs a primaryKey list", rel, line=1)
    return descriptor, None


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

    def item_keys(self, child: Child, layout: Layout) -> list[str]:
        """The keys of one item of a list of mappings."""
        return [c for c in self.columns(child.table) if c not in (layout.parent_column, POSITION)]


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
                    table.add([values.get(c) for c in table.columns], origin)
    return tables


def read_csv_table(project: Project, schemas: Schemas, name: str, path: Path) -> Table:
    """A reference table kept as CSV in the sources (the divisions table)."""
    table = Table(name, schemas.columns(name))
    rel = project.relative(path)
    if not path.is_file():
        return table
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        for i, row in enumerate(reader):
            table.add([row.get(c) or None for c in table.columns], Origin(rel, kind="csv", line=i + 2))
    return table


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
