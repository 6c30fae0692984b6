"""The render stage on its own, without MkDocs: page generators, links, escaping helpers."""

from __future__ import annotations

import json
import re

import pytest

from conftest import FILED_ORGANIZATION


def renderer_for(mini, **settings):
    from shequ.pipeline import validate
    from shequ.project import Project
    from shequ.render import Directory, Renderer, Settings

    sources, report = validate(Project.at(mini.root))
    assert report.valid, report.format_text()
    return Renderer(Directory(sources), Settings(**settings))


# Helpers -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("start, target, expected", [
    ("organizations/x/", "incubators/y/", "../../incubators/y/"),
    ("organizations/", "organizations/x/", "x/"),
    ("organizations/x/", "organizations/x.json", "../../organizations/x.json"),
    ("", "data/shequ.xlsx", "data/shequ.xlsx"),
    ("statistics/", "statistics/", "./"),
    ("a/b/", "", "../../"),
])
def test_relative_links_work_under_any_base_path(start, target, expected):
    from shequ.render.html import relative

    assert relative(start, target) == expected


@pytest.mark.parametrize("value, linked", [
    ("https://example.org/a?b=1", True),
    ("http://example.org", True),
    ("javascript:alert(1)", False),
    ("JaVaScRiPt:alert(1)", False),
    ("data:text/html,<script>alert(1)</script>", False),
    ("//example.org/x", False),
    ("https://example.org/\"onmouseover=alert(1)", False),
    ("https:///no-host", False),
    (None, False),
])
def test_only_http_urls_become_links(value, linked):
    from shequ.render.html import http_url

    assert (http_url(value) is not None) == linked


def test_jsonld_cannot_close_its_script_element():
    from shequ.render.html import jsonld

    value = "</script><script>alert(1)</script><!-- & \u2028"
    html = str(jsonld({"name": value}))
    inner = html[len('<script type="application/ld+json">'):-len("</script>")]
    assert "<" not in inner and ">" not in inner and "&" not in inner
    assert json.loads(inner) == {"name": value}


@pytest.mark.parametrize("value", ["../etc", "a/b", "", "A-Upper", ".hidden", "x" * 65, None])
def test_values_that_are_not_ids_never_become_paths(value):
    from shequ.render.model import UnsafeValue, segment

    with pytest.raises(UnsafeValue):
        segment(value)


@pytest.mark.parametrize("value", ["3.1", "tiered", "a-1"])
def test_provision_ids_with_dots_are_paths(value):
    from shequ.render.model import provision_segment

    assert provision_segment(value) == value


@pytest.mark.parametrize("value", ["..", "3..1", ".3", "3.", "a/b"])
def test_provision_ids_cannot_climb(value):
    from shequ.render.model import UnsafeValue, provision_segment

    with pytest.raises(UnsafeValue):
        provision_segment(value)


def test_turtle_literals_and_iris_are_escaped():
    from shequ.render.downloads import _iri, _literal

    assert _literal('a "quoted"\nline \\ end') == '"a \\"quoted\\"\\nline \\\\ end"'
    assert _iri("https://example.org/a b>c") == "<https://example.org/a%20b%3Ec>"


def test_paragraphs_split_at_blank_lines():
    from shequ.render.html import paragraphs

    assert paragraphs("one\nstill one\n\n  two \n\n\n") == ["one\nstill one", "two"]


# Pages ---------------------------------------------------------------------------------------------

def test_organization_page_from_the_mini_project(mini):
    from shequ.render import record_pages

    renderer = renderer_for(mini, edit_base="https://example.org/repo/edit/main/")
    pages = {p.path: p for p in record_pages(renderer)}
    page = pages["organizations/org-silver-age/"]
    assert page.title == "朝阳区银龄互助会"
    assert page.edit_url == "https://example.org/repo/edit/main/datasets/organizations/org-silver-age.yaml"
    assert 'href="../../incubators/inc-chaoyang-base/"' in page.body
    assert "CN-USCI-" in page.body


def test_an_incubator_with_many_organizations_links_to_a_listing_of_all(mini):
    from shequ.render import listing_pages, record_pages
    from shequ.render.directory import INCUBATED_ON_PAGE

    count = INCUBATED_ON_PAGE + 5
    for i in range(count):
        text = FILED_ORGANIZATION.replace("org-harmony-mediators", f"org-incubated-{i:03d}")
        mini.write("organizations", f"org-incubated-{i:03d}", text + "incubated_by: inc-chaoyang-base\n")
    renderer = renderer_for(mini, per_page=10)
    incubator = next(p for p in record_pages(renderer) if p.path == "incubators/inc-chaoyang-base/")
    incubated = incubator.body[incubator.body.index('id="incubated"'):]
    assert incubated.count('<td><a href="../../organizations/org-') == INCUBATED_ON_PAGE  # of count + 1
    assert 'href="organizations/"' in incubated
    from shequ.render.downloads import Package

    package = Package({"name": "mini"}, [])
    listing = [p for p in listing_pages(renderer, package) if p.path.startswith("incubators/inc-chaoyang-base/")]
    assert [p.path for p in listing] == [
        "incubators/inc-chaoyang-base/organizations/",
        "incubators/inc-chaoyang-base/organizations/page/2/",
        "incubators/inc-chaoyang-base/organizations/page/3/",
    ]
    rows = [len(re.findall(r'<td><a href="(?:\.\./)+organizations/org-', p.body)) for p in listing]
    assert rows == [10, 10, 6]
    assert all(not p.search for p in listing)


def test_statistics_count_every_field_of_activity(mini):
    from shequ.render.statistics import charts

    renderer = renderer_for(mini)
    fields = next(c for c in charts(renderer.directory) if c.id == "fields")
    assert {(b.label_en, b.count) for b in fields.bars} == {("Elderly care", 1), ("Mutual aid", 1),
                                                            ("Promoting harmony", 1)}
    assert max(b.width for b in fields.bars) > 0
