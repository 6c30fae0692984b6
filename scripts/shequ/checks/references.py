"""Reference rules: fields that name another record point to one that exists."""

from __future__ import annotations

from typing import Iterator

from shequ import rules
from shequ.sources.load import Sources
from shequ.report import Problem, did_you_mean


def check(sources: Sources) -> Iterator[Problem]:
    incubators = sources.by_id("incubators")
    for rec in sources.records["organizations"]:
        ref = rec.data.get("incubated_by")
        if isinstance(ref, str) and ref not in incubators:
            yield Problem(rules.REFERENCES_INCUBATOR, f"no incubator has id '{ref}'", rec.file, ("incubated_by",),
                          hint=did_you_mean(ref, list(incubators)) or "see datasets/incubators/")
        if ref is None and (rec.data.get("incubated_from") or rec.data.get("incubated_until")):
            yield Problem(rules.REFERENCES_INCUBATOR, "an incubation period is given but no incubator", rec.file,
                          ("incubated_by",), hint="add incubated_by: <incubator id>")
