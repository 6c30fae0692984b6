"""Data releases: ``shequ release X.Y.Z`` prepares one, the maintainer tags it.

It checks the sources, then

- sets ``version`` in ``datasets/package.yaml`` and ``version`` and
  ``date-released`` in ``CITATION.cff``, editing only those lines, so comments
  and layout stay as they were;
- writes a ``CHANGELOG.md`` section from the record diff since the previous
  release tag (``vA.B.C``): counts of records added, removed and changed, and
  the notable changes (records added and removed, and changes to names,
  status, codes, divisions and other identifying fields);
- writes ``datasets/releases/X.Y.Z.yaml`` from the same diff: every record added,
  changed (with the fields that changed) and removed, with its names. The site's
  "What's new" page and Atom feeds are made from these files
  (:mod:`shequ.sources.releases`, :mod:`shequ.render.whatsnew`);

and says how to commit and tag. Pushing the tag runs the release workflow,
which publishes the data package as the release's files.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from shequ.errors import InvalidSources, ShequError
from shequ.tools.diff import NOTHING, DiffError, RecordDiff, git, md, record_diff, repo_location, show
from shequ.project import RECORD_DATASETS, Project
from shequ.sources.releases import TAG_PREFIX, ReleaseEntry, release_file_mapping, top_level_fields
from shequ.sources.tables import Schemas
from shequ.tools.yamlwriter import record_yaml

VERSION = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")

MAX_LISTED = 25

CHANGELOG_HEAD = """\
# Changelog

Data releases of Shequ, newest first. `shequ release X.Y.Z` writes each section from
the record diff since the previous release; edit its notable changes by hand before
tagging. Release files: `https://github.com/<owner>/<repo>/releases/download/vX.Y.Z/<file>`,
and the newest at `…/releases/latest/download/<file>`.
"""


class ReleaseError(ShequError):
    """The release cannot be prepared (a usage error)."""


#: The sources have errors: a release of them would publish errors.
InvalidData = InvalidSources


@dataclass
class Release:
    version: str
    previous_tag: str | None
    diff: RecordDiff
    section: str
    files: list[Path] = field(default_factory=list)

    def next_steps(self, project: Project) -> str:
        tag = TAG_PREFIX + self.version
        paths = " ".join(project.relative(p) for p in self.files)
        return (
            "Next: review CHANGELOG.md, then commit and tag:\n"
            f"  git commit -m \"Release {self.version}\" -- {paths}\n"
            f"  git tag -a {tag} -m \"Release {self.version}\"\n"
            f"  git push origin HEAD {tag}\n"
            "Pushing the tag publishes the data package as the release's files.\n"
        )


def parse_version(text: str) -> tuple[int, int, int]:
    match = VERSION.match(text)
    if not match:
        raise ReleaseError(f"'{text}' is not a version: write MAJOR.MINOR.PATCH, e.g. 1.2.0")
    return tuple(int(g) for g in match.groups())  # type: ignore[return-value]


def release_tags(project: Project) -> dict[tuple[int, int, int], str]:
    """Version → tag of every release tag (vX.Y.Z) in the repository."""
    top, _ = repo_location(project)
    out = {}
    for tag in git(top, "tag", "--list", f"{TAG_PREFIX}*").decode().split():
        match = VERSION.match(tag[len(TAG_PREFIX):])
        if match:
            out[tuple(int(g) for g in match.groups())] = tag
    return out


def set_line(text: str, key: str, value: str, file: str) -> str:
    """Replace a top-level ``key: value`` line, keeping its quotes and trailing comment."""
    pattern = re.compile(rf"^({re.escape(key)}:[ \t]*)([\"']?)([^\"'#\r\n]*?)\2([ \t]*(?:#[^\r\n]*)?)$", re.M)
    found = pattern.findall(text)
    if len(found) != 1:
        raise ReleaseError(f"{file} needs exactly one top-level '{key}:' line (found {len(found)})")
    return pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}{value}{m.group(2)}{m.group(4)}", text, count=1)


def current_version(project: Project) -> str | None:
    text = project.package_file.read_text(encoding="utf-8")
    match = re.search(r"^version:[ \t]*[\"']?([^\"'#\s]+)", text, re.M)
    return match.group(1) if match else None


def _title(change) -> str:
    name = f"{md(change.name)} " if change.name else ""
    return f"{name}(`{change.id}`)"


def notable_fields(project: Project) -> dict[str, set[str]]:
    """Per dataset, the fields whose changes are notable (they change what a record is, not
    just its details): those with the ``notable`` role in their Table Schema."""
    schemas = Schemas(project)
    return {dataset: {f.key for f in schemas.with_role(dataset, "notable")} for dataset in RECORD_DATASETS}


def changelog_section(version: str, day: dt.date, previous: str | None, diff: RecordDiff,
                      notable_keys: dict[str, set[str]]) -> str:
    counts = diff.counts()
    since = f"since {previous}" if previous else "in this first release"
    lines = [f"## {version} — {day.isoformat()}", ""]
    if previous:
        lines.append(f"Records {since}: {counts['added']} added, {counts['removed']} removed, "
                     f"{counts['changed']} changed.")
    else:
        lines.append(f"Records {since}: {counts['added']}.")
    lines += ["", "| dataset | added | removed | changed |", "|---|---:|---:|---:|"]
    for dataset in RECORD_DATASETS:
        n = diff.counts(dataset)
        lines.append(f"| {dataset} | {n['added']} | {n['removed']} | {n['changed']} |")
    notable: list[str] = []
    for kind in ("added", "removed"):
        items = diff.of(kind)
        if previous or kind == "removed":
            notable += [f"- {kind.capitalize()}: {_title(c)}" for c in items[:MAX_LISTED]]
            if len(items) > MAX_LISTED:
                notable.append(f"- … and {len(items) - MAX_LISTED} more {kind}")
    routine = Counter()
    routine_records = 0
    listed = 0
    for change in diff.of("changed"):
        key_changes = [f for f in change.fields if f.field in notable_keys.get(change.dataset, ())]
        if key_changes and listed < MAX_LISTED:
            listed += 1
            what = "; ".join(f"{f.field} {md(show(f.old))} → {md(show(f.new))}" for f in key_changes)
            notable.append(f"- {_title(change)}: {what}")
            continue
        routine_records += 1
        routine.update({re.split(r"[.\[]", f.field, maxsplit=1)[0] for f in change.fields})
    if routine_records:
        fields = ", ".join(name for name, _ in routine.most_common(5))
        notable.append(f"- {routine_records} other record{'s' * (routine_records != 1)} updated"
                       + (f" ({fields})" if fields else "") + ".")
    if notable:
        lines += ["", "### Notable changes", "", *notable]
    return "\n".join(lines) + "\n"


RELEASE_FILE_HEAD = """\
# Release {version}: the records it added, changed and removed, from the record diff
# {since} (the diff `shequ diff` shows), written by `shequ release`. The site's
# What's new page and Atom feeds are made from this file. You may add a note for
# readers: note (Chinese) and note_en (English).
"""


def release_file_text(version: str, day: dt.date, previous_tag: str | None, diff: RecordDiff) -> str:
    """The release's file in ``datasets/releases/``: every record of the diff, with its names."""
    entries = [ReleaseEntry(c.kind, c.dataset, c.id, c.name or c.id, c.name_en,
                            top_level_fields([f.field for f in c.fields]))
               for c in diff.changes]
    since = previous_tag[len(TAG_PREFIX):] if previous_tag else None
    head = RELEASE_FILE_HEAD.format(version=version,
                                    since=f"since {previous_tag}" if previous_tag else "of the first release")
    return head + record_yaml(release_file_mapping(version, day.isoformat(), since, entries), quoted=())


def insert_section(changelog: str | None, section: str, version: str) -> str:
    text = changelog if changelog is not None else CHANGELOG_HEAD
    if re.search(rf"^## {re.escape(version)}\b", text, re.M):
        raise ReleaseError(f"CHANGELOG.md already has a section for {version}")
    match = re.search(r"^## ", text, re.M)
    if match:
        return text[: match.start()] + section + "\n" + text[match.start():]
    return text.rstrip("\n") + "\n\n" + section


def prepare(project: Project, version: str, today: dt.date | None = None, check: bool = True) -> Release:
    """Set the version, write the changelog section; see the module's doc."""
    from shequ.build.pipeline import validate

    new = parse_version(version)
    day = today or dt.date.today()
    current = current_version(project)
    if current and VERSION.match(current) and parse_version(current) > new:
        raise ReleaseError(f"{version} is older than the current version {current}")
    try:
        tags = release_tags(project)
    except DiffError as exc:
        raise ReleaseError(f"releases need the project's git history: {exc}") from None
    if new in tags:
        raise ReleaseError(f"tag {tags[new]} already exists: choose a new version")
    older = [v for v in tags if v < new]
    previous = tags[max(older)] if older else None

    if check:
        _, report = validate(project, day)
        if not report.valid:
            raise InvalidData(report)
    diff = record_diff(project, previous or NOTHING, None)
    section = changelog_section(version, day, previous, diff, notable_fields(project))

    package = project.package_file
    citation = project.root / "CITATION.cff"
    changelog = project.root / "CHANGELOG.md"
    edits: dict[Path, str] = {}
    edits[package] = set_line(package.read_text(encoding="utf-8"), "version", version, "datasets/package.yaml")
    if citation.is_file():
        text = set_line(citation.read_text(encoding="utf-8"), "version", version, "CITATION.cff")
        edits[citation] = set_line(text, "date-released", day.isoformat(), "CITATION.cff")
    old_log = changelog.read_text(encoding="utf-8") if changelog.is_file() else None
    edits[changelog] = insert_section(old_log, section, version)
    release_file = project.releases_folder / f"{version}.yaml"
    if release_file.exists() or release_file.is_symlink():
        raise ReleaseError(f"{project.relative(release_file)} already exists: choose a new version")
    edits[release_file] = release_file_text(version, day, previous, diff)
    release_file.parent.mkdir(exist_ok=True)
    for path, text in edits.items():  # everything was computed first: nothing half-done on an error
        path.write_text(text, encoding="utf-8", newline="\n")
    return Release(version, previous, diff, section, list(edits))
