"""Load, check and publish without a site: what the build core (:mod:`shequ.build.core`) runs for
``shequ validate`` and ``shequ publish``, and the publishing process for serve's checks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from shequ import atomic, checks
from shequ.errors import InvalidSources
from shequ.sources.load import Sources, load
from shequ.project import Project
from shequ.publish.package import PublishedTable, PublishResult, prepare_tables, publish
from shequ.report import Report
from shequ.sources.tables import SchemaError


def validate(project: Project, today: dt.date | None = None) -> tuple[Sources | None, Report]:
    """Load and check the sources. Without usable Table Schemas nothing else can be
    checked: the report then names the schema files, and there are no sources."""
    try:
        sources = load(project)
    except SchemaError as exc:
        return None, Report(exc.problems)
    return sources, checks.run(sources, today=today)


def check_and_prepare(sources: Sources, today: dt.date | None = None) -> tuple[Report, dict[str, PublishedTable] | None]:
    """Check the sources; on a large project, make the tables to publish meanwhile (else None)."""
    tables = None

    def prepare() -> None:
        # Made while worker processes check a large project, this process being idle. The
        # sources are not checked yet: if they cannot be typed, the report says why.
        nonlocal tables
        try:
            tables = prepare_tables(sources)
        except Exception:  # noqa: BLE001 - any failure here is a problem the checks report
            tables = None

    report = checks.run(sources, meanwhile=prepare, today=today)
    return report, tables if report.valid else None


def load_sources(project: Project) -> Sources:
    """The sources, unchecked; :class:`InvalidSources` naming the schema files where the Table
    Schemas are unusable (nothing else can be read without them)."""
    try:
        return load(project)
    except SchemaError as exc:
        raise InvalidSources(Report(exc.problems)) from None


def publish_package(project: Project, out: Path, today: dt.date | None = None) -> tuple[PublishResult, Report]:
    atomic.claim(out, project.root)  # before the checks: a folder that is not publish's own is refused at once
    sources = load_sources(project)
    report, tables = check_and_prepare(sources, today)
    if not report.valid:
        raise InvalidSources(report)
    return publish(sources, out, tables), report
