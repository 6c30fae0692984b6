"""Replace a folder all at once, so a failed or killed run leaves the previous one intact.

Output is written into a temporary folder beside the target. On Linux the two
folders are exchanged with ``renameat2(RENAME_EXCHANGE)``, a single atomic step;
elsewhere the old folder is moved aside first and put back by
:func:`recover` if the run dies between the two renames.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _libc():
    name = ctypes.util.find_library("c")
    try:
        lib = ctypes.CDLL(name, use_errno=True) if name else None
    except OSError:
        return None
    return lib if lib is not None and hasattr(lib, "renameat2") else None


_LIBC = _libc()


def _exchange(a: Path, b: Path) -> bool:
    if _LIBC is None:
        return False
    result = _LIBC.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def _aside(target: Path) -> Path:
    return target.with_name(f".{target.name}.old")


def recover(target: Path) -> None:
    """Undo a swap that was interrupted between its two renames."""
    aside = _aside(target)
    if aside.exists() and not target.exists():
        aside.rename(target)
    elif aside.exists():
        shutil.rmtree(aside, ignore_errors=True)


def swap_in(new: Path, target: Path) -> None:
    """Put the folder ``new`` at ``target``; the old ``target`` goes away."""
    # mkdtemp made the staging folder private (0700); the output is for others to read
    # (a web server, a release upload), so it gets a new folder's usual mode.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(new, 0o777 & ~umask)
    recover(target)
    if not target.exists():
        new.rename(target)
        return
    if _exchange(new, target):
        shutil.rmtree(new)  # ``new`` now holds the old output
        return
    aside = _aside(target)
    target.rename(aside)
    new.rename(target)
    shutil.rmtree(aside)


@contextmanager
def staging(target: Path) -> Iterator[Path]:
    """A fresh folder beside ``target``; swapped in if the block succeeds, removed if not."""
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    swap_in(tmp, target)


def clean_stale(target: Path) -> None:
    """Remove staging folders left by runs that were killed."""
    target = Path(target).resolve()
    if target.parent.is_dir():
        for leftover in target.parent.glob(f".{target.name}.tmp-*"):
            shutil.rmtree(leftover, ignore_errors=True)
    recover(target)
