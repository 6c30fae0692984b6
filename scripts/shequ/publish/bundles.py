"""Zip files of the package for people rather than data tools.

- ``shequ-csv-excel.zip``: every CSV table with a UTF-8 byte order mark. Excel on Chinese
  Windows decodes a CSV file without one as GB18030 and shows mojibake on a double click;
  data tools (frictionless, pandas, DuckDB) expect the plain UTF-8 of the package's own CSV
  files, so the BOM copies are a separate download, named for what they are for.
- ``shequ-data.zip``: every file of the package in one download, apart from ``SHA256SUMS``
  (which lists the zip's own hash) and the zip itself, those in folders (``parquet/``,
  ``hsds/``) under their paths. ``datapackage.json`` inside it holds the size and hash of
  every other file, so ``frictionless validate`` checks an unpacked copy.

Entries carry a fixed time and mode, so the same files give the same bytes.
"""

from __future__ import annotations

import codecs
import shutil
import zipfile
from pathlib import Path

EXCEL_CSV_ZIP = "shequ-csv-excel.zip"
EVERYTHING_ZIP = "shequ-data.zip"

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_ZIP_MODE = 0o644 << 16


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = _ZIP_MODE
    return info


def _add(zf: zipfile.ZipFile, name: str, source: Path, prefix: bytes = b"") -> None:
    with source.open("rb") as src, zf.open(_entry(name), "w", force_zip64=True) as out:
        out.write(prefix)
        shutil.copyfileobj(src, out, 1 << 20)


def write_excel_csv_zip(folder: Path, csv_names: list[str]) -> Path:
    """The CSV files ``csv_names`` of ``folder``, each with a UTF-8 BOM, in one zip."""
    path = folder / EXCEL_CSV_ZIP
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in csv_names:
            _add(zf, name, folder / name, codecs.BOM_UTF8)
    return path


def write_everything_zip(folder: Path) -> Path:
    """Every file of ``folder`` and its subfolders but SHA256SUMS, in one zip, each under
    its path in the package (``parquet/organizations/province=11/part-0.parquet``)."""
    path = folder / EVERYTHING_ZIP
    skipped = {EVERYTHING_ZIP, "SHA256SUMS"}
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                   if p.is_file() and p.relative_to(folder).as_posix() not in skipped)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            _add(zf, name, folder / name)
    return path
