"""The search stage: the site's search, in Chinese and English, in two static indexes.

After the record pages are written, :func:`build_index` writes

- a Pagefind index into ``<site>/pagefind/``: the pages (home, guides, policy documents
  and provisions, statistics, data), and from the render model
  (:class:`~shequ.render.model.Directory`) every incubator, region, topic term and
  glossary term;
- the organizations' own index into ``<site>/directory-index/``
  (:func:`write_directory_index`): words in shards, results in small chunks and the
  facets as columns. Organizations are most of a large directory, and Pagefind does
  not scale to 100,000 of them (see Scale below).

The header search box and the faceted directory at ``/organizations/``
(``assets/shequ-search.js``) load only the files a query needs, from the site itself:
no other host, no CDN, and it works on a machine with no internet.

Two languages
    Every page exists in Chinese at the site root and in English under ``en/``
    (:mod:`shequ.render.language`). Pagefind keeps one index per ``<html lang>`` and its
    script loads the one of the page's language (the tag, or its first part: ``zh-CN``
    reads ``zh``), so each record goes in twice (:meth:`Record.html`): on the Chinese
    index at its address, with its Chinese name, labels and text, and its English name
    below the title (an English name typed on a Chinese page finds it); on the English
    index under ``en/``, with its English name (the Chinese one where it has none) and
    English labels, the Chinese name below the title, and the bigram tokens of its
    Chinese text (a Chinese query on an English page finds it; regions, which have only
    Chinese names, also carry their pinyin). Pages are read from the built site in both
    trees (:func:`html_pages`); an English page is filed by its address whatever its
    ``<html lang>`` says, and carries its Chinese page's tokens. The organizations'
    index is one for both languages: it holds the words and names of both, a snippet
    per language, ids in pinyin order and a rank per id in English order; the script
    shows the page's language and links into its tree. On the demo site the second
    language took the Pagefind index from 134 to 268 records, 694 to 782 KB and about
    0.55 to 0.75 s.

What goes in
    - Pagefind: each page's ``data-pagefind-body`` (the article; ``main.html`` marks it)
      without the parts marked ``data-pagefind-ignore``; each record as a small page
      made here (:meth:`Record.html`) with its kind and region as metadata, once per language;
    - the directory index: each organization's names, place, community, registration
      authority, address and the labels of its legal form, track, status, fields,
      populations and functions; its province, prefecture, county, track, legal form,
      fields, populations, status and founding date as facets.

Why records and not the record pages' HTML
    Measured with 10,000 synthetic organizations: Pagefind reading the built record
    pages took 31–47 s (about 3 ms a page, most of it parsing and writing 45 MB of
    fragments with the whole article in each). Each record goes in instead as a small
    page made here (:meth:`Record.html`): its name as the heading, the text worth
    searching, and its kind, region, facets and sort keys as ``data-pagefind-*``
    elements. Pagefind's service is driven directly (:class:`Pagefind`): the Python
    package's client waits 0.1 s per answer, 17 minutes for 10,000 records.

Chinese substrings
    Pagefind 1.5's extended binary segments Chinese on ``lang="zh"`` pages with a
    dictionary segmenter when indexing, but the browser segments the query with
    ``Intl.Segmenter``; the two disagree. Measured on the demo site: 互助, 朝阳, 备案
    and 直接登记 were found, but the whole name 石桥村银龄互助会 did not find its own
    page, and 新区 did not find 浦东新区益民社区老年协会 (the index only holds the word
    浦东新区, and Pagefind matches a query word against the start of indexed words).
    So each record and page also carries *bigram tokens* of its Chinese text: each
    pair of neighbouring Han characters written as one ASCII word, ``zq`` and the two
    characters' code points in base 36, three digits each (银龄 → ``zqtfavic``), plus
    the last character of each run on its own. The search script turns the Chinese
    in a query into the same tokens (see ``cjkTokens`` in ``shequ-search.js``), so a
    query matches every record that holds all of its character pairs: any substring
    of a name, a place or a policy term of two or more characters; one character
    matches the pairs that start with it. The tokens sit in hidden text that only
    Pagefind reads, each written several times so that Pagefind, which cuts its index
    by positions, cuts the tokens into small chunks (:data:`~shequ.search.records.TOKEN_REPEATS`);
    the result snippets leave them out.

Scale (``python -m shequ.bench.search 10000 100000``; a shared 2-core machine under load)
    Pagefind alone, organizations included: at 10,000 organizations it indexed in
    21–23 s and a first query downloaded 241–299 KB; at 100,000 it missed every
    target. Its metadata lists every page and every sort order, 1.15 MB that each visit
    loads before its first result; queries that match tens of thousands of pages took
    seconds (互助: 16 s; a word in all of 100,000 lean test records: 46–104 s); and
    indexing took 8.5 minutes. Hence the organizations' own index. With it:

    ============  ========  ==========  =================  ===============  =========
    organizations index     index size  first query total  of which loader  results
    ============  ========  ==========  =================  ===============  =========
    10,000        3.4 s     1.9 MB      152–217 KB         113 KB           0.25–0.8 s
    100,000       39 s      14.0 MB     142–205 KB         118 KB           0.3–0.54 s
    ============  ========  ==========  =================  ===============  =========

    "Loader" is what a visit loads once (pagefind.js 45 KB, its WebAssembly 67 KB, the
    metadata and the manifest); the rest is the query's own word files and the first
    ten results. Results are timed from the keystroke, loader included; a second query
    takes 0.12–0.14 s.

The jobs, one module each: :mod:`~shequ.search.tokens` (bigram and query tokens),
:mod:`~shequ.search.records` (what Pagefind indexes), :mod:`~shequ.search.pagefind` (its
service), :mod:`~shequ.search.directory` (the organizations' index),
:mod:`~shequ.search.canonical` (the same sources, the same index files) and
:mod:`~shequ.search.assets` (the script and stylesheet).

Example::

    from shequ.search import build_index
    stats = build_index(Path("site"), renderer.directory, files)
    print(stats.records, stats.pages, f"{stats.seconds:.1f} s", stats.bytes)
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from shequ.search.assets import ASSETS, ASSETS_DIR, asset_files
from shequ.search.canonical import canonical_filters
from shequ.search.directory import DIRECTORY, write_directory_index
from shequ.search.pagefind import Pagefind, SearchIndexError, write_files
from shequ.search.records import html_pages, model_records
from shequ.search.tokens import HAN

__all__ = ["ASSETS", "ASSETS_DIR", "DIRECTORY", "HAN", "OUTPUT", "IndexStats", "SearchIndexError",
           "asset_files", "build_index"]

log = logging.getLogger("mkdocs.plugins.shequ")

#: Where the index goes in the site.
OUTPUT = "pagefind"


@dataclass
class IndexStats:
    records: int = 0  # from the model
    pages: int = 0  # from HTML
    seconds: float = 0.0
    bytes: int = 0  # the whole pagefind/ folder
    files: int = 0


#: The figures of the last index written in this process (for ``shequ bench``).
LAST: IndexStats | None = None


def build_index(site: Path, directory, files=None) -> IndexStats:
    """Write the search index of the site in ``site`` into ``site/pagefind/`` (one index
    per language, which Pagefind's script picks by the page's ``<html lang>``) and the
    organizations' index into ``site/directory-index/`` (one for both languages).

    ``directory`` is the render model; ``files`` are MkDocs' files (None: records only).
    Pages under ``en/`` are English; an English page MkDocs does not list is found
    beside its Chinese page in ``site`` (see :func:`html_pages`).
    """
    global LAST
    from shequ.progress import current

    site = Path(site)
    output = site / OUTPUT
    if output.exists():
        shutil.rmtree(output)
    start = time.perf_counter()
    stats = IndexStats()
    items = list(model_records(directory))
    with current().stage("search", total=len(items) + len(directory.organizations), unit="records") as stage:
        service = Pagefind()
        try:
            index_id = service.call({"type": "NewIndex", "config": {"output_path": str(output)}})["index_id"]
            stats.records = service.stream((r.message(index_id) for r in items), stage.advance)
            if files is not None:
                stats.pages = service.stream(
                    {"type": "AddFile", "index_id": index_id, "url": url, "file_contents": text}
                    for url, text, _, _ in html_pages(site, files))
            # Pagefind's own WriteFiles answers before its writes are done, and one run in
            # fifteen left pagefind-entry.json empty; so the files come back here and are
            # written by this process.
            written = service.call({"type": "GetFiles", "index_id": index_id})["files"]
        finally:
            service.close()
        write_files(output, written)
        canonical_filters(output)
        write_directory_index(site, directory)
        stage.advance(len(directory.organizations))
    stats.records += len(directory.organizations)
    stats.seconds = time.perf_counter() - start
    sizes = [p.stat().st_size for folder in (output, site / DIRECTORY) for p in folder.rglob("*") if p.is_file()]
    stats.bytes, stats.files = sum(sizes), len(sizes)
    log.info(f"shequ: search index of {stats.records} records and {stats.pages} pages in {stats.seconds:.1f} s, "
             f"{stats.bytes / 1024:,.0f} KB in {stats.files} files")
    LAST = stats
    return stats

