"""The MkDocs plugin: ``mkdocs build`` and ``mkdocs serve`` run the whole pipeline.

load → check → publish → render, inside MkDocs:

- ``on_config``: load and check the sources. Errors stop the build with the same
  ``path:line: field: …`` lines as ``shequ validate`` and no traceback. The site is
  then built into a staging folder beside ``site_dir``.
- ``on_files``: start writing the data package in a process of its own
  (:mod:`shequ.build.publisher`), and add the generated listing pages (organizations,
  incubators, regions, topics, statistics, data) as pages MkDocs renders with the
  theme.
- ``on_env``: render one page per record straight into the output with the theme's
  ``main.html``, filled into a shell shared by all pages of a kind
  (:mod:`shequ.generator.material`); record pages stay out of the navigation, which keeps
  each page small. Write each record as JSON.
- ``on_page_content``: the body of a generated page comes from its autoescaping
  template, never from Markdown; long listings are rendered only now, one at a
  time. The download page waits for the data package.
- ``on_post_build``: add the data package's files and the DCAT catalogue, then swap
  the staging folder in. A failed build leaves the previous site as it was.

Each stage is timed and, on a terminal, shows its progress (:mod:`shequ.progress`).

Use it in ``mkdocs.yml`` (without the theme's ``search`` plugin: after the record
pages, :mod:`shequ.search` writes the site's Pagefind index into ``pagefind/``)::

    plugins:
      - shequ
"""

from __future__ import annotations

import dataclasses
import gc
import gzip
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from markupsafe import escape
from mkdocs.commands.build import get_context
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from shequ import atomic, checks, search
from shequ.sources.load import load
from shequ.progress import Progress, set_current
from shequ.project import RECORD_DATASETS, NotAProject, Project
from shequ.build.publisher import InvalidSources, Publisher
from shequ.build.incremental import BuildCache, record_page_key
from shequ.publish.package import PublishError
from shequ.sources.releases import history as release_history
from shequ.render import (Directory, GeneratedPage, Renderer, Settings, catalogue, language, listing_pages,
                     read_package, record_files, record_pages)
from shequ.render.model import UnsafeValue
from shequ.render.directory import incubator, organization, record_json
from shequ.render.html import CompactLoader, theme_globals
from shequ.render.page import plain_render
from shequ.generator.material import SENTINEL_ID, ThemeShells

log = logging.getLogger("mkdocs.plugins.shequ")

PACKAGE_ROOT = Path(__file__).parents[1]  # the shequ package: its templates and assets
OVERRIDES = PACKAGE_ROOT / "templates" / "overrides"
STYLESHEET = PACKAGE_ROOT / "assets" / "shequ.css"
STYLESHEET_URI = "assets/shequ.css"
#: The template of the pages the plugin renders itself when MkDocs writes them (long listings).
DEFERRED_TEMPLATE = "shequ-deferred.html"


class ShequConfig(Config):
    #: The project folder, relative to mkdocs.yml.
    project = c.Type(str, default=".")
    #: Where the data package goes in the site.
    data_path = c.Type(str, default="data/")
    #: Rows per page of organization listings.
    per_page = c.Type(int, default=200)
    #: Base URL to edit a source file in the repository; by default derived from repo_url and edit_uri.
    source_edit_uri = c.Optional(c.Type(str))


def _link(source: Path, dest: Path) -> bool:
    try:
        os.link(source, dest)
        return True
    except OSError:
        return False


def _link_tree(source: Path, dest: Path) -> None:
    """``dest`` as a copy of the folder ``source`` whose files are hard links (copies if need be)."""
    for dirpath, _, names in os.walk(source):
        out = dest / Path(dirpath).relative_to(source)
        out.mkdir(parents=True, exist_ok=True)
        for name in names:
            try:
                os.link(Path(dirpath, name), out / name)
            except OSError:
                shutil.copyfile(Path(dirpath, name), out / name)


def _index_in_background(site: Path, directory, files) -> None:
    """Build the search index of the served ``site`` in a folder beside it, from links to its
    pages, then swap the index folders in: searches are never without an index meanwhile."""
    shadow = Path(tempfile.mkdtemp(prefix=".shequ-search-", dir=site.parent))
    try:
        for file in files.documentation_pages():
            page = site / file.dest_uri
            if page.is_file():
                (shadow / file.dest_uri).parent.mkdir(parents=True, exist_ok=True)
                os.link(page, shadow / file.dest_uri)
        search.build_index(shadow, directory, files)
        for name in (search.OUTPUT, search.DIRECTORY):
            if (shadow / name).is_dir():
                atomic.swap_in(shadow / name, site / name)
        log.info("shequ: search index updated")
    except Exception as exc:  # noqa: BLE001 - a thread's error would otherwise vanish
        log.error(f"shequ: the search index was not updated: {type(exc).__name__}: {exc}")
    finally:
        shutil.rmtree(shadow, ignore_errors=True)


def _count_files(folder: Path) -> int:
    try:
        with os.scandir(folder) as entries:
            return sum(1 for _ in entries)
    except OSError:
        return 0


def _split_nav(nav) -> dict:
    """Each language's navigation, from a ``nav`` whose top-level sections are one per
    language (``- 简体中文: …``, ``- English: …`` in mkdocs.yml): a language's pages then show
    only its own section, as the whole navigation, with previous/next links that stay in it.
    Any other ``nav`` is left as it is (an empty result)."""
    from mkdocs.structure.nav import Navigation

    sections = {}
    for item in nav.items:
        pages = list(_nav_pages(item))
        langs = {language.language_of(p.url) for p in pages}
        if not getattr(item, "children", None) or len(langs) != 1 or langs & set(sections):
            return {}
        sections[langs.pop()] = item
    if set(sections) != set(language.LANGUAGES):
        return {}
    navs = {}
    for lang, section in sections.items():
        for child in section.children:
            child.parent = None
        pages = list(_nav_pages(section))
        for i, page in enumerate(pages):
            page.previous_page = pages[i - 1] if i else None
            page.next_page = pages[i + 1] if i + 1 < len(pages) else None
        split = Navigation(section.children, pages)
        home = language.prefix(lang)
        split.homepage = next((p for p in pages if p.url in (home, home or "./")), split.homepage)
        navs[lang] = split
    return navs


def _nav_pages(item):
    if getattr(item, "is_page", False):
        yield item
    for child in getattr(item, "children", None) or ():
        yield from _nav_pages(child)


class SiteError(PluginError):
    """The site cannot be built; the message says why, with file and line where there is one."""


class ShequPlugin(BasePlugin[ShequConfig]):
    def __init__(self):
        self.dirty = False
        self.cache: BuildCache | None = None  # kept between the builds of one `serve` session
        self.search_job: threading.Thread | None = None  # serve: the search index of the last rebuild
        self._reset()

    def _reset(self) -> None:
        self.target: Path | None = None  # the real site_dir while building into a staging folder
        self.staging: Path | None = None
        self.package_dir: Path | None = None
        self.generated: dict[str, GeneratedPage] = {}
        self.renderer: Renderer | None = None  # the default language's: record JSON, the catalogue
        self.renderers: dict[str, Renderer] = {}  # language -> its renderer
        self.navs: dict = {}  # language -> its navigation (see _split_nav)
        self.sources = None
        self.env = None
        self.nav = None
        self.files: Files | None = None
        self.largest_record_page = (0, "")
        self.record_paths: list[str] = []
        self.pending_pages: dict[str, tuple[str, int]] = {}  # record pages of this build, for the next
        self.json_written = False  # the incremental path wrote the records as JSON too
        self.progress = Progress(log=log.info)
        self.post_build_started: float | None = None
        self.pages_stage = None  # MkDocs building its pages, shown on a terminal
        self.listing_shells: ThemeShells | None = None
        self.rendered_later: set[str] = set()  # pages whose body is rendered as MkDocs writes them
        self.publish_waited = 0.0
        self.deferred_seconds = 0.0  # rendering long listings while MkDocs builds them
        self.deferred_pages = 0
        self.publisher: Publisher | None = None
        self.package = None
        self.data_path = "data/"

    # Stage 0: how the build was started --------------------------------------------------------

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.dirty = dirty
        # `serve` rebuilds after each edit: keep what an edit leaves unchanged (see shequ.build.incremental).
        self.cache = BuildCache() if command == "serve" and not dirty else None

    def on_shutdown(self) -> None:
        self.wait_for_search_index()
        if self.cache is not None:
            self.cache.drop_spare()
        self.cache = None

    def on_serve(self, server, *, config, builder):
        if self.sources is not None:
            server.watch(str(self.sources.project.datasets))
            server.watch(str(self.sources.project.root / "CITATION.cff"))
        return server

    # Stage 1: load and check -------------------------------------------------------------------

    def on_config(self, config):
        self.wait_for_search_index()
        self._reset()
        set_current(self.progress)
        self.progress.attach(logging.getLogger("mkdocs"))
        root = (Path(config.config_file_path).parent / self.config.project).resolve()
        try:
            project = Project.at(root)
        except NotAProject as exc:
            raise SiteError(str(exc)) from None
        files = sum(_count_files(project.datasets / dataset) for dataset in RECORD_DATASETS)
        with self.progress.stage("load", total=files, unit="record files") as stage:
            if self.cache is not None:
                gc.collect()  # the previous build's objects, before load() freezes what is left
                self.cache.reset_for(project.root)
            # A clean build reads through a cache of its own: the same records, with progress.
            cache = self.cache if self.cache is not None else BuildCache(root=project.root)
            sources = load(project, records=cache.load_records(project, stage.advance))
            if self.cache is not None:
                log.info(f"shequ: {self.cache.parsed:,} changed record files parsed")
        if self.cache is None:
            with self.progress.stage("check", unit="rows") as stage:
                report = checks.run(sources)
                stage.advance(sum(len(t.rows) for t in sources.tables.values()))
            self._report(report)
        # else serve's rebuilds check in the publishing process, beside the rendering (self._package)
        self.sources = sources
        self._repository(config, sources.package.get("repository"))

        # Material overrides (demonstration banner, no GitHub API call), after a deployment's own custom_dir.
        dirs = config.theme.dirs
        if str(OVERRIDES) not in dirs:
            dirs.insert(1 if config.theme.custom_dir else 0, str(OVERRIDES))
        if STYLESHEET_URI not in config.extra_css:
            config.extra_css.append(STYLESHEET_URI)
        config.extra["shequ_demonstration"] = bool(sources.package.get("demonstration"))
        # What mkdocs.yml says, for the pages of neither language (see _unlocalize).
        self.site_language = config.theme["language"]
        self.site_alternate = config.extra.get("alternate")

        if not self.dirty:
            # MkDocs writes into site_dir as it goes; build beside it and swap at the end.
            self.target = Path(config.site_dir).resolve()
            atomic.clean_stale(self.target)
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self.staging = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.tmp-", dir=self.target.parent))
            config.site_dir = str(self.staging)

        # The package is written by a process of its own while this one renders the pages; the
        # download page waits for it (self._package), and its files join the site at the end.
        # serve's previews check the sources there too, and leave out the package's self-check
        # (it re-reads the written files and never changes one).
        self.package_dir = Path(tempfile.mkdtemp(prefix="shequ-data-"))
        serving = self.cache is not None
        self.publisher = Publisher(sources, self.package_dir, check=not serving, check_sources=serving)
        return config

    @staticmethod
    def _report(report) -> None:
        if not report.valid:
            raise SiteError("the sources have errors; the site was not built\n" + report.format_text().rstrip())
        for problem in report.warnings:
            log.warning(problem.text())

    @contextmanager
    def _rendering(self):
        """A render step that fails while the checks still run beside it (serve) may have met
        invalid sources: the checks' errors are then what the build reports."""
        try:
            yield
        except Exception:
            if self.package is None and self.publisher is not None:
                self._package()  # raises SiteError with the checks' report if they failed
            raise

    @staticmethod
    def _repository(config, repository) -> None:
        """The repository's address comes from ``repository`` in datasets/package.yaml, so that a
        deployment changes it in one place; a ``repo_url`` in mkdocs.yml still wins."""
        if not isinstance(repository, str) or not repository.startswith(("https://", "http://")):
            return
        if not config.repo_url:
            config.repo_url = repository.rstrip("/")
            config.repo_name = urlsplit(repository).path.strip("/") or urlsplit(repository).netloc
        elif config.repo_url.rstrip("/") != repository.rstrip("/"):
            log.warning(f"repo_url in mkdocs.yml ({config.repo_url}) differs from repository in "
                        f"datasets/package.yaml ({repository}); the site links to repo_url")

    # Stage 2: publish, and the generated pages MkDocs renders ----------------------------------

    def on_files(self, files: Files, *, config) -> Files:
        data_path = self.config.data_path.strip("/") + "/"
        self.data_path = data_path
        files.append(File.generated(config, STYLESHEET_URI, abs_src_path=str(STYLESHEET)))
        for asset in search.asset_files(config):
            files.append(asset)

        settings = Settings(
            edit_base=self._edit_base(config),
            site_url=config.site_url or None,
            per_page=self.config.per_page,
            data_path=data_path,
            deferred=True,  # long listings render as MkDocs builds them: one in memory at a time
        )
        with self.progress.stage("render", unit="listing pages") as stage, self._rendering():
            directory = Directory(self.sources)
            if self.cache is not None:
                self.cache.shared_digest(self.sources.project, settings)
            for lang in language.LANGUAGES:
                rows = self.cache.rows_for(directory.organizations, lang) if self.cache is not None else None
                self.renderers[lang] = Renderer(directory, settings, rows=rows, lang=lang)
            self.renderer = self.renderers[language.DEFAULT]
            try:
                pages = []
                for renderer in self.renderers.values():
                    for page in listing_pages(renderer, self._package):
                        pages.append(page)
                        stage.advance()
            except UnsafeValue as exc:
                raise SiteError(str(exc)) from None
        for page in pages:
            existing = files.get_file_from_path(page.src_uri)
            if existing is not None:
                log.warning(f"docs/{page.src_uri} is replaced by the generated page at /{page.path}")
                files.remove(existing)
            inclusion = InclusionLevel.UNDEFINED if page.in_nav else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, page.src_uri, content="", inclusion=inclusion))
            self.generated[page.src_uri] = page
        return files

    def _edit_base(self, config) -> str | None:
        """Where a source file is edited: ``<repo_url>/edit/main/`` for ``edit_uri: edit/main/docs/``."""
        if self.config.source_edit_uri:
            return self.config.source_edit_uri.rstrip("/") + "/"
        if not config.repo_url or not config.edit_uri:
            return None
        docs = Path(config.docs_dir).resolve()
        try:
            docs_rel = docs.relative_to(self.sources.project.root).as_posix() + "/"
        except ValueError:
            docs_rel = docs.name + "/"
        base = urljoin(config.repo_url.rstrip("/") + "/", config.edit_uri.lstrip("/"))
        base = base.rstrip("/") + "/"
        return base[: -len(docs_rel)] if base.endswith("/" + docs_rel) else base

    def on_nav(self, nav, *, config, files):
        self.nav, self.files = nav, files
        self.navs = _split_nav(nav)
        return nav

    def on_page_context(self, context, *, page, config, nav):
        self._localize(context, page)
        return context

    def _localize(self, context, page) -> None:
        """The page's language, from its address (``en/…`` is English): Material's interface
        language and ``<html lang>``, that language's navigation, and the language switcher
        with ``hreflang`` alternates, each to the same page in the other language."""
        lang = language.language_of(page.url)
        config = context["config"]
        config.theme["language"] = lang
        # Absolute where the site's address is known: search engines read hreflang alternates
        # only as full addresses (Material's `url` filter leaves those as they are).
        base = config.site_url.rstrip("/") + "/" if config.site_url else ""
        config.extra["alternate"] = [
            {"name": language.NAMES[other], "link": base + language.counterpart(page.url, other) or "./",
             "lang": language.TAGS[other]}
            for other in language.LANGUAGES]
        context["nav"] = self.navs.get(lang, context["nav"])

    def _unlocalize(self, config) -> None:
        """The configuration as mkdocs.yml has it: no page's language or switcher."""
        config.theme["language"] = self.site_language
        if self.site_alternate is None:
            config.extra.pop("alternate", None)
        else:
            config.extra["alternate"] = self.site_alternate

    def on_page_content(self, html: str, *, page: Page, config, files) -> str:
        generated = self.generated.get(page.file.src_uri)
        if generated is None:
            return html
        self._dress(page, generated)
        if generated.deferred is None:
            return generated.body
        if not plain_render():
            # Rendered in on_post_page, when MkDocs writes it: MkDocs reads every page before it
            # writes any, and would hold every listing's HTML at once (and the download page would
            # wait for the data package before the record pages are written). Pages out of the
            # navigation are filled into a shared theme shell; the few in it, rendered again.
            if not generated.in_nav:
                page.meta["template"] = DEFERRED_TEMPLATE
            self.rendered_later.add(page.file.src_uri)
            return ""
        start = time.perf_counter()
        try:
            with self._rendering():
                body = generated.html()
        except UnsafeValue as exc:
            raise SiteError(str(exc)) from None
        self.deferred_seconds += time.perf_counter() - start - self.publish_waited
        self.publish_waited = 0.0
        self.deferred_pages += 1
        return body

    def on_post_page(self, output: str, *, page: Page, config) -> str:
        if self.pages_stage is not None:
            self.pages_stage.advance()
        generated = self.generated.get(page.file.src_uri)
        if generated is not None and generated.deferred is not None:
            if page.file.src_uri in self.rendered_later:
                start = time.perf_counter()
                with self._rendering():
                    try:
                        body = generated.html()
                    except UnsafeValue as exc:
                        raise SiteError(str(exc)) from None
                    if page.meta.get("template") == DEFERRED_TEMPLATE:
                        if self.listing_shells is None:
                            self.listing_shells = ThemeShells(self.env.get_template("main.html"), self.nav,
                                                              self.files.documentation_pages(), config, self._dress,
                                                              self._localize)
                        output = self.listing_shells.render(dataclasses.replace(generated, body=body, deferred=None))
                    else:
                        # In the navigation: what MkDocs does for a page (it is still the active one).
                        page.content = body
                        context = get_context(self.nav, self.files.documentation_pages(), config, page)
                        self._localize(context, page)
                        output = self.env.get_template(page.meta.get("template", "main.html")).render(context)
                waited = self.publish_waited
                self.deferred_seconds += time.perf_counter() - start - waited
                self.publish_waited = 0.0
                self.deferred_pages += 1
            # Written: a build of 100,000 records need not hold every listing's HTML until the end.
            page.content = ""
        return output

    @staticmethod
    def _dress(page: Page, generated: GeneratedPage) -> None:
        """Title, edit link and table of contents of a generated page. The theme prints
        ``page.meta.title`` unescaped, so it gets the escaped title."""
        page.meta["title"] = str(escape(generated.title))
        if not generated.search:
            page.meta["search"] = {"exclude": True}
        page.edit_url = generated.edit_url
        page.toc = get_toc([{"level": 2, "id": anchor, "name": str(escape(name)), "children": []}
                            for anchor, name in generated.toc])

    def _package(self):
        """The published data package: the first call waits for the process that writes it."""
        if self.package is None:
            try:
                facts = self.publisher.wait()
            except InvalidSources as exc:
                raise SiteError("the sources have errors; the site was not built\n"
                                + exc.report.format_text().rstrip()) from None
            except PublishError as exc:
                raise SiteError(f"publish: {exc}") from None
            if facts.report is not None:
                rows = sum(len(t.rows) for t in self.sources.tables.values())
                self.progress.record("check", facts.check_seconds, rows, "rows", background=facts.background)
                self._report(facts.report)
            self.publish_waited = facts.waited if facts.background else 0.0  # not render time
            self.progress.record("publish", facts.seconds, facts.files, "files", background=facts.background,
                                 peak=facts.peak_rss_mb)
            if facts.background:
                self.progress.record("publish wait", facts.waited)
            project = self.sources.project
            package = read_package(self.package_dir, project.root / "CITATION.cff")
            package.releases = release_history(project)
            package.repository = self.sources.package.get("repository")
            self.package = package
        return self.package

    # Stage 3: record pages, straight into the output, before MkDocs builds its pages ----------

    def on_env(self, env, *, config, files):
        # The interface text of the overrides (search box, demonstration notice, 404 page).
        env.globals.update(theme_globals())
        # The theme's templates without their indentation: every page a fifth smaller, read the same.
        if not isinstance(env.loader, CompactLoader):
            env.loader = CompactLoader(env.loader, trim_blocks=env.trim_blocks)
        self.env = env
        site = Path(config.site_dir)
        records = len(self.renderer.directory.organizations) + len(self.renderer.directory.incubators)
        records *= len(self.renderers)
        with self.progress.stage("render", total=records, unit="record pages") as stage, self._rendering():
            try:
                self._write_record_pages(config, site, stage)
                for f in record_files(self.renderer) if not self.json_written else ():
                    out = site / f.path
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(f.data)
            except UnsafeValue as exc:
                raise SiteError(str(exc)) from None
        # The theme's own pages (404.html) come next and are not a page of either language.
        self._unlocalize(config)
        # MkDocs builds its pages next: shown on a terminal, timed as part of the "mkdocs" stage.
        self.pages_stage = self.progress.begin("mkdocs", total=len(files.documentation_pages()), unit="pages",
                                               record=False)
        return env

    # Stage 4: the data package and the catalogue; then swap the site in ------------------------

    @event_priority(100)  # first: what other plugins do after the build (the search index) is timed
    def _post_build_start(self, *, config) -> None:
        self._end_pages_stage()
        self.post_build_started = time.perf_counter()

    def _end_pages_stage(self) -> None:
        if self.pages_stage is not None:
            self.progress.end(self.pages_stage)
            self.pages_stage = None

    @event_priority(-100)  # last, after search and any other plugin wrote into the staging folder
    def _post_build(self, *, config) -> None:
        if self.post_build_started is not None:
            # The other plugins' post-build work: with the built-in search, writing its index.
            self.progress.record("search", time.perf_counter() - self.post_build_started)
        self.progress.record("render", self.deferred_seconds, self.deferred_pages, "listing pages")
        site = Path(config.site_dir)
        records = len(self.renderer.directory.organizations) + len(self.renderer.directory.incubators)
        package = self._package()
        with self.progress.stage("render", unit="files") as stage:
            stage.advance(self._add_data_files(site))
            f = catalogue(self.renderer, package)
            (site / f.path).parent.mkdir(parents=True, exist_ok=True)
            (site / f.path).write_bytes(f.data)
            self._add_to_sitemap(config, site)
        index_later = self._keep_search_index(site)
        if not index_later:
            try:
                search.build_index(site, self.renderer.directory, self.files)
            except search.SearchIndexError as exc:
                raise SiteError(f"search: {exc}") from None
        size, path = self.largest_record_page
        log.info(f"shequ: largest record page {size / 1024:.1f} KB ({path})")
        self._cleanup_package()
        if self.target is not None:
            atomic.swap_in(site, self.target)
            config.site_dir = str(self.target)
            if self.cache is not None:
                self.cache.pages, self.cache.site = self.pending_pages, self.target
                self.cache.start_spare()
            if index_later:
                self.search_job = threading.Thread(target=_index_in_background, name="shequ-search-index",
                                                   args=(self.target, self.renderer.directory, self.files))
                self.search_job.start()
            self.staging = self.target = None
        self.progress.write_timings(records=records, largest_record_page=size)
        self.progress.detach()
        set_current(None)

    on_post_build = CombinedEvent(_post_build_start, _post_build)

    def _write_record_pages(self, config, site: Path, stage) -> int:
        shells = ThemeShells(self.env.get_template("main.html"), self.nav, self.files.documentation_pages(),
                             config, self._dress, self._localize)
        count = 0
        if self.cache is not None and self.target is not None:
            count = self._write_record_pages_again(site, stage, shells)
        generated_pages = (page for renderer in self.renderers.values() for page in record_pages(renderer))
        for generated in generated_pages if not count else ():
            html = shells.render(generated).encode("utf-8", errors="xmlcharrefreplace")
            out = site / generated.path / "index.html"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(html)
            self.record_paths.append(generated.path)
            if len(html) > self.largest_record_page[0]:
                self.largest_record_page = (len(html), generated.path)
            count += 1
            stage.advance()
        if shells.slow:
            log.info(f"shequ: {shells.slow} record pages rendered without a shared theme shell")
        return count

    def _write_record_pages_again(self, site: Path, stage, shells: ThemeShells) -> int:
        """Serve's rebuilds: a record page whose key did not change since the last build is
        kept from that build's output; the others are rendered (see shequ.build.incremental).

        The last build's pages come from the spare tree of hard links made after it (its
        folders are renamed into this output, one rename per folder); without one, each
        unchanged page is linked here. A changed page's link is removed before the page is
        written, so the previous build's file, still served, is never written to."""
        cache, directory = self.cache, self.renderer.directory
        previous = cache.pages if cache.site is not None and cache.site == self.target else {}
        tree = self._take_spare_tree(site) if previous else None
        kept = previous if tree else {}  # paths already in the output, as the last build wrote them
        pages: dict[str, tuple[str, int]] = {}
        cache.reused = 0
        for dataset in ("organizations", "incubators"):
            (site / dataset).mkdir(parents=True, exist_ok=True)

        def keep(path: str, file: Path) -> bool:
            """True when the last build's ``file`` at ``path`` is in this output now."""
            if path in kept:
                return True
            return _link(self.target / file.relative_to(site), file)

        def replace(path: str, file: Path, data: bytes) -> None:
            if path in kept:
                file.unlink(missing_ok=True)  # a link to the served file: never write through it
            else:
                file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes(data)

        for entry in [*directory.organizations, *directory.incubators]:
            # The record as JSON (one for both languages) depends on the record's own file alone.
            own = cache.record_digest(entry.file)
            out = site / entry.json_path
            if previous.get(entry.json_path, ("",))[0] != own or not keep(entry.json_path, out):
                replace(entry.json_path, out, record_json(entry).data)
            pages[entry.json_path] = (own, 0)
        for lang, renderer in self.renderers.items():
            models = [renderer.page(GeneratedPage(f"{dataset}/{SENTINEL_ID}/", "t", "<h1>",
                                                  renderer.edit_url(f"datasets/{dataset}/{SENTINEL_ID}.yaml")))
                      for dataset in ("organizations", "incubators")]
            theme = shells.digest(models)
            for entry in [*directory.organizations, *directory.incubators]:
                key = record_page_key(cache, directory, entry, theme)
                path = renderer.prefix + entry.path
                out = site / path / "index.html"
                size = None
                if previous.get(path, ("", 0))[0] == key:
                    if path not in kept:
                        out.parent.mkdir(parents=True, exist_ok=True)
                    if keep(path, out):
                        size = previous[path][1]
                        cache.reused += 1
                if size is None:
                    make = organization if entry.dataset == "organizations" else incubator
                    html = shells.render(renderer.page(make(renderer, entry))).encode("utf-8",
                                                                                      errors="xmlcharrefreplace")
                    replace(path, out, html)
                    size = len(html)
                pages[path] = (key, size)
                self.record_paths.append(path)
                if size > self.largest_record_page[0]:
                    self.largest_record_page = (size, path)
                stage.advance()
        for path in kept.keys() - pages.keys():  # records removed since the last build
            if path.endswith("/"):
                shutil.rmtree(site / path, ignore_errors=True)
            else:
                (site / path).unlink(missing_ok=True)
        self.pending_pages = pages
        count = (len(directory.organizations) + len(directory.incubators)) * len(self.renderers)
        log.info(f"shequ: {count - cache.reused:,} record pages rendered, {cache.reused:,} unchanged")
        self.json_written = True
        return count

    def _take_spare_tree(self, site: Path) -> bool:
        """Move the spare tree's folders into the output: True if they all are."""
        tree = self.cache.take_spare()
        self.cache.spare_used = False
        if tree is None:
            return False
        moved = []
        try:
            for top in sorted(os.listdir(tree)):
                if (site / top).exists():
                    raise FileExistsError(f"{top} is in the output already")
                os.rename(tree / top, site / top)
                moved.append(top)
            self.cache.spare_used = True
            return True
        except OSError as exc:
            log.info(f"shequ: the spare tree was not used ({exc}); linking the unchanged pages one by one")
            for top in moved:
                shutil.rmtree(site / top, ignore_errors=True)
            return False
        finally:
            shutil.rmtree(tree, ignore_errors=True)

    def _keep_search_index(self, site: Path) -> bool:
        """serve's rebuilds: the previous build's search index goes into the new site as it is,
        and a new one replaces it after the swap, built beside the served site. The edited page
        shows as soon as the pages are written; search catches up a few seconds later."""
        if self.cache is None or self.target is None or not (self.target / search.OUTPUT).is_dir():
            return False
        for name in (search.OUTPUT, search.DIRECTORY):
            if (self.target / name).is_dir():
                _link_tree(self.target / name, site / name)
        return True

    def wait_for_search_index(self) -> None:
        """Wait for the search index that serve builds after a rebuild (tests; the next build)."""
        if self.search_job is not None:
            self.search_job.join()
            self.search_job = None

    def _add_data_files(self, site: Path) -> int:
        """The data package's files, into the site's data folder: linked when they can be, else copied."""
        folder = site / self.data_path
        folder.mkdir(parents=True, exist_ok=True)
        count = 0
        for path in sorted(self.package_dir.iterdir()):
            out = folder / path.name
            out.unlink(missing_ok=True)
            try:
                os.link(path, out)
            except OSError:
                shutil.copyfile(path, out)
            count += 1
        return count

    def _add_to_sitemap(self, config, site: Path) -> None:
        """Record pages are not MkDocs pages, so MkDocs' sitemap leaves them out; add them.

        The sitemap is also made to depend on the sources alone: MkDocs gives every page a
        ``<lastmod>`` of the build day (not when the page changed) and stamps the gzip header
        with it, so two builds on different days differed. Both go."""
        sitemap = site / "sitemap.xml"
        if not sitemap.is_file():
            return
        text = re.sub(r"\s*<lastmod>[^<]*</lastmod>", "", sitemap.read_text(encoding="utf-8"))
        if config.site_url:
            base = config.site_url.rstrip("/") + "/"
            entries = "".join(f"<url>\n<loc>{escape(base + path)}</loc>\n</url>\n" for path in self.record_paths)
            text = text.replace("</urlset>", entries + "</urlset>", 1)
        sitemap.write_text(text, encoding="utf-8")
        with open(site / "sitemap.xml.gz", "wb") as raw:
            with gzip.GzipFile(filename="sitemap.xml", fileobj=raw, mode="wb", mtime=0) as gz:
                gz.write(text.encode("utf-8"))

    def on_build_error(self, *, error: Exception) -> None:
        self._end_pages_stage()
        self.progress.detach()
        set_current(None)
        if self.publisher is not None:
            self.publisher.stop()
        self._cleanup_package()
        if self.staging is not None:
            # The previous site at self.target was never touched; only the staging folder goes.
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = self.target = None

    def _cleanup_package(self) -> None:
        if self.package_dir is not None:
            shutil.rmtree(self.package_dir, ignore_errors=True)
            self.package_dir = None
