"""What's new: the records each data release added, changed and removed, as a page and an Atom feed.

Both come from the release files of ``datasets/releases/`` (:mod:`shequ.sources.releases`), which
``shequ release`` writes from the record diff that ``shequ diff`` shows; the build needs neither
git nor the network. Each language has its page (``whats-new/``, ``en/whats-new/``) and its feed
(``feed.xml``, ``en/feed.xml``). A record that still exists links to its page; a removed one is
named, as it was named at its release, without a link.

The feed is Atom 1.0 (RFC 4287), one entry per release, newest first:

- ids are ``tag:`` URIs made from the project's address (``homepage``, else ``repository``, in
  ``package.yaml``) and the release dates, so they stay the same when the site moves;
- every date is a release's date, never the clock: the same sources give the same bytes;
- links are absolute with a ``site_url``; without one they are relative, which a feed reader
  resolves against the feed's own address (RFC 4287 section 3.4 and xml:base).

Example::

    page = whats_new(renderer)          # GeneratedPage at "whats-new/"
    feed = whats_new_feed(renderer)     # GeneratedFile at "feed.xml", or None with no releases
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from shequ.render.page import GeneratedFile, GeneratedPage, Renderer
from shequ.sources.releases import CHANGE_KINDS, ReleaseChanges, ReleaseEntry
from shequ.sources.tables import LAYOUT

PAGE_PATH = "whats-new/"
FEED_FILE = "feed.xml"
ATOM = "http://www.w3.org/2005/Atom"
#: Records listed per kind of change in one release; the rest are counted (an import of
#: thousands of records would otherwise make a page, and a feed entry, of thousands of lines).
MAX_LISTED = 100
#: Releases in a feed: readers keep older entries; the page lists every release.
FEED_RELEASES = 20
#: Characters XML 1.0 cannot hold; dropped from any text a feed takes from the sources.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class Shown:
    """A release entry as a page shows it."""

    entry: ReleaseEntry
    path: str | None  # the record's page, while the record exists
    fields: list[tuple[str, str]] = field(default_factory=list)  # (Chinese, English) titles of changed fields


@dataclass
class Group:
    kind: str  # added | changed | removed
    entries: list[Shown]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.entries)


@dataclass
class ShownRelease:
    release: ReleaseChanges
    anchor: str
    groups: list[Group]
    summary: str  # counts, in the page's language


def anchor(version: str) -> str:
    """The page's anchor of a release: ``release-0-2-0``."""
    return "release-" + version.replace(".", "-")


def shown_releases(renderer: Renderer, releases: list[ReleaseChanges]) -> list[ShownRelease]:
    directory = renderer.directory
    existing = {(e.dataset, e.id): e.path for e in [*directory.organizations, *directory.incubators]}
    out = []
    for release in releases:
        groups = []
        for kind in CHANGE_KINDS:
            entries = release.of(kind)
            if not entries:
                continue
            shown = []
            for entry in entries[:MAX_LISTED]:
                path = existing.get((entry.dataset, entry.id)) if kind != "removed" else None
                shown.append(Shown(entry, path, _field_titles(directory, entry)))
            groups.append(Group(kind, shown, len(entries)))
        out.append(ShownRelease(release, anchor(release.version), groups, summary(renderer, release)))
    return out


def _field_titles(directory, entry: ReleaseEntry) -> list[tuple[str, str]]:
    return [field_title(directory, entry.dataset, name) for name in entry.fields]


def field_title(directory, dataset: str, name: str) -> tuple[str, str]:
    """(Chinese, English) title of a record's field: from its Table Schema, or, for a list, from
    its vocabulary or its table; the field's name where none has one."""
    layout = LAYOUT[dataset]
    f = directory.fields.get(layout.main, {}).get(name)
    if f is not None:
        return f.title_zh or f.title, f.title
    child = next((c for c in layout.children if c.key == name), None)
    if child is not None:
        vocabulary = directory.vocabularies.get(dict(child.fixed).get("vocabulary"))
        if vocabulary is not None:
            return vocabulary.title_zh, vocabulary.title_en
        table = directory.sources.schemas.descriptors.get(child.table) or {}
        if isinstance(table.get("title"), str):
            return table.get("title_zh") or table["title"], table["title"]
    return name, name


def summary(renderer: Renderer, release: ReleaseChanges) -> str:
    """One sentence of counts in the renderer's language: ``Since release 0.1.0: 2 records added, 1 record changed.``"""
    texts = {
        "added": lambda n: renderer.tn("{n} record added", "{n} records added", n),
        "changed": lambda n: renderer.tn("{n} record changed", "{n} records changed", n),
        "removed": lambda n: renderer.tn("{n} record removed", "{n} records removed", n),
    }
    parts = [texts[kind](len(release.of(kind))).format(n=len(release.of(kind)))
             for kind in CHANGE_KINDS if release.of(kind)]
    changes = renderer.tc("list separator", ", ").join(parts) if parts else renderer.t("no record changed")
    if release.since:
        return renderer.t("Since release {version}: {changes}.").format(version=release.since, changes=changes)
    return renderer.t("First release: {changes}.").format(changes=changes)


def whats_new(renderer: Renderer) -> GeneratedPage:
    releases = shown_releases(renderer, renderer.directory.sources.releases)
    body = renderer.render("whats_new.html", PAGE_PATH, releases=releases, feed=FEED_FILE, max_listed=MAX_LISTED)
    toc = [(r.anchor, r.release.version) for r in releases]
    # Out of the search index: a query for a record's name should find the record, not this list.
    return GeneratedPage(PAGE_PATH, renderer.t("What's new"), body, toc=toc, in_nav=True, search=False)


# --- the Atom feed -------------------------------------------------------------------------------


def tag_base(package: dict, site_url: str | None) -> tuple[str, str]:
    """(authority, path) of the feed's ``tag:`` ids: the project's own address, so ids do not
    depend on where the site is served. ``https://github.com/o/r`` gives ``("github.com", "o/r")``."""
    for url in (package.get("homepage"), package.get("repository"), site_url):
        if isinstance(url, str):
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") and parts.hostname:
                return parts.hostname, parts.path.strip("/")
    name = package.get("name")
    return "shequ.invalid", name if isinstance(name, str) else "shequ"


def _tag(authority: str, path: str, day: str, *rest: str) -> str:
    specific = "/".join(p for p in (path, *rest) if p)
    # A tag's specific part allows these characters unescaped (RFC 4151); anything else is %-escaped.
    specific = re.sub(r"[^A-Za-z0-9\-._~!$&'()*+,;=:@/?]", lambda m: "".join(f"%{b:02X}" for b in m.group().encode()),
                      specific)
    return f"tag:{authority},{day}:{specific}"


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _stamp(day: str) -> str:
    return f"{day}T00:00:00Z"


def whats_new_feed(renderer: Renderer) -> GeneratedFile | None:
    """The Atom feed of the renderer's language, or None when no release has a file yet."""
    releases = renderer.directory.sources.releases[:FEED_RELEASES]
    if not releases:
        return None
    package = renderer.directory.package
    lang, prefix = renderer.lang, renderer.prefix
    base = renderer.absolute(prefix) if renderer.settings.site_url else None

    def href(path: str) -> str:
        return (base + path) if base else path  # relative: to the feed, in the language's folder

    authority, tag_path = tag_base(package, renderer.settings.site_url)
    first_day = min(r.date for r in renderer.directory.sources.releases)
    title = renderer.pick(package.get("title_zh"), package.get("title")) or str(package.get("name", ""))

    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", renderer.messages.tag)
    if base:
        feed.set("{http://www.w3.org/XML/1998/namespace}base", base)

    def sub(parent, name: str, text: str | None = None, **attrs) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{name}", {k: _clean(v) for k, v in attrs.items()})
        if text is not None:
            element.text = _clean(text)
        return element

    sub(feed, "id", _tag(authority, tag_path, first_day, "whats-new", lang))
    sub(feed, "title", renderer.t("What's new") + " · " + title)
    sub(feed, "subtitle", renderer.t("Organizations and incubators added, changed and removed in each data release."))
    sub(feed, "updated", _stamp(max(r.date for r in releases)))
    author = sub(feed, "author")
    sub(author, "name", _author(package, title))
    sub(feed, "link", rel="self", type="application/atom+xml", href=href(FEED_FILE))
    sub(feed, "link", rel="alternate", type="text/html", href=href(PAGE_PATH))
    for shown in shown_releases(renderer, releases):
        release = shown.release
        entry = sub(feed, "entry")
        sub(entry, "id", _tag(authority, tag_path, release.date, "whats-new", lang, release.version))
        sub(entry, "title", renderer.t("Release {version}").format(version=release.version))
        sub(entry, "published", _stamp(release.date))
        sub(entry, "updated", _stamp(release.date))
        sub(entry, "link", rel="alternate", type="text/html", href=href(f"{PAGE_PATH}#{shown.anchor}"))
        sub(entry, "summary", shown.summary)
        # Links inside are relative to the language's folder, where the feed is: xml:base (with a
        # site_url) or the feed's own address resolves them.
        html = renderer.render("whats_new_release.html", "", release=shown, max_listed=MAX_LISTED, heading=False)
        sub(entry, "content", html.strip(), type="html")
    data = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return GeneratedFile(prefix + FEED_FILE, data + b"\n")


def _author(package: dict, title: str) -> str:
    for contributor in package.get("contributors") or ():
        if isinstance(contributor, dict) and isinstance(contributor.get("title"), str) and contributor["title"]:
            return contributor["title"]
    return title
