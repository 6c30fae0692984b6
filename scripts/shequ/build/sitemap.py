"""The site's last files: the data package, the DCAT catalogue and a sitemap that lists the
record pages and depends on the sources alone."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

from markupsafe import escape

from shequ.build.staging import link


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


def complete_sitemap(site: Path, site_url: str | None, record_paths: list[str]) -> None:
    """Record pages are not pages of the generator, so its sitemap leaves them out; add them.

    The sitemap is also made to depend on the sources alone: MkDocs gives every page a
    ``<lastmod>`` of the build day (not when the page changed) and stamps the gzip header
    with it, so two builds on different days differed. Both go."""
    sitemap = site / "sitemap.xml"
    if not sitemap.is_file():
        return
    text = re.sub(r"\s*<lastmod>[^<]*</lastmod>", "", sitemap.read_text(encoding="utf-8"))
    if site_url:
        base = site_url.rstrip("/") + "/"
        entries = "".join(f"<url>\n<loc>{escape(base + path)}</loc>\n</url>\n" for path in record_paths)
        text = text.replace("</urlset>", entries + "</urlset>", 1)
    sitemap.write_text(text, encoding="utf-8")
    with open(site / "sitemap.xml.gz", "wb") as raw:
        with gzip.GzipFile(filename="sitemap.xml", fileobj=raw, mode="wb", mtime=0) as gz:
            gz.write(text.encode("utf-8"))
