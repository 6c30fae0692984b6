"""Text rules for every string value of every published source (records, package.yaml,
CITATION.cff, vocabularies, policy documents, the glossary, the divisions table): nothing a
spreadsheet would run as a formula, no invisible characters that hide or reorder text, and
no value that shows as blank."""

from __future__ import annotations

import re
import unicodedata
from typing import Iterator

from shequ import rules
from shequ.sources.load import Sources
from shequ.report import WARNING, Problem
from shequ.sources.yamlfiles import INVISIBLE

# Spreadsheets treat a cell starting with one of these as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTROL = {chr(c) for c in range(32)} - {"\n", "\t"}
_CONTROL = re.compile("[" + "".join(f"\\x{ord(c):02x}" for c in sorted(CONTROL)) + "]")
# Characters that set the order text is shown in. An override forces an order against the
# letters' own direction; in text with no right-to-left letters, any of them can only make
# the page show something other than what is stored (Trojan Source). Text in Arabic script
# (Uyghur) or Hebrew may need the marks and isolates, and keeps them as a warning.
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_OVERRIDE = re.compile("[\u202d\u202e]")
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]")
# What shows as nothing: white space (U+3000 and the other spaces), fillers (U+3164 Hangul
# filler, U+2800 Braille blank…), format and control characters, combining marks with no
# letter to sit on, variation selectors and tags.
_BLANK = re.compile("[\\s\x00-\x1f\x7f-\xa0\xad\u034f\u0300-\u036f\u115f\u1160\u17b4\u17b5\u180b-\u180f"
                    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb"
                    "\U0001bca0-\U0001bca3\U000e0000-\U000e007f\U000e0100-\U000e01ef]*")
# One search finds a value that may break a rule; only such records are looked at value by value.
_SUSPECT = re.compile(f"{INVISIBLE.pattern}|{_CONTROL.pattern}|{BIDI.pattern}")


def reorders(value: str) -> bool:
    """True if a direction control in ``value`` can make it display other than it is stored."""
    if _OVERRIDE.search(value):
        return True
    return BIDI.search(value) is not None and _RIGHT_TO_LEFT.search(value) is None


def is_blank(value: str) -> bool:
    """True for text that is not empty but that a reader sees as blank ('\u3164', '\u3000\u200b')."""
    return value != "" and (_BLANK.fullmatch(value) is not None
                            or all(unicodedata.category(c)[0] in "ZCM" for c in value))


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
    return isinstance(value, str) and (value.startswith(FORMULA_START) or _SUSPECT.search(value) is not None
                                       or (value != "" and _BLANK.match(value).end() > 0))


def _field(path: tuple) -> str:
    names = [p for p in path if isinstance(p, str)]
    return names[-1] if names else ""


def text_problems(value: str, *, name: bool = False, formatted: bool = False,
                  characters: bool = True) -> Iterator[tuple[str, str, str, str]]:
    """(rule, message, severity, hint) for what is wrong with one text value. ``name``: a hidden
    character is an error; ``formatted``: a leading '+' or '-' belongs to the value's pattern;
    ``characters=False`` leaves hidden and control characters to a source's own rule."""
    if value.startswith(FORMULA_START) and not formatted:
        yield (rules.TEXT_FORMULA, f"starts with '{value[0]!s}', which a spreadsheet runs as a formula", "error",
               "start the text with a letter, digit or character")
    if is_blank(value):
        yield (rules.TEXT_BLANK, "shows as blank: it holds only spaces, fillers or invisible characters", "error",
               "write the text, or leave the field out")
        return
    if not characters:
        return
    hidden = INVISIBLE.search(value) or BIDI.search(value)
    if hidden:
        severity = "error" if name or reorders(value) else WARNING
        yield (rules.TEXT_INVISIBLE, "contains an invisible or direction-changing character "
               f"(U+{ord(hidden.group()):04X})", severity, "retype the text without it")
    if _CONTROL.search(value):
        yield rules.TEXT_CONTROL, "contains a control character", "error", "retype the text without it"


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
                for rule, message, severity, hint in text_problems(value, name=field in names,
                                                                   formatted=field in formatted):
                    yield Problem(rule, message, rec.file, path, severity=severity, hint=hint)
    # The other published sources; policy files report hidden characters under their own rule.
    policy = sources.policy.files
    for file, path, line, value in sources.published_values():
        if isinstance(value, str) and _suspect(value):
            for rule, message, severity, hint in text_problems(value, characters=file not in policy):
                yield Problem(rule, message, file, path, line=line, severity=severity, hint=hint)
