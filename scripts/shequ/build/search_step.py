"""The search step of a build: Pagefind's index and the directory index, into the site.

A clean build indexes the staged site before the swap. serve's rebuilds keep the previous
index in the new site as it is and build the new one beside the served site after the
swap, in a thread: the edited page shows as soon as its pages are written; search
catches up a few seconds later, and is never without an index meanwhile.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path

from shequ import atomic, search
from shequ.build.staging import link_tree


def _index_beside(site: Path, directory, pages, log: logging.Logger, then=None) -> None:
    """Build the search index of the served ``site`` in a folder beside it, from links to its
    pages, then swap the index folders in and call ``then(site)``."""
    shadow = Path(tempfile.mkdtemp(prefix=".shequ-search-", dir=site.parent))
    try:
        for file in pages.documentation_pages():
            page = site / file.dest_uri
            if page.is_file():
                (shadow / file.dest_uri).parent.mkdir(parents=True, exist_ok=True)
                os.link(page, shadow / file.dest_uri)
        search.build_index(shadow, directory, pages)
        for name in (search.OUTPUT, search.DIRECTORY):
            if (shadow / name).is_dir():
                atomic.swap_in(shadow / name, site / name)
        if then is not None:
            then(site)
        log.info("shequ: search index updated")
    except Exception as exc:  # noqa: BLE001 - a thread's error would otherwise vanish
        log.error(f"shequ: the search index was not updated: {type(exc).__name__}: {exc}")
    finally:
        shutil.rmtree(shadow, ignore_errors=True)


class SearchStep:
    def __init__(self, log: logging.Logger):
        self.log = log
        self.job: threading.Thread | None = None

    def index_now_or_later(self, site: Path, served: Path | None, directory, pages) -> bool:
        """Index ``site`` now; or, when ``served`` (the site a serve session shows) has an
        index, link that one into ``site`` and return True: :meth:`index_later` follows the swap.

        ``pages`` are the generator's pages (an object with ``documentation_pages()``), or None."""
        if served is not None and (served / search.OUTPUT).is_dir():
            for name in (search.OUTPUT, search.DIRECTORY):
                if (served / name).is_dir():
                    link_tree(served / name, site / name)
            return True
        search.build_index(site, directory, pages)
        return False

    def index_later(self, served: Path, directory, pages, then=None) -> None:
        """Index ``served`` in a thread; then call ``then(served)`` (the site's manifest)."""
        self.job = threading.Thread(target=_index_beside, name="shequ-search-index",
                                    args=(served, directory, pages, self.log, then))
        self.job.start()

    def wait(self) -> None:
        """Wait for the index serve builds after a rebuild (tests; the next build)."""
        if self.job is not None:
            self.job.join()
            self.job = None
