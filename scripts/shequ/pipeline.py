"""The stages run in order: what the CLI and the MkDocs plugin both call."""

from __future__ import annotations

from pathlib import Path

from . import checks
from .load import Sources, load
from .project import Project
from .publish import PublishResult, publish
from .report import Report


class InvalidSources(Exception):
    """The sources have errors; nothing was written."""

    def __init__(self, report: Report):
        super().__init__(report.summary())
        self.report = report


def validate(project: Project) -> tuple[Sources, Report]:
    sources = load(project)
    return sources, checks.run(sources)


def publish_package(project: Project, out: Path) -> tuple[PublishResult, Report]:
    sources, report = validate(project)
    if not report.valid:
        raise InvalidSources(report)
    return publish(sources, out), report
