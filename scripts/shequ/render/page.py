"""Generated pages and files, and the renderer that fills page templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .html import environment, relative
from .model import Directory


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


class Renderer:
    """Renders the page templates of one :class:`Directory`."""

    def __init__(self, directory: Directory, settings: Settings | None = None):
        self.directory = directory
        self.settings = settings or Settings()
        self.env = environment()

    def edit_url(self, source_file: str | None) -> str | None:
        if not source_file or not self.settings.edit_base:
            return None
        return self.settings.edit_base + source_file

    def absolute(self, path: str) -> str | None:
        """The public URL of a site path, or None when the site's address is not configured."""
        if not self.settings.site_url:
            return None
        return self.settings.site_url.rstrip("/") + "/" + path

    def render(self, template: str, path: str, **context) -> str:
        """Render ``templates/pages/<template>`` for the page at site path ``path``."""
        link: Callable[[str], str] = lambda to: relative(path, to)  # noqa: E731
        return self.env.get_template(template).render(
            link=link, dir=self.directory, page_path=path, settings=self.settings, **context)


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
            "links": [(n, numbered_path(base, n)) for n in range(1, len(chunks) + 1)],
        }
        page_title = title if number == 1 else f"{title} ({number}/{len(chunks)})"
        body = renderer.render(template, path, items=chunk, pager=pager, title=title, **context)
        pages.append(GeneratedPage(path, page_title, body, edit_url, search=False))
    return pages
