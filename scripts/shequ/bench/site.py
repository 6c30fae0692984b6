"""Benchmarks: the full site build on N synthetic organizations, stage by stage.

``shequ bench --orgs N`` generates N synthetic organizations (and incubators) into
a temporary copy of the project, then runs the whole build (``mkdocs build``
with the ``shequ`` plugin: load → check → publish → render → MkDocs → search) in
one child process. The child's wall time and peak RSS come from ``os.wait4``;
the time and memory of each stage come from the timings file the plugin writes
when ``SHEQU_TIMINGS`` names one (see :mod:`shequ.progress`). The ``mkdocs``
stage is what is left: starting Python, reading ``mkdocs.yml``, MkDocs building
the pages it knows and copying the theme.

The site is bilingual (:mod:`shequ.render.language`): every record page exists in
Chinese at ``organizations/<id>/`` and in English at ``en/organizations/<id>/``. The
record page figures (count, mean and max bytes) are over the pages of both languages,
with each language's own beside them. The search index is the sum of the two folders
:mod:`shequ.search` writes, ``pagefind/`` and ``directory-index/``, each also reported.
The site's size is split into parts (:data:`SITE_PARTS`: record pages, record JSON,
listings, data package, search indexes, the rest), which add up to the whole.

``--baseline`` also builds the naive version of the same bilingual site from the same
records, side by side in the same run, the way the ecosystem's plugin for this
(mkdocs-static-i18n) builds one: one stock MkDocs + Material build per language, one
after the other in one process, Chinese at the site's root and English into ``en/``.
Each build has Material's defaults in its own language (``theme.language``), the
built-in search, the project's own pages of that language (``docs/`` without ``en/``;
``docs/en/``) and one Markdown page per record, a table of its fields labelled in that
language, every record page in its navigation. The two builds are one figure: the
child's wall time (their sum, with each as a stage), its peak RSS (the larger) and the
size of the whole site. So the ratios compare two sites of the same pages in the same
two languages. Ratios of time and size are what to compare: the machine is shared and
its load changes figures between runs, so the JSON notes the load average before and
after each build.

Where Hugo is installed (and unless ``hugo=False``), the same records' pages are also built
with Hugo after each build (:func:`build_hugo`): a minimal Hugo project, one content file per
record and language holding the record as JSON front matter, one layout with the same
fields, Chinese at the root and English under ``en/``. The table gives the ratio of this
build's wall and CPU time to Hugo's, with the record pages each built (issue 17).

The project itself is never touched.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from shequ.project import Project
from shequ.progress import TIMINGS_ENV

#: The stages of a build, in the order they run; ``mkdocs`` is the rest of the wall time.
#: ``publish`` runs in a process of its own beside render and MkDocs; ``publish wait`` is
#: how long the build then waited for it.
STAGES = ("load", "check", "publish", "publish wait", "render", "mkdocs", "search")

#: The naive baseline's navigation grows with every record on every page: its size and
#: time grow with the square of the records (in each of its languages). Above this many
#: organizations it is not built.
BASELINE_LIMIT = 10_000

#: How many times smaller than the naive baseline's the site should be (issue 6, at 5,000 records).
SITE_RATIO_TARGET = 50

#: Queries whose payload the search benchmark measures, Chinese and English.
QUERIES = ("互助", "银龄", "朝阳", "备案", "elderly care", "incubator")

#: The parts a site's size is split into (:func:`measure_site`): the record pages of every
#: language; each record's JSON; the listings that lead to records (the pages under
#: :data:`LISTINGS`, every language); the data package (the files under ``data/`` but its
#: download page); the search indexes; and the rest (the theme's assets, the home page,
#: guides, policy, statistics, the download page, sitemaps).
SITE_PARTS = ("record pages", "record JSON", "listings", "data package", "search indexes", "other")

#: The folders of listing pages, in each language's tree.
LISTINGS = ("organizations", "incubators", "regions", "topics")

#: The folder of the data package (the plugin's ``data_path``).
DATA_FOLDER = "data"

#: Search index folders at the root of a language's tree: this build's Pagefind index and
#: the organizations' own index (:mod:`shequ.search`), and MkDocs' built-in search of the
#: naive baseline (one per language: ``search/`` and ``en/search/``).
SEARCH_INDEXES = ("pagefind", "directory-index", "search")

#: Project files a site build needs besides the records.
PROJECT_FILES = ("mkdocs.yml", "docs", "CITATION.cff", "CHANGELOG.md")


@dataclass
class StageFigure:
    records: int
    stage: str
    seconds: float
    peak_rss_mb: float
    exit_code: int


@dataclass
class BuildFigure:
    """One build of one size: the whole child process and each of its stages."""

    records: int  # organizations
    incubators: int
    variant: str  # "shequ" (this project's build) or "naive" (the baseline)
    run: int
    seconds: float  # wall time of the child process
    peak_rss_mb: float  # os.wait4: the largest of the child and the workers it waited for
    exit_code: int
    stages: dict[str, dict] = field(default_factory=dict)  # name -> seconds, peak_rss_mb, count
    site_bytes: int = 0
    site_files: int = 0
    record_pages: int = 0  # of every language: two per record in a bilingual site
    record_page_bytes_mean: float = 0.0
    record_page_bytes_max: int = 0
    search_index: str = ""  # the folders measured, "pagefind/ + directory-index/"
    search_index_bytes: int = 0  # their sum
    search_indexes: dict[str, int] = field(default_factory=dict)  # each search index folder -> bytes
    site_parts: dict[str, int] = field(default_factory=dict)  # SITE_PARTS -> bytes, summing to site_bytes
    listing_parts: dict[str, int] = field(default_factory=dict)  # LISTINGS folder -> bytes, every language
    record_pages_by_language: dict[str, dict] = field(default_factory=dict)  # lang -> pages, bytes_mean, bytes_max
    search_payload: dict | None = None  # per query, from shequ.bench.search.measure_query_payload
    search_payload_gap: str | None = None  # why there is no payload figure
    load_before: float | None = None  # 1-minute load average before and after the build
    load_after: float | None = None
    error: str = ""
    cpu_seconds: float = 0.0  # user + system time of the child and the workers it waited for
    preview: dict | None = None  # `mkdocs serve`: seconds from editing a record to its pages in every language showing it
    content_files_seconds: float = 0.0  # the Hugo reference: writing its content files, before Hugo runs


# Children ---------------------------------------------------------------------------------------

def run_stage(args: list[str], cwd: Path, env: dict | None = None,
              stderr_path: Path | None = None, usage_out: list | None = None) -> tuple[float, float, int]:
    """Run one child process; return (wall seconds, its peak RSS in MB, exit code).
    ``usage_out`` receives the child's resource usage."""
    err = open(stderr_path, "wb") if stderr_path else subprocess.PIPE
    start = time.perf_counter()
    try:
        proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if stderr_path is None:
            if proc.returncode not in (0, 1) and proc.stderr:
                sys.stderr.write(proc.stderr.read().decode("utf-8", "replace")[-2000:])
            if proc.stderr:
                proc.stderr.close()
    finally:
        if stderr_path:
            err.close()
    if usage_out is not None:
        usage_out.append(usage)
    # ru_maxrss is in kilobytes on Linux.
    return seconds, usage.ru_maxrss / 1024, proc.returncode


def _load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def _child_env(timings: Path | None = None) -> dict:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CI": "true"}
    env.pop(TIMINGS_ENV, None)
    if timings is not None:
        env[TIMINGS_ENV] = str(timings)
    # The synthetic records are dated relative to synthetic.DEFAULT_TODAY; on a machine
    # whose clock is behind that day they would be "in the future".
    from shequ.bench.synthetic import DEFAULT_TODAY

    if "SHEQU_TODAY" not in env and dt.date.today() < DEFAULT_TODAY:
        env["SHEQU_TODAY"] = DEFAULT_TODAY.isoformat()
    # The child imports this very package, wherever it was imported from.
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    return env


# The temporary project --------------------------------------------------------------------------

def _copy_project_without_records(project: Project, dest: Path, site: bool = False) -> None:
    """Schemas, vocabularies, package metadata and policy; no records, no divisions table.
    With ``site``, also what the site build reads: mkdocs.yml, docs/, CITATION.cff, CHANGELOG.md."""
    for name in ("schemas", "vocabularies", "policy"):
        src = project.datasets / name
        if src.is_dir():
            shutil.copytree(src, dest / "datasets" / name)
    shutil.copy(project.package_file, dest / "datasets" / "package.yaml")
    for name in ("organizations", "incubators", "reference"):
        (dest / "datasets" / name).mkdir(parents=True, exist_ok=True)
    if site:
        for name in PROJECT_FILES:
            src = project.root / name
            if src.is_dir():
                shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns(".*", "__pycache__"))
            elif src.is_file():
                shutil.copy(src, dest / name)


def _generate(project: Project, work: Path, n: int, incubators: int, townships, official, seed: int,
              site: bool) -> None:
    from shequ.bench import synthetic
    from shequ.sources.divisions import import_divisions

    _copy_project_without_records(project, work, site=site)
    copy = Project.at(work)
    if not official:
        shutil.copy(project.divisions_table, copy.divisions_table)
    synthetic.generate(work, orgs=n, incubators=incubators, divisions=townships, seed=seed)
    if official:
        import_divisions(copy, list(official), [])


# Measuring a built site -------------------------------------------------------------------------

def _language_folders() -> dict[str, str]:
    """The folder of each language other than the one at the site's root: ``{"en": "en"}``."""
    from shequ.render import language

    return {language.prefix(lang).rstrip("/"): lang for lang in language.LANGUAGES if language.prefix(lang)}


def measure_site(site: Path, figure: BuildFigure, record_ids: dict[str, list[str]]) -> None:
    """Site size, its parts, record page sizes and search index sizes, into ``figure``.

    Every file counts in one part of :data:`SITE_PARTS`. Record pages are those of every
    language (``organizations/<id>/`` and ``en/organizations/<id>/``); the mean and maximum
    are over all of them, and ``record_pages_by_language`` gives each language's own.
    The search indexes are every folder of :data:`SEARCH_INDEXES` found at the root of a
    language's tree; ``search_index_bytes`` is their sum."""
    records = {(dataset, rid) for dataset, ids in record_ids.items() for rid in ids}
    folders = _language_folders()
    parts = dict.fromkeys(SITE_PARTS, 0)
    listings = dict.fromkeys(LISTINGS, 0)
    indexes: dict[str, int] = {}
    pages: dict[str, list[int]] = {}
    total = files = 0
    for dirpath, _, names in os.walk(site):
        rel = os.path.relpath(dirpath, site).replace(os.sep, "/")
        folder = [] if rel == "." else rel.split("/")
        lang_folder = folder[0] if folder and folder[0] in folders else ""
        lang = folders.get(lang_folder, "zh")
        inner = folder[1:] if lang_folder else folder  # the path within the language's tree
        for name in names:
            try:
                size = os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                continue
            total += size
            files += 1
            if inner and inner[0] in SEARCH_INDEXES:
                key = (lang_folder + "/" if lang_folder else "") + inner[0] + "/"
                indexes[key] = indexes.get(key, 0) + size
                part = "search indexes"
            elif len(inner) == 2 and name == "index.html" and (inner[0], inner[1]) in records:
                pages.setdefault(lang, []).append(size)
                part = "record pages"
            elif (len(inner) == 1 and name.endswith(".json") and not lang_folder
                  and (inner[0], name[:-5]) in records):
                part = "record JSON"
            elif inner and inner[0] == DATA_FOLDER and not name.endswith(".html"):
                part = "data package"
            elif inner and inner[0] in LISTINGS and name.endswith(".html"):
                listings[inner[0]] += size
                part = "listings"
            else:
                part = "other"
            parts[part] += size
    figure.site_bytes, figure.site_files = total, files
    figure.site_parts = parts
    figure.listing_parts = listings
    sizes = [size for lang_sizes in pages.values() for size in lang_sizes]
    figure.record_pages = len(sizes)
    figure.record_page_bytes_mean = sum(sizes) / len(sizes) if sizes else 0.0
    figure.record_page_bytes_max = max(sizes, default=0)
    figure.record_pages_by_language = {
        lang: {"pages": len(v), "bytes_mean": sum(v) / len(v), "bytes_max": max(v)}
        for lang, v in sorted(pages.items(), key=lambda kv: kv[0] != "zh")}
    # In the order of SEARCH_INDEXES, the root's first: "pagefind/", "directory-index/"; "search/", "en/search/".
    figure.search_indexes = dict(sorted(indexes.items(), key=lambda kv: (
        kv[0].count("/") > 1, SEARCH_INDEXES.index(kv[0].rstrip("/").rsplit("/", 1)[-1]), kv[0])))
    figure.search_index = " + ".join(figure.search_indexes)
    figure.search_index_bytes = sum(indexes.values())


def measure_search_payload(site: Path, figure: BuildFigure, queries: Iterable[str]) -> None:
    """The bytes one query downloads, measured in headless Chromium by the search module."""
    from shequ.bench.search import measure_query_payload as measure

    try:
        result = measure(site, list(queries))
    except Exception as exc:  # a browser that is missing or fails must not lose the other figures
        figure.search_payload_gap = f"not measured: {type(exc).__name__}: {exc}"
        return
    figure.search_payload = json.loads(json.dumps(result, default=str))


def _record_ids(work: Path) -> dict[str, list[str]]:
    return {d: sorted(p.stem for p in (work / "datasets" / d).glob("*.yaml")) for d in ("organizations", "incubators")}


# Builds -----------------------------------------------------------------------------------------

def _stages_from_timings(path: Path, wall: float) -> dict[str, dict]:
    """Stage figures from the plugin's timings file; ``mkdocs`` gets the rest of the wall time."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    stages: dict[str, dict] = {}
    for s in data.get("stages", []):
        stages[s["name"]] = {"seconds": s["seconds"], "peak_rss_mb": s["peak_rss_mb"],
                             "children_peak_rss_mb": s.get("children_peak_rss_mb", 0.0),
                             "count": s.get("count", 0), "unit": s.get("unit", ""),
                             "background": s.get("background", False)}
    known = sum(v["seconds"] for k, v in stages.items() if k != "mkdocs" and not v["background"])
    rest = max(0.0, wall - known)
    peak = data.get("peak_rss_mb", 0.0)
    stages["mkdocs"] = {"seconds": rest + stages.get("mkdocs", {}).get("seconds", 0.0),
                        "peak_rss_mb": peak, "children_peak_rss_mb": data.get("children_peak_rss_mb", 0.0),
                        "count": 0, "unit": ""}
    return {name: stages[name] for name in (*STAGES, *stages) if name in stages}


def _run_measured(figure: BuildFigure, args: list[str], cwd: Path, env: dict, log: Path) -> bool:
    """Run one build command as a child process and put its time, memory, CPU and load average
    into ``figure``; False, with the end of its log as ``figure.error``, if it failed."""
    figure.load_before = _load_average()
    usage: list = []
    seconds, rss, code = run_stage(args, cwd, env, log, usage)
    figure.load_after = _load_average()
    figure.seconds, figure.peak_rss_mb, figure.exit_code = seconds, rss, code
    figure.cpu_seconds = usage[0].ru_utime + usage[0].ru_stime
    if code != 0:
        figure.error = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        return False
    return True


def build_site(work: Path, figure: BuildFigure, record_ids: dict[str, list[str]], args: list[str],
               queries: Iterable[str] = ()) -> BuildFigure:
    """Build the site of the project at ``work`` in a child process and measure it."""
    timings = work / ".bench-timings.json"
    log = work / ".bench-build.log"
    if not _run_measured(figure, args, work, _child_env(timings), log):
        return figure
    figure.stages = _stages_from_timings(timings, figure.seconds)
    site = work / "site"
    measure_site(site, figure, record_ids)
    if queries:
        measure_search_payload(site, figure, queries)
    return figure


def _shequ_build_args(work: Path) -> list[str]:
    return [sys.executable, "-m", "mkdocs", "build", "--config-file", str(work / "mkdocs.yml")]


def bench(project: Project, sizes: list[int], incubators: int | None, official: list[Path] = (),
          seed: int = 2016, *, runs: int = 1, baseline: bool = False, data: bool = False, preview: bool = False,
          hugo: bool = True, queries: Iterable[str] = QUERIES, say: Callable[[str], None] | None = None) -> list[BuildFigure]:
    """Generate each size in a fresh temporary copy of the project and build its site ``runs`` times.

    ``official`` are national division lists (files or folders, as for
    ``shequ divisions import``): records then spread over every township in them.
    Without them, records spread over the townships of the project's own table.
    With ``baseline``, the naive site is built from the same records after each run
    (sizes up to :data:`BASELINE_LIMIT`). With ``data``, validate and publish are also
    timed on their own, as ``shequ validate`` and ``shequ publish`` run them. With
    ``hugo``, the same records' pages are built with Hugo after each run, where Hugo is
    installed (:func:`build_hugo`). With ``preview``, ``mkdocs serve`` runs on the project after the first build, and the time
    from editing a record to its served pages (both languages) showing the edit is measured.
    """
    from shequ.bench import synthetic

    say = say or (lambda text: None)
    if not (project.root / "mkdocs.yml").is_file():
        raise FileNotFoundError(f"{project.root / 'mkdocs.yml'} is missing: the benchmark builds the site")
    townships = synthetic.townships_from_lists(official) if official else None
    hugo_path = hugo_executable() if hugo else None
    if hugo and not hugo_path:
        say("bench: Hugo is not installed (no 'hugo' on PATH): no Hugo reference")
    figures: list[BuildFigure] = []
    for n in sizes:
        inc = incubators if incubators is not None else max(8, n // 200)
        work = Path(tempfile.mkdtemp(prefix=f"shequ-bench-{n}-"))
        try:
            say(f"bench: {n:,} organizations and {inc:,} incubators: generating")
            start = time.perf_counter()
            _generate(project, work, n, inc, townships, official, seed, site=True)
            generated = BuildFigure(n, inc, "generate", 0, time.perf_counter() - start, 0.0, 0)
            figures.append(generated)
            ids = _record_ids(work)
            if data:
                figures.extend(_data_stages(work, n, inc))
            for run in range(1, runs + 1):
                say(f"bench: {n:,} organizations: build {run}/{runs}")
                shutil.rmtree(work / "site", ignore_errors=True)
                figure = build_site(work, BuildFigure(n, inc, "shequ", run, 0.0, 0.0, 0), ids,
                                    _shequ_build_args(work), queries if run == 1 else ())
                figures.append(figure)
                say(f"bench: {n:,} organizations: build {run}/{runs} took {figure.seconds:.1f} s")
                shutil.rmtree(work / "site", ignore_errors=True)
                if preview and run == 1:
                    say(f"bench: {n:,} organizations: mkdocs serve, then an edit")
                    figure.preview = measure_preview(work, ids["organizations"], say=say)
                if baseline and n <= BASELINE_LIMIT:
                    say(f"bench: {n:,} organizations: naive baseline {run}/{runs}")
                    figures.append(build_naive(work, BuildFigure(n, inc, "naive", run, 0.0, 0.0, 0), ids))
                    say(f"bench: {n:,} organizations: naive baseline {run}/{runs} took {figures[-1].seconds:.1f} s")
                if hugo:
                    figures.append(build_hugo(work, BuildFigure(n, inc, "hugo", run, 0.0, 0.0, 0), ids, hugo_path))
                    if hugo_path:
                        say(f"bench: {n:,} organizations: Hugo reference {run}/{runs} took {figures[-1].seconds:.1f} s")
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return figures


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fetch(url: str) -> str | None:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError, ValueError):
        return None


#: Seconds between a preview's result and the next edit (see measure_preview).
PREVIEW_PAUSE = 10.0


def measure_preview(work: Path, organizations: list[str], edits: int = 2, timeout: float = 3600,
                    say: Callable[[str], None] | None = None) -> dict:
    """Start ``mkdocs serve`` on the project, then edit records one after another: for each
    edit, the seconds from writing the file to the served record page showing the new
    name in every language (``seconds``; each page's own in ``pages``)."""
    import signal

    from shequ.render import language

    say = say or (lambda text: None)
    port = _free_port()
    log = open(work / ".bench-serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}",
                             "--config-file", str(work / "mkdocs.yml")], cwd=work, env=_child_env(),
                            stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    out: dict = {"edits": [], "first_build_seconds": None}
    try:
        start = time.perf_counter()
        base = f"http://127.0.0.1:{port}/"
        rid = organizations[len(organizations) // 2]
        while _fetch(base + f"organizations/{rid}/") is None:
            if proc.poll() is not None or time.perf_counter() - start > timeout:
                out["error"] = "mkdocs serve did not come up"
                return out
            time.sleep(0.5)
        out["first_build_seconds"] = time.perf_counter() - start
        for i in range(edits):
            rid = organizations[(len(organizations) * (i + 1)) // (edits + 2)]
            path = work / "datasets" / "organizations" / f"{rid}.yaml"
            text = path.read_text(encoding="utf-8")
            marker = f"预览{i}"
            edited = re.sub(r"^name: (.*)$", lambda m: f"name: {m.group(1)}{marker}", text, count=1, flags=re.M)
            # An editor reads the page before the next edit; serve uses that time to prepare the
            # next rebuild (the search index, the spare tree of record folders: shequ.build.incremental).
            time.sleep(PREVIEW_PAUSE)
            start = time.perf_counter()
            path.write_text(edited, encoding="utf-8")
            shown: dict[str, float | None] = {language.prefix(lang) + f"organizations/{rid}/": None
                                              for lang in language.LANGUAGES}
            while time.perf_counter() - start < timeout and None in shown.values():
                for address in [a for a, t in shown.items() if t is None]:
                    page = _fetch(base + address)
                    if page is not None and marker in page:
                        shown[address] = time.perf_counter() - start
                if proc.poll() is not None:
                    break
                time.sleep(0.1)
            seconds = None if None in shown.values() else max(shown.values())
            out["edits"].append({"record": rid, "seconds": seconds, "pages": shown})
            say(f"bench: edit {i + 1}: {rid} shown after {seconds:.1f} s" if seconds is not None
                else f"bench: edit {i + 1}: {rid} not shown")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
    return out


def _data_stages(work: Path, n: int, inc: int) -> list[BuildFigure]:
    """``shequ validate`` and ``shequ publish`` on their own, as issue 2 measured them."""
    base = [sys.executable, "-m", "shequ"]
    out = []
    for stage, args in (("validate", ["validate", "--project", str(work)]),
                        ("validate+publish", ["publish", "--project", str(work), "--out",
                                              str(work / "build" / "data")])):
        seconds, rss, code = run_stage(base + args, work, _child_env())
        out.append(BuildFigure(n, inc, stage, 1, seconds, rss, code))
    shutil.rmtree(work / "build", ignore_errors=True)
    return out


# The naive baseline -----------------------------------------------------------------------------

#: The naive site's languages, as mkdocs-static-i18n builds them: one stock build each,
#: the first at the site's root, the others in a folder of their own.
NAIVE_LANGUAGES = ("zh", "en")

NAIVE_CONFIG = """\
# The naive baseline, one language of it: stock MkDocs and Material's defaults in this
# language, every record a Markdown page in docs/ and in the navigation, the built-in search.
site_name: Shequ naive baseline
theme:
  name: material
  language: {lang}
plugins:
  - search
"""

#: How the naive page heads its table, in each language.
NAIVE_HEADERS = {"zh": ("字段", "值"), "en": ("Field", "Value")}


def _cell(value) -> str:
    if isinstance(value, list):
        value = "; ".join(_cell(v) for v in value)
    elif isinstance(value, dict):
        value = ", ".join(f"{k}: {_cell(v)}" for k, v in value.items())
    return str(value).replace("|", "\\|").replace("\n", " ")


def naive_markdown(record: dict, rid: str, lang: str = "en", labels: dict[str, str] | None = None) -> str:
    """A record as a naive Markdown page in ``lang``: its name as the title (the English
    name on an English page, where there is one), every field in a table, each field named
    by ``labels`` (its key where ``labels`` has none)."""
    labels = labels or {}
    name = (record.get("name_en") if lang != "zh" else None) or record.get("name", rid)
    field_header, value_header = NAIVE_HEADERS.get(lang, NAIVE_HEADERS["en"])
    lines = [f"# {_cell(name)}", "", f"| {field_header} | {value_header} |", "|---|---|"]
    lines += [f"| {_cell(labels.get(key, key))} | {_cell(value)} |" for key, value in record.items()]
    return "\n".join(lines) + "\n"


def _naive_labels(work: Path, dataset: str) -> dict[str, dict[str, str]]:
    """Field labels per language from the dataset's Table Schema: ``title_zh`` and ``title``."""
    try:
        schema = json.loads((work / "datasets" / "schemas" / f"{dataset}.schema.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    fields = [f for f in schema.get("fields", []) if isinstance(f, dict) and f.get("name")]
    return {"zh": {f["name"]: f["title_zh"] for f in fields if f.get("title_zh")},
            "en": {f["name"]: f["title"] for f in fields if f.get("title")}}


def _naive_docs(work: Path, lang: str, dest: Path) -> None:
    """The project's own pages in ``lang``: ``docs/`` without the other languages' folders
    for the first language, ``docs/<lang>/`` for the others."""
    from shequ.render import language

    src = work / "docs" / language.prefix(lang) if language.prefix(lang) else work / "docs"
    others = {language.prefix(o).rstrip("/") for o in language.LANGUAGES if language.prefix(o)}

    def ignore(folder: str, names: list[str]) -> list[str]:
        skip = [n for n in names if n.startswith(".") or n == "__pycache__"]
        if Path(folder) == src:
            skip += [n for n in names if n in others]
        return skip

    if src.is_dir():
        shutil.copytree(src, dest, ignore=ignore)
    else:
        dest.mkdir(parents=True)


def _exclude_docs(work: Path) -> str:
    """The project's ``exclude_docs`` as a line of the naive ``mkdocs.yml`` (its maintainers'
    notes stay out of both sites), or nothing."""
    import yaml

    try:
        value = yaml.safe_load((work / "mkdocs.yml").read_text(encoding="utf-8")).get("exclude_docs")
    except (OSError, yaml.YAMLError, AttributeError):
        return ""
    return f"exclude_docs: {json.dumps(value, ensure_ascii=False)}\n" if isinstance(value, str) else ""


def naive_build(work: Path, out: Path, timings: Path) -> None:
    """In the child: read the records, write one Markdown page each in each language of
    :data:`NAIVE_LANGUAGES`, then build each language with stock MkDocs, one after the
    other in this process as mkdocs-static-i18n does: the first into ``site/``, the others
    into ``site/<lang>/``."""
    import gc

    import yaml
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from shequ.progress import peak_rss_mb
    from shequ.render import language

    def save(final: bool = False) -> None:
        for s in stages:
            s.setdefault("peak_rss_mb", peak_rss_mb()[0])
        timings.write_text(json.dumps({"stages": stages, "peak_rss_mb": peak_rss_mb()[0] if final else 0.0}),
                           encoding="utf-8")

    stages = []
    start = time.perf_counter()
    records = {}
    for dataset in ("organizations", "incubators"):
        for path in sorted((work / "datasets" / dataset).glob("*.yaml")):
            records[(dataset, path.stem)] = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    labels = {dataset: _naive_labels(work, dataset) for dataset in ("organizations", "incubators")}
    exclude = _exclude_docs(work)
    stages.append({"name": "load", "seconds": time.perf_counter() - start, "count": len(records)})
    start = time.perf_counter()
    for lang in NAIVE_LANGUAGES:
        root = out / lang
        docs = root / "docs"
        _naive_docs(work, lang, docs)
        for (dataset, rid), record in records.items():
            page = docs / dataset / f"{rid}.md"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(naive_markdown(record, rid, lang, labels[dataset].get(lang)), encoding="utf-8")
        (root / "mkdocs.yml").write_text(NAIVE_CONFIG.format(lang=lang) + exclude, encoding="utf-8")
    stages.append({"name": "render", "seconds": time.perf_counter() - start,
                   "count": len(records) * len(NAIVE_LANGUAGES)})
    save()
    for lang in NAIVE_LANGUAGES:
        start = time.perf_counter()
        config = load_config(str(out / lang / "mkdocs.yml"), site_dir=str(out / "site" / language.prefix(lang)))
        build(config)
        del config
        gc.collect()
        stages.append({"name": f"mkdocs {lang}", "seconds": time.perf_counter() - start,
                       "count": len(records), "unit": "record pages"})
        save()
    save(final=True)


def build_naive(work: Path, figure: BuildFigure, record_ids: dict[str, list[str]]) -> BuildFigure:
    """Build the naive baseline from the records of ``work`` in a child process and measure it."""
    out = work / "naive"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    try:
        args = [sys.executable, "-c", "import sys; from shequ.bench.site import naive_build; from pathlib import Path; "
                "naive_build(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))",
                str(work), str(out), str(out / ".bench-timings.json")]
        timings = out / ".bench-timings.json"
        log = work / ".bench-naive.log"
        figure.load_before = _load_average()
        usage: list = []
        seconds, rss, code = run_stage(args, out, _child_env(), log, usage)
        figure.load_after = _load_average()
        figure.seconds, figure.peak_rss_mb, figure.exit_code = seconds, rss, code
        figure.cpu_seconds = usage[0].ru_utime + usage[0].ru_stime
        if code != 0:
            figure.error = log.read_text(encoding="utf-8", errors="replace")[-3000:]
            return figure
        figure.stages = _stages_from_timings(timings, seconds)
        measure_site(out / "site", figure, record_ids)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return figure


# The Hugo reference -----------------------------------------------------------------------------

#: Hugo builds the same record pages, in both languages, from content files this module
#: writes: the reference the build's speed is measured against (issue 17), in the same run.
HUGO_LANGUAGES = ("zh", "en")

#: Hugo's configuration: Chinese at the site's root, English under ``en/``, and nothing but
#: the record pages (no home, section, taxonomy, feed or sitemap pages).
HUGO_CONFIG = {
    "baseURL": "https://example.org/",
    "title": "Shequ Hugo reference",
    "defaultContentLanguage": "zh",
    "defaultContentLanguageInSubdir": False,
    "languages": {"zh": {"weight": 1, "languageName": "中文"}, "en": {"weight": 2, "languageName": "English"}},
    "disableKinds": ["home", "section", "taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"],
    "enableRobotsTXT": False,
}

#: The one layout: the record's name and each field with its label. Every value reaches it as
#: front matter data, so Go's html/template escapes it; records never become template code.
HUGO_LAYOUT = """\
<!DOCTYPE html>
<html lang="{{ .Language.Lang }}">
<head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main>
<h1>{{ .Title }}</h1>
<dl>{{ range .Params.fields }}
<dt>{{ index . 0 }}</dt><dd>{{ index . 1 }}</dd>{{ end }}
</dl>
</main></body>
</html>
"""

#: Record ids become file names in the Hugo project; anything else is refused.
_SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def hugo_front_matter(record: dict, rid: str, lang: str, labels: dict[str, str] | None = None) -> str:
    """A record as a Hugo content file in ``lang``: JSON front matter only (the title and a
    list of [label, value] pairs), no body, so nothing in it is Markdown or a shortcode."""
    labels = labels or {}
    name = (record.get("name_en") if lang != "zh" else None) or record.get("name", rid)
    fields = [[str(labels.get(key, key)), _cell(value)] for key, value in record.items()]
    return json.dumps({"title": str(name), "fields": fields}, ensure_ascii=False) + "\n"


def write_hugo_project(work: Path, dest: Path) -> int:
    """The Hugo project of the records of ``work`` at ``dest``: its configuration, its layout
    and one content file per record and language, at ``<dataset>/<id>`` as in this site.
    Returns the number of content files (the record pages Hugo should build)."""
    import yaml

    (dest / "layouts" / "_default").mkdir(parents=True, exist_ok=True)
    (dest / "config.json").write_text(json.dumps(HUGO_CONFIG, ensure_ascii=False, indent=1), encoding="utf-8")
    (dest / "layouts" / "_default" / "single.html").write_text(HUGO_LAYOUT, encoding="utf-8")
    pages = 0
    for dataset in ("organizations", "incubators"):
        labels = _naive_labels(work, dataset)
        folder = dest / "content" / dataset
        folder.mkdir(parents=True, exist_ok=True)
        for path in sorted((work / "datasets" / dataset).glob("*.yaml")):
            rid = path.stem
            if not _SAFE_ID.match(rid):
                raise ValueError(f"{path}: the record id {rid!r} is not a safe file name")
            record = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}
            for lang in HUGO_LANGUAGES:
                (folder / f"{rid}.{lang}.md").write_text(
                    hugo_front_matter(record, rid, lang, labels.get(lang)), encoding="utf-8")
                pages += 1
    return pages


def hugo_executable() -> str | None:
    return shutil.which("hugo")


def _hugo_env(cache: Path) -> dict:
    # The user's HUGO_* settings would change what is built; the cache stays in the work folder.
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUGO_")}
    env["HUGO_CACHEDIR"] = str(cache)
    return env


def build_hugo(work: Path, figure: BuildFigure, record_ids: dict[str, list[str]],
               hugo: str | None = None, keep: bool = False) -> BuildFigure:
    """Write the Hugo project of ``work``'s records, build it with ``hugo`` in a child
    process and measure it: wall and CPU time are Hugo's alone (writing the content files
    is ``content_files_seconds``, outside them). Without Hugo, ``figure.error`` says
    so and the exit code stays 0: the reference is skipped, not failed. With ``keep``, the
    Hugo project and its site stay in ``work/hugo/``."""
    hugo = hugo or hugo_executable()
    if not hugo:
        figure.error = "not measured: Hugo is not installed (no 'hugo' on PATH)"
        return figure
    out = work / "hugo"
    shutil.rmtree(out, ignore_errors=True)
    try:
        start = time.perf_counter()
        expected = write_hugo_project(work, out)
        written = time.perf_counter() - start
        log = work / ".bench-hugo.log"
        if not _run_measured(figure, [hugo, "--source", str(out), "--destination", str(out / "public"), "--quiet"],
                             out, _hugo_env(out / ".cache"), log):
            return figure
        figure.stages = {"hugo": {"seconds": figure.seconds, "peak_rss_mb": figure.peak_rss_mb, "count": expected}}
        figure.content_files_seconds = written
        measure_site(out / "public", figure, record_ids)
    finally:
        if not keep:
            shutil.rmtree(out, ignore_errors=True)
    return figure


# Reporting --------------------------------------------------------------------------------------

def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


@dataclass
class Summary:
    """The median of a size's runs of one variant."""

    records: int
    variant: str
    runs: int
    seconds: float
    peak_rss_mb: float
    stages: dict[str, dict]
    site_bytes: int
    record_page_bytes_mean: float
    record_page_bytes_max: int
    search_index: str
    search_index_bytes: int
    search_payload: dict | None
    search_payload_gap: str | None
    cpu_seconds: float = 0.0
    preview: dict | None = None
    record_pages: int = 0  # of every language
    record_pages_by_language: dict[str, dict] = field(default_factory=dict)
    search_indexes: dict[str, int] = field(default_factory=dict)
    site_parts: dict[str, int] = field(default_factory=dict)
    listing_parts: dict[str, int] = field(default_factory=dict)


def _median_parts(dicts: list[dict[str, int]]) -> dict[str, int]:
    """Each key's median over the runs, in the order the first run has them."""
    keys = list(dict.fromkeys(k for d in dicts for k in d))
    return {k: int(_median([d[k] for d in dicts if k in d])) for k in keys}


def summarize(figures: list[BuildFigure]) -> list[Summary]:
    out = []
    order = ("shequ", "naive", "hugo")
    keys = sorted({(f.records, f.variant) for f in figures if f.variant in order},
                  key=lambda k: (k[0], order.index(k[1])))
    for records, variant in keys:
        runs = [f for f in figures if (f.records, f.variant) == (records, variant) and f.exit_code == 0
                and not f.error]
        if not runs:
            continue
        stages = {}
        for name in (*STAGES, *dict.fromkeys(n for f in runs for n in f.stages)):
            if name in stages or not any(name in f.stages for f in runs):
                continue
            stages[name] = {
                "seconds": _median([f.stages[name]["seconds"] for f in runs if name in f.stages]),
                "peak_rss_mb": _median([f.stages[name]["peak_rss_mb"] for f in runs if name in f.stages]),
                "background": any(f.stages[name].get("background") for f in runs if name in f.stages),
            }
        first = runs[0]
        out.append(Summary(
            records, variant, len(runs), _median([f.seconds for f in runs]), _median([f.peak_rss_mb for f in runs]),
            stages, int(_median([f.site_bytes for f in runs])), _median([f.record_page_bytes_mean for f in runs]),
            max(f.record_page_bytes_max for f in runs), first.search_index, int(_median([f.search_index_bytes for f in runs])),
            first.search_payload, first.search_payload_gap, _median([f.cpu_seconds for f in runs]),
            next((f.preview for f in runs if f.preview), None), first.record_pages, first.record_pages_by_language,
            _median_parts([f.search_indexes for f in runs]), _median_parts([f.site_parts for f in runs]),
            _median_parts([f.listing_parts for f in runs])))
    return out


def ratios(summaries: list[Summary]) -> list[str]:
    lines = []
    shequ = {s.records: s for s in summaries if s.variant == "shequ"}
    naive = {s.records: s for s in summaries if s.variant == "naive"}
    for n in sorted(naive):
        if n in shequ and shequ[n].seconds and shequ[n].site_bytes:
            lines.append(f"naive baseline / shequ at {n:,} records: {naive[n].seconds / shequ[n].seconds:.1f}x the time, "
                         f"{naive[n].site_bytes / shequ[n].site_bytes:.1f}x the site size, "
                         f"{naive[n].peak_rss_mb / max(shequ[n].peak_rss_mb, 1):.1f}x the peak RSS")
            ours, theirs = shequ[n].site_parts.get("record pages"), naive[n].site_parts.get("record pages")
            if ours and theirs:
                lines.append(f"record pages at {n:,} records, every language: naive {_mb(theirs)} MB "
                             f"in {naive[n].record_pages:,} pages, shequ {_mb(ours)} MB in "
                             f"{shequ[n].record_pages:,} pages: {theirs / ours:.1f}x the bytes")
            goal = naive[n].site_bytes / SITE_RATIO_TARGET
            if shequ[n].site_bytes > goal:
                excess = shequ[n].site_bytes - goal
                lines.append(f"a site {SITE_RATIO_TARGET}x smaller than the naive one at {n:,} records is at most "
                             f"{_mb(goal)} MB: {_mb(excess)} MB less, {excess / n / 1024:,.1f} KB per organization")
    hugo = {s.records: s for s in summaries if s.variant == "hugo"}
    for n in sorted(hugo):
        if n in shequ and hugo[n].seconds and hugo[n].cpu_seconds:
            ours, theirs = shequ[n], hugo[n]
            lines.append(f"shequ / Hugo at {n:,} records ({ours.record_pages:,} and {theirs.record_pages:,} record "
                         f"pages): {ours.seconds / theirs.seconds:.1f}x the wall time ({ours.seconds:,.1f} s against "
                         f"{theirs.seconds:,.1f} s), {ours.cpu_seconds / theirs.cpu_seconds:.1f}x the CPU "
                         f"({ours.cpu_seconds:,.1f} s against {theirs.cpu_seconds:,.1f} s)")
    sizes = sorted(shequ)
    if len(sizes) > 1 and shequ[sizes[0]].seconds:
        small, large = sizes[0], sizes[-1]
        lines.append(f"shequ {large:,}/{small:,} records: {shequ[large].seconds / shequ[small].seconds:.1f}x the time "
                     f"for {large / small:.0f}x the records")
    return lines


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f}"


def format_table(figures: list[BuildFigure]) -> str:
    summaries = summarize(figures)
    lines = []
    failed = [f for f in figures if f.exit_code != 0]
    for f in failed:
        lines.append(f"{f.records:,} records, {f.variant} run {f.run}: failed (exit code {f.exit_code})")
        if f.error:
            lines += ["  " + line for line in f.error.strip().splitlines()[-15:]]
    skipped = dict.fromkeys(f"Hugo reference: {f.error}" for f in figures
                            if f.variant == "hugo" and f.exit_code == 0 and f.error)
    lines += skipped
    data = [f for f in figures if f.variant in ("validate", "validate+publish")]
    if data:
        lines.append(f"{'records':>9}  {'command':<18} {'seconds':>8} {'peak RSS MB':>12}  exit")
        for f in data:
            lines.append(f"{f.records:>9,}  {f.variant:<18} {f.seconds:8.2f} {f.peak_rss_mb:12.0f}  {f.exit_code}")
        lines.append("")
    if summaries:
        runs = max(s.runs for s in summaries)
        lines.append("Full build by stage" + (f" (median of {runs} runs)" if runs > 1 else "") +
                     "; peak RSS is the build process's high-water mark at the end of the stage")
        lines.append(f"{'records':>9}  {'variant':<7} {'stage':<14} {'seconds':>8} {'peak RSS MB':>12}")
        background = False
        for s in summaries:
            for name, st in s.stages.items():
                label = name + (" *" if st.get("background") else "")
                background = background or st.get("background", False)
                lines.append(f"{s.records:>9,}  {s.variant:<7} {label:<14} {st['seconds']:8.2f} {st['peak_rss_mb']:12.0f}")
            lines.append(f"{s.records:>9,}  {s.variant:<7} {'total':<14} {s.seconds:8.2f} {s.peak_rss_mb:12.0f}")
        if background:
            lines.append("* in a process of its own, beside the stages below it; not part of the total's sum")
        lines.append("")
        lines.append("Record pages of every language: the mean and max are over all of them")
        lines.append(f"{'records':>9}  {'variant':<7} {'seconds':>8} {'peak RSS MB':>12} {'site MB':>9} "
                     f"{'record pages':>13} {'record page KB (mean/max)':>26} {'search indexes KB':>18}")
        for s in summaries:
            pages = f"{s.record_page_bytes_mean / 1024:,.1f} / {s.record_page_bytes_max / 1024:,.1f}"
            index = f"{s.search_index_bytes / 1024:,.0f}" if s.search_index else "-"
            lines.append(f"{s.records:>9,}  {s.variant:<7} {s.seconds:8.2f} {s.peak_rss_mb:12.0f} "
                         f"{_mb(s.site_bytes):>9} {s.record_pages:>13,} {pages:>26} {index:>18}")
        for s in summaries:
            if s.record_pages_by_language:
                lines.append(f"{s.records:,} records, {s.variant}: record pages " + "; ".join(
                    f"{lang} {v['pages']:,}, {v['bytes_mean'] / 1024:,.1f} / {v['bytes_max'] / 1024:,.1f} KB"
                    for lang, v in s.record_pages_by_language.items()))
            if s.search_indexes:
                lines.append(f"{s.records:,} records, {s.variant}: search indexes " + " + ".join(
                    f"{name} {size / 1024:,.0f} KB" for name, size in s.search_indexes.items())
                    + f" = {s.search_index_bytes / 1024:,.0f} KB")
        if any(s.site_parts for s in summaries):
            lines.append("")
            lines.append("Site by part, MB (KB per organization); record pages and listings of every language")
            lines.append(f"{'records':>9}  {'variant':<7} " + " ".join(f"{p:>20}" for p in (*SITE_PARTS, "total")))
            for s in summaries:
                if not s.site_parts:
                    continue
                cells = [s.site_parts.get(p, 0) for p in SITE_PARTS] + [s.site_bytes]
                lines.append(f"{s.records:>9,}  {s.variant:<7} " + " ".join(
                    f"{f'{_mb(b)} ({b / s.records / 1024:,.1f})':>20}" for b in cells))
            for s in summaries:
                if s.variant == "shequ" and s.listing_parts:
                    lines.append(f"{s.records:,} records, listings: " + ", ".join(
                        f"{name}/ {_mb(b)} MB ({b / s.records / 1024:,.1f} KB per organization)"
                        for name, b in s.listing_parts.items()))
        lines.append("")
        for s in summaries:
            lines.append(f"{s.records:,} records, {s.variant}: {s.cpu_seconds:,.1f} s of CPU (user + system) "
                         f"in {s.seconds:,.1f} s")
        for s in summaries:
            if s.variant != "shequ":
                continue
            if s.preview:
                shown = [e["seconds"] for e in s.preview.get("edits", [])]
                text = ", ".join(f"{x:.1f} s" if x is not None else "not shown" for x in shown)
                lines.append(f"mkdocs serve at {s.records:,} records: an edited record showed on its pages "
                             f"in every language after {text}"
                             + (f" (first build {s.preview['first_build_seconds']:.0f} s)"
                                if s.preview.get("first_build_seconds") else ""))
            if s.search_payload is not None:
                lines.append(f"search payload per query at {s.records:,} records (headless Chromium): "
                             + _payloads(s.search_payload))
            elif s.search_payload_gap:
                lines.append(f"search payload per query at {s.records:,} records: {s.search_payload_gap}")
        lines += ratios(summaries)
    return "\n".join(lines) + "\n"


def _payloads(payload) -> str:
    """``互助 146 KB, …`` from what the search module measured (bytes, or a mapping with ``bytes``)."""
    if not isinstance(payload, dict):
        return json.dumps(payload, ensure_ascii=False)
    parts = []
    for query, value in payload.items():
        size = value.get("bytes") if isinstance(value, dict) else value
        parts.append(f"{query} {size / 1024:,.0f} KB" if isinstance(size, (int, float)) else f"{query} {value}")
    return ", ".join(parts)


def machine() -> dict:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "load_average": _load_average()}


def write_json(figures: list[BuildFigure], path: Path, command: str | None = None) -> None:
    summaries = summarize(figures)
    data = {
        "command": command,
        "machine": machine(),
        "builds": [asdict(f) for f in figures],
        "medians": [asdict(s) for s in summaries],
        "ratios": ratios(summaries),
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
