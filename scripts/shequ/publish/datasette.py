"""The SQLite database made ready for datasette and sqlite-utils.

Three additions to the tables of the package:

- **a table per vocabulary** (``vocabulary_legal_forms``…: code, Chinese and English label),
  each with a single-column key, and a foreign key to it from every coded column: datasette
  follows only single-column foreign keys, and then shows the label beside the code. A column
  whose codes come from several vocabularies (the classifications' ``code``, whose vocabulary is
  in the next column) cannot refer to one of those tables; its table has a ``term`` column
  (``vocabulary/code``) instead, which its Table Schema makes a foreign key to
  ``vocabulary_terms.term``, and datasette shows that term's label;
- **full-text search** over names, addresses and descriptions, named as sqlite-utils'
  ``enable_fts`` names it (``<table>_fts``, FTS5, ``content=[<table>]``, rows joined on
  ``rowid``), which is what datasette's ``_search`` looks for;
- **a datasette metadata file** with the titles, descriptions, licence and sources, and the
  label column of each vocabulary table and of ``vocabulary_terms``.

Chinese has no spaces between words, and FTS5's tokenizers cannot split it: ``unicode61``
makes one token of a whole run of characters, and ``trigram`` cannot match the two-character
words Chinese is full of (``老年``). So the index holds, for every run of Chinese characters,
each of its substrings of one to :data:`NGRAM` characters as a token: a search for a word of up
to that length finds every text containing it. The index is written once, from the rows, so it
has no triggers (sqlite-utils' default): a trigger would index an edited row's raw text, which
those searches would not find.
"""

from __future__ import annotations

import re

#: The columns searched, per table.
SEARCHED = {
    "organizations": ("name", "name_en", "address", "description_zh", "description_en"),
    "incubators": ("name", "name_en", "operator", "address", "description_zh", "description_en"),
}

#: The longest run of Chinese characters indexed as one token (most Chinese words are 2–4).
NGRAM = 4

METADATA = "datasette-metadata.json"

#: The column datasette shows beside a code that refers to a term: its Chinese label.
LABEL = "label_zh"

_CHINESE_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def vocabulary_table(vocabulary: str) -> str:
    return f"vocabulary_{vocabulary}"


def coded_fields(schema: dict) -> list[tuple[str, str]]:
    """(column, vocabulary) for every column that holds a code of a vocabulary."""
    return [(f["name"], f["vocabulary"]) for f in schema["fields"] if f.get("vocabulary")]


def used_vocabularies(schemas: list[dict]) -> list[str]:
    return sorted({vocabulary for schema in schemas for _, vocabulary in coded_fields(schema)})


def foreign_key_clauses(schema: dict) -> list[str]:
    """``FOREIGN KEY`` clauses from each coded column to its vocabulary's table."""
    return [f'FOREIGN KEY ("{column}") REFERENCES "{vocabulary_table(vocabulary)}" ("code")'
            for column, vocabulary in coded_fields(schema)]


def create_vocabulary_tables(connection, vocabularies: list[str], terms: list[dict]) -> None:
    """One table per vocabulary, filled from the rows of ``vocabulary_terms``."""
    for vocabulary in vocabularies:
        name = vocabulary_table(vocabulary)
        connection.execute(f'CREATE TABLE "{name}" (\n  "code" TEXT NOT NULL PRIMARY KEY,\n'
                           '  "label_zh" TEXT NOT NULL,\n  "label_en" TEXT NOT NULL\n)')
        connection.executemany(f'INSERT INTO "{name}" VALUES (?, ?, ?)',
                               [(term["code"], term["label_zh"], term["label_en"]) for term in terms
                                if term["vocabulary"] == vocabulary])


def search_text(text: str | None) -> str:
    """The text as the index holds it: other words as they are, and each run of Chinese
    characters as its substrings of 1 to NGRAM characters, e.g. '老年协会' →
    '老 年 协 会 老年 年协 协会 老年协 年协会 老年协会'."""
    if not text:
        return ""

    def grams(match: re.Match) -> str:
        run = match.group()
        return " " + " ".join(run[i:i + n] for n in range(1, NGRAM + 1) for i in range(len(run) - n + 1)) + " "

    return " ".join(_CHINESE_RUN.sub(grams, text).split())


def enable_search(connection, table: str, columns: tuple[str, ...]) -> None:
    """A ``<table>_fts`` FTS5 index over ``columns``, as sqlite-utils' ``enable_fts`` makes it."""
    quoted = ", ".join(f"[{c}]" for c in columns)
    connection.execute(f"CREATE VIRTUAL TABLE [{table}_fts] USING FTS5 ({quoted}, content=[{table}])")
    rows = connection.execute(f"SELECT rowid, {quoted} FROM [{table}] ORDER BY rowid").fetchall()
    marks = ", ".join("?" * (len(columns) + 1))
    connection.executemany(f"INSERT INTO [{table}_fts] (rowid, {quoted}) VALUES ({marks})",
                           ([row[0], *map(search_text, row[1:])] for row in rows))


def metadata(package: dict, schemas: dict[str, dict], vocabularies: list[str], database: str) -> dict:
    """datasette's metadata for the database ``database`` (its file name without ``.sqlite``)."""
    licence = (package.get("licenses") or [{}])[0]
    sources = package.get("sources") or []
    tables: dict[str, dict] = {}
    for name, schema in schemas.items():
        table = {"title": schema.get("title", name), "description": schema.get("description", "")}
        columns = {f["name"]: f["description"] for f in schema["fields"] if f.get("description")}
        if columns:
            table["columns"] = columns
        if name in SEARCHED:
            table["fts_table"], table["fts_pk"] = f"{name}_fts", "rowid"
        if any(f["name"] == LABEL for f in schema["fields"]):
            table["label_column"] = LABEL  # vocabulary_terms, which classifications refer to by term
        tables[name] = table
    for vocabulary in vocabularies:
        tables[vocabulary_table(vocabulary)] = {
            "title": f"Vocabulary {vocabulary}",
            "description": f"The codes of the {vocabulary} vocabulary, from vocabulary_terms, "
                           "with a single-column key that coded columns refer to.",
            "label_column": LABEL,
        }
    meta = {
        "title": package.get("title", ""),
        "description": package.get("description", ""),
        "license": licence.get("title") or licence.get("name", ""),
        "license_url": licence.get("path", ""),
        "databases": {database: {"tables": tables}},
    }
    if sources:
        meta["source"] = "; ".join(s.get("title", "") for s in sources)
        meta["source_url"] = sources[0].get("path", "")
    return meta
