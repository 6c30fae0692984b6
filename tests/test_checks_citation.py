"""CITATION.cff: read with the same guards as every source, and the keys the download page
reads checked for their types, so that a broken file stops ``validate`` instead of the build."""

from __future__ import annotations

import pytest

from conftest import line_of
from site_project import edit, make_site_project, the_problem, validate

CITATION = "CITATION.cff"


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setenv("SHEQU_TODAY", "2026-11-26")
    return make_site_project(tmp_path / "project")


def test_the_shipped_citation_is_valid(site):
    assert validate(site) == (0, [])


@pytest.mark.parametrize("old, new, rule, field, needle", [
    ('  - name: "Shequ contributors"', "  - name: 12", "citation.type", "authors[0].name", "name: 12"),
    ('  - name: "Shequ contributors"', "  - Shequ contributors", "citation.type", "authors[0]", "- Shequ"),
    ('  - name: "Shequ contributors"', "  - affiliation: Shequ", "citation.author", "authors[0]", "affiliation"),
    ("authors:\n  - name: \"Shequ contributors\"", "authors: Shequ contributors", "citation.type", "authors",
     "authors:"),
    ('date-released: "2026-11-26"', "date-released: soon", "citation.date", "date-released", "date-released:"),
    ("title: ", "title:\n  en: ", "citation.type", "title", "title:"),
])
def test_a_wrong_key_is_named_with_its_line_and_rule(site, old, new, rule, field, needle):
    path = edit(site / CITATION, old, new)
    code, problems = validate(site)
    assert code == 1
    problem = the_problem(problems, rule)
    assert (problem["file"], problem["field"], problem["line"]) == (CITATION, field, line_of(path, needle))


@pytest.mark.parametrize("text, rule, line", [
    ("cff-version: 1.2.0\ntitle: [unclosed\nversion: 1\n", "yaml.syntax", 3),
    ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n", "yaml.alias", 1),
    ("- just\n- a list\n", "yaml.not-a-mapping", 1),
    ("", "yaml.empty", 1),
    ("title: !!python/object/apply:os.system [echo]\n", "yaml.tag", 1),
])
def test_an_unreadable_citation_is_one_clear_error(site, text, rule, line):
    (site / CITATION).write_text(text, encoding="utf-8")
    code, problems = validate(site)
    assert code == 1
    problem = the_problem(problems, rule)
    assert (problem["file"], problem["line"]) == (CITATION, line)


def test_a_citation_that_is_not_utf8_is_named(site):
    (site / CITATION).write_bytes("title: 社区\n".encode("gbk"))
    code, problems = validate(site)
    assert code == 1
    assert the_problem(problems, "yaml.encoding")["file"] == CITATION


def test_a_linked_citation_is_refused(site, tmp_path):
    outside = tmp_path / "outside.cff"
    outside.write_text((site / CITATION).read_text(encoding="utf-8"), encoding="utf-8")
    (site / CITATION).unlink()
    (site / CITATION).symlink_to(outside)
    code, problems = validate(site)
    assert code == 1
    assert the_problem(problems, "files.symlink")["file"] == CITATION


def test_a_project_may_have_no_citation(site):
    (site / CITATION).unlink()
    assert validate(site) == (0, [])
