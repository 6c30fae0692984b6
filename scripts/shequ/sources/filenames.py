"""File names that Windows cannot hold, and names that differ only in case. A repository
with the first cannot be checked out on Windows (Git for Windows stops); with the second, a
checkout on Windows or macOS keeps one of the two files. Every source folder is held to
both: the YAML sources (whose names are ids), the site's pages and the theme's overrides.

Example::

    windows_trouble("con.yaml")   # "'con.yaml' is a device name on Windows, ..."
    windows_trouble("guide.md")   # None
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from shequ import rules
from shequ.report import Problem

if TYPE_CHECKING:
    from shequ.project import Project

# Device names, with any extension and in any case.
_DEVICE = re.compile(r"^(?:con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])(?:\.|$)", re.IGNORECASE)
# Characters no Windows file system takes in a name.
_FORBIDDEN = re.compile(r'[<>:"\\|?*\x00-\x1f]')

WINDOWS_HINT = "rename it (a record: give it a new id)"


def windows_trouble(name: str) -> str | None:
    """Why Windows cannot hold a file or folder called ``name``; None if it can."""
    forbidden = _FORBIDDEN.search(name)
    if forbidden:  # the name itself is not repeated: it may hold a line break
        char = forbidden.group()
        shown = f"'{char}'" if char.isprintable() else f"U+{ord(char):04X}"
        return f"the name holds {shown}, which Windows does not allow in a name: a checkout of the repository fails there"
    if _DEVICE.match(name.strip()):
        return f"'{name}' is a device name on Windows, where a checkout of the repository fails"
    if name.endswith((".", " ")):
        return f"'{name}' ends in a dot or a space, which Windows drops: a checkout of the repository fails there"
    return None


def case_clashes(names: Iterable[str]) -> list[tuple[str, str]]:
    """(name, the name it collides with) for each of ``names`` (one folder's) that a file system
    ignoring case and Unicode normalization, as Windows and macOS do, takes for another."""
    seen: dict[str, str] = {}
    clashes = []
    for name in sorted(names):
        key = unicodedata.normalize("NFC", name).casefold()
        if key in seen:
            clashes.append((name, seen[key]))
        else:
            seen[key] = name
    return clashes


def name_problems(project: "Project", folder: Path, names: list[str]) -> list[Problem]:
    """The names of one folder's files and folders that a checkout on Windows or macOS cannot hold."""
    problems = []
    for name in sorted(names):
        windows = windows_trouble(name)
        if windows:
            problems.append(Problem(rules.FILES_RESERVED_NAME, windows, project.relative(folder / name),
                                    hint=WINDOWS_HINT))
    for name, other in case_clashes(names):
        problems.append(Problem(rules.FILES_CASE_CLASH, f"differs from '{other}' only in case",
                                project.relative(folder / name), hint="rename one of them"))
    return problems
