"""The data releases so far: as CHANGELOG.md lists them (for the site's downloads page), and what
each changed, record by record, from ``datasets/releases/`` (for the "What's new" page and feeds).

``shequ release`` (:mod:`shequ.tools.release`) writes both; this module only reads them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from shequ import rules
from shequ.project import RECORD_DATASETS, Project
from shequ.report import Problem
from shequ.sources.yamlfiles import load_mapping

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


# --- what each release changed: datasets/releases/<version>.yaml -----------------------------------
#
# ``shequ release X.Y.Z`` writes one file per release from the record diff since the previous
# release (the diff ``shequ diff`` shows): the records it added, changed and removed, each with its
# names as they were then. The site's "What's new" page and Atom feeds are made from these files,
# so a build needs neither git nor the network, and a removed record keeps its name.
#
# Example file::
#
#     version: 0.2.0
#     date: 2026-12-01
#     since: 0.1.0
#     added:
#       - dataset: organizations
#         id: org-reading-club
#         name: 建外书香读书会
#         name_en: Jianwai Reading Club
#     changed:
#       - dataset: organizations
#         id: org-silver-age
#         name: 银龄互助会
#         fields: [address, phone]
#     removed: []

#: The kinds of change, in the order pages list them (as ``shequ diff`` orders them).
CHANGE_KINDS = ("added", "changed", "removed")
_VERSION = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
#: Keys a release file may have; the three change lists may be absent or empty.
RELEASE_KEYS = ("version", "date", "since", "note", "note_en", *CHANGE_KINDS)
ENTRY_KEYS = ("dataset", "id", "name", "name_en", "fields")
#: Characters no XML document may hold (the feeds are XML): C0 controls but tab and line breaks.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class ReleaseEntry:
    """One record a release added, changed or removed, named as it was at the release."""

    kind: str  # added | changed | removed
    dataset: str  # organizations | incubators
    id: str
    name: str
    name_en: str | None = None
    fields: tuple[str, ...] = ()  # of a changed record: its top-level fields that changed


@dataclass
class ReleaseChanges:
    """What one release changed, from its file in ``datasets/releases/``."""

    version: str
    date: str  # YYYY-MM-DD
    since: str | None  # the previous release's version; None for a first release
    entries: list[ReleaseEntry]
    file: str
    note: str | None = None
    note_en: str | None = None

    def of(self, kind: str, dataset: str | None = None) -> list[ReleaseEntry]:
        return [e for e in self.entries if e.kind == kind and (dataset is None or e.dataset == dataset)]

    @property
    def key(self) -> tuple[int, int, int]:
        return _key(self.version)


def release_file_mapping(version: str, date: str, since: str | None, entries: list[ReleaseEntry]) -> dict:
    """A release file's content, in the order it is written: what ``shequ release`` writes and
    :func:`load_release_changes` reads back."""
    data: dict = {"version": version, "date": date}
    if since:
        data["since"] = since
    for kind in CHANGE_KINDS:
        data[kind] = [{"dataset": e.dataset, "id": e.id, "name": e.name, "name_en": e.name_en,
                       "fields": list(e.fields) if kind == "changed" else None}
                      for e in entries if e.kind == kind]
    return data


def top_level_fields(labels: list[str]) -> tuple[str, ...]:
    """The record fields that field labels of a diff belong to, in order: ``sources[0].url`` → ``sources``."""
    return tuple(dict.fromkeys(re.split(r"[.\[]", label, maxsplit=1)[0] for label in labels))


def load_release_changes(project: Project) -> tuple[list[ReleaseChanges], list[Problem]]:
    """Every release file, newest first, and what is wrong with them (a file with a problem is
    left out whole: the page never shows half a release)."""
    folder = project.releases_folder
    if not folder.exists() and not folder.is_symlink():
        return [], []
    out, problems = [], []
    paths = sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else [folder]
    for path in paths:
        rel = project.relative(path)
        if path.is_symlink():
            problems.append(Problem(rules.FILES_SYMLINK, "symbolic links are not allowed in datasets/", rel,
                                    hint="replace the link with the file itself"))
            continue
        if path.is_dir() or path.suffix != ".yaml":
            problems.append(Problem(rules.RELEASES_FORMAT, "is not a release file", rel,
                                    hint="datasets/releases/ holds one X.Y.Z.yaml file per release"))
            continue
        data, found = load_mapping(project, path)
        problems += found
        if data is None:
            continue
        release, found = _release(data, rel, path.stem)
        problems += found
        if release is not None:
            out.append(release)
    out.sort(key=lambda r: r.key, reverse=True)
    return out, problems


def _release(data: dict, rel: str, stem: str) -> tuple[ReleaseChanges | None, list[Problem]]:
    problems: list[Problem] = []

    def bad(message: str, path: tuple = (), hint: str | None = None) -> None:
        problems.append(Problem(rules.RELEASES_FORMAT, message, rel, path, hint=hint))

    for key in data:
        if key not in RELEASE_KEYS:
            bad(f"unknown field '{key}'", (key,), f"known fields: {', '.join(RELEASE_KEYS)}")
    version = data.get("version")
    if not isinstance(version, str) or not _VERSION.match(version):
        bad("must be a version MAJOR.MINOR.PATCH, e.g. 0.2.0", ("version",))
    elif version != stem:
        bad(f"is {version}, but the file is named {stem}.yaml", ("version",), f"rename the file to {version}.yaml")
    day = data.get("date")
    if isinstance(day, dt.date) and not isinstance(day, dt.datetime):
        day = day.isoformat()
    if not isinstance(day, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) or not _valid_date(day):
        bad("must be the release's date, YYYY-MM-DD", ("date",))
    since = data.get("since")
    if since is not None and (not isinstance(since, str) or not _VERSION.match(since)):
        bad("must be the previous release's version, MAJOR.MINOR.PATCH", ("since",))
    elif since is not None and isinstance(version, str) and _VERSION.match(version) and _key(since) >= _key(version):
        bad(f"must be a release before {version}", ("since",))
    notes = {}
    for key in ("note", "note_en"):
        value = data.get(key)
        if value is not None and (not isinstance(value, str) or _NOT_XML.search(value)):
            bad("must be text, without control characters", (key,))
        notes[key] = value if isinstance(value, str) and value.strip() else None
    entries: list[ReleaseEntry] = []
    for kind in CHANGE_KINDS:
        items = data.get(kind)
        if items is None:
            continue
        if not isinstance(items, list):
            bad("must be a list of records", (kind,))
            continue
        for i, item in enumerate(items):
            entry = _entry(kind, item, (kind, i), bad)
            if entry is not None:
                entries.append(entry)
    if problems:
        return None, problems
    return ReleaseChanges(version, day, since, entries, rel, notes["note"], notes["note_en"]), []


def _entry(kind: str, item, path: tuple, bad) -> ReleaseEntry | None:
    if not isinstance(item, dict):
        bad("must be a mapping with dataset, id and name", path)
        return None
    ok = True
    for key in item:
        if key not in ENTRY_KEYS or (key == "fields" and kind != "changed"):
            bad(f"unknown field '{key}'", path + (key,), "a record's entry has dataset, id, name, name_en"
                + (" and fields" if kind == "changed" else ""))
            ok = False
    if item.get("dataset") not in RECORD_DATASETS:
        bad(f"must be one of {', '.join(RECORD_DATASETS)}", path + ("dataset",))
        ok = False
    for key in ("id", "name", "name_en"):
        value = item.get(key)
        if value is None and key == "name_en":
            continue
        if value is None:
            bad("is required", path + (key,))
            ok = False
        elif not isinstance(value, str) or not value.strip() or _NOT_XML.search(value):
            bad("must be text, without control characters", path + (key,))
            ok = False
    fields = item.get("fields", [])
    if not isinstance(fields, list) or not all(isinstance(f, str) and f and not _NOT_XML.search(f) for f in fields):
        bad("must be a list of field names", path + ("fields",))
        ok = False
    if not ok:
        return None
    return ReleaseEntry(kind, item["dataset"], item["id"], item["name"], item.get("name_en") or None, tuple(fields))


def _key(version: str) -> tuple[int, int, int]:
    return tuple(int(part) for part in version.split("."))  # type: ignore[return-value]


def _valid_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True
