"""Sharded builds: record pages rendered by province, on one machine or many, then merged.

A **shard** is a set of provinces, named by the first two digits of a record's ``division``
(``11`` Beijing, ``31`` Shanghai). A shard build (``shequ shard build 11,12 --out DIR``) loads
and checks every source as a whole build does, renders the record pages and JSON of the
records in its provinces only, and writes them into ``DIR`` with :data:`SHARD_FILE`: the
provinces, a digest of what the pages were rendered from, and every file it wrote. It writes
no listing, no data package, no search index.

The **merge** (``shequ shard merge DIR… --site-dir site``) is a whole build that takes each
record page and JSON from the shard that holds its province instead of rendering it: the
listings, statistics, data package, sitemap, search indexes and manifest are made as a whole
build makes them, so the merged site is byte for byte the unsharded one (a test checks it).
It refuses shards built from other sources, shards that share a province, and a record whose
province no shard holds.

Example::

    provinces = parse_provinces("11,12")           # frozenset({"11", "12"})
    shard = read_shard(Path("shards/a"))           # ShardFile(provinces=…, digest=…, files=…)
    groups = balanced([("11", 900), ("31", 400), ("44", 700)], 2)   # [["11"], ["31", "44"]]
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from shequ.errors import ShequError

#: The shard's own file, in the shard folder beside the pages it lists.
SHARD_FILE = "shard.json"
FORMAT = 1
#: Where a record's division holds no province code (it is checked, so this is a guard only).
NO_PROVINCE = "00"
_PROVINCE = re.compile(r"\d\d")


class ShardError(ShequError):
    """A shard that cannot be built or merged: which shard or record, and what to do."""


def parse_provinces(text: str) -> frozenset[str]:
    """``"11,12"`` → ``{"11", "12"}``; :class:`ShardError` for anything but two-digit codes."""
    codes = [part.strip() for part in str(text).split(",") if part.strip()]
    bad = [code for code in codes if not _PROVINCE.fullmatch(code)]
    if not codes or bad:
        raise ShardError(f"shard {text!r}: expected province codes of two digits separated by commas, "
                         f"such as 11,12 (the first two digits of a division code)"
                         + (f"; not a province code: {', '.join(bad)}" if bad else ""))
    return frozenset(codes)


def province_of(entry) -> str:
    """The province of a record (a :class:`~shequ.render.model.Entry`): the first two digits of its ``division``."""
    return province_of_division(entry.values.get("division"))


def province_of_division(division) -> str:
    division = str(division or "")
    return division[:2] if _PROVINCE.fullmatch(division[:2]) else NO_PROVINCE


def province_counts(records: dict[str, list]) -> list[tuple[str, int]]:
    """(province, records) of every province that holds a record, from the loaded record files
    (``Sources.records``: dataset → :class:`~shequ.sources.yamlfiles.Record`), sorted by code."""
    counts: dict[str, int] = {}
    for dataset in records.values():
        for record in dataset:
            data = record.data if isinstance(record.data, dict) else {}
            province = province_of_division(data.get("division"))
            counts[province] = counts.get(province, 0) + 1
    return sorted(counts.items())


def plan(records: dict[str, list], shards: int) -> list[frozenset[str]]:
    """Every province that holds a record, in ``shards`` shards of about as many records each
    (:func:`balanced`): together they hold every record, so their merge is complete."""
    return [frozenset(group) for group in balanced(province_counts(records), shards)]


def balanced(counts: list[tuple[str, int]], shards: int) -> list[list[str]]:
    """``counts``, (province, records) pairs, in ``shards`` groups of about the same number of
    records: the largest province first, each into the group with fewest records so far.
    Empty groups are left out; each group's provinces are sorted."""
    groups: list[tuple[int, int, list[str]]] = [(0, n, []) for n in range(max(1, shards))]
    for province, count in sorted(counts, key=lambda pc: (-pc[1], pc[0])):
        total, n, members = min(groups)
        groups[groups.index((total, n, members))] = (total + count, n, members + [province])
    return [sorted(members) for _, _, members in sorted(groups, key=lambda g: g[1]) if members]


def sources_digest(project_root: Path, folders: list[Path], files: list[Path], extra: str) -> str:
    """A SHA-256 of every file under ``folders`` and of ``files`` (path and bytes, in a fixed
    order), and of ``extra`` (the site's address, shequ's version): what a shard's pages were
    rendered from. Shards merge only when their digests agree."""
    digest = hashlib.sha256(extra.encode("utf-8", "surrogateescape") + b"\0")
    paths = [p for p in files if p.is_file()]
    for folder in folders:
        for dirpath, subfolders, names in os.walk(folder):
            subfolders[:] = sorted(s for s in subfolders if not s.startswith("."))
            paths += [Path(dirpath, name) for name in sorted(names) if not name.startswith(".")]
    for path in paths:
        digest.update(path.resolve().relative_to(project_root.resolve()).as_posix().encode("utf-8", "surrogateescape"))
        digest.update(b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@dataclass(frozen=True)
class ShardFile:
    """What :data:`SHARD_FILE` says: ``files`` are site paths (``en/organizations/x/index.html``,
    ``organizations/x.json``) with their sizes, in the order the shard wrote them."""

    folder: Path
    provinces: frozenset[str]
    digest: str
    files: dict[str, int]


def write_shard_file(folder: Path, provinces: frozenset[str], digest: str, files: dict[str, int]) -> Path:
    document = {"format": FORMAT, "provinces": sorted(provinces), "sources": digest, "files": files}
    path = Path(folder) / SHARD_FILE
    path.write_text(json.dumps(document, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    return path


def read_shard(folder: Path) -> ShardFile:
    """The shard in ``folder``; :class:`ShardError` naming the file and the field if it is not one."""
    path = Path(folder) / SHARD_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ShardError(f"{path}: missing: {folder} is not a shard folder (shequ shard build writes one)") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ShardError(f"{path}: not a shard file: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ShardError(f"{path}: format: expected {FORMAT} (written by another version of shequ?)")
    provinces = document.get("provinces")
    if not isinstance(provinces, list) or not all(isinstance(p, str) and _PROVINCE.fullmatch(p) for p in provinces):
        raise ShardError(f"{path}: provinces: expected a list of two-digit province codes")
    digest = document.get("sources")
    if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise ShardError(f"{path}: sources: expected a SHA-256 digest of 64 hex digits")
    files = document.get("files")
    if not isinstance(files, dict) or not all(
            isinstance(name, str) and _safe(name) and isinstance(size, int) and not isinstance(size, bool)
            and size >= 0 for name, size in files.items()):
        raise ShardError(f"{path}: files: expected an object of relative site paths to sizes in bytes")
    return ShardFile(Path(folder), frozenset(provinces), digest, files)


def _safe(name: str) -> bool:
    """A relative path inside the site: no absolute path, no ``..``, no empty part."""
    parts = name.split("/")
    return bool(name) and not name.startswith("/") and all(p not in ("", ".", "..") for p in parts) and "\\" not in name


def by_province(shards: list[ShardFile], digest: str) -> dict[str, ShardFile]:
    """Each province → the shard that holds it; :class:`ShardError` if the shards were built
    from other sources than ``digest`` or share a province."""
    if not shards:
        raise ShardError("no shard to merge: name the folders that shequ shard build wrote")
    owner: dict[str, ShardFile] = {}
    for shard in shards:
        if shard.digest != digest:
            raise ShardError(f"{shard.folder / SHARD_FILE}: sources: built from other sources or another site "
                             "address than this merge, or from a record index that these sources do not give; "
                             "build every shard again from the same commit")
        for province in sorted(shard.provinces):
            if province in owner:
                raise ShardError(f"province {province} is in two shards: {owner[province].folder} and "
                                 f"{shard.folder}; each province belongs to one shard")
            owner[province] = shard
    return owner
