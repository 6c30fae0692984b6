"""The record index: what a shard needs to know of the records it does not render.

A record page shows a few fields of records in other provinces. An organization's page names
its incubator and links to it. An incubator's page lists the organizations it incubated,
wherever they are: each as a listing row (name, place, track, status, fields of activity),
newest first. ``shequ shard plan --index FILE`` checks every source and writes those fields of
every record into ``FILE``. ``shequ shard build PROVINCES --index FILE`` then parses the record
files of its own provinces only, and takes the few records of other provinces that its pages
name from the index. A shard's memory then follows the shard, not the country.

The file is JSON Lines. The first line is ``{"format": 1, "records": N, "sources": DIGEST}``,
where ``DIGEST`` covers every file under ``datasets/`` (:func:`datasets_digest`). Then comes
one line per record, incubators first, each file in name order, always written the same way,
so the same sources give the same bytes::

    {"dataset":"organizations","id":"org-x","lists":{"fields_of_activity":["elderly-care"]},"values":{"division":"310115001","name":"…"}}

A shard refuses an index whose ``sources`` are not its own. The shard's digest in
``shard.json`` also covers the index's record lines (:func:`lines_digest`). The merge loads
every source and computes those lines itself, so it refuses a shard rendered from an index
that its sources do not give, edited or not.

Example::

    write_index(Path("index.jsonl"), sources)                       # in the plan job
    index = read_index(Path("index.jsonl"), frozenset({"31"}), datasets_digest(project))
    records = index.load(project)     # the shard's own record files, parsed
    Directory(load(project, records=records), elsewhere=index.elsewhere)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from shequ import __version__
from shequ.build.shards import ShardError, province_of_division, sources_digest
from shequ.project import RECORD_DATASETS, Project
from shequ.report import Problem
from shequ.sources.load import Sources
from shequ.sources.tables import LAYOUT, typed
from shequ.sources.yamlfiles import Record, load_record_files

FORMAT = 1
#: What a page shows of a record in another shard: the organization row of the listings
#: (``organization_row`` in templates/pages/_macros.html: name, place, track, status), the
#: incubator's name and link on an organization's page, and the order of an incubator's list
#: (by ``incubated_from``). ``division`` also gives the record's province.
VALUES = ("name", "name_en", "division", "incubated_by", "incubated_from", "management_track", "status")
LISTS = ("fields_of_activity",)
#: Incubators first: then one pass knows the shard's own incubators before their organizations.
ORDER = ("incubators", "organizations")
#: A record's id is its file name: nothing that leaves the dataset's folder.
_FILE_NAME = re.compile(r"[^/\\\x00.][^/\\\x00]*")


class RecordIndexError(ShardError):
    """An index that is missing, of other sources, or not one: the file, line and field, and what to do."""


def datasets_digest(project: Project) -> str:
    """A SHA-256 of every file under ``datasets/`` (path and bytes) and of shequ's version."""
    return sources_digest(project.root, [project.datasets], [], f"record index\0{__version__}")


def index_lines(sources: Sources) -> Iterator[bytes]:
    """The index's line for each record of ``sources``, in the index's order."""
    for dataset in ORDER:
        types = {f["name"]: f.get("type", "string") for f in sources.schemas.fields(LAYOUT[dataset].main)}
        lists = [c.key for c in LAYOUT[dataset].children if c.key in LISTS and not c.is_mapping]
        for record in sorted(sources.records.get(dataset, ()), key=lambda r: r.file):
            data = record.data if isinstance(record.data, dict) else {}
            values = {}
            for name in VALUES:
                value = typed(data.get(name), types[name]) if name in types else None
                if value is not None:
                    values[name] = value.isoformat() if isinstance(value, dt.date) else value
            line = {"dataset": dataset, "id": record.id, "values": values,
                    "lists": {key: [str(v) for v in data[key]] for key in lists if isinstance(data.get(key), list)}}
            # ASCII with escapes: the same bytes on every machine, whatever a value holds.
            yield json.dumps(line, sort_keys=True, separators=(",", ":")).encode("ascii") + b"\n"


def lines_digest(sources: Sources) -> str:
    """A SHA-256 of the index's record lines for ``sources``: what the merge compares."""
    digest = hashlib.sha256()
    for line in index_lines(sources):
        digest.update(line)
    return digest.hexdigest()


def outside_datasets(path: Path, project: Project) -> Path:
    """``path``, refused inside ``datasets/``, where the index would change the sources it describes."""
    if path.resolve().is_relative_to(project.datasets.resolve()):
        raise RecordIndexError(f"{path}: inside {project.relative(project.datasets)}/, where it would change "
                               "the sources it describes; write it elsewhere")
    return path


def write_index(path: Path, sources: Sources) -> int:
    """The index of ``sources`` into ``path``, replaced all at once; returns its records.
    The header's digest is read from disk now: the sources the caller checked."""
    path = outside_datasets(Path(path), sources.project)
    project = sources.project
    lines = list(index_lines(sources))
    header = {"format": FORMAT, "records": len(lines), "sources": datasets_digest(project)}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        with open(partial, "wb") as out:
            out.write(json.dumps(header, sort_keys=True).encode("ascii") + b"\n")
            out.writelines(lines)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return len(lines)


@dataclass
class RecordIndex:
    """What one shard takes from an index: its own record files, the records of other shards
    that its pages name (with the index's fields only), and the digest of the index's lines."""

    files: dict[str, list[str]]  # dataset -> ids of the shard's own records
    elsewhere: list[Record]
    lines: str

    @property
    def count(self) -> int:
        return sum(len(ids) for ids in self.files.values())

    def load(self, project: Project, advance=None) -> tuple[dict[str, list[Record]], list[Problem]]:
        """The shard's own record files, parsed (what :func:`shequ.sources.load.load` takes)."""
        records, problems = {}, []
        for dataset in RECORD_DATASETS:
            paths = [project.datasets / dataset / f"{name}.yaml" for name in self.files.get(dataset, [])]
            records[dataset], found = load_record_files(project, dataset, paths)
            problems += found
            if advance is not None:
                advance(len(paths))
        return records, problems


def read_index(path: Path, provinces: frozenset[str], digest: str) -> RecordIndex:
    """The part of the index at ``path`` that the shard of ``provinces`` needs. ``digest``:
    :func:`datasets_digest` of the sources the shard sees; an index of other sources is
    refused, as is a file that is not an index (:class:`RecordIndexError` naming the line and field).

    Two passes over the file, so that only the shard's part is ever held: the first finds the
    shard's records and what they name, the second keeps the records elsewhere they name."""
    path = Path(path)
    own: dict[str, list[str]] = {dataset: [] for dataset in RECORD_DATASETS}
    own_incubators: set[str] = set()
    named_incubators: set[str] = set()
    first = hashlib.sha256()
    for number, raw, line in _lines(path, digest):
        first.update(raw)
        values = line["values"]
        if _in_shard(values.get("division"), provinces):
            own[line["dataset"]].append(line["id"])
            if line["dataset"] == "incubators":
                own_incubators.add(line["id"])
            elif values.get("incubated_by"):
                named_incubators.add(values["incubated_by"])
    elsewhere = []
    second = hashlib.sha256()
    for number, raw, line in _lines(path, digest):
        second.update(raw)
        dataset, values = line["dataset"], line["values"]
        if _in_shard(values.get("division"), provinces):
            continue
        if (line["id"] in named_incubators if dataset == "incubators"
                else values.get("incubated_by") in own_incubators):
            elsewhere.append(Record(dataset, line["id"], f"datasets/{dataset}/{line['id']}.yaml",
                                    {**values, **line["lists"]}))
    if first.digest() != second.digest():
        raise RecordIndexError(f"{path}: changed while the shard read it; build the shard again")
    return RecordIndex(own, elsewhere, first.hexdigest())


def _in_shard(division, provinces: frozenset[str]) -> bool:
    """Whether a record of ``division`` is the shard's, as :class:`~shequ.build.records.RecordPages` decides."""
    return province_of_division(division) in provinces


def _lines(path: Path, digest: str) -> Iterator[tuple[int, bytes, dict]]:
    """Each record line of the index, checked: (line number, its bytes, its object)."""
    try:
        file = open(path, "rb")
    except FileNotFoundError:
        raise RecordIndexError(f"{path}: missing; write it with shequ shard plan COUNT --index {path}") from None
    except OSError as exc:
        raise RecordIndexError(f"{path}: cannot be read: {exc.strerror}") from None
    with file:
        header = _parse(path, 1, file.readline())
        if header.get("format") != FORMAT:
            raise RecordIndexError(f"{path}: line 1: format: expected {FORMAT} (written by another version of shequ?)")
        if not isinstance(header.get("sources"), str) or not re.fullmatch(r"[0-9a-f]{64}", header["sources"]):
            raise RecordIndexError(f"{path}: line 1: sources: expected a SHA-256 digest of 64 hex digits")
        if header["sources"] != digest:
            raise RecordIndexError(f"{path}: line 1: sources: written for other sources than these (datasets/ "
                                   "changed since, or another version of shequ); write it again with "
                                   "shequ shard plan --index")
        records = header.get("records")
        if not isinstance(records, int) or isinstance(records, bool) or records < 0:
            raise RecordIndexError(f"{path}: line 1: records: expected the number of record lines")
        number = 1
        for number, raw in enumerate(file, 2):
            yield number, raw, _record(path, number, _parse(path, number, raw))
        if number - 1 != records:
            raise RecordIndexError(f"{path}: records: line 1 says {records:,}, the file holds {number - 1:,}; "
                                   "cut short? write it again with shequ shard plan --index")


def _parse(path: Path, number: int, raw: bytes) -> dict:
    try:
        line = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RecordIndexError(f"{path}: line {number}: not a line of a record index: {exc}") from None
    if not isinstance(line, dict):
        raise RecordIndexError(f"{path}: line {number}: not a line of a record index: expected an object")
    return line


def _record(path: Path, number: int, line: dict) -> dict:
    where = f"{path}: line {number}"
    if line.get("dataset") not in RECORD_DATASETS:
        raise RecordIndexError(f"{where}: dataset: expected one of {', '.join(RECORD_DATASETS)}")
    if not isinstance(line.get("id"), str) or not _FILE_NAME.fullmatch(line["id"]):
        raise RecordIndexError(f"{where}: id: expected a record file's name without .yaml")
    values = line.get("values")
    if not isinstance(values, dict) or not all(k in VALUES and isinstance(v, str) for k, v in values.items()):
        raise RecordIndexError(f"{where}: values: expected an object of text values of {', '.join(VALUES)}")
    lists = line.get("lists")
    if not isinstance(lists, dict) or not all(
            k in LISTS and isinstance(v, list) and all(isinstance(x, str) for x in v) for k, v in lists.items()):
        raise RecordIndexError(f"{where}: lists: expected an object of lists of text of {', '.join(LISTS)}")
    return line
