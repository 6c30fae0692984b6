"""The data releases so far, as CHANGELOG.md lists them: for the site's downloads page.

``shequ release`` (:mod:`shequ.tools.release`) writes each section; this module only reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shequ.project import Project

#: A release's git tag is its version after this prefix: v1.2.0.
TAG_PREFIX = "v"


@dataclass
class PastRelease:
    version: str
    date: str  # YYYY-MM-DD, as the CHANGELOG.md heading gives it
    summary: str  # the section's first paragraph, e.g. "Records since v0.1.0: 2 added, …"
    tag: str

    def url(self, repository: str, file: str) -> str:
        """The stable address of one of this release's files (the release workflow attaches them)."""
        return f"{repository.rstrip('/')}/releases/download/{self.tag}/{file}"


_HEADING = re.compile(r"^## (\d+\.\d+\.\d+) — (\d{4}-\d{2}-\d{2})[ \t]*$", re.M)


def history(project: Project) -> list[PastRelease]:
    """Every release in CHANGELOG.md, newest first (as the file lists them)."""
    path = project.root / "CHANGELOG.md"
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    matches = list(_HEADING.finditer(text))
    out = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        body = text[match.end():end].strip()
        summary = body.split("\n\n", 1)[0].strip() if body else ""
        out.append(PastRelease(match.group(1), match.group(2), " ".join(summary.split()),
                               TAG_PREFIX + match.group(1)))
    return out


def latest_url(repository: str, file: str) -> str:
    """The stable address of a file of the newest release."""
    return f"{repository.rstrip('/')}/releases/latest/download/{file}"
