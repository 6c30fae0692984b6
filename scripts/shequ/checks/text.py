"""Text rules for every string value: nothing a spreadsheet would run as a formula,
and no invisible characters that hide or reorder text."""

from __future__ import annotations

from typing import Iterator

from ..load import Sources
from ..report import WARNING, Problem
from ..sources import INVISIBLE

# Spreadsheets treat a cell starting with one of these as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Fields whose own pattern already fixes their form ('+86 10 …' is a phone number).
PATTERN_FIELDS = {"phone", "uscc", "division", "website", "email", "url"}
NAME_FIELDS = {"name", "name_en", "alternate_names", "operator", "host_body", "provider", "title"}
CONTROL = {chr(c) for c in range(32)} - {"\n", "\t"}


def strings(value, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Every string in a record, with its path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from strings(item, path + (i,))


def _field(path: tuple) -> str:
    names = [p for p in path if isinstance(p, str)]
    return names[-1] if names else ""


def check(sources: Sources) -> Iterator[Problem]:
    for records in sources.records.values():
        for rec in records:
            for path, value in strings(rec.data):
                field = _field(path)
                if value.startswith(FORMULA_START) and field not in PATTERN_FIELDS:
                    yield Problem("text.formula", f"starts with '{value[0]!s}', which a spreadsheet runs as a formula",
                                  rec.file, path, hint="start the text with a letter, digit or character")
                if INVISIBLE.search(value):
                    yield Problem("text.invisible", "contains an invisible or direction-changing character "
                                  f"(U+{ord(INVISIBLE.search(value).group()):04X})", rec.file, path,
                                  severity="error" if field in NAME_FIELDS else WARNING,
                                  hint="retype the text without it")
                if any(c in CONTROL for c in value):
                    yield Problem("text.control", "contains a control character", rec.file, path,
                                  hint="retype the text without it")
