"""The site's last files: the data package, the DCAT catalogue, a sitemap that lists the
record pages and depends on the sources alone, robots.txt, and the Dataset JSON-LD of the
home pages (which the generator writes from docs/, and the data package describes)."""

from __future__ import annotations

import gzip
import html
import os
import re
import shutil
from pathlib import Path

from markupsafe import escape

from shequ.build.staging import link
from shequ.render import language


def add_data_files(package_dir: Path, folder: Path) -> int:
    """The data package's files, into the site's data ``folder``: linked when they can be, else copied."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in sorted(package_dir.rglob("*")):
        if path.is_dir():
            continue  # a folder of files (the Parquet partitions): its files come one by one
        out = folder / path.relative_to(package_dir)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.unlink(missing_ok=True)
        if not link(path, out):
            shutil.copyfile(path, out)
        count += 1
    return count


#: What a site built without ``site_url`` lacks: machine-readable output needs absolute addresses.
WITHOUT_SITE_URL = (
    "mkdocs.yml sets no site_url, so this site has no sitemap.xml, robots.txt names no sitemap, "
    "the pages' JSON-LD, data/catalog.ttl and the Atom feeds (feed.xml) carry relative addresses only, "
    "and the search engines' "
    "and data portals' harvesters cannot use them. Set site_url to the site's public address "
    "(the deploy workflow does)."
)

#: The sitemaps protocol's limit of addresses per sitemap file; past it, sitemap.xml becomes
#: an index of numbered sitemaps.
SITEMAP_LIMIT = 50_000
SITEMAP_FILES = ("sitemap.xml", "sitemap.xml.gz")
_NUMBERED_SITEMAP = re.compile(r"sitemap-\d+\.xml")


def complete_sitemap(site: Path, site_url: str | None, record_paths: list[str],
                     limit: int = SITEMAP_LIMIT) -> None:
    """The sitemap of every page, with each page's other languages as ``xhtml:link`` alternates.

    Record pages are not pages of the generator, so its sitemap leaves them out: they are
    added. The generator's ``<lastmod>`` (the build day, not when a page changed) goes, so the
    sitemap depends on the sources alone. Without a ``site_url`` there is no sitemap at all:
    a sitemap needs absolute addresses, and an empty one fails the sitemaps schema."""
    generated = site / "sitemap.xml"
    pages = re.findall(r"<loc>([^<]*)</loc>", generated.read_text(encoding="utf-8")) if generated.is_file() else []
    for old in [*SITEMAP_FILES, *(p.name for p in site.glob("sitemap-*.xml") if _NUMBERED_SITEMAP.fullmatch(p.name))]:
        (site / old).unlink(missing_ok=True)
    if not site_url:
        return
    base = site_url.rstrip("/") + "/"
    paths = [html.unescape(loc)[len(base):] for loc in pages if html.unescape(loc).startswith(base)]
    paths = list(dict.fromkeys([*paths, *record_paths]))
    by_page: dict[str, list[str]] = {}
    for path in paths:
        by_page.setdefault(language.neutral(path), []).append(path)
    entries = [_entry(base, path, by_page[language.neutral(path)]) for path in paths]
    if len(entries) <= limit:
        text = _urlset(entries)
    else:
        parts = [entries[start:start + limit] for start in range(0, len(entries), limit)]
        for number, part in enumerate(parts, 1):
            (site / f"sitemap-{number}.xml").write_text(_urlset(part), encoding="utf-8")
        text = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                + "".join(f"<sitemap>\n<loc>{escape(base)}sitemap-{n}.xml</loc>\n</sitemap>\n"
                          for n in range(1, len(parts) + 1))
                + "</sitemapindex>\n")
    generated.write_text(text, encoding="utf-8")
    with open(site / "sitemap.xml.gz", "wb") as raw:
        with gzip.GzipFile(filename="sitemap.xml", fileobj=raw, mode="wb", mtime=0) as gz:
            gz.write(text.encode("utf-8"))


def _entry(base: str, path: str, versions: list[str]) -> str:
    """One ``<url>``; a page in more than one language names every version, itself included."""
    links = ""
    if len(versions) > 1:
        links = "".join(f'<xhtml:link rel="alternate" hreflang="{language.TAGS[language.language_of(v)]}" '
                        f'href="{escape(base + v)}"/>\n' for v in versions)
    return f"<url>\n<loc>{escape(base + path)}</loc>\n{links}</url>\n"


def _urlset(entries: list[str]) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n' + "".join(entries) + "</urlset>\n")


def write_robots(site: Path, site_url: str | None) -> None:
    """``robots.txt``: every page may be crawled; the sitemap is named when there is one."""
    lines = ["User-agent: *", "Allow: /"]
    if site_url:
        lines.append(f"Sitemap: {site_url.rstrip('/')}/sitemap.xml")
    (site / "robots.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


_HOME_JSONLD = '<script type="application/ld+json" data-shequ-dataset>'
_OLD_HOME_JSONLD = re.compile(re.escape(_HOME_JSONLD) + r".*?</script>\n?", re.S)


def add_home_jsonld(site: Path, scripts: dict[str, str]) -> None:
    """Put each home page's ``Dataset`` JSON-LD (``scripts``: its folder, ``""`` or ``"en/"``,
    → a ``<script type="application/ld+json">`` element) into its ``<head>``.

    A page that already holds one (a build that kept the page) has it replaced. The page is
    written anew, not in place: a kept page may be a hard link into the previous site."""
    for folder, script in scripts.items():
        page = site / folder / "index.html"
        if not page.is_file():
            continue
        text = _OLD_HOME_JSONLD.sub("", page.read_text(encoding="utf-8"))
        element = str(script).replace('<script type="application/ld+json">', _HOME_JSONLD, 1)
        text = text.replace("</head>", element + "\n</head>", 1)
        fresh = page.with_name(page.name + ".new")
        fresh.write_text(text, encoding="utf-8")
        os.replace(fresh, page)
