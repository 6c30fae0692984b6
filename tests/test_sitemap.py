"""The sitemap: every page with its other languages, split into an index past the protocol's limit."""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from pathlib import Path

from shequ.build.sitemap import complete_sitemap, write_robots

SITE_URL = "https://example.org/shequ/"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}

#: What MkDocs writes: its own pages, each with the build day as lastmod.
GENERATED = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://example.org/shequ/</loc><lastmod>2026-12-03</lastmod></url>
<url><loc>https://example.org/shequ/en/</loc><lastmod>2026-12-03</lastmod></url>
<url><loc>https://example.org/shequ/guides/register/</loc><lastmod>2026-12-03</lastmod></url>
</urlset>
"""
RECORDS = ["organizations/a/", "en/organizations/a/", "organizations/b&c/"]


def generated_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitemap.xml").write_text(GENERATED, encoding="utf-8")
    return site


def urls(path: Path) -> dict[str, dict[str, str]]:
    """loc → {hreflang: href} of a sitemap file."""
    root = ET.parse(path).getroot()
    assert root.tag == "{%s}urlset" % NS["s"]
    return {u.find("s:loc", NS).text: {link.get("hreflang"): link.get("href") for link in u.findall("x:link", NS)}
            for u in root.findall("s:url", NS)}


def test_the_sitemap_lists_every_page_with_its_other_language(tmp_path):
    site = generated_site(tmp_path)
    complete_sitemap(site, SITE_URL, RECORDS)
    found = urls(site / "sitemap.xml")
    assert list(found) == [SITE_URL + p for p in ("", "en/", "guides/register/", *RECORDS)]
    both = {"zh": SITE_URL + "organizations/a/", "en": SITE_URL + "en/organizations/a/"}
    assert found[SITE_URL + "organizations/a/"] == both == found[SITE_URL + "en/organizations/a/"]
    assert found[SITE_URL] == {"zh": SITE_URL, "en": SITE_URL + "en/"}
    assert found[SITE_URL + "guides/register/"] == {}  # no English version: no alternates
    text = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "<lastmod>" not in text and "b&amp;c" in text
    assert gzip.decompress((site / "sitemap.xml.gz").read_bytes()).decode("utf-8") == text


def test_past_the_limit_the_sitemap_becomes_an_index(tmp_path):
    site = generated_site(tmp_path)
    (site / "sitemap-9.xml").write_text("left from an earlier build", encoding="utf-8")
    complete_sitemap(site, SITE_URL, RECORDS, limit=4)
    index = ET.parse(site / "sitemap.xml").getroot()
    assert index.tag == "{%s}sitemapindex" % NS["s"]
    parts = [loc.text for loc in index.findall("s:sitemap/s:loc", NS)]
    assert parts == [SITE_URL + "sitemap-1.xml", SITE_URL + "sitemap-2.xml"]
    first, second = urls(site / "sitemap-1.xml"), urls(site / "sitemap-2.xml")
    assert len(first) == 4 and len(second) == 2
    assert list(first) + list(second) == [SITE_URL + p for p in ("", "en/", "guides/register/", *RECORDS)]
    assert not (site / "sitemap-9.xml").exists()


def test_without_a_site_url_no_sitemap_is_written(tmp_path):
    site = generated_site(tmp_path)
    complete_sitemap(site, None, RECORDS)
    assert not (site / "sitemap.xml").exists() and not (site / "sitemap.xml.gz").exists()


def test_robots_names_the_sitemap_when_there_is_one(tmp_path):
    write_robots(tmp_path, SITE_URL)
    assert (tmp_path / "robots.txt").read_text(encoding="utf-8") == (
        "User-agent: *\nAllow: /\nSitemap: https://example.org/shequ/sitemap.xml\n")
