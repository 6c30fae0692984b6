"""Division rules: every division code in the data is in the project's divisions table,
and the table itself is consistent (levels match code lengths, parents exist)."""

from __future__ import annotations

from typing import Iterator

from shequ import rules
from shequ.sources.load import Sources
from shequ.sources.romanize import english_name
from shequ.report import Problem

LEVEL_OF_LENGTH = {2: "province", 4: "prefecture", 6: "county", 9: "township"}
PARENT_LENGTH = {4: 2, 6: 4, 9: 6}


def check(sources: Sources) -> Iterator[Problem]:
    table = sources.tables["divisions"]
    place_names = sources.place_names
    for row, origin in zip(table.rows, table.origins):
        code, name, level, parent, name_en = row[:5]
        if name in place_names and (name_en or "") != english_name(name, place_names):
            yield Problem(rules.PLACE_NAMES_NOT_APPLIED,
                          f"{name} is listed in datasets/reference/place_names.yaml as "
                          f"{english_name(name, place_names)!r}, but the table has {name_en or 'no English name'!r}",
                          origin.file, ("name_en",), line=origin.line,
                          hint="run 'shequ divisions import' with the official lists to apply the list")
        urban, rural = row[5:7]
        if not code or not code.isdigit() or len(code) not in LEVEL_OF_LENGTH:
            continue  # reported by the structure rules
        if (urban or rural) and len(code) != 9:
            yield Problem(rules.DIVISIONS_COMMUNITIES, f"{code} is not a township, so it has no community counts",
                          origin.file, ("urban_communities",), line=origin.line,
                          hint="leave the counts empty; 'shequ divisions import' fills them for townships")
        elif bool(urban) != bool(rural):
            yield Problem(rules.DIVISIONS_COMMUNITIES, "give both urban_communities and rural_communities, or neither",
                          origin.file, ("urban_communities" if not urban else "rural_communities",), line=origin.line)
        if level != LEVEL_OF_LENGTH[len(code)]:
            yield Problem(rules.DIVISIONS_LEVEL, f"a {len(code)}-digit code is a {LEVEL_OF_LENGTH[len(code)]}, "
                          f"not a {level}", origin.file, ("level",), line=origin.line)
        expected_parent = code[: PARENT_LENGTH[len(code)]] if len(code) in PARENT_LENGTH else None
        if parent != expected_parent:
            yield Problem(rules.DIVISIONS_PARENT, f"parent of {code} is {parent or 'empty'}, expected "
                          f"{expected_parent or 'empty'}", origin.file, ("parent",), line=origin.line)
        elif parent and parent not in sources.divisions:
            yield Problem(rules.DIVISIONS_PARENT, f"parent {parent} is not in the table", origin.file, ("parent",),
                          line=origin.line, hint="run 'shequ divisions import' to add it")
    for dataset, records in sources.records.items():
        for rec in records:
            code = rec.data.get("division")
            if isinstance(code, str) and code.isdigit() and code not in sources.divisions:
                yield Problem(rules.DIVISIONS_UNKNOWN, f"{code} is not in the divisions table", rec.file, ("division",),
                              hint="check the code, or add it with 'shequ divisions import'")
