"""The same sources, the same index files: a patch of Pagefind's private files.

Pagefind 1.5 writes the values of each filter in hash-map order, which changes from run
to run; the filter files' names are hashes of their contents, the metadata names them,
and pagefind-entry.json names the metadata. So two builds of the same sources would
differ in those files. :func:`canonical_filters` rewrites them with the values in sorted
order: the same sources then give byte-identical index files. The files are Pagefind's
own format: gzip of "pagefind_dcd" and CBOR (integers, text and arrays only).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

from shequ.render import language
from shequ.search.pagefind import SearchIndexError

_SIGNATURE = b"pagefind_dcd"


def _cbor_decode(data: bytes, i: int = 0):
    head = data[i]
    major, info = head >> 5, head & 31
    i += 1
    if info < 24:
        n = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        n = int.from_bytes(data[i:i + size], "big")
        i += size
    else:
        raise SearchIndexError(f"unexpected CBOR item {head:#x} in a Pagefind file")
    if major == 0:
        return n, i
    if major == 3:
        return data[i:i + n].decode("utf-8"), i + n
    if major == 4:
        items = []
        for _ in range(n):
            item, i = _cbor_decode(data, i)
            items.append(item)
        return items, i
    raise SearchIndexError(f"unexpected CBOR type {major} in a Pagefind file")


def _cbor_head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise ValueError(n)


def _cbor_encode(value) -> bytes:
    if isinstance(value, bool) or value is None:
        raise TypeError(value)
    if isinstance(value, int):
        return _cbor_head(0, value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(_cbor_encode(v) for v in value)
    raise TypeError(type(value).__name__)


def read_pagefind(path: Path):
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_SIGNATURE):
        raise SearchIndexError(f"{path.name} is not a Pagefind file")
    value, _ = _cbor_decode(data, len(_SIGNATURE))
    return value


def _pagefind_bytes(value) -> bytes:
    return gzip.compress(_SIGNATURE + _cbor_encode(value), compresslevel=9, mtime=0)


def canonical_filters(output: Path) -> None:
    """Rewrite the filter files, the metadata and the entry file of the index in ``output``
    so that they depend only on what was indexed."""
    entry_path = output / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for lang, info in entry["languages"].items():
        meta_path = output / f"pagefind.{info['hash']}.pf_meta"
        meta = read_pagefind(meta_path)
        filters = meta[3]
        renamed = []
        for name, old in filters:
            path = output / "filter" / f"{old}.pf_filter"
            filter_name, values = read_pagefind(path)
            data = _pagefind_bytes([filter_name, sorted(values, key=lambda v: v[0])])
            new = f"{lang}_{hashlib.sha256(data).hexdigest()[:7]}"
            path.unlink()
            (output / "filter" / f"{new}.pf_filter").write_bytes(data)
            renamed.append([name, new])
        meta[3] = sorted(renamed)
        meta[4] = sorted(meta[4], key=lambda s: s[0])
        data = _pagefind_bytes(meta)
        new = f"{lang}_{hashlib.sha256(data).hexdigest()[:10]}"
        meta_path.unlink()
        (output / f"pagefind.{new}.pf_meta").write_bytes(data)
        info["hash"] = new
    # Languages in a fixed order too (Pagefind's is its hash map's): the site's default first,
    # which Pagefind's script falls back to, of indexes as large, for a page of another language.
    entry["languages"] = dict(sorted(entry["languages"].items(),
                                     key=lambda item: (not item[0].startswith(language.DEFAULT), item[0])))
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


