"""Generated pages and files, and the renderer that fills page templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from markupsafe import Markup

from shequ.render import language, messages
from shequ.render.html import environment, relative
from shequ.render.model import Directory, Entry

#: Stands for a link in a listing row rendered once for every page (see Renderer.org_row).
LINK_MARK = "\x00\x1fshequ-link\x1f\x00"

#: How many page numbers a pager shows on each side of the current page (and always the
#: first and the last): a listing of 500 pages does not repeat 500 links on each of them.
PAGER_NEIGHBOURS = 3


@dataclass
class GeneratedPage:
    """One page of the site. ``body`` is HTML made by an autoescaping template."""

    path: str  # site path with a trailing slash: "organizations/" ("" is the home page)
    title: str  # plain text; the plugin escapes it where the theme prints it
    body: str
    edit_url: str | None = None  # "edit this page": the source the page comes from
    toc: list[tuple[str, str]] = field(default_factory=list)  # (anchor, heading) for the sidebar
    in_nav: bool = False  # a section's first page, listed in the navigation; never a record page
    search: bool = True  # False for long lists of records, which would swell the search index
    #: Renders the body when it is needed, for long listings (``Settings.deferred``): a build
    #: then holds one listing page's HTML at a time, not all of them.
    deferred: Callable[[], str] | None = field(default=None, repr=False, compare=False)

    def html(self) -> str:
        """The body: rendered now if it was deferred."""
        return self.deferred() if self.deferred is not None else self.body

    @property
    def src_uri(self) -> str:
        """The name MkDocs knows the page by, as if it were ``docs/<path>index.md``."""
        return f"{self.path}index.md"


@dataclass
class GeneratedFile:
    """A file that goes into the site as it is (per-record JSON, the DCAT catalogue)."""

    path: str
    data: bytes


@dataclass
class Settings:
    #: Base URL that a source file's path is appended to for editing it in the repository,
    #: e.g. ``https://github.com/shequ-project/shequ/edit/main/``. None: no edit links.
    edit_base: str | None = None
    #: The site's public address, when known; JSON-LD and DCAT need absolute URLs.
    site_url: str | None = None
    #: Rows per page of an organization listing.
    per_page: int = 200
    #: Where the data package lives in the site.
    data_path: str = "data/"
    #: Render long listings only when their body is asked for (:meth:`GeneratedPage.html`).
    deferred: bool = False


class Renderer:
    """Renders the page templates of one :class:`Directory` in one language.

    Pages are made with their address in the language's tree (``en/…`` for English, see
    :mod:`.language`); templates link other pages by their address without it
    (``link("regions/")``), which stays in the page's language, and files that both
    languages share (the data package, record JSON) with ``file_link``.
    """

    def __init__(self, directory: Directory, settings: Settings | None = None, rows: dict | None = None,
                 lang: str = language.DEFAULT, *, plain: bool = False, compact: bool = True):
        """``rows``: listing rows kept from a previous build that are still valid (incremental rebuilds).
        ``plain``: every render shortcut off (``Settings.plain_render``); ``compact``: templates
        without their indentation (``Settings.compact_templates``)."""
        self.directory = directory
        self.settings = settings or Settings()
        self.lang = lang
        self.prefix = language.prefix(lang)
        self.messages = messages.of(lang)
        self.env = environment(compact)
        self.plain = plain
        self._rows: dict = rows if rows is not None else {}  # organization id (, region code) -> row parts
        self._row_links: list[str] = []
        self._row_module = None
        self._ranks: dict[tuple[str, str], int] | None = None  # (dataset, id) -> place in this language's order

    def edit_url(self, source_file: str | None) -> str | None:
        if not source_file or not self.settings.edit_base:
            return None
        return self.settings.edit_base + source_file

    def absolute(self, path: str) -> str | None:
        """The public URL of a site path, or None when the site's address is not configured."""
        if not self.settings.site_url:
            return None
        return self.settings.site_url.rstrip("/") + "/" + path

    def t(self, message: str) -> str:
        """An interface message in this renderer's language (see :mod:`.messages`)."""
        return self.messages.t(message)

    def tn(self, singular: str, plural: str, n: int) -> str:
        """A message that depends on the count ``n``, in this renderer's language."""
        return self.messages.tn(singular, plural, n)

    def tc(self, context: str, message: str) -> str:
        """A message in a context (the same English with other words elsewhere)."""
        return self.messages.tc(context, message)

    def tcn(self, context: str, singular: str, plural: str, n: int) -> str:
        return self.messages.tcn(context, singular, plural, n)

    def pick(self, zh: str | None, en: str | None) -> str:
        """Of a text from the data in both languages, the one for this renderer's language
        (see :func:`.language.pick`)."""
        return language.pick(self.lang, zh, en)

    def text_functions(self) -> dict:
        """What templates write text with: ``t``, ``tn``, ``tc`` (messages) and ``pick`` (data)."""
        return {**self.messages.functions(), "pick": self.pick}

    def sort_key(self, zh: str | None, en: str | None = None) -> tuple[str, str]:
        """How a name sorts in this renderer's language (see :func:`.language.sort_key`)."""
        return language.sort_key(self.lang, zh, en)

    def rank(self, entry: Entry) -> int:
        """An organization's or incubator's place when records are sorted by name in this
        renderer's language (:meth:`sort_key`, the id breaking ties). Every record is placed
        once, so the many listings an organization appears in sort by a number."""
        if self._ranks is None:
            entries = [*self.directory.organizations, *self.directory.incubators]
            entries.sort(key=lambda e: (self.sort_key(e.name, e.values.get("name_en")), e.id))
            self._ranks = {(e.dataset, e.id): i for i, e in enumerate(entries)}
        return self._ranks[(entry.dataset, entry.id)]

    def render(self, template: str, path: str, **context) -> str:
        """Render ``templates/pages/<template>`` for the page at site path ``path`` (without
        the language folder: links between pages are the same in both languages)."""
        link: Callable[[str], str] = lambda to: relative(path, to)  # noqa: E731
        return self.env.get_template(template).render(
            link=link, file_link=self.file_link(path), dir=self.directory, page_path=path, settings=self.settings,
            lang=self.lang, **self.text_functions(), org_row=lambda o, within=None, region_column=True: self.org_row(o, path, within, region_column),
            **context)

    def file_link(self, path: str) -> Callable[[str], str]:
        """Links from the page at ``path`` to files both languages share (``data/…``, record JSON)."""
        here = self.prefix + path
        return lambda to: relative(here, to)

    def page(self, generated: GeneratedPage) -> GeneratedPage:
        """``generated`` at its address in this renderer's language."""
        if self.prefix and not generated.path.startswith(self.prefix):
            generated.path = self.prefix + generated.path
        return generated

    def org_row(self, org: Entry, path: str, within: str | None = None, region_column: bool = True) -> Markup:
        """An organization's row in a listing at site path ``path``; ``within``: the code of
        the listing's region, which the row's place leaves out; ``region_column``: false on a
        listing that has no region column (a township's, whose every row is in the township).

        An organization appears in a dozen listings (its region at each level, its
        topics, the full list); its row differs between them only in its relative
        links. So the row is rendered once, with a marker for each link, and each
        page fills in its own links. A row whose text holds the marker itself is
        rendered the ordinary way.
        """
        # Rows within a region (an organization's county and township, once each) are kept
        # apart from the cache of plain rows that incremental builds carry over.
        key = org.id if within is None and region_column else (org.id, within, region_column)
        parts = self._rows.get(key, False) if not self.plain else None
        if parts is False:
            parts = self._rows[key] = self._row_parts(org, within, region_column)
        if parts is None:
            macros = self.env.get_template("_macros.html").make_module(
                vars={"link": lambda to: relative(path, to), "dir": self.directory, "lang": self.lang, **self.text_functions()})
            return Markup(str(macros.organization_row(org, within, region_column)))
        return Markup("".join([p if i % 2 == 0 else relative(path, p) for i, p in enumerate(parts)]))

    def _row_parts(self, org: Entry, within: str | None = None, region_column: bool = True) -> list[str] | None:
        if self._row_module is None:
            def mark(to: str) -> str:
                self._row_links.append(to)
                return LINK_MARK + to + LINK_MARK
            self._row_module = self.env.get_template("_macros.html").make_module(
                vars={"link": mark, "dir": self.directory, "lang": self.lang, **self.text_functions()})
        self._row_links.clear()
        html = str(self._row_module.organization_row(org, within, region_column))
        parts = html.split(LINK_MARK)
        if len(parts) != 2 * len(self._row_links) + 1 or parts[1::2] != self._row_links:
            return None
        return parts


def pages_of(items: list, per_page: int) -> list[list]:
    """``items`` split into pages; an empty list still makes one (empty) page."""
    return [items[i:i + per_page] for i in range(0, len(items), per_page)] or [[]]


def numbered_path(base: str, number: int) -> str:
    """``organizations/`` for page 1, ``organizations/page/2/`` after."""
    return base if number == 1 else f"{base}page/{number}/"


def paginated(renderer: Renderer, template: str, base: str, title: str, items: list,
              edit_url: str | None = None, **context) -> list[GeneratedPage]:
    """One page per ``per_page`` items, each with links to the others."""
    chunks = pages_of(items, renderer.settings.per_page)
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        path = numbered_path(base, number)
        pager = {
            "number": number,
            "count": len(chunks),
            "total": len(items),
            "first": (number - 1) * renderer.settings.per_page + 1,
            "links": pager_links(base, number, len(chunks)),
        }
        page_title = title if number == 1 else f"{title} ({number}/{len(chunks)})"

        def render(path=path, chunk=chunk, pager=pager) -> str:
            return renderer.render(template, path, items=chunk, pager=pager, title=title, **context)

        if renderer.settings.deferred:
            pages.append(GeneratedPage(path, page_title, "", edit_url, search=False, deferred=render))
        else:
            pages.append(GeneratedPage(path, page_title, render(), edit_url, search=False))
    return pages


def pager_links(base: str, number: int, count: int) -> list[tuple[int | None, str | None]]:
    """The page numbers a pager links: the first, the last and the current page's
    neighbours, with ``(None, None)`` where numbers are left out.

    >>> [n for n, _ in pager_links("o/", 10, 20)]
    [1, None, 7, 8, 9, 10, 11, 12, 13, None, 20]
    """
    shown = {1, count, *range(max(1, number - PAGER_NEIGHBOURS), min(count, number + PAGER_NEIGHBOURS) + 1)}
    links: list[tuple[int | None, str | None]] = []
    previous = 0
    for n in sorted(shown):
        if n - previous > 1:
            links.append((None, None))
        links.append((n, numbered_path(base, n)))
        previous = n
    return links
