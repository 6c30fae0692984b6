"""Privacy rules: this is organizational data only, so no published value may carry a
personal mobile number or a resident identity number.

Every text and whole number of every published source is looked at (records, package.yaml,
CITATION.cff, vocabularies, policy documents, the glossary, the divisions table), in the
forms people type: full-width digits (１３８…), a country prefix (+86, 0086, (86)), digits
grouped by spaces, dashes or dots (138-1234-5678), and identity numbers of 18 digits (checked
with ``stdnum.cn.ric``) or of the old 15 (birth date and place checked the same way).

What is left alone: landlines (010-6555 0123, +86 10 …: the digit after 1 is 0), a Unified
Social Credit Code (valid by ``stdnum.cn.uscc``), and a bank card written in groups of four. An old 15-digit business
registration number whose middle digits happen to form a birth date (about one in 25) is
taken for an identity number: the Unified Social Credit Code replaced it, and is the code to cite.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterator

from stdnum.cn import ric, uscc

from shequ import rules
from shequ.sources.load import Sources
from shequ.report import Problem
from shequ.checks.text import leaves, strings, walk

_SEP = r"[ \-.]"
# Not glued to a letter or digit. A number beside another one ("邮编 100020 13812345678") is
# still found; a bank card grouped 4-4-4-4 never holds 11 digits between two of its spaces.
_START = r"(?<![0-9A-Za-z])"
_END = r"(?![0-9A-Za-z])"
_PREFIX = rf"(?:\(?(?:\+|00)?86\)?{_SEP}?)?"
MOBILE = re.compile(rf"{_START}{_PREFIX}1[3-9](?:{_SEP}?[0-9]){{9}}{_END}")
# Separators are allowed between any two digits; what the digits are is decided by stdnum.
IDENTITY = re.compile(rf"{_START}[0-9](?:{_SEP}?[0-9]){{16}}{_SEP}?[0-9Xx]{_END}")
OLD_IDENTITY = re.compile(rf"{_START}[0-9](?:{_SEP}?[0-9]){{14}}{_END}")
_SEPARATORS = re.compile(_SEP)
_LEADING_PREFIX = re.compile(_PREFIX)
# Digits of any script, and the enclosed ones (①, ⑴, ⒈) that NFKC turns into digits.
_ENCLOSED = r"\u2460-\u249b\u24ea-\u24ff\u2776-\u2793"
# A value with fewer than 11 digits holds neither number: one cheap search spares the rest.
_ELEVEN_DIGITS = re.compile(rf"[\d{_ENCLOSED}](?:[^\d{_ENCLOSED}]*[\d{_ENCLOSED}]){{10}}")
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")


def typed_form(value: str) -> str:
    """The text as a check should read it: full-width and other compatibility forms folded
    (NFKC: '１３８' and '＋８６' are '138' and '+86'; an ideographic space is a space), and
    the digits of every script as ASCII digits. ASCII text is returned as it is."""
    if value.isascii():
        return value
    text = unicodedata.normalize("NFKC", value)
    return text if text.isascii() else _OTHER_DIGIT.sub(lambda m: str(unicodedata.digit(m.group())), text)


def _suspect(value) -> bool:
    return _ELEVEN_DIGITS.search(value if isinstance(value, str) else str(value)) is not None


def _one_separator(number: str) -> bool:
    """People group a number with one kind of separator (138-1234-5678, 138 1234 5678); digits
    joined by a mix of them ("16-1.11-1.47", an SVG path or a list of decimals) are not one."""
    local = number[_LEADING_PREFIX.match(number).end():]
    return len(set(_SEPARATORS.findall(local))) <= 1


def mobile_numbers(text: str) -> list[str]:
    """The personal mobile numbers written in ``text`` (in its typed form)."""
    return [m.group() for m in MOBILE.finditer(text) if _one_separator(m.group())]


def is_identity_number(candidate: str) -> bool:
    """True for an 18-digit resident identity number (check digit, birth date and place),
    or a 15-digit one of the first generation (birth date and place; it has no check digit)."""
    digits = _SEPARATORS.sub("", candidate).upper()
    if len(digits) == 15:
        digits = digits[:6] + "19" + digits[6:] + "0"
        digits = digits[:-1] + ric.calc_check_digit(digits)  # it reads the digits before the last
    return len(digits) == 18 and ric.is_valid(digits) and not uscc.is_valid(digits)


def personal_data(value: str) -> list[tuple[str, str, str]]:
    """(rule, message, hint) for each kind of personal number in a text."""
    if not _suspect(value):
        return []
    text = typed_form(value)
    out = []
    if mobile_numbers(text):
        out.append((rules.PRIVACY_MOBILE, "looks like a personal mobile number",
                    "publish only an organization's landline or service number"))
    candidates = IDENTITY.findall(text) + OLD_IDENTITY.findall(text)
    if any(is_identity_number(c) for c in candidates):
        out.append((rules.PRIVACY_IDENTITY_NUMBER, "contains a resident identity number",
                    "remove it: personal data is never published"))
    return out


def _texts_and_numbers(data) -> Iterator[tuple[tuple, str]]:
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
                for rule, message, hint in personal_data(value):
                    yield Problem(rule, message, rec.file, path, hint=hint)
    for file, path, line, value in sources.published_values():
        if isinstance(value, str) or _is_whole_number(value):
            for rule, message, hint in personal_data(str(value)):
                yield Problem(rule, message, file, path, line=line, hint=hint)
