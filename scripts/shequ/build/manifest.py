"""The site's manifest: every file of a built site with its SHA-256 and size.

Each build writes it as the site's last file, ``site/.shequ-manifest.json``. A deploy compares
it with the manifest of the previous deploy and uploads only the files whose hash changed
(``shequ deploy``, :mod:`shequ.tools.deploy`). It is written from the site's bytes alone,
sorted, with no clock, so the same sources give the same manifest.

Its name starts with a dot, like the output marker (:data:`shequ.atomic.MARKER`): GitHub
Pages' upload leaves such files out, and a reader has no use for it. Neither file is listed.

Example::

    hashes = Hashes()
    files = hashes.files(Path("site"))      # {"index.html": FileEntry(sha256="…", size=5120), …}
    write(Path("site"), files)
    assert read(Path("site") / NAME) == files
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from shequ import atomic
from shequ.errors import ShequError

#: The manifest's file name, in the site's top folder (and, after a deploy, under the bucket's prefix).
NAME = ".shequ-manifest.json"
FORMAT = 1
#: Files of the site folder that are not the site: the output marker and the manifest itself.
NOT_LISTED = frozenset({NAME, atomic.MARKER})
_CHUNK = 1 << 20


class ManifestError(ShequError):
    """A manifest that cannot be read: its file and what is wrong with it."""


@dataclass(frozen=True)
class FileEntry:
    sha256: str
    size: int


def _digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class Hashes:
    """Hashes the files of a site. It remembers each file's hash by its inode, size and change
    time, so a ``serve`` session, whose rebuilds link unchanged pages from the last build,
    hashes only the files a rebuild wrote anew."""

    def __init__(self) -> None:
        self.known: dict[tuple[int, int, int, int], str] = {}
        self.hashed = 0  # files read in the last call (the others were known)

    def files(self, site: Path) -> dict[str, FileEntry]:
        """Every file under ``site`` but :data:`NOT_LISTED`, by its path relative to ``site``
        (with ``/``), sorted. Symbolic links are followed as a web server would."""
        site = Path(site)
        found: list[tuple[str, str, os.stat_result]] = []
        for folder, subfolders, names in os.walk(site, followlinks=True):
            subfolders.sort()
            relative = Path(folder).relative_to(site).as_posix()
            for name in sorted(names):
                if relative == "." and name in NOT_LISTED:
                    continue
                path = os.path.join(folder, name)
                found.append((name if relative == "." else f"{relative}/{name}", path, os.stat(path)))
        keys = [(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns) for _, _, st in found]
        # One thread: most files are small pages, where a pool of threads costs more than it saves.
        fresh = {key: _digest(path) for key, (_, path, _) in zip(keys, found) if key not in self.known}
        self.hashed = len(fresh)
        self.known = {key: self.known.get(key) or fresh[key] for key in keys}  # only this site's files
        return {name: FileEntry(self.known[key], st.st_size) for key, (name, _, st) in zip(keys, found)}


def dumps(files: dict[str, FileEntry]) -> bytes:
    """The manifest's bytes: one JSON object, paths sorted, no time stamp."""
    listed = {name: {"sha256": entry.sha256, "size": entry.size} for name, entry in sorted(files.items())}
    return (json.dumps({"format": FORMAT, "files": listed}, ensure_ascii=False, separators=(",", ":"))
            + "\n").encode("utf-8")


def write(site: Path, files: dict[str, FileEntry]) -> Path:
    """Write the manifest into ``site`` as a new file (never through a link to an older site's)."""
    path = Path(site) / NAME
    path.unlink(missing_ok=True)
    path.write_bytes(dumps(files))
    return path


def loads(data: bytes, where: str) -> dict[str, FileEntry]:
    """The files a manifest lists; :class:`ManifestError` naming ``where`` if it is not one."""
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{where}: not a shequ manifest: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT or not isinstance(document.get("files"), dict):
        raise ManifestError(f"{where}: not a shequ manifest of format {FORMAT} (expected an object with "
                            "\"format\": 1 and \"files\")")
    files = {}
    for name, entry in document["files"].items():
        try:
            sha256, size = entry["sha256"], entry["size"]
            valid = (isinstance(sha256, str) and len(sha256) == 64 and isinstance(size, int)
                     and not isinstance(size, bool) and size >= 0)
        except (TypeError, KeyError):
            valid = False
        if not valid:
            raise ManifestError(f"{where}: files.{name}: expected {{\"sha256\": 64 hex digits, \"size\": bytes}}")
        files[name] = FileEntry(sha256, size)
    return files


def read(path: Path) -> dict[str, FileEntry]:
    return loads(Path(path).read_bytes(), str(path))
