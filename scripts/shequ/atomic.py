"""Replace a folder all at once, so a failed or killed run leaves the previous one intact;
and only a folder the command owns.

Output is written into a temporary folder beside the target. On Linux the two
folders are exchanged with ``renameat2(RENAME_EXCHANGE)``, a single atomic step;
elsewhere the old folder is moved aside first and put back by
:func:`recover` if the run dies between the two renames.

Before anything is written or removed, :func:`claim` makes sure the target is the
command's own: a folder that is missing, empty, or holds the :data:`MARKER` file that
every output gets. It never is the project, ``datasets/``, ``docs/``, ``.git`` or a
folder holding one of them. :class:`Lock` keeps two runs from writing the same target
at once (each would remove the other's staging folder as a leftover).

Example::

    with atomic.staging(Path("build/data"), project=Path(".")) as tmp:
        ...  # write the output into tmp; it replaces build/data when the block succeeds
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shlex
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from shequ.errors import ShequError

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; concurrent runs there are not guarded
    fcntl = None

#: The file that marks a folder as a command's output: a later run may replace that folder.
MARKER = ".shequ-output"
MARKER_TEXT = ("Written by shequ. The next `shequ build` or `shequ publish` replaces this folder as a whole:\n"
               "keep nothing else in it.\n")
#: Folders of the project that no output may be, be inside of, or hold.
SOURCES = ("datasets", "docs", ".git")


class OutputRefused(ShequError):
    """The output folder is not the command's own: nothing was written or removed."""


class OutputBusy(ShequError):
    """Another run is writing the same output folder."""

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


def _shown(path: Path, project: Path) -> str:
    try:
        return path.relative_to(project).as_posix() or "."
    except ValueError:
        return path.as_posix()


def claim(target: Path, project: Path, keep: Iterable[Path] = ()) -> Path:
    """``target``, resolved, if a command may replace it as a whole; else :class:`OutputRefused`.

    Refused: the project folder, its ``datasets/``, ``docs/`` and ``.git`` and ``keep``
    (say, the docs_dir of mkdocs.yml), a folder inside one of those or holding one, a file,
    and a folder that is neither empty nor marked with :data:`MARKER`. Nothing is touched."""
    target, project = Path(target).resolve(), Path(project).resolve()
    shown = _shown(target, project)
    sources = [project] + [project / name for name in SOURCES] + [Path(k).resolve() for k in keep]
    for source in sources:
        holds = target == source or target in source.parents
        inside = source != project and source in target.parents
        if holds or inside:
            what = "the project folder" if source == project else f"{_shown(source, project)}/"
            relation = "is" if target == source else ("holds" if holds else "is inside")
            raise OutputRefused(f"{shown}: refused as an output folder: it {relation} {what}, and an output "
                                "folder is replaced as a whole (choose a folder of its own, such as site/ or "
                                "build/data/)")
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise OutputRefused(f"{shown}: refused as an output folder: it is not a folder")
    if target.is_dir() and not (target / MARKER).is_file() and any(target.iterdir()):
        # Most often an older build or data package, written before outputs were marked: say how
        # to clear it, but never clear it here (the files may be someone's own).
        raise OutputRefused(f"{shown}: refused as an output folder: it is not empty and not shequ's output (it has "
                            f"no {MARKER} file), and an output folder is replaced as a whole. If it holds only an "
                            "earlier build or data package (written before shequ marked its output), remove it and "
                            f"run the command again: rm -r -- {shlex.quote(str(target))}  Otherwise choose an "
                            "empty or new folder.")
    return target


def mark(folder: Path) -> None:
    """Mark ``folder`` as a command's output, which the next run may replace."""
    (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


class Lock:
    """One run at a time per output folder: ``.<name>.lock`` beside it, held with ``flock``.

    The kernel drops the lock when its process dies, so a killed run never blocks the
    next one; the file itself is removed on release."""

    def __init__(self, target: Path, busy: str | None = None):
        self.target, self.busy = target, busy
        self.path = target.with_name(f".{target.name}.lock")
        self.file = None

    def acquire(self) -> "Lock":
        if fcntl is None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            file = open(self.path, "a+b")  # noqa: SIM115 - held until release()
            try:
                fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                file.close()
                raise OutputBusy(self.busy or f"{self.target.name}: another shequ build or publish is writing this "
                                 f"folder right now (it holds {self.path}); wait until it ends, then run again") from None
            try:
                same = os.fstat(file.fileno()).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:  # not a file that the previous holder removed as it let go
                self.file = file
                return self
            file.close()

    def release(self) -> None:
        if self.file is not None:
            self.path.unlink(missing_ok=True)
            self.file.close()
            self.file = None


@contextmanager
def staging(target: Path, project: Path, keep: Iterable[Path] = ()) -> Iterator[Path]:
    """A fresh folder beside ``target``; swapped in if the block succeeds, removed if not.
    ``target`` must be the command's own (:func:`claim`), and no other run may be writing it."""
    target = claim(target, project, keep)
    check_replaceable(target)  # before the work, not after it
    lock = Lock(target).acquire()
    try:
        clean_stale(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
        try:
            yield tmp
            mark(tmp)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        swap_in(tmp, target)
    finally:
        lock.release()


def clean_stale(target: Path) -> None:
    """Remove staging folders left by runs that were killed (call it holding the :class:`Lock`)."""
    target = Path(target).resolve()
    if target.parent.is_dir():
        for leftover in target.parent.glob(f".{target.name}.tmp-*"):
            shutil.rmtree(leftover, ignore_errors=True)
    recover(target)


# New files, all or none ----------------------------------------------------------------------------

_BATCH = ".shequ-batch-"


def write_new_files(files: dict[Path, str], root: Path) -> None:
    """Create every file of ``files`` (path inside ``root`` → text), or none of them; never
    replace a file that exists.

    The files are written and flushed to disk in a hidden folder of ``root`` first. Renaming
    that folder from ``….tmp`` to ``….ready`` is the commit: a run killed before it leaves
    nothing (the next run removes the folder), one killed after it is completed by
    :func:`complete_batches`, which :meth:`shequ.project.Project.at` runs before any
    command reads the project. Then each file is linked into place and the folder removed.
    Raises ``FileExistsError`` (before anything is written) if a file exists already."""
    root = Path(root).resolve()
    existing = [p for p in files if Path(p).exists() or Path(p).is_symlink()]
    if existing:
        raise FileExistsError(f"{existing[0]} exists already")
    lock = _batch_lock(root).acquire()
    try:
        complete_batches(root, locked=True)
        tmp = Path(tempfile.mkdtemp(prefix=_BATCH, suffix=".tmp", dir=root))
        try:
            for path, text in files.items():
                staged = tmp / Path(path).resolve().relative_to(root)
                staged.parent.mkdir(parents=True, exist_ok=True)
                with open(staged, "x", encoding="utf-8", newline="\n") as fh:
                    fh.write(text)
                    fh.flush()
                    os.fsync(fh.fileno())
            ready = tmp.with_suffix(".ready")
            tmp.rename(ready)  # the commit
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _fsync_folder(root)
        _move_in(ready, root)
    finally:
        lock.release()


def complete_batches(root: Path, *, locked: bool = False) -> None:
    """Finish what a killed :func:`write_new_files` committed, remove what it had not.
    Skipped while another run writes a batch (it holds the lock)."""
    root = Path(root)
    try:
        leftovers = [p for p in root.iterdir() if p.name.startswith(_BATCH)]
    except OSError:
        return
    if not leftovers:
        return
    with _unless_busy(_batch_lock(root), locked) as free:
        for folder in leftovers if free else ():
            if folder.suffix == ".ready":
                _move_in(folder, root)
            else:
                shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _unless_busy(lock: Lock, held: bool) -> Iterator[bool]:
    """Hold ``lock`` for a clean-up (unless the caller ``held`` it already) and yield True; yield
    False, holding nothing, while another run holds it: what it left is not ours to remove."""
    if held:
        yield True
        return
    try:
        lock.acquire()
    except OutputBusy:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


# A scratch folder in the project ------------------------------------------------------------------

_SCRATCH = ".shequ-import-"


def _scratch_lock(root: Path) -> Lock:
    return Lock(root / "shequ-import", busy="another shequ import is running in this project right now; wait until "
                "it ends, then run again")


@contextmanager
def import_scratch(root: Path) -> Iterator[Path]:
    """A fresh folder ``.shequ-import-*`` in the project, for an import's check of its rows in a
    copy of the datasets; removed when the block ends. One import at a time per project (the
    ids and duplicates it finds hold only while no other import writes); raises
    :class:`OutputBusy` if another one runs.

    It lives beside the sources, not in the system's temporary folder, as the build's
    staging lives beside its output: a killed import leaves it where the user sees it, and
    the next command removes it (:func:`remove_stale_scratch`)."""
    root = Path(root).resolve()
    lock = _scratch_lock(root).acquire()
    try:
        remove_stale_scratch(root, locked=True)
        folder = Path(tempfile.mkdtemp(prefix=_SCRATCH, dir=root))
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        lock.release()


def remove_stale_scratch(root: Path, *, locked: bool = False) -> None:
    """Remove the scratch folders of imports that were killed; skipped while an import runs."""
    try:
        leftovers = [p for p in Path(root).iterdir() if p.name.startswith(_SCRATCH) and p.is_dir()]
    except OSError:
        return
    if not leftovers:
        return
    with _unless_busy(_scratch_lock(Path(root)), locked) as free:
        for folder in leftovers if free else ():
            shutil.rmtree(folder, ignore_errors=True)


def _batch_lock(root: Path) -> Lock:
    return Lock(root / "shequ-batch", busy="another shequ import is writing records into this project right now; "
                "wait until it ends, then run again")


def _move_in(batch: Path, root: Path) -> None:
    kept = False
    for dirpath, _, names in os.walk(batch):
        for name in names:
            staged = Path(dirpath, name)
            target = root / staged.relative_to(batch)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(staged, target)  # fails rather than replace a file
            except FileExistsError:
                if target.read_bytes() != staged.read_bytes():  # not ours: keep both, lose nothing
                    kept = True
                    continue
            staged.unlink()
    if not kept:
        shutil.rmtree(batch, ignore_errors=True)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
