"""The data package, written beside the rest of the build.

Publishing (CSV, JSON, XLSX, SQLite, then the frictionless self-check) does not
depend on the pages, and the pages depend on the package only for the download
page and the DCAT catalogue. So the site build forks a process that publishes
while the build goes on rendering pages on the other core, and waits for it
only when the download page needs the package's sizes and hashes.

``serve``'s rebuilds also run the checks in that process (``check_sources``):
the pages are rendered meanwhile, and the build fails, leaving the served site
as it was, if the checks find an error.

Example::

    publisher = Publisher(sources, folder)   # starts at once
    ...                                      # render pages
    facts = publisher.wait()                 # raises PublishError if publishing failed
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import pickle
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from shequ.errors import InvalidSources
from shequ.sources.load import Sources
from shequ.progress import peak_rss_mb
from shequ.publish.package import PublishError, self_check, write_package
from shequ.report import Report


@dataclass
class PublishFacts:
    seconds: float  # how long publishing took, wherever it ran
    waited: float  # how long the build waited for it
    files: int
    peak_rss_mb: float  # of the process that published
    background: bool
    report: Report | None = None  # the checks' report, when they ran in that process too
    check_seconds: float = 0.0


def _publish(sources: Sources, folder: Path, check: bool = True, tables: dict | None = None) -> None:
    write_package(sources, folder, tables)
    if check:
        self_check(folder)


def _child(sources: Sources, folder: Path, result: Path, check: bool, check_sources: bool, today) -> None:
    out: dict = {"report": None, "check_seconds": 0.0}
    tables = None
    try:
        if check_sources:
            from shequ.build.pipeline import check_and_prepare

            start = time.perf_counter()
            out["report"], tables = check_and_prepare(sources, today)
            out["check_seconds"] = time.perf_counter() - start
        start = time.perf_counter()
        if out["report"] is not None and not out["report"].valid:
            out["ok"] = False
        else:
            _publish(sources, folder, check, tables)
            out["ok"] = True
    except PublishError as exc:
        out.update(ok=False, error=str(exc))
    except BaseException as exc:  # noqa: BLE001 - whatever happened, the parent must hear of it
        out.update(ok=False, error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc())
    out.update(seconds=time.perf_counter() - start, peak_rss_mb=peak_rss_mb()[0],
               files=sum(1 for _ in folder.iterdir()) if folder.is_dir() else 0)
    result.write_bytes(pickle.dumps(out))


class Publisher:
    """Writes and self-checks the data package into the empty ``folder``: in a forked
    process when the platform can fork (``background``), else here and now."""

    def __init__(self, sources: Sources, folder: Path, background: bool = True, check: bool = True,
                 check_sources: bool = False, today: dt.date | None = None):
        """``check``: validate the written package with frictionless (the self-check). Only
        ``serve``'s previews leave it out: it never changes a file, and it costs seconds.
        ``check_sources``: run the checks first (``today``: the date rules' reference day), in the
        same process; publish only if they pass. ``background=False`` publishes in this process
        (``Settings.publish_inline``, for A/B measurements)."""
        self.folder = Path(folder)
        self.result = self.folder.parent / (self.folder.name + ".result.json")
        self.process = None
        self.facts: PublishFacts | None = None
        self.error: str | None = None
        self.invalid: Report | None = None
        start = time.perf_counter()
        if background and "fork" in mp.get_all_start_methods():
            # Not a daemon: the publishing process starts processes of its own (the workbook, the self-check).
            self.process = mp.get_context("fork").Process(target=_child,
                                                          args=(sources, self.folder, self.result, check, check_sources, today),
                                                          name="shequ-publish")
            self.process.start()
            return
        report, check_seconds, tables = None, 0.0, None
        if check_sources:
            from shequ.build.pipeline import check_and_prepare

            report, tables = check_and_prepare(sources, today)
            check_seconds = time.perf_counter() - start
            if not report.valid:
                self.invalid = report
                return
        try:
            _publish(sources, self.folder, check, tables)
        except PublishError as exc:
            self.error = str(exc)
        self.facts = PublishFacts(time.perf_counter() - start - check_seconds, time.perf_counter() - start,
                                  sum(1 for _ in self.folder.iterdir()), peak_rss_mb()[0], False, report,
                                  check_seconds)

    @property
    def running(self) -> bool:
        return self.process is not None and self.facts is None and self.error is None and self.invalid is None

    def wait(self) -> PublishFacts:
        """Wait for the package. Raise :class:`InvalidSources` if the checks run here found
        errors, :class:`PublishError` if the package could not be written."""
        if self.running:
            start = time.perf_counter()
            self.process.join()
            waited = time.perf_counter() - start
            try:
                out = pickle.loads(self.result.read_bytes())
            except (OSError, ValueError, EOFError, pickle.UnpicklingError):
                out = {"ok": False, "error": f"the publishing process died (exit code {self.process.exitcode})"}
            self.result.unlink(missing_ok=True)
            report = out.get("report")
            if report is not None and not report.valid:
                self.invalid = report
            elif out.get("traceback"):
                self.error = out["error"] + "\n" + out["traceback"]
            elif not out["ok"]:
                self.error = out["error"]
            else:
                self.facts = PublishFacts(out["seconds"], waited, out["files"], out["peak_rss_mb"], True,
                                          report, out.get("check_seconds", 0.0))
        if self.invalid is not None:
            raise InvalidSources(self.invalid)
        if self.error is not None:
            raise PublishError(self.error)
        return self.facts

    def stop(self) -> None:
        """Stop a publishing process that is still running (the build failed)."""
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.process.join()
        if self.process is not None:
            self.process.join()
        self.result.unlink(missing_ok=True)
