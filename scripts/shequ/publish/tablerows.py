"""Read the published tables as records, for the exports that reshape them (HSDS, 360Giving,
Parquet): rows by field name, child rows grouped by organization, labels of codes, and the
chain of divisions above a code."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator


def records(table) -> Iterator[dict]:
    """Each row of a published table as a dict keyed by field name, in the table's order."""
    names = [f["name"] for f in table.schema["fields"]]
    for row in table.rows:
        yield dict(zip(names, row))


def by_organization(table) -> dict[str, list[dict]]:
    """The rows of a table keyed by ``organization_id``, each list in the table's order."""
    grouped: dict[str, list[dict]] = defaultdict(list)
    for record in records(table):
        grouped[record["organization_id"]].append(record)
    return grouped


class Labels:
    """The English and Chinese labels of each vocabulary term."""

    def __init__(self, vocabulary_terms):
        self._terms = {(r["vocabulary"], r["code"]): r for r in records(vocabulary_terms)}

    def en(self, vocabulary: str, code: str) -> str:
        term = self._terms.get((vocabulary, code))
        return (term.get("label_en") or code) if term else code

    def zh(self, vocabulary: str, code: str) -> str:
        term = self._terms.get((vocabulary, code))
        return (term.get("label_zh") or code) if term else code


class Divisions:
    """Names and levels of the administrative divisions, and the chain above each code."""

    def __init__(self, divisions):
        self._by_code = {r["code"]: r for r in records(divisions)}

    def chain(self, code: str | None) -> dict[str, dict]:
        """The division of ``code`` and those above it, by level (province, prefecture,
        county, township): ``{"province": {"code": "31", "name": "上海市", ...}, ...}``."""
        found: dict[str, dict] = {}
        seen = set()
        while code and code not in seen and code in self._by_code:
            seen.add(code)
            record = self._by_code[code]
            found[record["level"]] = record
            code = record.get("parent")
        return found

    def name(self, code: str | None) -> str | None:
        record = self._by_code.get(code or "")
        return record["name"] if record else None


def province_code(division: str | None) -> str:
    """The 2-digit province code every division code starts with ("" for none)."""
    return (division or "")[:2]
