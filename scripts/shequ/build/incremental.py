"""Incremental rebuilds for ``mkdocs serve`` and ``shequ serve``, keyed on content hashes.

Editing one record of a 10,000-record directory should show in the browser in
seconds, not after a full build. Between two builds of one ``serve`` session the
plugin keeps a :class:`BuildCache`:

- **Parsed records,** by file and the hash of its bytes: a rebuild reads every
  record file (fast) but parses only those whose bytes changed.
- **Listing rows,** by organization: a row is kept while the organization's file
  and everything shared (vocabularies, divisions, schemas, templates, settings)
  are unchanged.
- **Record pages,** by a key made of what the page shows: the record's own file,
  the file of the incubator an organization names, the files of the organizations
  an incubator incubated, everything shared, and the theme shell around the page.
  A page whose key is unchanged is linked from the previous build's output instead
  of being rendered again.
- **A spare tree** of the record folders (:class:`SpareTree`): making 20,000 record
  folders costs seconds on its own (about 0.15 ms a ``mkdir`` on the machine the
  figures come from), so right after each build a background thread makes hard-link
  copies of its record pages and JSON in a folder beside the site, while the reader
  looks at the result. The next rebuild renames those folders into its output in one
  step each and rewrites only the pages whose key changed.

Checks, the data package and the listing pages are still made in full, so the
output is the output of a clean build; ``tests/test_incremental.py`` compares
the two file by file.

A page template that starts showing more of *other* records must add them to
:func:`record_page_key`, or an edit to those records will not reach the page.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing as mp
import os
import shutil
import stat
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from shequ.project import RECORD_DATASETS, Project
from shequ.report import Problem
from shequ.sources.yamlfiles import PARALLEL_PARSE_FILES, Record, load_paths, load_records, record_files

PACKAGE_ROOT = Path(__file__).parents[1]  # the shequ package: its templates and assets

#: Project files every page may depend on, besides the datasets' shared folders.
SHARED_FILES = ("CITATION.cff", "CHANGELOG.md", "mkdocs.yml")


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _file_digest(path: Path) -> str | None:
    """The hash of a regular file's bytes; None for anything else (always parsed afresh)."""
    try:
        if path.is_symlink() or not path.is_file():
            return None
        return digest(path.read_bytes())
    except OSError:
        return None


#: A file changed less than this long before the previous scan may have changed again within
#: the same clock tick without its size changing: it is hashed again, whatever its signature.
RACY_NS = 2_000_000_000


@dataclass
class CachedFile:
    digest: str
    records: list[Record]
    problems: list[Problem]
    signature: tuple = ()  # (size, mtime_ns, inode) when hashed


@dataclass
class BuildCache:
    """What one ``serve`` session keeps between builds (see the module's docstring)."""

    root: Path | None = None
    files: dict[str, CachedFile] = field(default_factory=dict)  # record file -> parsed
    digests: dict[str, str | None] = field(default_factory=dict)  # record file -> hash, this build
    shared: str = ""  # hash of everything the pages share, this build
    #: language -> organization id -> (key, row parts): each language's listings have rows of their own
    rows: dict[str, dict[str, tuple[str, list[str] | None]]] = field(default_factory=dict)
    pages: dict[str, tuple[str, int]] = field(default_factory=dict)  # site path -> (key, bytes), last build
    site: Path | None = None  # the last build's output, where unchanged pages are linked from
    parsed: int = 0  # record files parsed in this build
    hashed: int = 0  # record files whose bytes were read and hashed in this build
    reused: int = 0  # record pages linked from the previous build in this build
    scanned_ns: int = 0  # when the previous scan of the record files started
    spare: "SpareTree | None" = None  # the last build's record folders, linked again for the next
    spare_used: bool = False  # this build's output started from the spare tree

    def start_spare(self) -> None:
        """Begin linking the last build's record pages and JSON into a spare tree."""
        self.drop_spare()
        if self.site is not None and self.pages:
            self.spare = SpareTree(self.site, list(self.pages))

    def take_spare(self) -> Path | None:
        """The spare tree, once complete, for this build to move into its output; None if there is none."""
        spare, self.spare = self.spare, None
        return spare.take() if spare is not None else None

    def drop_spare(self) -> None:
        if self.spare is not None:
            self.spare.discard()
            self.spare = None

    def reset_for(self, root: Path) -> None:
        """Start over when the session builds another project."""
        if self.root != root:
            self.__init__(root=root)

    # Loading ------------------------------------------------------------------------------------

    def load_records(self, project: Project, advance: Callable[[int], None] | None = None
                     ) -> tuple[dict[str, list[Record]], list[Problem]]:
        """What :func:`shequ.sources.yamlfiles.load_all_records` gives, parsing only changed files.
        ``advance(n)`` is told as files are read (the progress of the load stage)."""
        advance = advance or (lambda n: None)
        # Parsed YAML has no reference cycles: as in shequ.sources.load.load, the cyclic collector is
        # paused while the records pile up (load() freezes them afterwards).
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._load_records(project, advance)
        finally:
            if enabled:
                gc.enable()

    def _load_records(self, project: Project, advance: Callable[[int], None]
                      ) -> tuple[dict[str, list[Record]], list[Problem]]:
        out: dict[str, list[Record]] = {}
        problems: list[Problem] = []
        self.digests = {}
        self.signatures: dict[str, tuple] = {}
        self.parsed = self.hashed = 0
        racy, self.scanned_ns = self.scanned_ns - RACY_NS, time.time_ns()
        seen: set[str] = set()
        for dataset in RECORD_DATASETS:
            folder = project.datasets / dataset
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                out[dataset], found = load_records(project, dataset)  # reports the folder itself
                problems.extend(found)
                continue
            paths = list(record_files(project, dataset))
            stale = []
            for path in paths:
                rel = project.relative(path)
                seen.add(rel)
                cached = self.files.get(rel)
                self.digests[rel] = self._digest(path, rel, cached, racy)
                if cached is not None and cached.digest == self.digests[rel]:
                    cached.signature = self.signatures.get(rel, ())
                if self.digests[rel] is None or cached is None or cached.digest != self.digests[rel]:
                    stale.append(path)
            advance(len(paths) - len(stale))
            self._parse(project, dataset, stale, advance)
            records: list[Record] = []
            for path in paths:
                rel = project.relative(path)
                cached = self.files.get(rel)
                if cached is not None:
                    records.extend(cached.records)
                    problems.extend(cached.problems)
            out[dataset] = records
        for rel in set(self.files) - seen:
            del self.files[rel]
        return out, problems

    def _digest(self, path: Path, rel: str, cached: CachedFile | None, racy: int) -> str | None:
        """The hash of the file's bytes. An unchanged signature (size, time, inode) of a file
        hashed well before the last scan stands for unchanged bytes, as in git's index."""
        try:
            st = os.lstat(path)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        signature = (st.st_size, st.st_mtime_ns, st.st_ino)
        self.signatures[rel] = signature
        if cached is not None and cached.signature == signature and st.st_mtime_ns < racy:
            return cached.digest
        self.hashed += 1
        try:
            return digest(path.read_bytes())
        except OSError:
            return None

    def _parse(self, project: Project, dataset: str, paths: list[Path], advance: Callable[[int], None]) -> None:
        if not paths:
            return
        self.parsed += len(paths)
        workers = min(os.cpu_count() or 1, 4)
        if len(paths) >= PARALLEL_PARSE_FILES and workers > 1 and "fork" in mp.get_all_start_methods():
            # As shequ.sources.yamlfiles.load_records: small chunks, so this process unpickles one while
            # the workers parse the next.
            chunks = [paths[i:i + 1000] for i in range(0, len(paths), 1000)]
            parts = []
            with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
                for chunk, part in zip(chunks, pool.map(load_paths, [project] * len(chunks),
                                                         [dataset] * len(chunks), chunks)):
                    parts.append(part)
                    advance(len(chunk))
        else:
            parts = [load_paths(project, dataset, paths)]
            advance(len(paths))
        by_file: dict[str, CachedFile] = {}
        for path in paths:
            rel = project.relative(path)
            by_file[rel] = CachedFile(self.digests.get(rel) or "-", [], [], self.signatures.get(rel, ()))
        for records, problems in parts:
            for record in records:
                by_file[record.file].records.append(record)
            for problem in problems:
                if problem.file in by_file:
                    by_file[problem.file].problems.append(problem)
        # A file that is not a regular file has no hash: it is parsed again at every build.
        self.files.update(by_file)

    # Keys ---------------------------------------------------------------------------------------

    def shared_digest(self, project: Project, settings) -> str:
        """A hash of everything every page may show: all of ``datasets/`` but the records,
        the project files the render stage reads, the page templates and the settings."""
        h = hashlib.blake2b(digest_size=16)
        skip = {project.datasets / d for d in RECORD_DATASETS}
        for folder in (project.datasets, PACKAGE_ROOT / "templates"):
            for dirpath, dirnames, names in os.walk(folder):
                dirnames[:] = sorted(d for d in dirnames if Path(dirpath, d) not in skip)
                for name in sorted(names):
                    path = Path(dirpath, name)
                    h.update(str(path).encode("utf-8", "surrogateescape") + b"\0")
                    h.update((_file_digest(path) or "-").encode() + b"\0")
        for name in SHARED_FILES:
            h.update(name.encode() + b"\0" + (_file_digest(project.root / name) or "-").encode() + b"\0")
        h.update(repr(settings).encode("utf-8", "surrogateescape"))
        self.shared = h.hexdigest()
        return self.shared

    def record_digest(self, file: str | None) -> str:
        return (self.digests.get(file) or "-") if file else "-"

    def row_key(self, org) -> str:
        return digest(f"{self.shared}\0{self.record_digest(org.file)}".encode())

    def rows_for(self, organizations, lang: str = "zh") -> dict[str, list[str] | None]:
        """The cached listing rows in ``lang`` still valid for these organizations, for the
        renderer of that language to extend."""
        keys = {org.id: self.row_key(org) for org in organizations}
        kept = {oid: entry for oid, entry in self.rows.get(lang, {}).items() if keys.get(oid) == entry[0]}
        self.rows[lang] = kept
        return RowCache(kept, keys)


class RowCache(dict):
    """A renderer's rows (organization id -> row parts), remembered with their keys in ``store``."""

    def __init__(self, store: dict[str, tuple[str, list[str] | None]], keys: dict[str, str]):
        super().__init__((oid, parts) for oid, (_, parts) in store.items())
        self.store = store
        self.keys = keys

    def __setitem__(self, oid, parts) -> None:
        super().__setitem__(oid, parts)
        if oid in self.keys:
            self.store[oid] = (self.keys[oid], parts)


def record_page_key(cache: BuildCache, directory, entry, theme: str) -> str:
    """What a record page shows, as a hash: see the module's docstring."""
    parts = [cache.shared, theme, entry.dataset, entry.id, cache.record_digest(entry.file)]
    if entry.dataset == "organizations":
        incubator = directory.incubator_by_id.get(entry.values.get("incubated_by") or "")
        parts.append(cache.record_digest(incubator.file) if incubator is not None else "-")
    else:
        for org in sorted(directory.incubated.get(entry.id, []), key=lambda o: o.id):
            parts += [org.id, cache.record_digest(org.file)]
    return digest("\0".join(parts).encode("utf-8", "surrogateescape"))


class SpareTree:
    """Hard links to a built site's record pages and JSON, in the same folders, made by a
    background thread in a folder beside the site (see the module's docstring).

    ``paths`` are site paths: a record page's folder (``en/organizations/x/``) or a
    record's JSON (``organizations/x.json``).
    """

    def __init__(self, site: Path, paths: list[str]):
        self.folder = Path(tempfile.mkdtemp(prefix=".shequ-spare-", dir=site.parent))
        self.complete = False
        self.thread = threading.Thread(target=self._fill, args=(site, paths), name="shequ-spare-tree", daemon=True)
        self.thread.start()

    def _fill(self, site: Path, paths: list[str]) -> None:
        made: set[str] = set()
        try:
            for path in paths:
                if path.endswith("/"):
                    os.makedirs(self.folder / path)
                    os.link(site / path / "index.html", self.folder / path / "index.html")
                else:
                    parent = path.rpartition("/")[0]
                    if parent not in made:
                        os.makedirs(self.folder / parent, exist_ok=True)
                        made.add(parent)
                    os.link(site / path, self.folder / path)
            self.complete = True
        except OSError:
            self.complete = False  # the build then links its pages one by one, as without a spare tree

    def take(self) -> Path | None:
        self.thread.join()
        if self.complete:
            return self.folder
        self.discard()
        return None

    def discard(self) -> None:
        self.thread.join()
        shutil.rmtree(self.folder, ignore_errors=True)
