"""Progress and timings of the build stages (load, check, publish, render, search).

A long build on a terminal shows one status line per stage, redrawn in place: the
count, the rate and the time left. In CI and in logs (standard error is not a
terminal, ``CI`` is set, or ``TERM=dumb``) nothing is redrawn: each stage logs one
line when it ends. Either way every stage's wall time, count and the process's
peak memory so far are kept, and written as JSON when ``SHEQU_TIMINGS`` names a
file (what ``shequ bench`` reads).

Example::

    progress = Progress(log=logging.getLogger("mkdocs.plugins.shequ").info)
    with progress.stage("render", total=len(pages), unit="pages") as stage:
        for page in pages:
            write(page)
            stage.advance()
    progress.write_timings(path)

Other modules time their own work in the build that is running with
``progress.current().stage("search")``.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterator, TextIO

from shequ.settings import ENVIRONMENT

#: Names the environment variable that asks the build to write its stage timings as JSON.
TIMINGS_ENV = ENVIRONMENT["timings"]

#: Seconds between two redraws of the status line.
REDRAW_INTERVAL = 0.1

#: Seconds after which a stage that reports no count yet shows how long it has been running.
TICK_INTERVAL = 1.0


def interactive(stream: TextIO | None = None, environ: dict | None = None) -> bool:
    """True when progress may be redrawn in place: a terminal, and not CI."""
    stream = stream if stream is not None else sys.stderr
    environ = environ if environ is not None else os.environ
    if environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    if environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def peak_rss_mb() -> tuple[float, float]:
    """(this process's peak RSS, the largest finished child's peak RSS) in MB so far."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KB on Linux
    return own / scale, children / scale


@dataclass
class StageTiming:
    name: str
    seconds: float
    count: int
    unit: str
    peak_rss_mb: float  # this process, at the end of the stage (a high-water mark)
    children_peak_rss_mb: float  # the largest worker process that had finished by then
    background: bool = False  # ran in a process of its own, beside the other stages


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class Stage:
    """One running stage: call :meth:`advance` as items are done."""

    def __init__(self, progress: "Progress", name: str, total: int | None, unit: str, record: bool = True):
        self.progress = progress
        self.name = name
        self.total = total
        self.unit = unit
        self.record = record  # False: shown, but not one of the build's timed stages
        self.count = 0
        self.start = time.perf_counter()
        self._drawn = 0.0
        self._done = threading.Event()
        if progress.interactive:
            # A stage that counts nothing for a while (work done by other processes) still
            # shows that it is running, and for how long.
            threading.Thread(target=self._tick, daemon=True, name=f"shequ-progress-{name}").start()

    def _tick(self) -> None:
        while not self._done.wait(TICK_INTERVAL):
            now = time.perf_counter()
            if now - self._drawn >= TICK_INTERVAL:
                self._drawn = now
                self.progress._draw(self.status(now))

    def advance(self, n: int = 1) -> None:
        self.count += n
        if self.progress.interactive:
            now = time.perf_counter()
            if now - self._drawn >= REDRAW_INTERVAL:
                self._drawn = now
                self.progress._draw(self.status(now))

    def set_total(self, total: int) -> None:
        self.total = total

    def status(self, now: float | None = None) -> str:
        """``render  4,210/10,050 pages  1,850/s  3 s left``"""
        elapsed = (now or time.perf_counter()) - self.start
        rate = self.count / elapsed if elapsed > 0 else 0.0
        done = f"{self.count:,}/{self.total:,}" if self.total else f"{self.count:,}"
        text = f"shequ: {self.name}  {done} {self.unit}".rstrip()
        if not self.count:
            return f"shequ: {self.name}  {_duration(elapsed)}"
        if rate > 0:
            text += f"  {rate:,.0f}/s"
            if self.total and self.total > self.count:
                text += f"  {_duration((self.total - self.count) / rate)} left"
        return text

    def summary(self, seconds: float) -> str:
        """``render: 10,050 pages in 5.4 s (1,861/s)``"""
        if not self.count:
            return f"shequ: {self.name} in {seconds:.1f} s"
        rate = f" ({self.count / seconds:,.0f}/s)" if seconds > 0 else ""
        return f"shequ: {self.name}: {self.count:,} {self.unit} in {seconds:.1f} s{rate}"


class Progress:
    """The stages of one build: their progress on a terminal, their timings for benchmarks."""

    def __init__(self, log: Callable[[str], None] | None = None, stream: TextIO | None = None,
                 is_interactive: bool | None = None):
        self.log = log
        self.stream = stream if stream is not None else sys.stderr
        self.interactive = interactive(self.stream) if is_interactive is None else is_interactive
        self.timings: list[StageTiming] = []
        self.started = time.perf_counter()
        self._line = False
        self._lock = threading.Lock()
        self._filter: logging.Filter | None = None

    @contextmanager
    def stage(self, name: str, total: int | None = None, unit: str = "") -> Iterator[Stage]:
        """Time a stage; on a terminal, show its progress while it runs."""
        stage = self.begin(name, total, unit)
        try:
            yield stage
        finally:
            self.end(stage)

    def begin(self, name: str, total: int | None = None, unit: str = "", record: bool = True) -> Stage:
        """Start a stage that does not fit a ``with`` block (it spans several MkDocs events);
        end it with :meth:`end`. With ``record=False`` it is shown but not timed as a stage."""
        return Stage(self, name, total, unit, record)

    def end(self, stage: Stage) -> None:
        stage._done.set()
        seconds = time.perf_counter() - stage.start
        if stage.record:
            own, children = peak_rss_mb()
            self.timings.append(StageTiming(stage.name, seconds, stage.count, stage.unit, own, children))
        self._clear()
        if self.log is not None and stage.record:
            self.log(stage.summary(seconds))

    def record(self, name: str, seconds: float, count: int = 0, unit: str = "", *, background: bool = False,
               peak: float | None = None) -> None:
        """A stage timed elsewhere: another plugin's work between two of ours, or work done
        by a process of its own beside the build (``background``, with that process's ``peak`` RSS)."""
        own, children = peak_rss_mb()
        self.timings.append(StageTiming(name, seconds, count, unit, own if peak is None else peak, children,
                                        background))
        if self.log is not None:
            done = f": {count:,} {unit}" if count else ""
            beside = " (beside the rest of the build)" if background else ""
            self.log(f"shequ: {name}{done} in {seconds:.1f} s{beside}")

    def seconds(self, name: str) -> float:
        return sum(t.seconds for t in self.timings if t.name == name)

    def _draw(self, text: str) -> None:
        with self._lock:
            try:
                self.stream.write("\r\x1b[K" + text)
                self.stream.flush()
            except (OSError, ValueError):
                return
            self._line = True

    def _clear(self) -> None:
        with self._lock:
            if self._line:
                try:
                    self.stream.write("\r\x1b[K")
                    self.stream.flush()
                except (OSError, ValueError):
                    pass
                self._line = False

    def attach(self, logger: logging.Logger) -> None:
        """Clear the status line before ``logger``'s handlers write a record, so that log lines
        and the status line do not run into each other (terminals only)."""
        if not self.interactive or self._filter is not None:
            return
        progress = self

        class ClearLine(logging.Filter):
            def filter(self, record: logging.LogRecord) -> bool:
                progress._clear()
                return True

        self._filter = ClearLine()
        self._handlers = list(logger.handlers)
        for handler in self._handlers:
            handler.addFilter(self._filter)

    def detach(self) -> None:
        if self._filter is not None:
            for handler in self._handlers:
                handler.removeFilter(self._filter)
            self._filter = None
        self._clear()

    def as_dict(self, **extra) -> dict:
        """Stages merged by name, in the order they first ran, with the build's totals."""
        merged: dict[str, dict] = {}
        for t in self.timings:
            entry = merged.setdefault(t.name, {**asdict(t), "seconds": 0.0, "count": 0})
            entry["seconds"] += t.seconds
            entry["count"] += t.count
            entry["peak_rss_mb"] = max(entry["peak_rss_mb"], t.peak_rss_mb)
            entry["children_peak_rss_mb"] = max(entry["children_peak_rss_mb"], t.children_peak_rss_mb)
        own, children = peak_rss_mb()
        return {"stages": list(merged.values()), "seconds": time.perf_counter() - self.started,
                "peak_rss_mb": own, "children_peak_rss_mb": children, **extra}

    def write_timings(self, path: str | Path | None = None, **extra) -> Path | None:
        """Write :meth:`as_dict` as JSON to ``path`` (``Settings.timings``); nothing without one."""
        if not path:
            return None
        path = Path(path)
        path.write_text(json.dumps(self.as_dict(**extra), indent=2) + "\n", encoding="utf-8")
        return path


class _Quiet(Progress):
    """What :func:`current` gives outside a build: times nothing, shows nothing."""

    def __init__(self):
        super().__init__(log=None, is_interactive=False)


_CURRENT: Progress | None = None


def current() -> Progress:
    """The progress of the build that is running, or one that shows nothing outside a build."""
    return _CURRENT if _CURRENT is not None else _Quiet()


def set_current(progress: Progress | None) -> None:
    """Make ``progress`` the build's (the plugin does this for each build), or clear it."""
    global _CURRENT
    _CURRENT = progress


def iterate(stage: Stage, items, step: int = 1):
    """Yield ``items``, advancing ``stage`` by one for each (in steps of ``step``)."""
    pending = 0
    for item in items:
        yield item
        pending += 1
        if pending >= step:
            stage.advance(pending)
            pending = 0
    if pending:
        stage.advance(pending)
