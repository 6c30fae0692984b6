"""Build or serve the site with the project's ``mkdocs.yml``: what ``shequ build`` and
``shequ serve`` call. Both run the whole pipeline through the ``shequ`` MkDocs plugin.

Example::

    from shequ.generator.commands import build

    result = build(Project.at("."))
    print(result.site_dir, f"{result.seconds:.1f} s")

A sharded build (:mod:`shequ.build.shards`)::

    plan_shards(project, 2, index=Path("index.jsonl"))      # checks every source, writes the record index
    build_shard(project, frozenset({"11"}), Path("shards/11"), index=Path("index.jsonl"))
    build_shard(project, frozenset({"31", "44"}), Path("shards/31-44"), index=Path("index.jsonl"))
    merge_shards(project, [Path("shards/11"), Path("shards/31-44")])   # site/, as build() makes it
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from shequ import atomic
from shequ.build.core import SiteBuildError
from shequ.build.shards import plan, read_shard
from shequ.build.sitemap import WITHOUT_SITE_URL
from shequ.errors import ShequError
from shequ.project import Project

CONFIG = "mkdocs.yml"


@dataclass
class BuildResult:
    site_dir: Path
    seconds: float
    warnings: list[str] = field(default_factory=list)
    #: What the built site lacks because of its configuration (no ``site_url``), for the user.
    notes: list[str] = field(default_factory=list)


class _Collect(logging.Handler):
    """Keeps MkDocs' warnings and errors, so the caller decides how to show them."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _config_file(project: Project) -> Path:
    path = project.root / CONFIG
    if not path.is_file():
        raise SiteBuildError(f"{path} is missing: the site needs the project's {CONFIG}")
    return path


def build(project: Project, site_dir: Path | None = None, *, strict: bool = False,
          site_url: str | None = None) -> BuildResult:
    """Check the sources, publish the data package and build the site into ``site_dir``
    (default: the ``site_dir`` of mkdocs.yml, normally ``site/``), replacing it all at once.

    Raises a :class:`~shequ.errors.ShequError` when a check fails (with the problem report);
    the previous site is then untouched. ``site_url`` stands in for mkdocs.yml's.
    """
    return _build(project, site_dir, strict=strict, site_url=site_url)


def build_shard(project: Project, provinces: frozenset[str], out: Path, *, strict: bool = False,
                site_url: str | None = None, index: Path | None = None) -> BuildResult:
    """Render the record pages and JSON of the records in ``provinces`` alone into the folder
    ``out`` (replaced all at once), with its shard file; no listing, data package or search
    index. ``result.site_dir`` is ``out``; ``site_url`` stands in for mkdocs.yml's (the merge
    must be given the same). With a record ``index`` (:func:`plan_shards`), only the shard's
    own record files are parsed, and not checked again; without one, every source is loaded
    and checked."""
    out = atomic.claim(out, project.root)  # refused at once, before the checks
    out.parent.mkdir(parents=True, exist_ok=True)
    # MkDocs stages a site beside this empty folder of the shard's own, so that shards of one
    # project can build side by side; its pages go to `out`, the rest is removed.
    scratch = Path(tempfile.mkdtemp(prefix=f".{out.name}.site-", dir=out.parent))
    try:
        return _build(project, scratch, strict=strict, site_url=site_url, shard=(provinces, out, index))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def merge_shards(project: Project, folders: list[Path], site_dir: Path | None = None, *,
                 strict: bool = False, site_url: str | None = None) -> BuildResult:
    """The whole site, as :func:`build` makes it, with every record page and JSON taken from
    the shard ``folders`` instead of rendered. Refuses shards of other sources, shards that
    share a province and a record that no shard holds (:class:`~shequ.build.shards.ShardError`)."""
    shards = [read_shard(Path(folder)) for folder in folders]  # a folder that is no shard fails before the build
    return _build(project, site_dir, strict=strict, site_url=site_url, merge=shards)


def plan_shards(project: Project, count: int, *, index: Path | None = None,
                today=None) -> list[frozenset[str]]:
    """Every province that holds a record, in ``count`` shards of about as many records each.
    With ``index``, every source is checked first, and the record index that shards build
    from (:mod:`shequ.build.record_index`) is written there, replaced all at once; nothing
    is written when a check fails (:class:`~shequ.errors.InvalidSources`)."""
    from shequ.build.pipeline import load_sources, validate
    from shequ.build.record_index import outside_datasets, write_index
    from shequ.errors import InvalidSources

    if index is None:
        return plan(load_sources(project).records, count)
    outside_datasets(index, project)  # refused at once, before the checks
    sources, report = validate(project, today)
    if sources is None or not report.valid:
        raise InvalidSources(report)
    write_index(index, sources)
    return plan(sources.records, count)


def build_in_shards(project: Project, count: int, site_dir: Path | None = None, *, jobs: int = 1,
                    strict: bool = False, site_url: str | None = None) -> BuildResult:
    """:func:`build` in ``count`` shards: each shard in a process of its own (``jobs`` at a
    time), so that a shard's memory is returned before the next starts; then the merge.
    The shards are written beside the site and removed after the merge."""
    start = time.monotonic()
    _config_file(project)  # missing: said now, not by every shard
    target = Path(site_dir) if site_dir is not None else None
    if target is not None:
        atomic.claim(target, project.root)  # refused before the shards, not after them
    parent = (target.resolve().parent if target is not None else project.root)
    work = Path(tempfile.mkdtemp(prefix=".shequ-shards-", dir=parent))
    try:
        # Planned in a process of its own too: this one holds nothing of the sources while the shards build.
        # It checks every source and writes the record index: each shard then parses its own records only.
        index = work / "index.jsonl"
        run_processes([[sys.executable, "-m", "shequ", "shard", "plan", "--project", str(project.root), str(count),
                        "--format", "json", "--index", str(index)]], 1, work, "plan")
        groups = json.loads((work / "plan-1.out").read_text(encoding="utf-8"))
        folders = [work / f"shard-{n}" for n in range(1, len(groups) + 1)]
        commands = [[sys.executable, "-m", "shequ", "shard", "build", "--project", str(project.root),
                     group, "--out", str(folder), "--index", str(index), *(["--site-url", site_url] if site_url else [])]
                    for group, folder in zip(groups, folders)]
        run_processes(commands, max(1, jobs), work)
        result = merge_shards(project, folders, site_dir, strict=strict, site_url=site_url)
        result.seconds = time.monotonic() - start
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_processes(commands: list[list[str]], jobs: int, logs: Path, name: str = "shard") -> None:
    """Run ``commands``, ``jobs`` at a time; the n-th writes its output to ``logs/<name>-<n>.out``
    and its messages to ``.err``. The first that fails stops the others, and its messages
    become the :class:`SiteBuildError`."""
    running: list[tuple[subprocess.Popen, Path]] = []
    pending = list(enumerate(commands, 1))
    try:
        while pending or running:
            while pending and len(running) < jobs:
                n, command = pending.pop(0)
                errors = logs / f"{name}-{n}.err"
                with open(logs / f"{name}-{n}.out", "wb") as out, open(errors, "wb") as err:
                    running.append((subprocess.Popen(command, stdout=out, stderr=err), errors))
            process, errors = running.pop(0)
            if process.wait() != 0:
                text = errors.read_text(encoding="utf-8", errors="replace").strip()
                raise SiteBuildError(text or f"{name} failed (exit {process.returncode})")
    finally:
        for process, _ in running:
            process.kill()
            process.wait()


def _build(project: Project, site_dir: Path | None, *, strict: bool, site_url: str | None = None, shard=None,
           merge=None) -> BuildResult:
    from shequ.generator.plugin import ShardWritten
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    config_file = _config_file(project)
    logger = logging.getLogger("mkdocs")
    collect = _Collect()
    logger.addHandler(collect)
    try:
        try:
            options = {"site_dir": str(site_dir)} if site_dir is not None else {}
            if site_url:
                options["site_url"] = site_url
            config = load_config(str(config_file), strict=strict, **options)
        except (ConfigurationError, Abort) as exc:
            raise SiteBuildError(f"{project.relative(config_file)}: {exc}") from None
        # Refused at once, before the checks: a site folder that is not the build's own (the
        # plugin claims it again, for `mkdocs build`).
        atomic.claim(Path(config.site_dir), project.root, [Path(config.docs_dir)])
        config.plugins.on_startup(command="build", dirty=False)
        if shard is not None or merge is not None:
            plugin = config.plugins.get("shequ")
            if plugin is None:
                raise SiteBuildError(f"{project.relative(config_file)}: a sharded build needs the shequ plugin")
            (plugin.shard, plugin.shard_out, plugin.shard_index), plugin.merge_from = shard or (None, None, None), merge
        start = time.monotonic()
        try:
            mkdocs_build(config)
        except ShardWritten as written:
            return BuildResult(written.folder, time.monotonic() - start, collect.messages)
        except Abort as exc:
            plugin = config.plugins.get("shequ")
            failure = plugin.build.error if plugin is not None and plugin.build is not None else None
            if isinstance(failure, ShequError):  # the core's own error, with its report
                raise failure from None
            errors = [m for m in collect.messages if m and not m.startswith("Aborted")]
            raise SiteBuildError("\n".join(errors) or str(exc)) from None
        finally:
            config.plugins.on_shutdown()
        notes = [] if config.site_url else [WITHOUT_SITE_URL]
        return BuildResult(Path(config.site_dir), time.monotonic() - start, collect.messages, notes)
    finally:
        logger.removeHandler(collect)


def serve(project: Project, dev_addr: str = "127.0.0.1:8000", *, open_browser: bool = False) -> None:
    """Build the site into a temporary folder, serve it at ``dev_addr`` and rebuild it when
    a source changes (``datasets/``, ``docs/``, ``mkdocs.yml``). Runs until interrupted."""
    from mkdocs.commands.serve import serve as mkdocs_serve

    config_file = _config_file(project)
    logger = logging.getLogger("mkdocs")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    watch = [str(project.datasets)] + [str(p) for p in (project.root / "CITATION.cff",) if p.is_file()]
    mkdocs_serve(str(config_file), dev_addr=dev_addr, watch=watch, open_in_browser=open_browser)
