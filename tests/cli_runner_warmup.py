"""Imported once by the fork server of tests/cli_runner.py, before it forks any run: it validates
and publishes the small project of tests/conftest.py, so that every forked run starts with
frictionless's verdicts on the tables most test projects share unchanged (vocabularies,
divisions, policy). A run still checks every table it changed; a warm-up that fails only
leaves the runs to start cold."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path


def _warm_up() -> None:
    from conftest import MiniProject
    from shequ.build.pipeline import publish_package, validate
    from shequ.project import Project
    from shequ.settings import Settings

    with tempfile.TemporaryDirectory(prefix="shequ-warm-up-") as folder:
        root = MiniProject(Path(folder) / "project").root
        project = Project.at(root)
        today = Settings(pinned_today=dt.date(2026, 11, 26)).today()
        validate(project, today)
        publish_package(project, Path(folder) / "out", today)


try:
    _warm_up()
except Exception:  # noqa: BLE001  (a cold start is slower, never wrong)
    pass
