"""The exports to exchange standards and columnar formats, written beside the data package.

Each export is a module of this folder with a ``write`` that writes its files and returns
their resources for ``datapackage.json``; this list is where a new one is registered.
:func:`write_exports` fills in each file's size and sha256 (all the bytes of a resource
with several files, in the order listed), so frictionless checks them like every other file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable

from shequ.publish import hsds, parquet, threesixtygiving
from shequ.publish.identifiers import local_scheme


def _issued(sources) -> str:
    created = sources.package.get("created")
    return str(created) if created else "2000-01-01"


#: (name, writer): a writer takes the folder, the published tables and the sources.
EXPORTS: tuple[tuple[str, Callable], ...] = (
    ("hsds", lambda folder, tables, sources: hsds.write(folder, tables, local=local_scheme(sources.package))),
    ("360giving", lambda folder, tables, sources: threesixtygiving.write(folder, tables, sources.package,
                                                                          _issued(sources))),
    ("parquet", lambda folder, tables, sources: parquet.write(folder, tables)),
)


def write_exports(folder: Path, tables: dict, sources, digests) -> list[dict]:
    """Write every export into ``folder``; return their resources, each with bytes and hash.
    ``digests``: :class:`shequ.publish.package.Digests`, which reads each file once."""
    resources = []
    for _name, writer in EXPORTS:
        for resource in writer(folder, tables, sources):
            paths = resource["path"] if isinstance(resource["path"], list) else [resource["path"]]
            facts = [digests(folder / p) for p in paths]
            resource["bytes"] = sum(size for size, _ in facts)
            resource["hash"] = "sha256:" + (facts[0][1] if len(paths) == 1 else _joined_sha256(folder, paths))
            resources.append(resource)
    return resources


def _joined_sha256(folder: Path, paths: list[str]) -> str:
    """The sha256 of a multipart resource: of its files' bytes one after the other, as
    frictionless reads it."""
    digest = hashlib.sha256()
    for path in paths:
        with (folder / path).open("rb") as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()
