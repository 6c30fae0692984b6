"""The search benchmark: what a query downloads, and how fast its first results show.

``python -m shequ.bench.search [N ...]`` indexes N synthetic organizations and measures queries
in headless Chromium (see :mod:`shequ.search` for the figures).
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
from pathlib import Path
from typing import Iterable

from shequ.render import language
from shequ.search import ASSETS, ASSETS_DIR, DIRECTORY, HAN, OUTPUT, SearchIndexError, build_index

# Measuring: what a query downloads, and how fast its first results show -------------------------

#: Queries the benchmark measures: a whole name, substrings, a place, policy terms, English.
BENCH_QUERIES = ("朝阳区银龄互助会", "互助", "银龄", "孵化", "朝阳", "备案", "直接登记", "elderly care", "incubator",
                 "dispute mediation")
CHROMIUM = Path("/usr/bin/chromium")


def _kind_of_request(path: str) -> str:
    """What a request of the search fetched: loader (script, wasm, metadata), index, filter or fragment."""
    name = path.rsplit("/", 1)[-1]
    if "/fragment/" in path or f"/{DIRECTORY}/d/" in path:
        return "fragment"
    if "/index/" in path or f"/{DIRECTORY}/t/" in path:
        return "index"
    if "/filter/" in path or name == "facets.json.gz":
        return "filter"
    if name.endswith((".pf_meta", ".js", ".pagefind", ".json")):
        return "loader"
    return "other"


def measure_query_payload(site_dir, queries: Iterable[str] = BENCH_QUERIES, *, page: str | None = None,
                          chromium: Path = CHROMIUM, timeout_ms: int = 60_000) -> dict:
    """What each query downloads and how long its first results take, in headless Chromium.

    The site in ``site_dir`` is served on 127.0.0.1. For each query a fresh browser (an
    empty cache) opens ``page`` (None: the Chinese home page for a query with Chinese in it,
    else the English one, ``en/``), types the query into the header's search box and waits until the first page of results is on screen. The network log gives
    the bytes of every request made from the keystroke on, by kind: ``loader`` (the
    Pagefind script, its WebAssembly and the index's metadata, fetched once per visit),
    ``index`` (the index chunks of the query's words), ``filter`` and ``fragment`` (one
    per result shown; for the organizations' own index, its manifest is ``loader``,
    its word shards ``index`` and its chunks of results ``fragment``). Then the query
    is typed again in the same page (``warm_ms``).

    Returns ``{query: {"bytes", "loader_bytes", "index_bytes", "filter_bytes",
    "fragment_bytes", "requests", "results", "first_results_ms", "warm_ms"}}``.
    Bytes are bodies as sent by Python's plain file server (no HTTP compression;
    Pagefind's own files are compressed already).
    """
    import functools
    import http.server

    from playwright.sync_api import sync_playwright

    site = Path(site_dir)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    out: dict = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(chromium),
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
            try:
                for query in queries:
                    where = page if page is not None else ("" if HAN.search(query) else language.prefix("en"))
                    out[query] = _measure_one(browser, base, where, query, timeout_ms)
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return out


def _measure_one(browser, base: str, page_path: str, query: str, timeout_ms: int) -> dict:
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        sizes: dict[str, int] = {}
        recording = [False]
        foreign: list[str] = []

        def finished(request):
            if not request.url.startswith(base):
                foreign.append(request.url)
            if not recording[0]:
                return
            try:
                sizes[request.url] = request.sizes()["responseBodySize"]
            except Exception:  # noqa: BLE001  (a request that failed has no sizes)
                sizes[request.url] = 0

        page.on("requestfinished", finished)
        page.goto(base + page_path, wait_until="load")
        recording[0] = True
        box = page.locator("form[data-shequ-search] input")
        box.click()
        box.fill(query)
        done = page.locator(".shequ-search__results[data-shequ-done]")
        page.wait_for_function("q => document.querySelector('.shequ-search__results')?.dataset.shequDone === q",
                               arg=query, timeout=timeout_ms)
        first_ms = int(done.get_attribute("data-shequ-ms") or 0)
        results = page.locator(".shequ-search__count").inner_text()
        page.wait_for_timeout(100)
        recording[0] = False
        by_kind: dict[str, int] = {}
        for url, size in sizes.items():
            kind = _kind_of_request(url[len(base) - 1:])
            by_kind[kind] = by_kind.get(kind, 0) + size
        box.fill("")
        page.wait_for_function("() => !document.querySelector('.shequ-search__results')?.dataset.shequDone",
                               timeout=timeout_ms)
        box.fill(query)
        page.wait_for_function("q => document.querySelector('.shequ-search__results')?.dataset.shequDone === q",
                               arg=query, timeout=timeout_ms)
        warm_ms = int(done.get_attribute("data-shequ-ms") or 0)
        match = re.match(r"\d+", results)
        figure = {
            "bytes": sum(sizes.values()),
            "loader_bytes": by_kind.get("loader", 0),
            "index_bytes": by_kind.get("index", 0),
            "filter_bytes": by_kind.get("filter", 0),
            "fragment_bytes": by_kind.get("fragment", 0),
            "requests": len(sizes),
            "results": int(match.group(0)) if match else 0,
            "first_results_ms": first_ms,
            "warm_ms": warm_ms,
        }
        if foreign:
            figure["foreign_requests"] = foreign
        return figure
    finally:
        context.close()


def format_payload(figures: dict) -> str:
    lines = [f"{'query':<20} {'results':>7} {'total KB':>9} {'loader':>7} {'index':>7} {'filter':>7} "
             f"{'frags':>7} {'first ms':>8} {'warm ms':>8}"]
    for query, f in figures.items():
        lines.append(f"{query:<20} {f['results']:>7} {f['bytes'] / 1024:>9.1f} {f['loader_bytes'] / 1024:>7.1f} "
                     f"{f['index_bytes'] / 1024:>7.1f} {f['filter_bytes'] / 1024:>7.1f} "
                     f"{f['fragment_bytes'] / 1024:>7.1f} {f['first_results_ms']:>8} {f['warm_ms']:>8}")
    return "\n".join(lines) + "\n"


# The search benchmark -----------------------------------------------------------------------------

STUB_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>Search benchmark</title>
<link rel="stylesheet" href="{root}assets/shequ-search.css"></head>
<body><div class="md-header__inner"></div>
<form class="shequ-search" role="search" data-shequ-search hidden>
<input class="md-search__input shequ-search__input" type="search" name="q" aria-label="search">
<div class="shequ-search__results" hidden></div></form>
<script src="{root}assets/shequ-search.js" data-shequ-root="{root}"></script></body></html>
"""


def bench(sizes: Iterable[int] = (10_000, 100_000), *, project_root: Path | None = None,
          queries: Iterable[str] = BENCH_QUERIES, measure: bool = True, seed: int = 2016,
          say=print) -> list[dict]:
    """Index N synthetic organizations and measure what queries download, for each N.

    For each size: a temporary copy of the project's schemas, vocabularies, policy and
    divisions gets N synthetic organizations (and N/200 incubators); the sources are
    loaded and checked, and the index is written into a folder holding only a stub home
    page in each language with the search box (the index does not depend on the rest of
    the site); Chinese queries are typed on the Chinese one, English ones on the English. Returns
    one dict per size: records, index seconds, bytes and files, and the per-query
    figures of :func:`measure_query_payload`.
    """
    import tempfile

    from shequ.bench import synthetic
    from shequ.build.pipeline import validate
    from shequ.project import Project
    from shequ.render.model import Directory

    root = Path(project_root) if project_root else Path.cwd()
    out = []
    for n in sizes:
        work = Path(tempfile.mkdtemp(prefix=f"shequ-search-bench-{n}-"))
        try:
            datasets = work / "datasets"
            for name in ("schemas", "vocabularies", "policy", "reference"):
                if (root / "datasets" / name).is_dir():
                    shutil.copytree(root / "datasets" / name, datasets / name)
            shutil.copy(root / "datasets" / "package.yaml", datasets / "package.yaml")
            start = time.perf_counter()
            synthetic.generate(work, orgs=n, incubators=max(8, n // 200), seed=seed, clean=True)
            generated = time.perf_counter() - start
            start = time.perf_counter()
            sources, report = validate(Project.at(work))
            if not report.valid:
                raise SearchIndexError("the synthetic records did not pass the checks:\n" + report.format_text()[:2000])
            directory = Directory(sources)
            loaded = time.perf_counter() - start
            site = work / "site"
            (site / "assets").mkdir(parents=True)
            for uri in ASSETS:
                shutil.copy(ASSETS_DIR / Path(uri).name, site / uri)
            for lang in language.LANGUAGES:  # a home page in each language: English queries on the English one
                home = site / language.prefix(lang) / "index.html"
                home.parent.mkdir(parents=True, exist_ok=True)
                root = "../" * language.prefix(lang).count("/") or "./"
                home.write_text(STUB_PAGE.format(lang=language.TAGS[lang], root=root), encoding="utf-8")
            stats = build_index(site, directory, None)
            figure = {"organizations": len(directory.organizations), "incubators": len(directory.incubators),
                      "records": stats.records, "generate_seconds": round(generated, 1),
                      "load_seconds": round(loaded, 1), "index_seconds": round(stats.seconds, 1),
                      "index_bytes": stats.bytes, "index_files": stats.files,
                      "meta_bytes": sum(p.stat().st_size for p in (site / OUTPUT).glob("*.pf_meta"))}
            say(f"{n:,} organizations: {stats.records:,} records indexed in {stats.seconds:.1f} s, "
                f"{stats.bytes / 1024 / 1024:.1f} MB in {stats.files:,} files "
                f"(metadata every visit loads: {figure['meta_bytes'] / 1024:.0f} KB)")
            if measure:
                figure["queries"] = measure_query_payload(site, queries)
                say(format_payload(figure["queries"]))
            out.append(figure)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m shequ.bench.search [N ...] [--json FILE]``: the search benchmark."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m shequ.bench.search", description=bench.__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--no-browser", action="store_true", help="index only; do not measure queries")
    args = parser.parse_args(argv)
    figures = bench(args.sizes, measure=not args.no_browser)
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
