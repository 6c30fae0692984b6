"""Structure rules: record shape, unknown keys, and the Table Schemas checked with frictionless.

Types, required fields, patterns, lengths and ranges are all read from the
Table Schemas; this module only translates frictionless's findings back to the
YAML file, field and line they came from.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import OrderedDict
from functools import partial
from typing import Callable, Iterable, Iterator

from frictionless import Resource, Schema

from shequ import rules
from shequ.sources.load import Sources
from shequ.report import Problem, did_you_mean
from shequ.sources.tables import FILLED, LAYOUT

_CONSTRAINT = re.compile(r'constraint "(\w+)" is "(.*)"', re.S)


def check(sources: Sources) -> Iterator[Problem]:
    for job, _ in jobs(sources):
        yield from job(sources)


def jobs(sources: Sources) -> list[tuple[Callable[[Sources], Iterable[Problem]], int]]:
    """The structure checks as independent jobs, each with its size in rows.

    Each table is validated on its own, so large projects can spread the tables
    over several processes.
    """
    out = [(_shape, sum(len(r) for r in sources.records.values()))]
    for name, table in sources.tables.items():
        out.append((partial(_frictionless, name=name), len(table.rows)))
    return out


def _shape(sources: Sources) -> Iterator[Problem]:
    schemas = sources.schemas
    for dataset, layout in LAYOUT.items():
        allowed = schemas.record_keys(dataset)
        for rec in sources.records[dataset]:
            for key in rec.data:
                if key not in allowed:
                    yield Problem(rules.STRUCTURE_UNKNOWN_KEY, f"unknown field '{key}'", rec.file, (key,),
                                  hint=did_you_mean(key, allowed) or f"known fields: {', '.join(allowed)}")
            for child in layout.children:
                items = rec.data.get(child.key)
                if items is None:
                    if child.min_items:
                        yield Problem(rules.STRUCTURE_REQUIRED, f"is required: give at least {child.min_items}",
                                      rec.file, (child.key,))
                    continue
                if not isinstance(items, list):
                    yield Problem(rules.STRUCTURE_NOT_A_LIST, "must be a list", rec.file, (child.key,),
                                  hint=f"write it as '{child.key}: [...]' or as '- ' items below the key")
                    continue
                if len(items) < child.min_items:
                    yield Problem(rules.STRUCTURE_REQUIRED, f"needs at least {child.min_items} item",
                                  rec.file, (child.key,))
                if child.is_mapping:
                    keys = schemas.item_keys(child, layout)
                    for i, item in enumerate(items):
                        if not isinstance(item, dict):
                            yield Problem(rules.STRUCTURE_ITEM_NOT_MAPPING, f"must be a mapping with {', '.join(keys)}",
                                          rec.file, (child.key, i))
                            continue
                        for key in item:
                            if key not in keys:
                                yield Problem(rules.STRUCTURE_UNKNOWN_KEY, f"unknown field '{key}'", rec.file,
                                              (child.key, i, key),
                                              hint=did_you_mean(str(key), keys) or f"known fields: {', '.join(keys)}")


def _frictionless(sources: Sources, name: str) -> Iterator[Problem]:
    table = sources.tables[name]
    if not table.rows:
        return
    descriptor = dict(sources.schemas.descriptors[name])
    # References are checked by the references rules, with better messages.
    descriptor.pop("foreignKeys", None)
    parent_columns = {layout.parent_column for layout in LAYOUT.values()}
    for error in _findings(descriptor, table.columns, table.rows):
        row_number = getattr(error, "row_number", None)
        if row_number is None:
            yield Problem(rules.STRUCTURE_TABLE, error.message, name)
            continue
        origin = table.origins[row_number - 2]
        column = getattr(error, "field_name", None)
        if column in parent_columns or column in FILLED:
            continue  # a bad record id, vocabulary or code is reported once, where it was written
        path = origin.path(column)
        if origin.kind == "csv":
            path = (column,) if column else ()
        field = sources.schemas.field(name, column) if column else None
        problem = _translate(error, field, origin.file, path, origin.line)
        if problem:
            yield problem
    # frictionless takes .inf, 'Infinity' and 1e999 as numbers; no amount is infinite, and
    # publishing one broke the XLSX and JSON files with a traceback.
    for index, field in enumerate(descriptor["fields"]):
        if field["type"] != "number":
            continue
        for row, origin in zip(table.rows, table.origins):
            try:
                finite = math.isfinite(float(row[index]))
            except (TypeError, ValueError, OverflowError):
                continue  # missing, or not a number: the type rule says so
            if not finite:
                yield Problem(rules.STRUCTURE_TYPE, f"'{_short(row[index])}' is not a finite number", origin.file,
                              origin.path(field["name"]), line=origin.line, hint="write the amount in digits")


#: frictionless's findings per table, by the digest of its schema and cells. Most of a small
#: project's validation is frictionless reading each schema, not its rows; a ``serve`` rebuild,
#: or a maintainer's tool that validates again, re-checks only the tables whose cells changed.
_FINDINGS: OrderedDict[str, list] = OrderedDict()
_FINDINGS_KEPT = 64


def _findings(descriptor: dict, columns: list[str], rows: list[list]) -> list:
    digest = hashlib.sha256(json.dumps(descriptor, sort_keys=True, ensure_ascii=False).encode())
    digest.update(repr(columns).encode())
    for row in rows:  # repr tells 12 from '12' and a date from its text, as frictionless does
        digest.update(repr(row).encode())
    key = digest.hexdigest()
    if key in _FINDINGS:
        _FINDINGS.move_to_end(key)
        return _FINDINGS[key]
    resource = Resource(data=[columns, *rows], schema=Schema.from_descriptor(descriptor))
    report = resource.validate(limit_errors=1_000_000)
    found = list(report.tasks[0].errors) if report.tasks else []
    _FINDINGS[key] = found
    if len(_FINDINGS) > _FINDINGS_KEPT:
        _FINDINGS.popitem(last=False)
    return found


def _translate(error, field: dict | None, file: str, path: tuple, line: int | None) -> Problem | None:
    cell = getattr(error, "cell", None)
    if error.type == "primary-key":
        if "None" in (error.note or ""):
            return None  # an empty key: the required rule reports the missing value
        return Problem(rules.STRUCTURE_DUPLICATE, "is listed twice", file, path, line=line,
                       hint="remove the repeated entry")
    if error.type == "type-error":
        type_ = field["type"]
        hint = None
        if field.get("format") in ("email", "uri") and isinstance(cell, str):
            what = "an email address" if field["format"] == "email" else "a URL"
            rule = rules.STRUCTURE_EMAIL if field["format"] == "email" else rules.STRUCTURE_URI
            return Problem(rule, f"'{_short(cell)}' is not {what}", file, path,
                           line=line)
        if type_ == "string" and isinstance(cell, str) and cell.isdigit():
            hint = "write it in quotes, e.g. \"" + cell + "\""
        elif type_ == "date":
            hint = "write dates as YYYY-MM-DD"
        expected = {"string": "text", "date": "a date (YYYY-MM-DD)", "integer": "a whole number",
                    "number": "a number"}.get(type_, type_)
        return Problem(rules.STRUCTURE_TYPE, f"'{_short(cell)}' is not {expected}", file, path, line=line, hint=hint)
    if error.type == "constraint-error":
        match = _CONSTRAINT.search(error.note or "")
        constraint, limit = (match.group(1), match.group(2)) if match else ("constraint", "")
        if constraint == "required":
            return Problem(rules.STRUCTURE_REQUIRED, "is required", file, path, line=line,
                           hint=field.get("description") if field else None)
        if field and field.get("format") == "uri" and constraint == "pattern":
            if isinstance(cell, str) and cell.lower().startswith(("http://", "https://")):
                return Problem(rules.URLS_SCHEME, f"'{_short(cell)}' contains a space", file, path, line=line,
                               hint="write spaces in a URL as %20")
            return Problem(rules.URLS_SCHEME, f"'{_short(cell)}' is not an http(s) URL", file, path, line=line,
                           hint="only http:// and https:// links are allowed")
        messages = {
            "pattern": f"'{_short(cell)}' does not have the expected form",
            "maxLength": f"is longer than {limit} characters",
            "minLength": f"is shorter than {limit} characters",
            "minimum": f"{_short(cell)} is less than {limit}",
            "maximum": f"{_short(cell)} is more than {limit}",
            "enum": f"'{_short(cell)}' is not one of {limit}",
        }
        hint = f"expected pattern {limit}" if constraint == "pattern" else None
        return Problem(_CONSTRAINT_RULES.get(constraint, rules.STRUCTURE_CONSTRAINT),
                       messages.get(constraint, error.note), file, path,
                       line=line, hint=hint)
    return Problem(_ROW_ERROR_RULES.get(error.type, rules.STRUCTURE_TABLE), error.message, file, path, line=line)


_ROW_ERROR_RULES = {"blank-row": rules.STRUCTURE_BLANK_ROW}
_CONSTRAINT_RULES = {
    "pattern": rules.STRUCTURE_PATTERN, "maxLength": rules.STRUCTURE_MAXLENGTH,
    "minLength": rules.STRUCTURE_MINLENGTH, "minimum": rules.STRUCTURE_MINIMUM,
    "maximum": rules.STRUCTURE_MAXIMUM, "enum": rules.STRUCTURE_ENUM,
}


def _short(value, limit: int = 60) -> str:
    # One problem, one line: line breaks inside a value are shown, not printed.
    text = str(value).replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= limit else text[:limit] + "…"
