"""Identifier rules: a record's id follows the pattern, equals its file name, and is unique."""

from __future__ import annotations

import re
from typing import Iterator

from shequ import rules
from shequ.sources.load import Sources
from shequ.report import Problem

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{2,63}$")


def check(sources: Sources) -> Iterator[Problem]:
    for dataset, records in sources.records.items():
        seen: dict[str, str] = {}
        for rec in records:
            if not ID_PATTERN.match(rec.id):
                yield Problem(rules.IDS_FILE_NAME, f"file name '{rec.id}.yaml' is not a valid id", rec.file,
                              hint="use lowercase letters, digits and hyphens, 3 to 64 characters")
            value = rec.data.get("id")
            if value is not None and value != rec.id:
                yield Problem(rules.IDS_FILE_NAME, f"id '{value}' does not match the file name '{rec.id}.yaml'",
                              rec.file, ("id",), hint=f"rename the file to '{value}.yaml' or set id: {rec.id}")
            # Ids are file names, so exact duplicates cannot exist; on case-insensitive
            # file systems (macOS, Windows) ids that differ only in case would collide.
            folded = rec.id.lower()
            if folded in seen:
                yield Problem(rules.IDS_DUPLICATE, f"id '{rec.id}' is also used by {seen[folded]}", rec.file, ("id",))
            else:
                seen[folded] = rec.file
