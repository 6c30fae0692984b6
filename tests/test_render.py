"""The render stage on its own, without MkDocs: page generators, links, escaping helpers."""

from __future__ import annotations

import json
import re

import pytest

from conftest import FILED_ORGANIZATION


def renderer_for(mini, lang="zh", **settings):
    from shequ.build.pipeline import validate
    from shequ.project import Project
    from shequ.render import Directory, Renderer, Settings

    sources, report = validate(Project.at(mini.root))
    assert report.valid, report.format_text()
    return Renderer(Directory(sources), Settings(**settings), lang=lang)


def both_renderers(mini, **settings):
    """A Chinese and an English renderer of one directory."""
    from shequ.render import Renderer

    zh = renderer_for(mini, **settings)
    return zh, Renderer(zh.directory, zh.settings, lang="en")


READING_CLUB = """\
id: org-reading-club
name: 阿里社区读书会
name_en: Zebra Street Reading Club
legal_form: unregistered
management_track: filed
registration_authority: 建外街道办事处
registration_date: 2020-03-01
division: "110105001"
founded: 2020-01-15
status: active
fields_of_activity: [culture]
sources:
  - title: Shequ demonstration record (fictional)
    url: https://example.org/shequ-demo/org-reading-club
    accessed: 2026-11-01
last_verified: 2026-11-01
"""


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


def test_the_language_of_a_text_from_a_record():
    from shequ.render.html import text_lang

    assert text_lang("北京市朝阳区民政局") == "zh"
    assert text_lang("Shequ demonstration record (fictional)") == "en"
    assert [text_lang(v) for v in ("contact@example.org", "010-6555 0123", "GB 32100-2015", 3, None)] == [None] * 5


def test_file_sizes_in_each_language():
    from shequ.render.html import format_size

    assert format_size(895, "zh") == "895 字节" and format_size(895) == "895 bytes"
    assert format_size(2048, "zh") == format_size(2048) == "2.0 KB"


def test_a_sentence_with_markup_escapes_only_its_values():
    from shequ.render.html import fill

    assert str(fill('<a href="{to}">{n} 个组织</a>', to="a/", n="<b>")) == '<a href="a/">&lt;b&gt; 个组织</a>'


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


def test_a_record_leads_with_the_name_in_the_pages_language(mini):
    from shequ.render import record_pages

    zh, en = both_renderers(mini, edit_base="https://example.org/repo/edit/main/")
    zh_page = next(p for p in record_pages(zh) if p.path == "organizations/org-silver-age/")
    en_page = next(p for p in record_pages(en) if p.path == "en/organizations/org-silver-age/")
    assert en_page.title == "Chaoyang Silver Age Mutual Aid Association"
    assert ('<h1 class="shequ-title">朝阳区银龄互助会 <small lang="en">Chaoyang Silver Age Mutual Aid Association'
            '</small></h1>') in zh_page.body
    assert ('<h1 class="shequ-title">Chaoyang Silver Age Mutual Aid Association <small lang="zh">朝阳区银龄互助会'
            '</small></h1>') in en_page.body
    # Descriptions, field labels and vocabulary labels in the page's language only.
    assert "虚构的老年居民互助组织。" in zh_page.body and "A fictional mutual aid" not in zh_page.body
    assert "A fictional mutual aid" in en_page.body and "虚构的老年居民互助组织" not in en_page.body
    assert "<th scope=\"row\">成立日期</th>" in zh_page.body and "<th scope=\"row\">Founded</th>" in en_page.body
    assert ">养老照护</a>" in zh_page.body and ">Elderly care</a>" in en_page.body
    assert "Elderly care" not in zh_page.body and "养老照护" not in en_page.body
    # Page links are the same in both trees; the record's JSON, shared, is one level further up.
    assert 'href="../../incubators/inc-chaoyang-base/"' in en_page.body
    assert 'href="../../organizations/org-silver-age.json"' in zh_page.body
    assert 'href="../../../organizations/org-silver-age.json"' in en_page.body
    assert en_page.edit_url == zh_page.edit_url


def test_a_record_without_english_shows_its_chinese_marked_as_such(mini):
    from shequ.render import record_pages

    _, en = both_renderers(mini)
    page = next(p for p in record_pages(en) if p.path == "en/organizations/org-harmony-mediators/")
    assert page.title == "朝外调解志愿队"
    assert '<h1 class="shequ-title"><span lang="zh">朝外调解志愿队</span></h1>' in page.body
    assert '<span lang="zh">朝外街道办事处</span>' in page.body  # the registration authority
    assert '<a href="../../regions/110105/"><span lang="zh">朝阳区</span></a>' in page.body


def test_a_description_in_the_other_language_only_says_so(mini):
    from shequ.render import record_pages

    mini.edit("organizations", "org-silver-age", "description_zh: 虚构的老年居民互助组织。\n", "")
    zh, en = both_renderers(mini)
    zh_page = next(p for p in record_pages(zh) if p.path == "organizations/org-silver-age/")
    en_page = next(p for p in record_pages(en) if p.path == "en/organizations/org-silver-age/")
    assert "暂无中文简介" in zh_page.body
    assert '<p class="shequ-description" lang="en">A fictional mutual aid group of older residents.</p>' in zh_page.body
    assert '<p class="shequ-description">A fictional mutual aid group of older residents.</p>' in en_page.body
    assert "No English description yet" not in en_page.body


def test_listings_sort_by_pinyin_in_chinese_and_by_english_name_in_english(mini):
    from shequ.render.directory import incubator_listing, organization_listing
    from shequ.render.regions import region

    mini.write("organizations", "org-reading-club", READING_CLUB)
    zh, en = both_renderers(mini)

    def order(html):
        return re.findall(r'<td><a href="[./]*(?:organizations/)?(org-[a-z-]+)/"', html)

    # 阿里 (a li) < 朝外 (chao wai) < 朝阳 (chao yang); in English, names without one sort by their pinyin.
    assert order(organization_listing(zh)[0].body) == ["org-reading-club", "org-harmony-mediators", "org-silver-age"]
    assert order(organization_listing(en)[0].body) == ["org-harmony-mediators", "org-silver-age", "org-reading-club"]
    county = region(zh, zh.directory.regions["110105"])[0].body
    assert order(county) == ["org-reading-club", "org-harmony-mediators", "org-silver-age"]
    assert incubator_listing(en).title == "Incubators" and incubator_listing(zh).title == "孵化机构"


def test_topic_terms_and_the_glossary_sort_in_the_readers_language(mini):
    from shequ.render.policy import glossary_order
    from shequ.render.topics import topic_index

    zh, en = both_renderers(mini)

    def labels(page, vocabulary):
        section = page.body[page.body.index(f'id="{vocabulary}"'):]
        section = section[:section.index("</ul>")]
        return re.findall(r'<a href="[^"]+">([^<]+)</a>', section)

    zh_labels, en_labels = labels(topic_index(zh), "fields_of_activity"), labels(topic_index(en), "fields_of_activity")
    assert len(zh_labels) == len(en_labels) > 3
    assert en_labels == sorted(en_labels, key=str.casefold)
    assert zh_labels == sorted(zh_labels, key=lambda label: zh.sort_key(label))
    assert zh_labels != [zh.pick(t.label_zh, t.label_en) for t in sorted(zh.directory.terms["fields_of_activity"].values(),
                                                                             key=lambda t: t.label_en.casefold())]
    glossary = zh.directory.policy.glossary
    assert [t.en.casefold() for t in glossary_order(en, glossary)] == sorted(t.en.casefold() for t in glossary)
    pinyin = [t.pinyin for t in glossary_order(zh, glossary)]
    assert pinyin.index("shèhuì tuántǐ") < pinyin.index("shèqū shèhuì zǔzhī")  # not by the code point of "è"


def test_titles_and_sidebars_are_in_one_language(mini):
    from shequ.render import listing_pages
    from shequ.render.downloads import Package

    zh, en = both_renderers(mini)
    package = Package({"name": "mini"}, [])
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for page in listing_pages(en, package):
        headings = [page.title, *(h for _, h in page.toc)]
        assert page.path.startswith("en/")
        region_or_name = page.path.startswith(("en/regions/", "en/incubators/inc-"))
        assert region_or_name or not any(cjk.search(h) for h in headings), (page.path, headings)
    titles = {p.path: p.title for p in listing_pages(zh, package)}
    assert titles["statistics/"] == "统计" and titles["data/"] == "数据下载" and titles["policy/glossary/"] == "术语表"
    titles = {p.path: p.title for p in listing_pages(en, package)}
    assert titles["en/statistics/"] == "Statistics" and titles["en/data/"] == "Data"
    assert titles["en/policy/glossary/"] == "Glossary" and titles["en/topics/fields-of-activity/elderly-care/"] == "Elderly care"


def test_the_data_page_links_shared_files_from_either_language(mini, tmp_path):
    from shequ.build.pipeline import validate
    from shequ.project import Project
    from shequ.publish.package import write_package
    from shequ.render.downloads import downloads, read_package

    sources, _ = validate(Project.at(mini.root))
    (tmp_path / "data").mkdir()
    write_package(sources, tmp_path / "data")
    package = read_package(tmp_path / "data")
    zh, en = both_renderers(mini)
    zh_page, en_page = downloads(zh, package), en.page(downloads(en, package))
    assert en_page.path == "en/data/"
    assert 'href="organizations.csv" download' in zh_page.body
    assert 'href="../../data/organizations.csv" download' in en_page.body
    assert 'href="../../data/datapackage.json"' in en_page.body and 'href="../../data/catalog.ttl"' in en_page.body
    # The data dictionary in each language, from the Table Schemas.
    assert "中文名称，以登记或备案的名称为准。" in zh_page.body and "Name in Chinese, as registered or filed." in en_page.body
    assert "Name in Chinese, as registered" not in zh_page.body and "以登记或备案" not in en_page.body
    assert "— 社区社会组织</h3>" in zh_page.body and "— Community-based social organizations</h3>" in en_page.body
    assert "每个表格一个工作表" in zh_page.body and "Every table as a sheet" in en_page.body


def test_without_pyarrow_nothing_names_parquet_and_the_data_page_says_why(mini, tmp_path, monkeypatch):
    """pyarrow is an optional extra: a build without it has no Parquet files, and neither the
    descriptor, the zip, the checksums, the catalogue nor the page refers to one."""
    import zipfile

    import rdflib

    from shequ.build.pipeline import validate
    from shequ.project import Project
    from shequ.publish import parquet
    from shequ.publish.package import write_package
    from shequ.render.downloads import catalogue, downloads, read_package

    monkeypatch.setattr(parquet, "_arrow", lambda: None)
    sources, _ = validate(Project.at(mini.root))
    data = tmp_path / "data"
    data.mkdir()
    write_package(sources, data)
    assert not (data / "parquet").exists()
    descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    paths = [p for r in descriptor["resources"] for p in (r["path"] if isinstance(r["path"], list) else [r["path"]])]
    assert all((data / p).is_file() for p in paths) and not any("parquet" in p for p in paths)
    with zipfile.ZipFile(data / "shequ-data.zip") as zf:
        assert not any("parquet" in name for name in zf.namelist())
    assert "parquet" not in (data / "SHA256SUMS").read_text(encoding="utf-8")
    package = read_package(data)
    zh, en = both_renderers(mini)
    for page in (downloads(zh, package).body, en.page(downloads(en, package)).body):
        assert 'pip install "shequ[parquet]"' in page.replace("&#34;", '"').replace("&quot;", '"')
    ttl = catalogue(zh, package).data.decode("utf-8")
    assert "# No Parquet distribution: " in ttl and "PARQUET" not in ttl and "vnd.apache.parquet" not in ttl
    graph = rdflib.Graph().parse(data=ttl, format="turtle", publicID="https://example.org/data/catalog.ttl")
    downloads_named = [str(u).removeprefix("https://example.org/data/")
                       for u in graph.objects(None, rdflib.URIRef("http://www.w3.org/ns/dcat#downloadURL"))]
    assert downloads_named and all((data / name).is_file() for name in downloads_named)
    assert any(name.startswith("hsds/") for name in downloads_named)


def test_listing_rows_rendered_once_read_as_rows_rendered_for_each_page(mini, monkeypatch):
    from shequ.render.directory import organization_listing
    from shequ.render.page import Renderer

    mini.write("organizations", "org-reading-club", READING_CLUB)
    for lang in ("zh", "en"):
        fast = renderer_for(mini, lang=lang, per_page=2)
        plain = Renderer(fast.directory, fast.settings, lang=lang, plain=True)
        assert plain.plain and not fast.plain
        fast_pages, plain_pages = organization_listing(fast), organization_listing(plain)
        assert [p.body for p in fast_pages] == [p.body for p in plain_pages]
        assert all(parts is not None for parts in fast._rows.values()) and len(fast._rows) == 3


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


def test_statistics_chart_labels_in_each_language(mini):
    from shequ.render.statistics import statistics

    zh, en = both_renderers(mini)
    zh_page, en_page = statistics(zh), statistics(en)
    assert '<h2 id="fields">活动领域</h2>' in zh_page.body and '<h2 id="fields">Field of activity</h2>' in en_page.body
    assert 'class="shequ-chart__label">养老照护</text>' in zh_page.body
    assert 'class="shequ-chart__label">Elderly care</text>' in en_page.body
    assert ("fields", "活动领域") in zh_page.toc and ("fields", "Field of activity") in en_page.toc
    # Divisions have no English name: the Chinese, marked as Chinese, not the code.
    assert '<span lang="zh">朝阳区</span>' in en_page.body


def test_a_second_build_loads_compiled_templates_instead_of_compiling_them(tmp_path, monkeypatch):
    """Compiling templates was a quarter of a build's CPU: a later build (a later process,
    or ``serve``'s next rebuild) reads them from the bytecode cache, and gets the same page."""
    import jinja2

    from shequ.render import html

    monkeypatch.setattr(html, "bytecode_cache", lambda: jinja2.FileSystemBytecodeCache(str(tmp_path)))
    first = html.environment().get_template("organization.html")
    assert list(tmp_path.iterdir()), "the compiled template was not stored"

    def no_compiling(*args, **kwargs):
        raise AssertionError("a cached template was compiled again")

    monkeypatch.setattr(jinja2.Environment, "compile", no_compiling)
    second = html.environment().get_template("organization.html")
    assert second is not first and second.blocks.keys() == first.blocks.keys()
    assert second.root_render_func.__code__.co_code == first.root_render_func.__code__.co_code
