"""The MkDocs plugin: ``mkdocs build`` and ``mkdocs serve`` drive the build core.

Each MkDocs event hands its work to :class:`shequ.build.core.SiteBuild`; what is Material's
(the theme shell, each page's language) comes from :mod:`shequ.generator.material`:

- ``on_config``: load and check, stage the build beside ``site_dir``, start publishing.
- ``on_files``: the generated listing pages join MkDocs' pages; their bodies come from
  autoescaping templates, never from Markdown; long listings render as MkDocs writes them.
- ``on_env``: the record pages and JSON, straight into the output, in the theme's shell (a
  shard build, :mod:`shequ.build.shards`, moves its own out and ends here: :class:`ShardWritten`).
- ``on_post_build``: data package, catalogue, sitemap, search index; then the swap.

A :class:`~shequ.errors.ShequError` becomes MkDocs' own build error: the same report as
``shequ validate``, no traceback. Use it in ``mkdocs.yml`` (without the theme's ``search``
plugin: :mod:`shequ.search` writes the site's Pagefind index)::

    plugins:
      - shequ
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from contextlib import contextmanager
from pathlib import Path

from mkdocs.commands.build import get_context
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import Files

from shequ.build.core import SiteBuild
from shequ.errors import ShequError
from shequ.generator.config import (ShequConfig, add_assets, add_pages, guard_files, guard_shown_values, prepare_theme,
                                    render_settings, set_repository)
from shequ.generator.material import Languages, ThemeShells, dress
from shequ.render.html import CompactLoader, bytecode_cache, theme_globals
from shequ.report import printable
from shequ.settings import Settings

log = logging.getLogger("mkdocs.plugins.shequ")

#: An element's id in a generated page (the templates quote every attribute with ").
_ANCHOR_ID = re.compile(r'\sid="([^"<>]+)"')

#: The template of the pages the plugin renders itself when MkDocs writes them (long listings).
DEFERRED_TEMPLATE = "shequ-deferred.html"


@contextmanager
def _as_build_error():
    try:
        yield
    except ShequError as exc:
        raise PluginError(printable(str(exc))) from None


class ShardWritten(ShequError):
    """Not a failure: a shard build wrote its record pages, and MkDocs stops before its own
    pages, which only the merge writes (caught by :func:`shequ.generator.commands.build_shard`).
    A ShequError like every exception of the package, raised outside ``_as_build_error``."""

    def __init__(self, folder: Path):
        super().__init__(f"shard written to {folder}")
        self.folder = folder


class PrintableLog(logging.Filter):
    """MkDocs' log lines quote file names and text from the sources (``docs/…`` paths, our
    warnings): each is printed with its control characters as escapes (:func:`printable`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        safe = printable(message)
        if safe != message:
            record.msg, record.args = safe, None
        return True


def printable_logs(logger: logging.Logger = logging.getLogger("mkdocs")) -> None:
    """Every handler of MkDocs' log (where its messages and ours are printed) escapes them."""
    for handler in logger.handlers:
        if not any(isinstance(f, PrintableLog) for f in handler.filters):
            handler.addFilter(PrintableLog())


class ShequPlugin(BasePlugin[ShequConfig]):
    def __init__(self):
        self.dirty = self.serving = False
        self.build: SiteBuild | None = None  # kept between the builds of one `serve` session
        # Set by shequ shard build / merge (shequ.generator.commands) before MkDocs starts.
        self.shard: frozenset[str] | None = None
        self.shard_out: Path | None = None
        self.shard_index: Path | None = None
        self.merge_from: list | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.dirty, self.serving = dirty, command == "serve" and not dirty
        # MkDocs keeps this instance for the next build in the process: a shard or merge set
        # for one build must not carry over to the next (shequ.generator.commands sets them again).
        self.shard = self.shard_out = self.shard_index = self.merge_from = None
        printable_logs()
        self.on_shutdown()

    def on_shutdown(self) -> None:
        if self.build is not None:
            self.build.close()
        self.build = None

    def on_serve(self, server, *, config, builder):
        from shequ.generator.live import show_build_errors

        if self.build is not None and self.build.sources is not None:
            server.watch(str(self.build.sources.project.datasets))
            server.watch(str(self.build.sources.project.root / "CITATION.cff"))
        return show_build_errors(server)

    def on_config(self, config):
        with _as_build_error():
            settings = Settings.from_environ()
            if self.build is None:
                self.build = SiteBuild(settings, serving=self.serving, log=log, show_on=logging.getLogger("mkdocs"))
            self.build.settings = settings
            self.build.shard, self.build.shard_out, self.build.merge_from = self.shard, self.shard_out, self.merge_from
            self.build.shard_index = self.shard_index
            sources = self.build.start(Path(config.config_file_path).parent / self.config.project)
            self.build.fingerprint(Path(config.config_file_path), Path(config.docs_dir), config.site_url or None)
        set_repository(config, sources.package.get("repository"), log)
        prepare_theme(config, sources)
        with _as_build_error():
            guard_shown_values(config, sources.project.root)
        self.languages = Languages(config)
        self.rendered_later, self.listing_shells = set(), None
        if not self.dirty:  # MkDocs writes into site_dir as it goes; build beside it and swap at the end
            with _as_build_error():
                config.site_dir = str(self.build.stage(Path(config.site_dir), keep=[Path(config.docs_dir)]))
        self.build.start_publishing()
        return config

    def on_files(self, files: Files, *, config) -> Files:
        with _as_build_error():
            guard_files(files, config, self.build.sources.project.root)
        add_assets(files, config)
        with _as_build_error():
            pages = self.build.listing_pages(render_settings(config, self.config, self.build.sources.project.root))
        self.generated = add_pages(files, config, pages, log)
        return files

    def on_nav(self, nav, *, config, files):
        self.nav, self.files = nav, files
        self.languages.split(nav)
        return nav

    def on_page_context(self, context, *, page, config, nav):
        self.languages.localize(context, page)
        return context

    def _shells(self, config) -> ThemeShells:
        return ThemeShells(self.env.get_template("main.html"), self.nav, self.files.documentation_pages(), config,
                           dress, self.languages.localize, plain=self.build.settings.plain_render)

    def on_env(self, env, *, config, files):
        # The interface text of the overrides (search box, demonstration notice, 404 page).
        env.globals.update(theme_globals())
        env.bytecode_cache = bytecode_cache()
        # The theme's templates without their indentation: every page a fifth smaller, read the same.
        if self.build.settings.compact_templates and not isinstance(env.loader, CompactLoader):
            env.loader = CompactLoader(env.loader, trim_blocks=env.trim_blocks)
        self.env = env
        shells = self._shells(config)
        with _as_build_error():
            self.build.write_record_pages(Path(config.site_dir), shells)
        if shells.slow:
            log.info(f"shequ: {shells.slow} record pages rendered without a shared theme shell")
        if self.build.shard is not None:
            with _as_build_error():
                folder = self.build.write_shard(Path(config.site_dir))
            raise ShardWritten(folder)
        self.languages.restore(config)  # the theme's own pages (404.html) are of neither language
        self.build.begin_pages(len(files.documentation_pages()))
        return env

    def on_page_content(self, html: str, *, page, config, files) -> str:
        generated = self.generated.get(page.file.src_uri)
        if generated is None:
            with _as_build_error():
                return self.build.fill_insets(html, page.url)
        dress(page, generated)
        if generated.deferred is None:
            # MkDocs checks links to anchors against the ids its Markdown saw; a generated
            # page has none, so every link to one of its sections was reported missing.
            page.present_anchor_ids = set(_ANCHOR_ID.findall(generated.body))
            return generated.body
        # A listing is rendered only when written, after MkDocs checks anchors: not checked.
        page.present_anchor_ids = None
        if self.build.settings.plain_render:
            with _as_build_error():
                return self.build.render_body(generated)
        # Rendered in on_post_page, when MkDocs writes it: MkDocs reads every page before it
        # writes any, and would hold every listing's HTML at once. Pages out of the navigation
        # are filled into a shared theme shell; the few in it, rendered again.
        if not generated.in_nav:
            page.meta["template"] = DEFERRED_TEMPLATE
        self.rendered_later.add(page.file.src_uri)
        return ""

    def on_post_page(self, output: str, *, page, config) -> str:
        self.build.page_written()
        generated = self.generated.get(page.file.src_uri)
        if generated is None or generated.deferred is None:
            return output
        if page.file.src_uri in self.rendered_later:
            with _as_build_error():
                body = self.build.render_body(generated)
            if page.meta.get("template") == DEFERRED_TEMPLATE:
                self.listing_shells = self.listing_shells or self._shells(config)
                output = self.listing_shells.render(dataclasses.replace(generated, body=body, deferred=None))
            else:  # in the navigation: what MkDocs does for a page (it is still the active one)
                page.content = body
                context = get_context(self.nav, self.files.documentation_pages(), config, page)
                self.languages.localize(context, page)
                output = self.env.get_template(page.meta.get("template", "main.html")).render(context)
        page.content = ""  # written: a large build need not hold every listing's HTML until the end
        return output

    @event_priority(100)  # first: what other plugins do after the build is timed as "search"
    def _post_build_start(self, *, config) -> None:
        self.build.end_pages()
        self.post_build_started = time.perf_counter()

    @event_priority(-100)  # last, after any other plugin wrote into the staging folder
    def _post_build(self, *, config) -> None:
        self.build.progress.record("search", time.perf_counter() - self.post_build_started)
        with _as_build_error():
            config.site_dir = str(self.build.finish(Path(config.site_dir), self.files, config.site_url or None))

    on_post_build = CombinedEvent(_post_build_start, _post_build)

    def on_build_error(self, *, error: Exception) -> None:
        if self.build is not None:
            self.build.fail()
