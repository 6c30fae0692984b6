"""The search index (shequ/search.py): bigram tokens, what goes in, and the built demo site's index.

The browser side (queries, facets, shared URLs, no third-party requests) is in
``test_search_browser.py``.
"""

from __future__ import annotations

import gzip
import json
import re

import pytest

from shequ import search
from shequ.search import cjk_tokens, page_html, page_kind, query_tokens

from test_site import FILED, HOSTILE, INC, ORG, site  # noqa: F401  (site is a fixture)


# Tokens ------------------------------------------------------------------------------------------

NAMES = ["朝阳区银龄互助会", "浦东新区益民社区老年协会", "可直接登记的四类社会组织", "社区社会组织孵化基地"]


@pytest.mark.parametrize("name", NAMES)
def test_every_substring_of_a_name_finds_it(name):
    """A query of any substring of two or more characters holds only tokens of the name;
    Pagefind matches a one-character query's token against the start of the name's tokens."""
    held = set(cjk_tokens(name))
    for i in range(len(name)):
        for j in range(i + 1, len(name) + 1):
            tokens = query_tokens(name[i:j]).split()
            if j - i == 1:
                assert any(t.startswith(tokens[0]) for t in held), name[i:j]
            else:
                assert set(tokens) <= held, name[i:j]


def test_tokens_are_ascii_words_that_no_english_or_pinyin_word_starts():
    tokens = cjk_tokens("社区 shequ 社會 㐀 龥")
    assert all(re.fullmatch(r"zq[0-9a-z]{3}(?:[0-9a-z]{3})?", t) for t in tokens)
    assert len(tokens) == len(set(tokens))
    assert cjk_tokens("shequ community 2024") == []


def test_query_keeps_other_words_and_turns_chinese_runs_into_tokens():
    assert query_tokens("elderly care") == "elderly care"
    assert query_tokens("朝阳 elderly") == f"{query_tokens('朝阳')} elderly"
    assert query_tokens("  ") == ""
    assert len(query_tokens("直接登记").split()) == 2  # 直接 登记
    assert len(query_tokens("朝阳区银龄互助会").split()) == 4


# What is indexed ---------------------------------------------------------------------------------

def test_record_html_escapes_every_value_and_carries_facets():
    record = search.Record("organizations/org-x/", "<script>alert(1)</script>互助", "organization",
                           "</p><img src=x onerror=alert(1)>", "北京市 朝阳区",
                           {"province": ["11 北京市"], "track": ["filed"]}, {"name": "<b>"}, {"founded": "2020-01-15"})
    html = record.html()
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert '<span data-pagefind-filter="province">11 北京市</span>' in html
    assert '<span data-pagefind-filter="kind">organization</span>' in html
    assert '<span data-pagefind-meta="kind">组织 Organization</span>' in html
    assert '<span data-pagefind-sort="name">&lt;b&gt;</span>' in html
    assert '<span data-pagefind-weight="7">' + " ".join(cjk_tokens(record.title)) in html
    assert record.message(3) == {"type": "AddFile", "index_id": 3, "url": "/organizations/org-x/",
                                 "file_contents": html}


def test_page_html_marks_the_kind_and_adds_tokens_of_text_not_ignored():
    page = ('<html><body><nav>导航</nav><div data-pagefind-body>\n<h1>登记 备案</h1><p>直接登记</p>'
            '<div class="x" data-pagefind-ignore><table><tr><td>忽略</td></tr></table></div>'
            '<script>var 脚本 = 1;</script></div></body></html>')
    out = page_html(page, "provision")
    assert 'data-pagefind-meta="kind:政策条文 Provision"' in out
    hidden = re.search(r"<span hidden>(.*?) </span>", out).group(1)
    title = re.search(r'<span data-pagefind-weight="7">(.*?)</span>', hidden).group(1).split()
    assert title == cjk_tokens("登记 备案")
    assert set(cjk_tokens("登记 备案 直接登记")) == set(re.sub(r"<[^>]+>", " ", hidden).split())
    assert page_html("<html><body><p>没有正文</p></body></html>", "page") is None


@pytest.mark.parametrize("path, kind", [
    ("", "page"), ("guides/find-support/", "guide"), ("policy/", "page"), ("policy/opinions-2016/", "document"),
    ("policy/opinions-2016/3.1/", "provision"), ("policy/glossary/", "glossary"), ("data/", "page"),
])
def test_page_kind(path, kind):
    assert page_kind(path) == kind


def test_a_missing_binary_is_a_clear_error(monkeypatch):
    import pagefind_bin_extended

    monkeypatch.setattr(pagefind_bin_extended, "get_executable", lambda: "/nonexistent/pagefind")
    monkeypatch.setattr("pagefind.service.get_executable", lambda: None)
    with pytest.raises(search.SearchIndexError, match=r"pip install 'pagefind\[extended\]'"):
        search.executable()


# The demo site's index ---------------------------------------------------------------------------

def _entry(site):
    return json.loads((site.site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))


def test_the_site_has_one_chinese_index_and_no_unused_bundles(site):
    folder = site.site / "pagefind"
    entry = _entry(site)
    assert list(entry["languages"]) == ["zh"]
    assert entry["languages"]["zh"]["page_count"] > 100
    for name in ("pagefind.js", "pagefind-worker.js", "wasm.unknown.pagefind"):
        assert (folder / name).is_file(), name
    assert not list(folder.glob("pagefind-*ui*")) and not (folder / "pagefind-highlight.js").exists()
    assert not (site.site / "search" / "search_index.json").exists()  # the theme's search is gone


def _fragments(site) -> list[dict]:
    out = []
    for path in (site.site / "pagefind" / "fragment").iterdir():
        data = gzip.decompress(path.read_bytes())
        out.append(json.loads(data[data.index(b"{"):]))
    return out


def test_records_pages_and_glossary_terms_are_indexed_with_kind_region_and_facets(site):
    fragments = {f["url"]: f for f in _fragments(site)}
    org = fragments[f"/organizations/{ORG}/"]
    assert org["meta"]["title"] == "朝阳区银龄互助会"
    assert org["meta"]["kind"] == "组织 Organization"
    assert org["meta"]["region"] == "北京市 朝阳区 建外街道"
    assert org["filters"]["province"] == ["11 北京市"] and org["filters"]["county"] == ["110105 朝阳区"]
    assert org["filters"]["track"] == ["registered"] and org["filters"]["status"] == ["active"]
    assert set(org["filters"]["field"]) == {"elderly-care", "mutual-aid"}
    assert fragments[f"/incubators/{INC}/"]["meta"]["kind"] == "孵化机构 Incubator"
    assert fragments["/regions/110105/"]["meta"]["kind"] == "地区 Region"
    assert fragments["/policy/glossary/#filing"]["meta"]["kind"] == "术语 Glossary term"
    assert fragments["/policy/opinions-2016/3.1/"]["meta"]["kind"] == "政策条文 Provision"
    assert fragments["/guides/start-an-organization/"]["meta"]["kind"] == "指南 Guide"
    # Long listings are not results: their records are.
    assert "/organizations/" not in fragments and "/regions/110105/page/2/" not in fragments


def test_indexed_pages_mark_their_article_and_listings_keep_their_tables_out(site):
    guide = site.page("guides/start-an-organization/")
    assert guide.count("data-pagefind-body") == 1
    assert "data-pagefind-body" not in site.page("organizations/")  # excluded from search
    assert "data-pagefind-ignore" in site.page("policy/glossary/")


def test_hostile_record_reaches_the_index_only_as_text(site):
    fragments = {f["url"]: f for f in _fragments(site)}
    hostile = fragments[f"/organizations/{HOSTILE}/"]
    assert hostile["meta"]["title"] == "<script>alert(1)</script>敌意测试"
    assert "<script>alert(1)</script>" in hostile["content"].replace("\u200b", "")


def test_directory_page_carries_the_facet_labels(site):
    page = site.page("organizations/")
    match = re.search(r'data-shequ-directory data-labels="([^"]*)"', page)
    assert match is not None
    import html

    labels = json.loads(html.unescape(match.group(1)))
    assert labels["track"]["filed"][1] == "Filed with a sub-district office or township government"
    assert set(labels) == {"track", "form", "field", "population", "status"}
    assert "data-shequ-static" in page  # the listing a reader without JavaScript gets
    assert f'href="{FILED}/"' in page
