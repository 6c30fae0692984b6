"""The build core: one object owns a whole build, whatever generator drives it.

load → check → publish (in a process of its own) → listing pages → record pages and
record JSON → search indexes → data package, catalogue and sitemap → atomic swap.

A generator drives a :class:`SiteBuild` through a few calls, in this order, and renders
the listing pages (and its own pages) in between with its theme; the core never imports
it. The MkDocs plugin (:mod:`shequ.generator.plugin`) maps MkDocs' events onto these
calls; ``shequ validate`` and ``shequ publish`` call :meth:`SiteBuild.validate` and
:meth:`SiteBuild.publish`. Every expected failure is a :class:`~shequ.errors.ShequError`
whose ``report``, when the sources were checked, lists the problems.

Example (no generator: record pages dressed by a plain shell)::

    build = SiteBuild(Settings.from_environ())
    build.start(Path("."))
    site = build.stage(Path("site"))
    build.start_publishing()
    pages = build.listing_pages(RenderSettings())   # the generator renders these
    build.write_record_pages(site, PlainShell(...))
    build.finish(site, pages=None, site_url=None)   # swaps `site` into ./site

Each stage is timed and, on a terminal, shows its progress (:mod:`shequ.progress`).
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from shequ import __version__, atomic, checks, search
from shequ.build import manifest, pipeline, record_index, shards
from shequ.build.incremental import BuildCache
from shequ.build.publisher import Publisher
from shequ.build.records import RecordPages
from shequ.build.search_step import SearchStep
from shequ.build.shell import PageShell
from shequ.build.sitemap import add_data_files, add_home_jsonld, complete_sitemap, write_robots
from shequ.build.staging import Staging
from shequ.errors import InvalidSources, ShequError
from shequ.progress import Progress, set_current
from shequ.project import RECORD_DATASETS, Project
from shequ.publish.package import PublishError, PublishResult
from shequ.render import (Directory, GeneratedPage, Renderer, Settings as RenderSettings, catalogue, feeds,
                          home_jsonld, language, listing_pages, read_package)
from shequ.render.tilemap import tile_map
from shequ.report import Report
from shequ.settings import Settings
from shequ.sources.load import Sources, load
from shequ.sources.releases import history as release_history
from shequ.sources.tables import SchemaError

#: Where a page of docs/ asks for the tile-grid map (see SiteBuild.fill_insets).
TILE_MAP_MARKER = "<!-- shequ:tile-map -->"


class SiteBuildError(ShequError):
    """The site was not built; the message says why (for a check, with file and line)."""


def _sources_error(report: Report) -> SiteBuildError:
    return SiteBuildError("the sources have errors; the site was not built\n" + report.format_text().rstrip(), report)


def _count_files(folder: Path) -> int:
    try:
        with os.scandir(folder) as entries:
            return sum(1 for _ in entries)
    except OSError:
        return 0


class SiteBuild:
    """The whole build. One object lives as long as a ``serve`` session (``serving``): it keeps
    serve's incremental cache and the search index it builds after each rebuild."""

    def __init__(self, settings: Settings | None = None, *, serving: bool = False,
                 log: logging.Logger | None = None, show_on: logging.Logger | None = None):
        """``log``: where the build's messages go; ``show_on``: the logger whose output the
        progress line shares the terminal with (it is redrawn below each message)."""
        self.settings = settings or Settings()
        self.log = log or logging.getLogger("shequ.build")
        self.show_on = show_on
        # `serve` rebuilds after each edit: keep what an edit leaves unchanged (see shequ.build.incremental).
        self.cache: BuildCache | None = BuildCache() if serving else None
        self.search = SearchStep(self.log)
        self.hashes = manifest.Hashes()  # kept across serve's rebuilds: linked pages are not hashed again
        # Sharded builds (shequ.build.shards): a shard's provinces and where it goes, or the shards to merge.
        self.shard: frozenset[str] | None = None
        self.shard_out: Path | None = None
        self.shard_index: Path | None = None  # a record index: the shard parses its own records only
        self.merge_from: list[shards.ShardFile] | None = None
        self._reset()

    def _reset(self) -> None:
        self.sources: Sources | None = None
        self.staging: Staging | None = None
        self.package_dir: Path | None = None
        self.publisher: Publisher | None = None
        self.data_package = None  # read from the package once it is written
        self.renderers: dict[str, Renderer] = {}  # language -> its renderer
        self.renderer: Renderer | None = None  # the default language's: record JSON, the catalogue
        self.records: RecordPages | None = None
        self.data_path = "data/"
        self.publish_waited = 0.0
        self.deferred_seconds = 0.0  # rendering long listings while the generator builds them
        self.deferred_pages = 0
        self.pages_stage = None
        self.error: ShequError | None = None  # the last failure, for a caller that sees only the generator's
        self.digest: str | None = None  # of the sources, for a shard or a merge (see fingerprint())
        self.elsewhere: list = []  # an indexed shard's records of other shards (shequ.build.record_index)
        self.index_lines: str | None = None  # the digest of the index's record lines it rendered from
        self.datasets_digest: str | None = None
        self.progress = Progress(log=self.log.info)

    # The commands without a site -------------------------------------------------------------

    def validate(self, project: Project) -> Report:
        """Load and check every source: the report ``shequ validate`` prints."""
        return pipeline.validate(project, self.settings.today())[1]

    def publish(self, project: Project, out: Path) -> tuple[PublishResult, Report]:
        """Check the sources, then write the data package into ``out``, replaced all at once.
        Raises :class:`InvalidSources` (nothing written) or :class:`PublishError`."""
        return pipeline.publish_package(project, out, self.settings.today())

    # 1. load and check -----------------------------------------------------------------------

    def start(self, root: Path) -> Sources:
        """Load and check the project at ``root``; a serve rebuild checks beside the rendering."""
        self.search.wait()
        self._reset()
        try:
            return self._start(root)
        except ShequError as exc:
            self.error = exc
            raise

    def _start(self, root: Path) -> Sources:
        set_current(self.progress)
        if self.show_on is not None:
            self.progress.attach(self.show_on)
        project = Project.at(Path(root).resolve())
        if self.shard is not None and self.shard_index is not None:
            return self._start_indexed(project)
        files = sum(_count_files(project.datasets / dataset) for dataset in RECORD_DATASETS)
        with self.progress.stage("load", total=files, unit="record files") as stage:
            if self.cache is not None:
                gc.collect()  # the previous build's objects, before load() freezes what is left
                self.cache.reset_for(project.root)
            # A clean build reads through a cache of its own: the same records, with progress.
            cache = self.cache if self.cache is not None else BuildCache(root=project.root)
            try:
                sources = load(project, records=cache.load_records(project, stage.advance))
            except SchemaError as exc:
                raise self._failed(_sources_error(Report(exc.problems))) from None
            if self.cache is not None:
                self.log.info(f"shequ: {self.cache.parsed:,} changed record files parsed")
        if self.cache is None:
            with self.progress.stage("check", unit="rows") as stage:
                report = checks.run(sources, today=self.settings.today())
                stage.advance(sum(len(t.rows) for t in sources.tables.values()))
            self._accept(report)
        # else serve's rebuilds check in the publishing process, beside the rendering (see package())
        self.sources = sources
        return sources

    def _start_indexed(self, project: Project) -> Sources:
        """A shard with a record index: parse its own record files, and take the records of
        other shards that its pages name from the index. Not checked here: the index is bound
        to the very sources that ``shequ shard plan --index`` checked, and the merge checks
        them again."""
        self.datasets_digest = record_index.datasets_digest(project)
        index = record_index.read_index(self.shard_index, self.shard, self.datasets_digest)
        with self.progress.stage("load", total=index.count, unit="record files") as stage:
            try:
                sources = load(project, records=index.load(project, stage.advance))
            except SchemaError as exc:
                raise self._failed(_sources_error(Report(exc.problems))) from None
        self._accept(Report(sources.problems))
        self.elsewhere, self.index_lines = index.elsewhere, index.lines
        self.sources = sources
        return sources

    def _failed(self, error: ShequError) -> ShequError:
        self.error = error
        return error

    def _accept(self, report: Report) -> None:
        if not report.valid:
            raise self._failed(_sources_error(report))
        for problem in report.warnings:
            self.log.warning(problem.text())

    def stage(self, site_dir: Path, keep=()) -> Path:
        """The folder to build into, beside ``site_dir``: swapped in by :meth:`finish`.
        ``site_dir`` must be the build's own (:func:`shequ.atomic.claim`; ``keep``: more folders
        of sources it must not be), and no other build may be writing it."""
        staging = Staging(site_dir, self.sources.project.root, keep)
        folder = staging.begin()
        self.staging = staging
        return folder

    @property
    def served(self) -> Path | None:
        """The site a serve session shows, while a rebuild stages the next one beside it."""
        return self.staging.target if self.cache is not None and self.staging is not None else None

    # 2. publish, beside the rendering --------------------------------------------------------

    def start_publishing(self) -> None:
        """Write the data package in a process of its own while this one renders; serve's
        rebuilds check the sources there too, and leave out the package's self-check (it
        re-reads the written files and never changes one). A shard has no data package: the
        merge writes it."""
        if self.shard is not None:
            return
        # Beside the site, where the next build removes it if this one is killed.
        self.package_dir = (self.staging.scratch("data") if self.staging is not None
                            else Path(tempfile.mkdtemp(prefix="shequ-data-")))
        serving = self.cache is not None
        self.publisher = Publisher(self.sources, self.package_dir, check=not serving, check_sources=serving,
                                   background=not self.settings.publish_inline, today=self.settings.today())

    def package(self):
        """The published data package: the first call waits for the process that writes it."""
        if self.data_package is None:
            try:
                facts = self.publisher.wait()
            except InvalidSources as exc:
                raise self._failed(_sources_error(exc.report)) from None
            except PublishError as exc:
                raise self._failed(SiteBuildError(f"publish: {exc}")) from None
            if facts.report is not None:
                rows = sum(len(t.rows) for t in self.sources.tables.values())
                self.progress.record("check", facts.check_seconds, rows, "rows", background=facts.background)
                self._accept(facts.report)
            self.publish_waited = facts.waited if facts.background else 0.0  # not render time
            self.progress.record("publish", facts.seconds, facts.files, "files", background=facts.background,
                                 peak=facts.peak_rss_mb)
            if facts.background:
                self.progress.record("publish wait", facts.waited)
            project = self.sources.project
            package = read_package(self.package_dir, project.root / "CITATION.cff")
            package.releases = release_history(project)
            package.repository = self.sources.package.get("repository")
            self.data_package = package
        return self.data_package

    @contextmanager
    def _rendering(self):
        """A render step that fails while the checks still run beside it (serve) may have met
        invalid sources: the checks' errors are then what the build reports."""
        try:
            yield
        except ShequError as exc:
            self._failed(exc)
            raise
        except Exception:
            if self.data_package is None and self.publisher is not None:
                self.package()  # raises with the checks' report if they failed
            raise

    # 3. listing pages: the generator renders them with its theme -----------------------------

    def listing_pages(self, settings: RenderSettings) -> list[GeneratedPage]:
        """Every generated page but the record pages, in every language. With
        ``settings.deferred``, long listings render their body only when asked
        (:meth:`render_body`), one at a time."""
        self.data_path = settings.data_path
        with self.progress.stage("render", unit="listing pages") as stage, self._rendering():
            directory = Directory(self.sources, self.elsewhere)
            if self.cache is not None:
                self.cache.shared_digest(self.sources.project, settings)
            for lang in language.LANGUAGES:
                rows = self.cache.rows_for(directory.organizations, lang) if self.cache is not None else None
                self.renderers[lang] = Renderer(directory, settings, rows=rows, lang=lang,
                                                plain=self.settings.plain_render)
            self.renderer = self.renderers[language.DEFAULT]
            pages = []
            for renderer in self.renderers.values():
                for page in listing_pages(renderer, self.package):
                    pages.append(page)
                    stage.advance()
        return pages

    def fill_insets(self, html: str, url: str) -> str:
        """A page of ``docs/`` with its insets drawn: ``<!-- shequ:tile-map -->`` becomes the
        tile-grid map of the provinces (:mod:`shequ.render.tilemap`) in the page's language."""
        if TILE_MAP_MARKER not in html or not self.renderers:
            return html
        renderer = self.renderers[language.language_of(url)]
        with self._rendering():
            drawn = renderer.render("tilemap.html", language.neutral(url),
                                    tile_map=tile_map(renderer.directory, renderer.lang))
        return html.replace(TILE_MAP_MARKER, drawn)

    def render_body(self, generated: GeneratedPage) -> str:
        """A deferred listing's body, rendered now; timed as render time, less any wait for the package."""
        start = time.perf_counter()
        with self._rendering():
            body = generated.html()
        self.deferred_seconds += time.perf_counter() - start - self.publish_waited
        self.publish_waited = 0.0
        self.deferred_pages += 1
        return body

    # 4. record pages and JSON, straight into the output --------------------------------------

    def write_record_pages(self, site: Path, shell: PageShell) -> RecordPages:
        """Every record page and JSON into ``site``; a shard's only; a merge's, from its shards."""
        self.records = RecordPages(self.renderers, self.log, provinces=self.shard)
        with self.progress.stage("render", total=self.records.count, unit="record pages") as stage, \
                self._rendering():
            if self.merge_from is not None:
                owners = shards.by_province(self.merge_from, self._fingerprint())
                self.records.adopt(site, owners, stage.advance)
            else:
                self.records.write(site, shell, stage.advance, self.cache, self.served)
                self.records.write_json(site)
        return self.records

    # Sharded builds (shequ.build.shards) --------------------------------------------------------

    def fingerprint(self, config_file: Path, docs_dir: Path, site_url: str | None) -> None:
        """What a shard's pages are rendered from, digested: the sources, the docs, the
        configuration, the site's address, shequ's version and the record index's lines (read
        by an indexed shard, computed from the sources by any other). A merge takes only shards
        whose digest is its own. Read only for a shard or a merge."""
        if self.shard is None and self.merge_from is None:
            return
        project = self.sources.project
        datasets = self.datasets_digest or record_index.datasets_digest(project)
        lines = self.index_lines or record_index.lines_digest(self.sources)
        self.digest = shards.sources_digest(
            project.root, [Path(docs_dir)],
            list(dict.fromkeys([Path(config_file), project.root / "mkdocs.yml", project.root / "CITATION.cff"])),
            f"{site_url or ''}\0{__version__}\0{datasets}\0{lines}")

    def _fingerprint(self) -> str:
        if self.digest is None:
            raise self._failed(SiteBuildError("a shard or a merge needs the sources' digest: call fingerprint()"))
        return self.digest

    def write_shard(self, site: Path) -> Path:
        """Move the shard's record pages and JSON out of ``site`` into :attr:`shard_out`, replaced
        all at once, with its :data:`~shequ.build.shards.SHARD_FILE`; returns the folder."""
        files = self.records.files()
        with self._rendering(), atomic.staging(self.shard_out, self.sources.project.root) as folder:
            listed = {}
            for name in files:
                (folder / name).parent.mkdir(parents=True, exist_ok=True)
                os.replace(site / name, folder / name)
                listed[name] = (folder / name).stat().st_size
            shards.write_shard_file(folder, self.shard, self._fingerprint(), listed)
        self.log.info(f"shequ: shard {','.join(sorted(self.shard))}: {len(self.records.records):,} records, "
                      f"{len(files):,} files")
        self.progress.detach()
        set_current(None)
        return Path(self.shard_out).resolve()

    def begin_pages(self, count: int) -> None:
        """The generator builds its own pages next: shown on a terminal, timed as its stage."""
        self.pages_stage = self.progress.begin("mkdocs", total=count, unit="pages", record=False)

    def page_written(self) -> None:
        if self.pages_stage is not None:
            self.pages_stage.advance()

    def end_pages(self) -> None:
        if self.pages_stage is not None:
            self.progress.end(self.pages_stage)
            self.pages_stage = None

    # 5. data package, catalogue, sitemap, search; then the swap ------------------------------

    def finish(self, site: Path, pages=None, site_url: str | None = None) -> Path:
        """Complete the output in ``site`` and swap it in; the site's final folder.

        ``pages``: the generator's pages that search indexes (an object with
        ``documentation_pages()``), or None for the generated pages alone."""
        self.progress.record("render", self.deferred_seconds, self.deferred_pages, "listing pages")
        package = self.package()
        with self.progress.stage("render", unit="files") as stage:
            stage.advance(add_data_files(self.package_dir, site / self.data_path))
            for f in [catalogue(self.renderer, package), *feeds(self.renderers.values())]:
                (site / f.path).parent.mkdir(parents=True, exist_ok=True)
                (site / f.path).write_bytes(f.data)
            complete_sitemap(site, site_url, self.records.paths)
            write_robots(site, site_url)
            add_home_jsonld(site, {r.prefix: home_jsonld(r, package) for r in self.renderers.values()})
        served = self.served
        try:
            index_later = self.search.index_now_or_later(site, served, self.renderer.directory, pages)
        except search.SearchIndexError as exc:
            raise self._failed(SiteBuildError(f"search: {exc}")) from None
        size, path = self.records.largest
        self.log.info(f"shequ: largest record page {size / 1024:.1f} KB ({path})")
        self._drop_package()
        if not index_later:
            with self.progress.stage("manifest", unit="files") as stage:
                stage.advance(self.write_manifest(site))
        if self.staging is not None:
            site = self.staging.swap()
            self.staging = None
            if self.cache is not None:
                self.cache.pages, self.cache.site = self.records.pending, site
                self.cache.start_spare()
            if index_later:  # the manifest follows the index it lists
                self.search.index_later(site, self.renderer.directory, pages, then=self.write_manifest)
        records = len(self.renderer.directory.organizations) + len(self.renderer.directory.incubators)
        self.progress.write_timings(self.settings.timings, records=records, largest_record_page=size)
        self.progress.detach()
        set_current(None)
        return site

    def write_manifest(self, site: Path) -> int:
        """The site's last file: each file's hash and size, for a deploy that uploads only what
        changed (:mod:`shequ.build.manifest`). Returns the number of files it lists."""
        files = self.hashes.files(site)
        manifest.write(site, files)
        return len(files)

    def fail(self) -> None:
        """The build failed: stop publishing, remove what it wrote; the previous site stays."""
        self.end_pages()
        self.progress.detach()
        set_current(None)
        if self.publisher is not None:
            self.publisher.stop()
        self._drop_package()
        if self.staging is not None:
            self.staging.discard()
            self.staging = None

    def close(self) -> None:
        """The end of a serve session (or of a single build)."""
        self.search.wait()
        if self.cache is not None:
            self.cache.drop_spare()
        self.cache = None

    def _drop_package(self) -> None:
        if self.package_dir is not None:
            shutil.rmtree(self.package_dir, ignore_errors=True)
            self.package_dir = None
