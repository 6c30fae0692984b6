"""What a field is for comes from its Table Schema: a new field needs no code.

In a copy of the demo project, one free-text field (``motto``) and one coded field with
its vocabulary (``meeting_cadence``) are added by touching only the schema, a vocabulary
and a record. The site is built once; the fields must then be on the record pages in
both languages, in every published format, in search, as a directory facet, and under
the text and privacy rules.
"""

from __future__ import annotations

import csv
import gzip
import html
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from test_site import ORG, make_site_project, mkdocs_build

MOTTO = "邻里守望相助"
CADENCE_ZH, CADENCE_EN = "每周活动", "Meets weekly"

FREE_TEXT_FIELD = {
    "name": "motto", "type": "string", "title": "Motto", "title_zh": "口号",
    "description": "The organization's motto, in its own words.", "description_zh": "组织的口号，用它自己的话。",
    "constraints": {"maxLength": 200},
    "roles": ["searchable", "free-text", "asked"],
}
CODED_FIELD = {
    "name": "meeting_cadence", "type": "string", "title": "Meeting cadence", "title_zh": "活动频率",
    "description": "How often members meet, a code from the meeting_cadences vocabulary.",
    "description_zh": "成员多久聚一次，活动频率词表（meeting_cadences）中的代码。",
    "constraints": {"maxLength": 64},
    "vocabulary": "meeting_cadences",
    "roles": ["searchable", {"facet": "cadence", "order": 6}, "result", "asked"],
}
VOCABULARY = f"""\
title_en: Meeting cadences
title_zh: 活动频率
terms:
  - {{code: weekly, label_en: {CADENCE_EN}, label_zh: {CADENCE_ZH}, provision: social-groups-regulations/supervision}}
  - {{code: monthly, label_en: Meets monthly, label_zh: 每月活动, provision: social-groups-regulations/supervision}}
"""


def add_fields(root: Path) -> None:
    """The whole change a maintainer makes: a schema, a vocabulary, a record. No code."""
    schema_path = root / "datasets" / "schemas" / "organizations.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["fields"] += [FREE_TEXT_FIELD, CODED_FIELD]
    schema_path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (root / "datasets" / "vocabularies" / "meeting_cadences.yaml").write_text(VOCABULARY, encoding="utf-8")
    record = root / "datasets" / "organizations" / f"{ORG}.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("status: active\n", f"status: active\nmotto: {MOTTO}\nmeeting_cadence: weekly\n", 1),
                      encoding="utf-8")


@pytest.fixture(scope="module")
def extended(tmp_path_factory) -> Path:
    """The demo project with the two new fields, built once."""
    root = make_site_project(tmp_path_factory.mktemp("roles") / "project")
    add_fields(root)
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stderr[-4000:]
    return root


def _page(root: Path, path: str) -> str:
    return (root / "site" / path / "index.html").read_text(encoding="utf-8")


def test_both_fields_are_on_the_record_page_in_both_languages(extended):
    zh = _page(extended, f"organizations/{ORG}")
    en = _page(extended, f"en/organizations/{ORG}")
    assert "口号" in zh and MOTTO in zh and "活动频率" in zh and CADENCE_ZH in zh
    assert "Motto" in en and MOTTO in en and "Meeting cadence" in en and CADENCE_EN in en


def _package(root: Path) -> Path:
    [found] = [p.parent for p in (root / "site").rglob("datapackage.json") if "en" not in p.relative_to(root).parts]
    return found


def test_both_fields_are_in_every_published_format(extended):
    folder = _package(extended)
    with (folder / "organizations.csv").open(encoding="utf-8", newline="") as fh:
        [row] = [r for r in csv.DictReader(fh) if r["id"] == ORG]
    assert row["motto"] == MOTTO and row["meeting_cadence"] == "weekly"
    rows = json.loads((folder / "organizations.json").read_text(encoding="utf-8"))
    [item] = [r for r in rows if (r["id"] if isinstance(r, dict) else r[0]) == ORG]
    assert MOTTO in json.dumps(item, ensure_ascii=False) and "weekly" in json.dumps(item)
    with sqlite3.connect(folder / "shequ.sqlite") as db:
        assert db.execute("SELECT motto, meeting_cadence FROM organizations WHERE id = ?", (ORG,)).fetchone() == (
            MOTTO, "weekly")
        terms = db.execute("SELECT code FROM vocabulary_terms WHERE vocabulary = 'meeting_cadences'").fetchall()
        assert {t[0] for t in terms} == {"weekly", "monthly"}
    from openpyxl import load_workbook

    sheet = load_workbook(folder / "shequ.xlsx", read_only=True)["organizations"]
    table = [[c for c in r] for r in sheet.iter_rows(values_only=True)]
    header = table[1]  # row 1 holds the Chinese titles, row 2 the field names
    [mine] = [r for r in table[2:] if r[header.index("id")] == ORG]
    assert mine[header.index("motto")] == MOTTO and mine[header.index("meeting_cadence")] == "weekly"
    # The roles steer the project's code; the published schema keeps to the standard.
    descriptor = (folder / "datapackage.json").read_text(encoding="utf-8")
    assert '"roles"' not in descriptor and '"listRoles"' not in descriptor
    assert '"meeting_cadence"' in descriptor and '"weekly"' in descriptor


def _directory(root: Path, name: str):
    path = root / "site" / "directory-index" / name
    data = path.read_bytes()
    return json.loads(gzip.decompress(data) if name.endswith(".gz") else data)


def test_both_fields_are_found_by_search_and_the_code_is_a_directory_facet(extended):
    from shequ.search.tokens import directory_words
    from shequ.search.tokens import fnv1a

    manifest = _directory(extended, "manifest.json")
    assert manifest["format"] == 1
    [facet] = [f for f in manifest["facets"] if f["name"] == "cadence"]
    assert facet == {"name": "cadence", "field": "meeting_cadence", "list": False, "title": ["活动频率", "Meeting cadence"]}
    assert manifest["codes"]["cadence"] == ["weekly", "monthly"]
    assert {"field": "meeting_cadence", "facet": "cadence"} in manifest["results"]
    # The organization's id in the index: where its document is.
    fields = manifest["fields"]
    docs = [d for n in range((manifest["count"] + manifest["chunk"] - 1) // manifest["chunk"])
            for d in _directory(extended, f"d/{n}.json.gz")]
    [org_id] = [i for i, d in enumerate(docs) if d[fields.index("path")] == f"organizations/{ORG}/"]
    assert docs[org_id][fields.index("meeting_cadence")] == "weekly"
    # The facet column holds the code's position for it.
    columns = _directory(extended, "facets.json.gz")
    assert columns["cadence"][org_id] == manifest["codes"]["cadence"].index("weekly")
    # Words of the motto and of the code's labels, in both languages, find it.
    from test_search import _ids

    for text in (MOTTO[2:], CADENCE_ZH, "weekly"):
        for word in directory_words(text):
            shard = _directory(extended, f"t/{fnv1a(word) % manifest['shards']}.json.gz")
            pair = shard[word] if shard[word] != 1 else _directory(extended, f"t/w/{word}.json.gz")
            assert org_id in _ids(pair[0]) + _ids(pair[1]), (text, word)
    # The directory page carries the facet's labels for the script.
    listing = _page(extended, "organizations")
    [labels] = re.findall(r'data-labels="([^"]*)"', listing)
    assert json.loads(html.unescape(labels))["cadence"]["weekly"] == [CADENCE_ZH, CADENCE_EN]


def _copy_sources(root: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("site", ".cache", "__pycache__"))
    return copy


@pytest.mark.parametrize("value,rule", [("=HYPERLINK(\"http://x\")", "text.formula"),
                                        ("联系 13812345678", "privacy.mobile")])
def test_the_free_text_field_is_under_the_text_and_privacy_rules(extended, tmp_path, monkeypatch, value, rule):
    from shequ.build.pipeline import validate
    from shequ.project import Project

    monkeypatch.setenv("SHEQU_TODAY", "2026-11-26")
    copy = _copy_sources(extended, tmp_path)
    record = copy / "datasets" / "organizations" / f"{ORG}.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace(f"motto: {MOTTO}", f"motto: '{value}'"),
                      encoding="utf-8")
    report = validate(Project.at(copy))[1]
    found = [p for p in report.problems if p.rule == rule]
    assert found and found[0].path[0] == "motto", report.format_text()


def test_shequ_new_asks_for_both_fields(extended):
    from shequ.project import Project
    from shequ.sources.tables import Schemas
    from shequ.tools.scaffold import flag_fields

    flags = flag_fields(Schemas(Project.at(extended)), "organizations")
    assert "motto" in flags and "meeting_cadence" in flags


def test_an_unknown_role_is_a_clear_error_at_its_field(mini):
    from conftest import line_of, one_problem

    path = mini.root / "datasets" / "schemas" / "incubators.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    [operator] = [f for f in schema["fields"] if f["name"] == "operator"]
    operator["roles"] = ["serchable"]
    path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    problem = one_problem(mini.report(), "schemas.roles")
    assert "'serchable'" in problem.message and "searchable" in problem.hint
    assert problem.line == line_of(path, '"name": "operator"')
