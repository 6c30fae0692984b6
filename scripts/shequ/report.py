"""Problems found in the sources, and the three ways they are printed.

A problem names the file, the line, the field, what is wrong and the rule that
found it, in the form maintainers see in CI::

    datasets/organizations/x.yaml:7: uscc: check character is 'H', expected 'K' [uscc.check-character]
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from shequ import rules
from shequ.rules import ERROR, WARNING

#: A path into a YAML record, e.g. ``("sources", 0, "url")``.
FieldPath = tuple

#: Characters a terminal acts on or that change how a line reads: C0 and C1 controls (ESC starts
#: OSC 8 links and screen clears; CSI is one byte in C1), line separators, direction controls.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNPRINTABLE = re.compile(f"[{_CONTROLS}]")
_UNPRINTABLE_IN_A_LINE = re.compile(f"[\x0a{_CONTROLS}]")


def printable(text: str) -> str:
    r"""``text`` safe to print on a terminal or into a log, piped or not: every control
    character as a ``\uXXXX`` escape (also a valid escape inside a JSON string), tabs and
    line breaks kept. Every command prints through it (:mod:`shequ.cli`).

    Example::

        printable("x\x1b[2Jy")   # the text 'x\u001b[2Jy': no screen clear
    """
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def did_you_mean(value: str, choices: list[str]) -> str | None:
    """A hint naming the closest known choice, e.g. ``divison`` → "did you mean 'division'?"."""
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def field_label(path: Sequence) -> str:
    """``("sources", 0, "url")`` → ``"sources[0].url"``."""
    label = ""
    for part in path:
        if isinstance(part, int):
            label += f"[{part}]"
        else:
            label += f".{part}" if label else str(part)
    return label


@dataclass
class Problem:
    """One error or warning. ``line`` is filled in lazily by :func:`locate_lines`.

    ``rule`` is given as a catalogue entry (``rules.USCC_CHECK_CHARACTER``) and kept as its id;
    an id that is not in the catalogue raises ``KeyError`` at once. ``severity`` defaults to
    the rule's.
    """

    rule: str
    message: str
    file: str  # path relative to the project root, with forward slashes
    path: FieldPath = ()
    severity: str | None = None
    line: int | None = None
    hint: str | None = None

    def __post_init__(self) -> None:
        rule = self.rule if isinstance(self.rule, rules.Rule) else rules.get(self.rule)
        self.rule = rule.id
        if self.severity is None:
            self.severity = rule.severity

    @property
    def field(self) -> str:
        return field_label(self.path)

    def text(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        what = f"{self.field}: {self.message}" if self.path else self.message
        if self.hint:
            what += f" ({self.hint})"
        prefix = "warning: " if self.severity == WARNING else ""
        line = f"{where}: {prefix}{what} [{self.rule}]"
        # One problem, one line: a file name or key from a pull request may hold line breaks,
        # terminal escapes or direction overrides; print them as escapes, never as themselves.
        return _UNPRINTABLE_IN_A_LINE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), line)

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "field": self.field or None,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def valid(self) -> bool:
        return not self.errors

    def sorted(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (p.file, p.line or 0, p.field, p.rule, p.message))

    def summary(self) -> str:
        e, w = len(self.errors), len(self.warnings)
        if not e and not w:
            return "valid: no problems found"
        state = "invalid" if e else "valid"
        return f"{state}: {e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"

    def format_text(self) -> str:
        lines = [p.text() for p in self.sorted()]
        lines.append(self.summary())
        return "\n".join(lines) + "\n"

    def format_json(self) -> str:
        return json.dumps(
            {
                "valid": self.valid,
                "errors": len(self.errors),
                "warnings": len(self.warnings),
                "problems": [p.as_dict() for p in self.sorted()],
            },
            ensure_ascii=False,
            indent=2,
        ) + "\n"

    def format_github(self) -> str:
        """GitHub Actions workflow commands, so problems show on the pull request's lines."""
        out = []
        for p in self.sorted():
            props = f"file={_gh_property(p.file)}"
            if p.line:
                props += f",line={p.line}"
            props += f",title={_gh_property(p.rule)}"
            message = f"{p.field}: {p.message}" if p.path else p.message
            if p.hint:
                message += f" ({p.hint})"
            out.append(f"::{p.severity} {props}::{_gh_data(message)}")
        out.append(self.summary())
        return "\n".join(out) + "\n"

    def format(self, kind: str) -> str:
        return {"text": self.format_text, "json": self.format_json, "github": self.format_github}[kind]()


def _gh_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(value: str) -> str:
    return _gh_data(value).replace(":", "%3A").replace(",", "%2C")
