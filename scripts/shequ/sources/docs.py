"""The site's own pages: every file under ``docs_dir`` that MkDocs would read or copy.

Nothing is rendered here. Each file is looked at once: links and special files are
reported (MkDocs would publish a link's target, whatever file of the machine it names,
and a named pipe would hang the build), and each Markdown page is read to make sure
MkDocs can read it (UTF-8, not absurdly large). Hidden files and folders are skipped,
as MkDocs skips them.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from shequ import rules
from shequ.project import Project
from shequ.report import Problem
from shequ.sources.filenames import name_problems

#: A Markdown page larger than this is refused: a guide is a few kilobytes.
MAX_PAGE_BYTES = 2 * 1024 * 1024
PAGE_SUFFIXES = (".md", ".markdown")


@dataclass
class DocsFolder:
    """What ``docs_dir`` holds. ``pages`` are Markdown sources relative to it, with forward slashes."""

    folder: Path
    file: str  # docs_dir as messages name it
    pages: set[str] = field(default_factory=set)
    files: set[str] = field(default_factory=set)  # every other file MkDocs copies


def load_docs(project: Project, folder: Path) -> tuple[DocsFolder | None, list[Problem]]:
    rel = project.relative(folder)
    if folder.is_symlink():
        return None, [Problem(rules.FILES_SYMLINK, "symbolic links are not allowed", rel,
                              hint="replace the link with the folder itself")]
    if not folder.is_dir():
        return None, []  # said by the configuration check, which knows where docs_dir comes from
    docs, problems = DocsFolder(folder, rel), []
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        kept = []
        problems += name_problems(project, here, dirnames + filenames)  # hidden or not: a checkout holds them
        for name in sorted(dirnames):
            if name.startswith("."):
                continue
            if (here / name).is_symlink():
                problems.append(Problem(rules.FILES_SYMLINK, "symbolic links are not allowed in the site's pages",
                                        project.relative(here / name), hint="replace the link with the folder itself"))
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = here / name
            problem = _look_at(project, path)
            if problem is not None:
                problems.append(problem)  # the file is still there: the nav's entry for it is not wrong
            inside = path.relative_to(folder).as_posix()
            (docs.pages if name.endswith(PAGE_SUFFIXES) else docs.files).add(inside)
    return docs, problems


def _look_at(project: Project, path: Path) -> Problem | None:
    rel = project.relative(path)
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return Problem(rules.FILES_SYMLINK, "symbolic links are not allowed in the site's pages", rel,
                       hint="replace the link with the file itself: a link would publish whatever file it names")
    if not stat.S_ISREG(info.st_mode):
        return Problem(rules.FILES_NOT_A_FILE, "is not a regular file", rel, hint="remove it or replace it with a file")
    if not path.name.endswith(PAGE_SUFFIXES):
        return None
    if info.st_size > MAX_PAGE_BYTES:
        return Problem(rules.DOCS_TOO_LARGE, f"page is {info.st_size:,} bytes; the limit is {MAX_PAGE_BYTES:,}", rel,
                       hint="split the page")
    raw = path.read_bytes()
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Problem(rules.DOCS_ENCODING, f"byte {exc.start} is not UTF-8", rel, line=line,
                       hint="save the page as UTF-8")
    if b"\x00" in raw:
        return Problem(rules.DOCS_ENCODING, "page contains a NUL byte", rel,
                       line=raw[: raw.index(b"\x00")].count(b"\n") + 1)
    return None
