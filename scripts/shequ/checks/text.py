"""Text rules for every string value: nothing a spreadsheet would run as a formula,
and no invisible characters that hide or reorder text."""

from __future__ import annotations

import re
from typing import Iterator

from shequ import rules
from shequ.sources.load import Sources
from shequ.report import WARNING, Problem
from shequ.sources.yamlfiles import INVISIBLE

# Spreadsheets treat a cell starting with one of these as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTROL = {chr(c) for c in range(32)} - {"\n", "\t"}
_CONTROL = re.compile("[" + "".join(f"\\x{ord(c):02x}" for c in sorted(CONTROL)) + "]")
# One search finds a value that may break a rule; only such records are looked at value by value.
_SUSPECT = re.compile(f"{INVISIBLE.pattern}|{_CONTROL.pattern}")


def leaves(value, accept, path: tuple = ()) -> Iterator[tuple[tuple, object]]:
    """Every value in a record for which ``accept`` is true, with its path, in the record's order."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, accept, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from leaves(item, accept, path + (i,))
    elif accept(value):
        yield path, value


def _is_string(value) -> bool:
    return isinstance(value, str)


def strings(value, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Every string in a record, with its path."""
    return leaves(value, _is_string, path)


def walk(value, visit) -> bool:
    """True if ``visit`` is true of any string or whole number in a record's values.

    A flat walk, without the paths :func:`strings` builds, for the common case of a
    record with nothing to report."""
    stack = [value]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, (str, int)) and not isinstance(value, bool) and visit(value):
            return True
    return False


def _suspect(value) -> bool:
    return isinstance(value, str) and (value.startswith(FORMULA_START) or _SUSPECT.search(value) is not None)


def _field(path: tuple) -> str:
    names = [p for p in path if isinstance(p, str)]
    return names[-1] if names else ""


def check(sources: Sources) -> Iterator[Problem]:
    # Fields whose own pattern already fixes their form ('+86 10 …' is a phone number), and
    # names, where a hidden character is an error: both from the roles in the Table Schemas.
    formatted = sources.schemas.keys_with_role("formatted")
    names = sources.schemas.keys_with_role("name")
    for records in sources.records.values():
        for rec in records:
            if not walk(rec.data, _suspect):
                continue
            for path, value in strings(rec.data):
                field = _field(path)
                if value.startswith(FORMULA_START) and field not in formatted:
                    yield Problem(rules.TEXT_FORMULA, f"starts with '{value[0]!s}', which a spreadsheet runs as a formula",
                                  rec.file, path, hint="start the text with a letter, digit or character")
                if INVISIBLE.search(value):
                    yield Problem(rules.TEXT_INVISIBLE, "contains an invisible or direction-changing character "
                                  f"(U+{ord(INVISIBLE.search(value).group()):04X})", rec.file, path,
                                  severity="error" if field in names else WARNING,
                                  hint="retype the text without it")
                if _CONTROL.search(value):
                    yield Problem(rules.TEXT_CONTROL, "contains a control character", rec.file, path,
                                  hint="retype the text without it")
