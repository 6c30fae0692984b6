"""Progress of a long build: redrawn on a terminal, one line per stage in CI and logs."""

from __future__ import annotations

import io
import json

import pytest

from shequ.settings import Settings
from shequ import progress as progress_module
from shequ.progress import Progress, interactive


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("environ, tty, expected", [
    ({}, True, True),
    ({}, False, False),
    ({"CI": "true"}, True, False),
    ({"CI": "1"}, True, False),
    ({"CI": "false"}, True, True),
    ({"TERM": "dumb"}, True, False),
])
def test_progress_is_redrawn_only_on_a_terminal_outside_ci(environ, tty, expected):
    stream = Terminal() if tty else io.StringIO()
    assert interactive(stream, environ) is expected


def test_a_terminal_shows_count_rate_and_time_left(monkeypatch):
    monkeypatch.setattr(progress_module, "REDRAW_INTERVAL", 0.0)
    stream, logged = Terminal(), []
    p = Progress(log=logged.append, stream=stream, is_interactive=True)
    with p.stage("render", total=1000, unit="pages") as stage:
        stage.start -= 2.0  # as if the stage had run for two seconds
        stage.advance(400)
        drawn = stream.getvalue()
    assert "\r\x1b[K" in drawn
    assert "render  400/1,000 pages" in drawn
    assert "/s" in drawn and "s left" in drawn
    # The status line is cleared when the stage ends, and the summary is logged.
    assert stream.getvalue().endswith("\r\x1b[K")
    assert logged == [logged[0]] and logged[0].startswith("shequ: render: 400 pages in ")


def test_logs_get_one_line_per_stage_and_no_redrawing():
    stream, logged = io.StringIO(), []
    p = Progress(log=logged.append, stream=stream, is_interactive=False)
    for name in ("load", "check"):
        with p.stage(name, total=3, unit="records") as stage:
            for _ in range(3):
                stage.advance()
    assert stream.getvalue() == ""
    assert len(logged) == 2
    assert logged[0].startswith("shequ: load: 3 records in ") and "\r" not in "".join(logged)


def test_timings_are_written_where_shequ_timings_points(tmp_path, monkeypatch):
    target = tmp_path / "timings.json"
    monkeypatch.setenv("SHEQU_TIMINGS", str(target))
    p = Progress(is_interactive=False)
    with p.stage("render", unit="pages") as stage:
        stage.advance(5)
    with p.stage("render", unit="pages") as stage:  # a stage in two parts adds up
        stage.advance(2)
    p.record("search", 1.5)
    assert p.write_timings(Settings.from_environ().timings, records=7) == target  # read at the edge
    data = json.loads(target.read_text())
    names = [s["name"] for s in data["stages"]]
    assert names == ["render", "search"]
    render = data["stages"][0]
    assert render["count"] == 7 and render["peak_rss_mb"] > 0
    assert data["stages"][1]["seconds"] == 1.5
    assert data["records"] == 7 and data["peak_rss_mb"] > 0


def test_no_timings_file_without_the_variable(monkeypatch):
    monkeypatch.delenv("SHEQU_TIMINGS", raising=False)
    assert Progress(is_interactive=False).write_timings(Settings.from_environ().timings) is None


def test_current_is_quiet_outside_a_build():
    progress_module.set_current(None)
    with progress_module.current().stage("search") as stage:
        stage.advance()
    p = Progress(is_interactive=False)
    progress_module.set_current(p)
    try:
        with progress_module.current().stage("search"):
            pass
    finally:
        progress_module.set_current(None)
    assert [t.name for t in p.timings] == ["search"]


def test_log_lines_clear_the_status_line_first(monkeypatch):
    import logging

    monkeypatch.setattr(progress_module, "REDRAW_INTERVAL", 0.0)
    stream = Terminal()
    logger = logging.getLogger("test-shequ-progress")
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    p = Progress(stream=stream, is_interactive=True)
    p.attach(logger)
    try:
        with p.stage("render", total=10, unit="pages") as stage:
            stage.advance(3)
            logger.warning("a warning")
    finally:
        p.detach()
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "render  3/10 pages" in text
    assert "\r\x1b[Ka warning\n" in text  # the status line was wiped before the log line


def test_a_stage_that_counts_nothing_shows_its_time(monkeypatch):
    import time

    monkeypatch.setattr(progress_module, "TICK_INTERVAL", 0.05)
    stream = Terminal()
    p = Progress(stream=stream, is_interactive=True)
    with p.stage("check", unit="rows"):
        time.sleep(0.3)
    assert "shequ: check  0 s" in stream.getvalue()


def test_a_shown_stage_need_not_be_timed():
    p = Progress(stream=io.StringIO(), is_interactive=False)
    stage = p.begin("mkdocs", total=5, unit="pages", record=False)
    stage.advance(5)
    p.end(stage)
    assert p.timings == []
