"""Privacy rules: this is organizational data only, so no value may carry a personal
mobile number or a resident identity number (checked with ``stdnum.cn.ric``)."""

from __future__ import annotations

import re
from typing import Iterator

from stdnum.cn import ric

from shequ import rules
from shequ.sources.load import Sources
from shequ.report import Problem
from shequ.checks.text import leaves, strings, walk

# Digits or letters on either side mean the match is part of a longer code
# (a USCC, an account number), not a phone number or an identity number.
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9][0-9](?:[ -]?[0-9]){8}(?![0-9A-Za-z])")
IDENTITY = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
# One search finds a value that may be either; only such records are looked at value by value.
_SUSPECT = re.compile(f"{MOBILE.pattern}|{IDENTITY.pattern}")


def _suspect(value) -> bool:
    return _SUSPECT.search(value if isinstance(value, str) else str(value)) is not None


def _texts_and_numbers(data: dict) -> Iterator[tuple[tuple, str]]:
    """Every string, and every whole number as its digits: an identity number typed
    into a numeric field (an amount, a capacity) is still personal data."""
    yield from strings(data)
    for path, number in leaves(data, _is_whole_number):
        yield path, str(number)


def _is_whole_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check(sources: Sources) -> Iterator[Problem]:
    for records in sources.records.values():
        for rec in records:
            if not walk(rec.data, _suspect):
                continue
            for path, value in _texts_and_numbers(rec.data):
                if MOBILE.search(value):
                    yield Problem(rules.PRIVACY_MOBILE, "looks like a personal mobile number", rec.file, path,
                                  hint="publish only an organization's landline or service number")
                for candidate in IDENTITY.findall(value):
                    if ric.is_valid(candidate):
                        yield Problem(rules.PRIVACY_IDENTITY_NUMBER, "contains a resident identity number", rec.file,
                                      path, hint="remove it: personal data is never published")
                        break
