"""One page per record in each language, and each record as JSON, straight into the output.

Record pages stay out of the generator's navigation and page list (tens of thousands of
pages would make every page carry them): the core renders each body and the generator's
:class:`~shequ.build.shell.PageShell` dresses it. serve's rebuilds keep every page whose
key did not change (see :mod:`shequ.build.incremental`).
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from shequ.build.incremental import BuildCache, record_page_key
from shequ.build.shards import ShardError, ShardFile, province_of
from shequ.build.shell import PageShell
from shequ.build.staging import link
from shequ.render import GeneratedPage, Renderer, record_entries, record_page, record_pages
from shequ.render.directory import record_json

#: A record id no record has: the model pages whose look serve's rebuilds compare.
MODEL_ID = "qqshequidqq7x"
RECORD_TYPES = ("organizations", "incubators")


class RecordPages:
    """Writes the record pages and JSON of one build; keeps what the sitemap and the next
    serve rebuild need (:attr:`paths`, :attr:`pending`, :attr:`largest`)."""

    def __init__(self, renderers: dict[str, Renderer], log: logging.Logger, provinces: frozenset[str] | None = None):
        """``provinces``: a shard's (:mod:`shequ.build.shards`): only their records; None: every record."""
        self.renderers = renderers
        self.directory = next(iter(renderers.values())).directory
        self.log = log
        self.records = [entry for entry in record_entries(self.directory)
                        if provinces is None or province_of(entry) in provinces]
        self.paths: list[str] = []
        self.pending: dict[str, tuple[str, int]] = {}  # this build's pages, for the next rebuild
        self.largest = (0, "")
        self.json_written = False

    @property
    def count(self) -> int:
        return len(self.records) * len(self.renderers)

    def _written(self, path: str, size: int) -> None:
        self.paths.append(path)
        if size > self.largest[0]:
            self.largest = (size, path)

    def write(self, site: Path, shell: PageShell, advance, cache: BuildCache | None = None,
              served: Path | None = None) -> None:
        """Every record page into ``site``; with serve's ``cache`` and the ``served`` site,
        only those that changed since the build that wrote ``served``."""
        if cache is not None and served is not None:
            self._write_again(site, shell, advance, cache, served)
            return
        for renderer in self.renderers.values():
            for generated in record_pages(renderer, self.records):
                html = shell.render(generated).encode("utf-8", errors="xmlcharrefreplace")
                out = site / generated.path / "index.html"
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(html)
                self._written(generated.path, len(html))
                advance()

    def write_json(self, site: Path) -> None:
        if self.json_written:
            return
        for entry in self.records:
            f = record_json(entry)
            out = site / f.path
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(f.data)

    def files(self) -> list[str]:
        """The site paths of every file :meth:`write` and :meth:`write_json` wrote, pages first."""
        return [path + "index.html" for path in self.paths] + [entry.json_path for entry in self.records]

    def adopt(self, site: Path, shards: dict[str, ShardFile], advance) -> None:
        """Every record page and JSON from the shard that holds its province (``shards``:
        province → shard), linked into ``site`` (copied if need be); none is rendered. The
        order, and so the sitemap, is that of :meth:`write`."""
        for renderer in self.renderers.values():
            for entry in self.records:
                path = renderer.prefix + entry.path
                self._written(path, self._take(site, shards, entry, path + "index.html"))
                advance()
        for entry in self.records:
            self._take(site, shards, entry, entry.json_path)
        self.json_written = True

    @staticmethod
    def _take(site: Path, shards: dict[str, ShardFile], entry, name: str) -> int:
        province = province_of(entry)
        shard = shards.get(province)
        if shard is None:
            raise ShardError(f"{entry.file}: division: province {province} is in no shard given to the merge; "
                             f"build a shard that holds it (shequ shard build {province} --out DIR)")
        source = shard.folder / name
        size = shard.files.get(name)
        inside = not source.is_symlink() and source.resolve().is_relative_to(shard.folder.resolve())
        if not inside:  # a shard is pages, never a link to a file elsewhere on the machine
            raise ShardError(f"{shard.folder}: {name}: a symbolic link, or under one; a shard holds files only")
        if size is None or not source.is_file() or source.stat().st_size != size:
            raise ShardError(f"{shard.folder}: {name}: missing or changed since the shard was built "
                             f"(record {entry.id}); build the shard again")
        out = site / name
        out.parent.mkdir(parents=True, exist_ok=True)
        if not link(source, out):
            shutil.copyfile(source, out)
        return size

    def _write_again(self, site: Path, shell: PageShell, advance, cache: BuildCache, served: Path) -> None:
        """Serve's rebuilds: a record page whose key did not change since the last build is
        kept from that build's output; the others are rendered.

        The last build's pages come from the spare tree of hard links made after it (its
        folders are renamed into this output, one rename per folder); without one, each
        unchanged page is linked here. A changed page's link is removed before the page is
        written, so the previous build's file, still served, is never written to."""
        directory = self.directory
        previous = cache.pages if cache.site is not None and cache.site == served else {}
        tree = self._take_spare_tree(site, cache) if previous else None
        kept = previous if tree else {}  # paths already in the output, as the last build wrote them
        pages: dict[str, tuple[str, int]] = {}
        cache.reused = 0
        for dataset in RECORD_TYPES:
            (site / dataset).mkdir(parents=True, exist_ok=True)

        def keep(path: str, file: Path) -> bool:
            """True when the last build's ``file`` at ``path`` is in this output now."""
            return path in kept or link(served / file.relative_to(site), file)

        def replace(path: str, file: Path, data: bytes) -> None:
            if path in kept:
                file.unlink(missing_ok=True)  # a link to the served file: never write through it
            else:
                file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes(data)

        records = self.records
        for entry in records:
            # The record as JSON (one for both languages) depends on the record's own file alone.
            own = cache.record_digest(entry.file)
            out = site / entry.json_path
            if previous.get(entry.json_path, ("",))[0] != own or not keep(entry.json_path, out):
                replace(entry.json_path, out, record_json(entry).data)
            pages[entry.json_path] = (own, 0)
        for renderer in self.renderers.values():
            models = [renderer.page(GeneratedPage(f"{dataset}/{MODEL_ID}/", "t", "<h1>",
                                                  renderer.edit_url(f"datasets/{dataset}/{MODEL_ID}.yaml")))
                      for dataset in RECORD_TYPES]
            theme = shell.digest(models)
            for entry in records:
                key = record_page_key(cache, directory, entry, theme)
                path = renderer.prefix + entry.path
                out = site / path / "index.html"
                size = None
                if previous.get(path, ("", 0))[0] == key:
                    if path not in kept:
                        out.parent.mkdir(parents=True, exist_ok=True)
                    if keep(path, out):
                        size = previous[path][1]
                        cache.reused += 1
                if size is None:
                    html = shell.render(record_page(renderer, entry)).encode("utf-8", errors="xmlcharrefreplace")
                    replace(path, out, html)
                    size = len(html)
                pages[path] = (key, size)
                self._written(path, size)
                advance()
        for path in kept.keys() - pages.keys():  # records removed since the last build
            if path.endswith("/"):
                shutil.rmtree(site / path, ignore_errors=True)
            else:
                (site / path).unlink(missing_ok=True)
        self.pending = pages
        self.log.info(f"shequ: {self.count - cache.reused:,} record pages rendered, {cache.reused:,} unchanged")
        self.json_written = True

    def _take_spare_tree(self, site: Path, cache: BuildCache) -> bool:
        """Move the spare tree's folders into the output: True if they all are."""
        tree = cache.take_spare()
        cache.spare_used = False
        if tree is None:
            return False
        moved = []
        try:
            for top in sorted(os.listdir(tree)):
                if (site / top).exists():
                    raise FileExistsError(f"{top} is in the output already")
                os.rename(tree / top, site / top)
                moved.append(top)
            cache.spare_used = True
            return True
        except OSError as exc:
            self.log.info(f"shequ: the spare tree was not used ({exc}); linking the unchanged pages one by one")
            for top in moved:
                shutil.rmtree(site / top, ignore_errors=True)
            return False
        finally:
            shutil.rmtree(tree, ignore_errors=True)
