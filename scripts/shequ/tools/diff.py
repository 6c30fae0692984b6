"""Record diffs between two versions of the data: what reviewers and release notes need.

``shequ diff [BASE] [HEAD]`` compares the record files of two git revisions:

- no arguments: the last commit (``HEAD``) with the working tree, like ``git diff``;
- ``BASE``: that revision with the working tree (uncommitted edits included);
- ``BASE HEAD``: two revisions, e.g. ``main HEAD`` or ``v0.1.0 v0.2.0``;
- ``A...B``: what B changed since it left A (from their merge base to B), as in a
  pull request; ``A..B`` is the same as ``A B``.

Files are read from git with ``git ls-tree`` and ``git cat-file`` (only the files
whose content differs are read) and parsed with the same safe loader as the checks.
A record is its file: an id that appears is added, one that disappears is
removed, and a changed file lists each field with its old and new value.

The diff also names the settings of ``mkdocs.yml`` that run code during a build or move its
output (:data:`WATCHED_SETTINGS`: ``hooks``, ``plugins``, ``site_dir``…) when they changed, loudly:
a pull request that changes them runs its own code in CI (docs/security.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shequ.errors import ShequError
from shequ.project import RECORD_DATASETS, Project
from shequ.sources.siteconfig import parse_config_text
from shequ.sources.yamlfiles import YamlProblem, parse_yaml

#: A field's value is absent on one side.
ABSENT = object()

#: Settings of mkdocs.yml that run code during a build (hooks, plugins, Markdown extensions, a
#: parent configuration that may set them), read files from elsewhere or move the output.
WATCHED_SETTINGS = ("INHERIT", "hooks", "plugins", "markdown_extensions", "site_dir", "docs_dir", "theme.custom_dir")
CONFIG_FILE = "mkdocs.yml"

WORKTREE = None  # "head" meaning the files on disk
NOTHING = "(no records)"  # "base" meaning no records at all, before a first release (never a ref: it has a space)


class DiffError(ShequError):
    """Not a git repository, or a revision git does not know."""


@dataclass
class FieldChange:
    field: str  # e.g. "address", "sources[0].url"
    old: Any  # ABSENT when the field is new
    new: Any  # ABSENT when the field was removed


@dataclass
class RecordChange:
    dataset: str
    id: str
    file: str  # relative to the project root
    kind: str  # added | removed | changed
    name: str | None
    fields: list[FieldChange] = field(default_factory=list)
    note: str | None = None  # e.g. a file that cannot be read
    name_en: str | None = None


KINDS = ("added", "removed", "changed")


@dataclass
class RecordDiff:
    base: str  # as the user named it
    head: str  # a revision, or "the working tree"
    changes: list[RecordChange]
    settings: list[str] = field(default_factory=list)  # the WATCHED_SETTINGS of mkdocs.yml that changed

    def of(self, kind: str, dataset: str | None = None) -> list[RecordChange]:
        return [c for c in self.changes if c.kind == kind and (dataset is None or c.dataset == dataset)]

    def counts(self, dataset: str | None = None) -> dict[str, int]:
        return {kind: len(self.of(kind, dataset)) for kind in KINDS}

    @property
    def empty(self) -> bool:
        return not self.changes


# --- git ---------------------------------------------------------------------------------------


def git(cwd: Path, *args: str, input: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, check=False)
    except FileNotFoundError:
        raise DiffError("git is not installed") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DiffError(message[-1] if message else f"git {' '.join(args)} failed")
    return done.stdout


def repo_location(project: Project) -> tuple[Path, str]:
    """The repository's top folder and the project's path inside it ("" or "sub/dir/")."""
    try:
        top = git(project.root, "rev-parse", "--show-toplevel").decode().strip()
        prefix = git(project.root, "rev-parse", "--show-prefix").decode().strip()
    except DiffError as exc:
        raise DiffError(f"{project.root} is not in a git repository ({exc})") from None
    return Path(top), prefix


def resolve(top: Path, rev: str) -> str:
    """The commit a revision names (a branch, tag, sha, HEAD~1 …)."""
    if rev.startswith("-"):
        raise DiffError(f"'{rev}' is not a revision")
    try:
        return git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}").decode().strip()
    except DiffError:
        raise DiffError(f"unknown revision '{rev}' (a branch, tag or commit; fetch it first in a shallow clone)") \
            from None


def split_range(base: str | None, head: str | None) -> tuple[str, str | None, bool]:
    """(base, head, merge_base) from the arguments, understanding A...B and A..B."""
    if base is None:
        return "HEAD", head, False
    if head is None and "..." in base:
        a, b = base.split("...", 1)
        return a or "HEAD", b or "HEAD", True
    if head is None and ".." in base:
        a, b = base.split("..", 1)
        return a or "HEAD", b or "HEAD", False
    return base, head, False


def blob_id(data: bytes) -> str:
    """The id git gives a file's content, so unchanged files are never read twice."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class Side:
    """The record files of one version: path in the project → (blob id, bytes or None until read)."""

    blobs: dict[str, str]
    texts: dict[str, bytes]


def tree_side(top: Path, prefix: str, commit: str) -> Side:
    paths = [f"{prefix}datasets/{d}/" for d in RECORD_DATASETS]
    out = git(top, "ls-tree", "-r", "-z", "--full-tree", commit, "--", *paths)
    blobs = {}
    for entry in out.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        path = name.decode("utf-8", "replace")[len(prefix):]
        if kind == "blob" and _is_record_path(path):
            blobs[path] = sha if mode != "120000" else "link:" + sha  # a link is never a record
    return Side(blobs, {})


def worktree_side(project: Project) -> Side:
    blobs, texts = {}, {}
    for dataset in RECORD_DATASETS:
        folder = project.datasets / dataset
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            rel = f"datasets/{dataset}/{path.name}"
            if not _is_record_path(rel):
                continue
            if path.is_symlink():
                blobs[rel] = "link:" + rel  # never followed; shown as unreadable
                continue
            if path.is_dir():
                continue
            data = path.read_bytes()
            blobs[rel], texts[rel] = blob_id(data), data
    return Side(blobs, texts)


def _is_record_path(path: str) -> bool:
    parts = path.split("/")
    return len(parts) == 3 and parts[0] == "datasets" and parts[1] in RECORD_DATASETS \
        and parts[2].endswith(".yaml") and not parts[2].startswith(".")


def read_blobs(top: Path, side: Side, paths: list[str]) -> None:
    """Fill ``side.texts`` for these paths with one ``git cat-file --batch``."""
    wanted = [p for p in paths if p not in side.texts and not side.blobs[p].startswith("link:")]
    if not wanted:
        return
    out = git(top, "cat-file", "--batch", input="".join(side.blobs[p] + "\n" for p in wanted).encode())
    pos = 0
    for path in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        size = int(header[2])
        side.texts[path] = out[end + 1:end + 1 + size]
        pos = end + 1 + size + 1


# --- comparing records -------------------------------------------------------------------------


def load_record(data: bytes | None) -> tuple[dict | None, str | None]:
    """A record's mapping, or None and why it cannot be read."""
    if data is None:
        return None, "is a symbolic link"
    try:
        text = data.decode("utf-8-sig")
        value = parse_yaml(text)
    except UnicodeDecodeError:
        return None, "is not UTF-8"
    except YamlProblem as exc:
        return None, f"cannot be read: {exc.message}"
    if not isinstance(value, dict):
        return None, "is not a mapping of fields"
    return value, None


def flatten(data: dict) -> dict[str, Any]:
    """Field label → value; lists of mappings item by item (``sources[0].url``), other lists whole."""
    out: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict) and value:
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for i, v in enumerate(value):
                walk(f"{prefix}[{i}]", v)
        else:
            out[prefix] = value

    for key, value in data.items():
        walk(str(key), value)
    return out


def compare(old: dict, new: dict) -> list[FieldChange]:
    a, b = flatten(old), flatten(new)
    labels = list(b) + [k for k in a if k not in b]
    changes = []
    for label in labels:
        before, after = a.get(label, ABSENT), b.get(label, ABSENT)
        if not _same(before, after):
            changes.append(FieldChange(label, before, after))
    return changes


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _name(data: dict | None, key: str = "name") -> str | None:
    value = (data or {}).get(key)
    return value if isinstance(value, str) else None


def record_diff(project: Project, base: str | None = None, head: str | None = WORKTREE) -> RecordDiff:
    """Records added, removed and changed from ``base`` to ``head`` (None: the working tree)."""
    top, prefix = repo_location(project)
    base, head, use_merge_base = split_range(base, head)
    base_commit = resolve(top, base) if base != NOTHING else None
    head_commit = resolve(top, head) if head is not None else None
    if use_merge_base:
        base_commit = git(top, "merge-base", base_commit, head_commit).decode().strip()
    old = tree_side(top, prefix, base_commit) if base_commit else Side({}, {})
    new = tree_side(top, prefix, head_commit) if head_commit else worktree_side(project)
    changed = [p for p in new.blobs if p in old.blobs and old.blobs[p] != new.blobs[p]]
    added = [p for p in new.blobs if p not in old.blobs]
    removed = [p for p in old.blobs if p not in new.blobs]
    read_blobs(top, old, changed + removed)
    read_blobs(top, new, changed + added)
    changes = []
    for kind, paths in (("added", added), ("removed", removed), ("changed", changed)):
        for path in paths:
            _, dataset, filename = path.split("/")
            before, why_old = load_record(old.texts.get(path)) if kind != "added" else (None, None)
            after, why_new = load_record(new.texts.get(path)) if kind != "removed" else (None, None)
            change = RecordChange(dataset, filename[: -len(".yaml")], path, kind, _name(after) or _name(before),
                                  name_en=_name(after, "name_en") or _name(before, "name_en"))
            if kind == "changed":
                if before is not None and after is not None:
                    change.fields = compare(before, after)
                    if not change.fields:
                        continue  # only comments or layout changed
                else:
                    change.note = f"now {why_new}" if why_new else f"was unreadable ({why_old})"
            elif why_old or why_new:
                change.note = why_new or why_old
            changes.append(change)
    order = {d: i for i, d in enumerate(RECORD_DATASETS)}
    changes.sort(key=lambda c: (order[c.dataset], KINDS.index(c.kind), c.id))
    settings = watched_changes(_config_at(top, prefix, base_commit), _config_at(top, prefix, head_commit, project))
    return RecordDiff(base, "the working tree" if head is None else head, changes, settings)


def _config_at(top: Path, prefix: str, commit: str | None, project: Project | None = None) -> Any:
    """mkdocs.yml's settings at ``commit`` (None with a project: on disk), or None where there is none;
    a file that cannot be read counts as a value of its own (a change to it is named)."""
    try:
        if commit is None and project is not None:
            path = project.root / CONFIG_FILE
            text = path.read_text(encoding="utf-8") if path.is_file() else None
        elif commit is None:
            return None
        else:
            listed = git(top, "ls-tree", "--full-tree", commit, "--", prefix + CONFIG_FILE)
            text = git(top, "cat-file", "blob", f"{commit}:{prefix}{CONFIG_FILE}").decode("utf-8") if listed else None
        return parse_config_text(text) if text is not None else None
    except (OSError, UnicodeDecodeError, YamlProblem, DiffError) as exc:
        return f"unreadable: {exc}"


def watched_changes(old: Any, new: Any) -> list[str]:
    """The :data:`WATCHED_SETTINGS` whose values differ between two parsed mkdocs.yml files."""
    def value(config: Any, dotted: str) -> Any:
        for key in dotted.split("."):
            if not isinstance(config, dict):
                return ABSENT if not isinstance(config, str) else config  # unreadable: differs from any value
            config = config.get(key, ABSENT)
        return config

    return [key for key in WATCHED_SETTINGS if not _same_setting(value(old, key), value(new, key))]


def _same_setting(a: Any, b: Any) -> bool:
    return a is b or (a is not ABSENT and b is not ABSENT and a == b)


# --- output ------------------------------------------------------------------------------------

MAX_VALUE = 200
MAX_DETAILED = 300  # records shown field by field; the rest are counted (a job summary holds 1 MiB)


def show(value: Any) -> str:
    if value is ABSENT or value is None:
        return "(none)"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE] + "…"


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in counts.items())


def settings_warning(diff: RecordDiff) -> str | None:
    """The loud sentence about changed build settings, or None."""
    if not diff.settings:
        return None
    return (f"WARNING: {CONFIG_FILE} changes {', '.join(diff.settings)}: settings that run code during the build "
            "or move its output. Review them before anything else (docs/security.md).")


def format_text(diff: RecordDiff) -> str:
    warning = settings_warning(diff)
    lines = ([warning, ""] if warning else []) + [f"Record changes from {diff.base} to {diff.head}: "
                                                   + ("none" if diff.empty else _counts_text(diff.counts()))]
    if diff.empty:
        return "\n".join(lines) + "\n"
    for dataset in RECORD_DATASETS:
        lines.append(f"  {dataset}: {_counts_text(diff.counts(dataset))}")
    lines.append("")
    marks = {"added": "+", "removed": "-", "changed": "~"}
    for i, c in enumerate(diff.changes):
        if i == MAX_DETAILED:
            lines.append(f"… and {len(diff.changes) - MAX_DETAILED} more records")
            break
        lines.append(f"{marks[c.kind]} {c.file}" + (f"  {show(c.name)}" if c.name else "")
                     + (f"  ({c.note})" if c.note else ""))
        for f in c.fields:
            lines.append(f"    {f.field}: {show(f.old)} → {show(f.new)}")
    return "\n".join(lines) + "\n"


# Data never starts a line (a cell or bullet always has a prefix), so - + . need no escape.
_MD_SPECIAL = set("\\`*_{}[]<>#|~&")


def md(value: Any) -> str:
    """Text safe in a Markdown table cell: no markup, links, HTML or line breaks from the data."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in show(value))


def format_markdown(diff: RecordDiff) -> str:
    out = ["### Record changes", ""]
    warning = settings_warning(diff)
    if warning:
        out = [f"> [!CAUTION]\n> **{md(warning)}**", ""] + out
    base, head = md(diff.base), md(diff.head)
    if diff.empty:
        return "\n".join(out + [f"No records changed from {base} to {head}.", ""])
    out.append(f"From {base} to {head}: **{_counts_text(diff.counts())}**.")
    out += ["", "| dataset | added | removed | changed |", "|---|---:|---:|---:|"]
    for dataset in RECORD_DATASETS:
        n = diff.counts(dataset)
        out.append(f"| {dataset} | {n['added']} | {n['removed']} | {n['changed']} |")
    shown = 0
    for kind in KINDS:
        items = diff.of(kind)
        if not items:
            continue
        out += ["", f"#### {kind.capitalize()}", ""]
        for c in items:
            if shown == MAX_DETAILED:
                out.append("- … and more: run `shequ diff` locally for the full list")
                break
            shown += 1
            title = f"**{md(c.id)}** {md(c.name) if c.name else ''} ({md(c.dataset)})".replace("  ", " ")
            if c.note:
                title += f": {md(c.note)}"
            if kind != "changed" or not c.fields:
                out.append(f"- {title}")
                continue
            out += [f"- {title}", "", "  | field | old | new |", "  |---|---|---|"]
            out += [f"  | {md(f.field)} | {md(f.old)} | {md(f.new)} |" for f in c.fields]
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def format_github(diff: RecordDiff) -> str:
    """GitHub Actions annotations: a warning on mkdocs.yml when watched settings changed (the
    records are in the job summary)."""
    warning = settings_warning(diff)
    if not warning:
        return f"{CONFIG_FILE}: no setting that runs code or moves the output changed\n"
    message = warning.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return f"::warning file={CONFIG_FILE},title=Build settings changed::{message}\n"


def format_diff(diff: RecordDiff, fmt: str) -> str:
    return {"text": format_text, "markdown": format_markdown, "github": format_github}[fmt](diff)
