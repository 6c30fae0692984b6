"""The Parquet export: one folder per table under ``parquet/``, partitioned by province.

Layout (hive-style, which DuckDB, Spark, BigQuery and pyarrow read in place)::

    parquet/organizations/province=11/part-0.parquet
    parquet/organizations/province=31/part-0.parquet
    parquet/organization_support/province=31/part-0.parquet
    ...
    parquet/vocabulary_terms/part-0.parquet      (no province: not partitioned)

A row's province is the first two digits of its division: an organization's or an
incubator's own, the organization's or incubator's for the rows of their lists, the
code's own for ``divisions``. The ``province`` column lives in the folder names only.
Columns are typed from the Table Schemas: codes stay strings, dates are dates,
integers are int64, numbers float64. A table with no rows has no files.

Query it with DuckDB, for example::

    SELECT province, count(*) FROM read_parquet('parquet/organizations/*/*.parquet',
        hive_partitioning = true, hive_types = {'province': VARCHAR}) GROUP BY ALL;

(``hive_types`` keeps the province a code: readers otherwise guess an integer.)

pyarrow writes the files. It is large, so it is an optional extra
(``pip install "shequ[parquet]"``); without it the package has no Parquet files and
the build says so.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path

from shequ.catalogues import N_
from shequ.publish.tablerows import province_code

FOLDER = "parquet"
PART = "part-0.parquet"
INSTALL_HINT = 'Parquet files not written: pyarrow is not installed (pip install "shequ[parquet]")'
#: IANA registered application/vnd.apache.parquet in 2024
#: (https://www.iana.org/assignments/media-types/application/vnd.apache.parquet); the EU's
#: file-type authority table has PARQUET (render/downloads.py, for DCAT).
MEDIATYPE = "application/vnd.apache.parquet"
PARTITIONED_DESCRIPTION = N_("The table as Parquet with the types of its schema, one file per province "
                             "(hive-style province=NN folders).")
SINGLE_DESCRIPTION = N_("The table as Parquet with the types of its schema, in one file.")

#: Tables whose rows belong to an organization or incubator, and the column that names it.
_OWNER = {"organization_": ("organizations", "organization_id"), "incubator_": ("incubators", "incubator_id")}

log = logging.getLogger("shequ.publish")


def _arrow():
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        return None
    return pyarrow


def available() -> bool:
    return _arrow() is not None


def _arrow_type(pa, field_type: str):
    return {"integer": pa.int64(), "number": pa.float64(), "date": pa.date32()}.get(field_type, pa.string())


def _province_of_rows(name: str, table, tables: dict) -> list[str] | None:
    """Each row's province, or None for a table that is not partitioned."""
    names = [f["name"] for f in table.schema["fields"]]
    if "division" in names:
        i = names.index("division")
        return [province_code(row[i]) for row in table.rows]
    if name == "divisions":
        return [province_code(row[0]) for row in table.rows]
    for prefix, (owner, column) in _OWNER.items():
        if name.startswith(prefix) and column in names and owner in tables:
            owner_fields = [f["name"] for f in tables[owner].schema["fields"]]
            division = owner_fields.index("division")
            province = {row[0]: province_code(row[division]) for row in tables[owner].rows}
            i = names.index(column)
            return [province.get(row[i], "") for row in table.rows]
    return None


def write(folder: Path, tables: dict) -> list[dict]:
    """Write the Parquet files into ``folder/parquet``; return one resource per table
    for ``datapackage.json``. Without pyarrow, write nothing and say so."""
    pa = _arrow()
    if pa is None:
        log.warning(INSTALL_HINT)
        return []
    resources = []
    for name, table in tables.items():
        if not table.rows:
            continue
        fields = table.schema["fields"]
        schema = pa.schema([pa.field(f["name"], _arrow_type(pa, f["type"]),
                                     nullable=not f.get("constraints", {}).get("required", False))
                            for f in fields])
        provinces = _province_of_rows(name, table, tables)
        parts: dict[str, list[list]] = defaultdict(list)
        for i, row in enumerate(table.rows):
            parts[provinces[i] if provinces is not None else ""].append(row)
        paths = []
        for province in sorted(parts):
            sub = Path(FOLDER) / name / (f"province={province}" if provinces is not None else "") / PART
            target = folder / sub
            target.parent.mkdir(parents=True, exist_ok=True)
            rows = parts[province]
            columns = [[row[i] for row in rows] for i in range(len(fields))]
            arrow_table = pa.Table.from_arrays([pa.array(c, type=t.type) for c, t in zip(columns, schema)],
                                               schema=schema)
            # Fixed writer options and no Arrow schema blob: the same rows give the same bytes (with
            # the same pyarrow, whose version the file names as its writer).
            pa.parquet.write_table(arrow_table, target, compression="zstd", compression_level=9,
                                   use_dictionary=True, write_statistics=True, store_schema=False)
            paths.append(sub.as_posix())
        resources.append({
            "name": f"{name}-parquet", "type": "file", "path": paths, "format": "parquet",
            "mediatype": MEDIATYPE,
            "description": PARTITIONED_DESCRIPTION if provinces is not None else SINGLE_DESCRIPTION,
        })
    return resources
