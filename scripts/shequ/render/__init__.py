"""The render stage: checked sources and the published data package → site pages.

One small function per page type turns the shared
:class:`~shequ.render.model.Directory` into :class:`GeneratedPage` objects: a
site path, a plain-text title and a body of HTML from an autoescaping template
(``templates/pages/``). The MkDocs plugin puts each body inside the Material
theme.

- :mod:`.directory`: organization and incubator pages, their listings, record JSON
- :mod:`.regions`: province → prefecture → county → township, with counts
- :mod:`.topics`: one page per term of the topic vocabularies
- :mod:`.statistics`: counts drawn as inline SVG bar charts
- :mod:`.downloads`: the data package's files, dictionary, JSON-LD and DCAT catalogue
- :mod:`.policy`: policy documents, provisions (with the data they govern) and the glossary
- :mod:`.whatsnew`: what each data release changed, as a page and an Atom feed

Example::

    sources, report = validate(project)
    renderer = Renderer(Directory(sources), Settings(edit_base="https://github.com/o/r/edit/main/"))
    page = organization(renderer, renderer.directory.organizations[0])
    page.path   # 'organizations/org-silver-age/'
"""

from __future__ import annotations

from typing import Iterator

from shequ.render.directory import (
    incubated_listing,
    incubator,
    incubator_listing,
    organization,
    organization_listing,
)
from shequ.render.downloads import catalogue, deferred_downloads, downloads, home_jsonld, read_package
from shequ.render.model import Directory
from shequ.render.page import GeneratedFile, GeneratedPage, Renderer, Settings
from shequ.render.policy import policy_pages
from shequ.render.regions import region, region_index
from shequ.render.statistics import statistics
from shequ.render.topics import topic, topic_index
from shequ.render.whatsnew import whats_new, whats_new_feed


def listing_pages(renderer: Renderer, package) -> Iterator[GeneratedPage]:
    """Every generated page but the record pages, in the renderer's language: listings,
    regions, topics, statistics, data.

    ``package`` is the published data package, or a function that gives it: the download
    page, last, is then rendered only when its body is asked for.
    """
    for page in _listing_pages(renderer, package):
        yield renderer.page(page)


def _listing_pages(renderer: Renderer, package) -> Iterator[GeneratedPage]:
    directory = renderer.directory
    yield from organization_listing(renderer)
    yield incubator_listing(renderer)
    for inc in directory.incubators:
        yield from incubated_listing(renderer, inc)
    yield region_index(renderer)
    for r in directory.regions.values():
        yield from region(renderer, r)
    yield topic_index(renderer)
    for vocabulary in directory.topic_vocabularies:
        for term in directory.terms.get(vocabulary, {}).values():
            yield from topic(renderer, term)
    yield from policy_pages(renderer)
    yield statistics(renderer)
    yield whats_new(renderer)
    yield deferred_downloads(renderer, package) if callable(package) else downloads(renderer, package)


def record_entries(directory: Directory) -> list:
    """Every record of the directory: the organizations, then the incubators."""
    return [*directory.organizations, *directory.incubators]


def record_page(renderer: Renderer, entry) -> GeneratedPage:
    """The page of one record (an organization or an incubator) in the renderer's language."""
    make = organization if entry.dataset == "organizations" else incubator
    return renderer.page(make(renderer, entry))


def record_pages(renderer: Renderer, entries: list | None = None) -> Iterator[GeneratedPage]:
    """One page per record in the renderer's language: ``entries`` (a shard's), or every record."""
    for entry in record_entries(renderer.directory) if entries is None else entries:
        yield record_page(renderer, entry)


def feeds(renderers) -> Iterator[GeneratedFile]:
    """Each language's Atom feed of what the data releases changed (none before a release file)."""
    for renderer in renderers:
        feed = whats_new_feed(renderer)
        if feed is not None:
            yield feed


__all__ = [
    "Directory", "GeneratedFile", "GeneratedPage", "Renderer", "Settings",
    "catalogue", "feeds", "home_jsonld", "listing_pages", "read_package", "record_entries", "record_page", "record_pages",
]
