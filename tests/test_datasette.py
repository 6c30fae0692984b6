"""The published SQLite database, served by datasette's own test client: full-text search
finds Chinese words, and coded columns show their labels."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import REPO
from shequ.build.pipeline import publish_package
from shequ.project import Project
from shequ.publish import datasette as datasette_module

datasette_app = pytest.importorskip("datasette.app")


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    """The repository's demonstration data, published once (it has enough records to search)."""
    root = tmp_path_factory.mktemp("repo")
    shutil.copytree(REPO / "datasets", root / "datasets")
    out = tmp_path_factory.mktemp("out") / "data"
    publish_package(Project.at(root), out)
    return out


def get_json(package: Path, path: str):
    return json.loads(get_text(package, path))


def get_text(package: Path, path: str) -> str:
    metadata = json.loads((package / datasette_module.METADATA).read_text(encoding="utf-8"))
    ds = datasette_app.Datasette([str(package / "shequ.sqlite")], metadata=metadata)

    async def fetch():
        response = await ds.client.get(path)
        assert response.status_code == 200, (path, response.text[:500])
        return response.text

    # In a thread of its own: a worker that shares a Playwright browser has an event loop
    # running in this one, and asyncio.run refuses to start a second.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, fetch()).result()


def test_search_for_a_two_character_chinese_word_narrows_the_organizations(package):
    everything = get_json(package, "/shequ/organizations.json?_shape=array&_size=max")
    found = get_json(package, "/shequ/organizations.json?_shape=array&_size=max&_search=老年")
    assert 0 < len(found) < len(everything)
    searched = datasette_module.SEARCHED["organizations"]
    assert all(any("老年" in (row[c] or "") for c in searched) for row in found)
    expected = {row["id"] for row in everything if any("老年" in (row[c] or "") for c in searched)}
    assert {row["id"] for row in found} == expected


def test_search_matches_a_word_inside_a_longer_run_of_chinese(package):
    # A description says '…居家养老…': the word 养老 inside it is found.
    everything = get_json(package, "/shequ/organizations.json?_shape=array&_size=max")
    expected = {row["id"] for row in everything if "养老" in (row["description_zh"] or "")}
    found = get_json(package, "/shequ/organizations.json?_shape=array&_size=max&_search=养老")
    assert expected and expected <= {row["id"] for row in found}


def test_coded_column_shows_its_chinese_label(package):
    rows = get_json(package, "/shequ/organizations.json?_shape=array&_labels=on&_size=max")
    with sqlite3.connect(package / "shequ.sqlite") as db:
        labels = dict(db.execute("SELECT code, label_zh FROM vocabulary_terms WHERE vocabulary = 'legal_forms'"))
        statuses = dict(db.execute("SELECT code, label_zh FROM vocabulary_terms WHERE vocabulary = 'statuses'"))
    for row in rows:
        assert row["legal_form"] == {"value": row["legal_form"]["value"], "label": labels[row["legal_form"]["value"]]}
        assert row["status"]["label"] == statuses[row["status"]["value"]]


def coded_columns(package: Path) -> list[tuple[str, str, str]]:
    """(table, column, how its labels are found) for every column of the package that holds a
    vocabulary's code: 'vocabulary:<name>' for a column of one vocabulary, 'term' for the column
    that joins a row's vocabulary and code, where its vocabulary varies from row to row."""
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    found = []
    for resource in descriptor["resources"]:
        if resource["format"] != "csv":
            continue
        schema = resource["schema"]
        for field in schema["fields"]:
            if field.get("vocabulary"):
                found.append((resource["name"], field["name"], f"vocabulary:{field['vocabulary']}"))
        for fk in schema.get("foreignKeys", []):
            if fk["reference"]["resource"] == "vocabulary_terms" and fk["fields"] == ["term"]:
                found.append((resource["name"], "term", "term"))
    return found


def test_every_coded_column_has_a_single_column_foreign_key_to_its_labels(package):
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    labelled = {(table, column) for table, column, _ in coded_columns(package)}
    with sqlite3.connect(package / "shequ.sqlite") as db:
        for resource in descriptor["resources"]:
            if resource["format"] != "csv":
                continue
            name = resource["name"]
            keys = {(r[3], r[2], r[4]) for r in db.execute(f'PRAGMA foreign_key_list("{name}")')}
            for field in resource["schema"]["fields"]:
                if field.get("vocabulary"):
                    assert (field["name"], f"vocabulary_{field['vocabulary']}", "code") in keys, field["name"]
            # A code whose vocabulary is in another column (a two-column key datasette cannot
            # follow) is labelled through the table's term column, which must agree with the pair.
            for fk in resource["schema"].get("foreignKeys", []):
                if fk["reference"] == {"resource": "vocabulary_terms", "fields": ["vocabulary", "code"]}:
                    vocabulary, code = fk["fields"]
                    assert (name, "term") in labelled and ("term", "vocabulary_terms", "term") in keys, name
                    disagreeing = db.execute(f'SELECT count(*) FROM "{name}" WHERE term IS NOT '
                                             f'"{vocabulary}" || \'/\' || "{code}"').fetchone()[0]
                    assert disagreeing == 0, name
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert ("organization_classifications", "term", "term") in coded_columns(package)


def test_every_coded_column_of_every_table_shows_its_label(package):
    with sqlite3.connect(package / "shequ.sqlite") as db:
        by_code = {(f"vocabulary:{v}", code): label
                   for v, code, label in db.execute("SELECT vocabulary, code, label_zh FROM vocabulary_terms")}
        by_term = {("term", term): label for term, label in db.execute("SELECT term, label_zh FROM vocabulary_terms")}
    expected_labels = {**by_code, **by_term}
    columns = coded_columns(package)
    assert {table for table, _, _ in columns} >= {"organizations", "incubators", "organization_support",
                                                  "incubator_support_types", "organization_classifications"}
    for table, column, how in columns:
        rows = get_json(package, f"/shequ/{table}.json?_shape=array&_labels=on&_size=max")
        coded = [row[column] for row in rows if row[column] is not None]
        assert coded, (table, column)
        for cell in coded:
            assert cell == {"value": cell["value"], "label": expected_labels[how, cell["value"]]}, (table, column)


def test_a_classification_shows_its_label_beside_its_code(package):
    rows = get_json(package, "/shequ/organization_classifications.json?_shape=array&_labels=on"
                             "&vocabulary=fields_of_activity&code=elderly-care")
    assert rows
    for row in rows:
        assert row["code"] == "elderly-care"
        assert row["term"] == {"value": "fields_of_activity/elderly-care", "label": "养老照护"}
    page = get_text(package, "/shequ/organization_classifications?vocabulary=fields_of_activity&code=elderly-care")
    # Beside the code, the term is shown by its label, a link to the term's own row.
    link = "/shequ/vocabulary_terms/fields_of_activity~2Felderly-care"
    assert f'<a href="{link}">养老照护</a>' in page
    assert "Elderly care" in get_text(package, link)


def test_metadata_file_carries_title_licence_and_source(package):
    meta = json.loads((package / datasette_module.METADATA).read_text(encoding="utf-8"))
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    assert meta["title"] == descriptor["title"]
    assert meta["license_url"] == descriptor["licenses"][0]["path"]
    assert meta["source_url"] == descriptor["sources"][0]["path"]
    served = get_json(package, "/-/metadata.json")
    assert served["title"] == descriptor["title"]


@pytest.mark.parametrize("text, tokens", [
    ("老年协会", "老 年 协 会 老年 年协 协会 老年协 年协会 老年协会"),
    ("Elder care 老年", "Elder care 老 年 老年"),
    ("", ""),
])
def test_search_text_indexes_each_short_run_of_chinese_characters(text, tokens):
    assert datasette_module.search_text(text) == tokens
