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

from shequ.errors import ShequError

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


class NotReplaceable(ShequError):
    """The output folder, or a folder in it, cannot be replaced (read-only): nothing was swapped."""


def check_replaceable(target: Path) -> None:
    """Raise :class:`NotReplaceable` unless ``target`` (if it exists) and every folder in it can
    be emptied, and its parent written: a swap that could not remove the old tree afterwards
    would leave it behind, so none is started."""
    target = Path(target)
    blocked = None
    if target.parent.exists() and not os.access(target.parent, os.W_OK | os.X_OK):
        blocked = target.parent
    elif target.is_dir() and not target.is_symlink():
        for folder, subfolders, _ in os.walk(target):
            if not os.access(folder, os.W_OK | os.X_OK):
                blocked = Path(folder)
                break
            subfolders[:] = [d for d in subfolders if not os.path.islink(os.path.join(folder, d))]
    if blocked is not None:
        raise NotReplaceable(f"{blocked} is read-only, so {target.name}/ cannot be replaced; nothing was changed "
                             "(make it writable, or choose another output folder)")


def swap_in(new: Path, target: Path) -> None:
    """Put the folder ``new`` at ``target``; the old ``target`` goes away. Raises
    :class:`NotReplaceable`, before anything moves, when the old tree could not be removed."""
    check_replaceable(target)
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
        # ``new`` now holds the old output. The swap is done: a file that will not go is
        # no reason to fail it (clean_stale tries again next run).
        shutil.rmtree(new, ignore_errors=True)
        return
    aside = _aside(target)
    target.rename(aside)
    new.rename(target)
    shutil.rmtree(aside, ignore_errors=True)


@contextmanager
def staging(target: Path) -> Iterator[Path]:
    """A fresh folder beside ``target``; swapped in if the block succeeds, removed if not."""
    target = Path(target).resolve()
    check_replaceable(target)  # before the work, not after it
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
