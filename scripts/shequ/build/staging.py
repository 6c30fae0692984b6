"""The build writes beside the site and swaps it in at the end.

MkDocs (or any generator) writes into a staging folder next to the site; only a build
that succeeds swaps it in (:func:`shequ.atomic.swap_in`). A failed build removes the
staging folder and leaves the previous site as it was.

Example::

    staging = Staging(Path("site"), project=Path("."))
    out = staging.begin()      # write the site into `out` (refused: a folder that is not the build's own)
    staging.swap()             # or staging.discard() when the build failed
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from shequ import atomic


def link(source: Path, dest: Path) -> bool:
    """``dest`` as a hard link to ``source``; False if the file system refused."""
    try:
        os.link(source, dest)
        return True
    except OSError:
        return False


def link_tree(source: Path, dest: Path) -> None:
    """``dest`` as a copy of the folder ``source`` whose files are hard links (copies if need be)."""
    for dirpath, _, names in os.walk(source):
        out = dest / Path(dirpath).relative_to(source)
        out.mkdir(parents=True, exist_ok=True)
        for name in names:
            if not link(Path(dirpath, name), out / name):
                shutil.copyfile(Path(dirpath, name), out / name)


class Staging:
    """``project``: the project the site is built from; ``keep``: other folders of sources
    the site must not be (the docs_dir of mkdocs.yml). See :func:`shequ.atomic.claim`."""

    def __init__(self, target: Path, project: Path, keep=()):
        self.target = Path(target).resolve()  # the real site folder
        self.project, self.keep = project, tuple(keep)
        self.folder: Path | None = None
        self.lock: atomic.Lock | None = None

    def begin(self) -> Path:
        # Nothing is removed before the target is known to be the build's own and no other
        # build writes it (that one's staging folder would look like a leftover).
        atomic.claim(self.target, self.project, self.keep)
        atomic.check_replaceable(self.target)  # a read-only site fails now, not after the build
        self.lock = atomic.Lock(self.target).acquire()
        try:
            atomic.clean_stale(self.target)
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self.folder = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.tmp-", dir=self.target.parent))
        except BaseException:
            self._unlock()
            raise
        return self.folder

    def scratch(self, name: str) -> Path:
        """A temporary folder beside the site (the data package while it is written): a killed
        build leaves it where the next build removes it as a leftover, never in /tmp."""
        return Path(tempfile.mkdtemp(prefix=f".{self.target.name}.tmp-{name}-", dir=self.target.parent))

    def swap(self) -> Path:
        try:
            atomic.mark(self.folder)
            atomic.swap_in(self.folder, self.target)
        finally:
            self._unlock()
        self.folder = None
        return self.target

    def discard(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
        self._unlock()

    def _unlock(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None
