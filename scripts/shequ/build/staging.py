"""The build writes beside the site and swaps it in at the end.

MkDocs (or any generator) writes into a staging folder next to the site; only a build
that succeeds swaps it in (:func:`shequ.atomic.swap_in`). A failed build removes the
staging folder and leaves the previous site as it was.

Example::

    staging = Staging(Path("site"))
    out = staging.begin()      # write the site into `out`
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
    def __init__(self, target: Path):
        self.target = Path(target).resolve()  # the real site folder
        self.folder: Path | None = None

    def begin(self) -> Path:
        atomic.check_replaceable(self.target)  # a read-only site fails now, not after the build
        atomic.clean_stale(self.target)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.tmp-", dir=self.target.parent))
        return self.folder

    def swap(self) -> Path:
        atomic.swap_in(self.folder, self.target)
        self.folder = None
        return self.target

    def discard(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
