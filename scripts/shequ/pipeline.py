"""The stages run in order: what the CLI and the MkDocs plugin both call."""

from __future__ import annotations

from pathlib import Path

from . import checks
from .load import Sources, load
from .project import Project
from .publish import PublishResult, publish
from .report import Report
from .tables import SchemaError


class InvalidSources(Exception):
    """The sources have errors; nothing was written."""

    def __init__(self, report: Report):
        super().__init__(report.summary())
        self.report = report


def validate(project: Project) -> tuple[Sources | None, Report]:
    """Load and check the sources. Without usable Table Schemas nothing else can be
    checked: the report then names the schema files, and there are no sources."""
    try:
        sources = load(project)
    except SchemaError as exc:
        return None, Report(exc.problems)
    return sources, checks.run(sources)


def publish_package(project: Project, out: Path) -> tuple[PublishResult, Report]:
    sources, report = validate(project)
    if not report.valid:
        raise InvalidSources(report)
    return publish(sources, out), report
