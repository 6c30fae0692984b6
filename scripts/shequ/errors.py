"""The one error type every command reports.

Each failure the project expects (bad sources, a folder it must not write into, an
unreadable import file, a failed index) is a :class:`ShequError`. The CLI prints its
message and exits 1; the MkDocs plugin turns it into MkDocs' own build error. When the
sources were checked, :attr:`ShequError.report` holds the problems, each with file, line,
field and rule, so every command shows the same report in text, JSON or CI form.

Anything else that escapes is a bug: the CLI still ends without a traceback, asks for a
bug report and exits 2 (see :mod:`shequ.cli`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shequ.report import Report


class ShequError(Exception):
    """A failure the project expects, with a message that says what to do."""

    def __init__(self, message: str = "", report: "Report | None" = None):
        super().__init__(message or (report.summary() if report is not None else ""))
        self.report = report


class InvalidSources(ShequError):
    """The sources have errors: nothing was written. ``report`` lists them."""

    def __init__(self, report: "Report"):
        super().__init__(report.summary(), report)
