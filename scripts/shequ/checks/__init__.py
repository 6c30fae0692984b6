"""The check stage: every rule family run over the loaded sources.

Each module owns one family of rules and exposes ``check(sources)``, yielding
:class:`~shequ.report.Problem` objects with a stable rule id. Lines are looked
up only for the files that have problems.
"""

from __future__ import annotations

from ..load import Sources
from ..report import Report
from ..sources import LineFinder
from . import dates, divisions, identifiers, privacy, references, structure, text, uscc, vocabularies

#: Rule families in the order they run; structure first, as later rules assume its shapes.
FAMILIES = (structure, identifiers, uscc, divisions, references, dates, vocabularies, privacy, text)


def run(sources: Sources) -> Report:
    report = Report(list(sources.problems))
    for family in FAMILIES:
        report.extend(family.check(sources))
    LineFinder(sources.project.root).fill(report.problems)
    return report
