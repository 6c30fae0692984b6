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


def test_pages_regions_topics_and_glossary_terms_are_in_pagefind_with_their_kind(site):
    fragments = {f["url"]: f for f in _fragments(site)}
    assert fragments[f"/incubators/{INC}/"]["meta"]["kind"] == "孵化机构 Incubator"
    assert fragments[f"/incubators/{INC}/"]["meta"]["region"] == "北京市 朝阳区"
    assert fragments["/regions/110105/"]["meta"]["kind"] == "地区 Region"
    assert fragments["/policy/glossary/#filing"]["meta"]["kind"] == "术语 Glossary term"
    assert fragments["/policy/opinions-2016/3.1/"]["meta"]["kind"] == "政策条文 Provision"
    assert fragments["/guides/start-an-organization/"]["meta"]["kind"] == "指南 Guide"
    assert fragments["/topics/fields-of-activity/elderly-care/"]["meta"]["kind"] == "主题 Topic"
    # Long listings are not results; organizations have their own index.
    assert "/organizations/" not in fragments and "/regions/110105/page/2/" not in fragments
    assert not any(url.startswith("/organizations/") for url in fragments)


def _directory(site):
    folder = site.site / search.DIRECTORY
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))

    def load(path):
        return json.loads(gzip.decompress((folder / path).read_bytes()))

    return folder, manifest, load


def _ids(text: str) -> list[int]:
    import base64

    if text.startswith("b"):
        bits = base64.b64decode(text[1:])
        return [i for i in range(len(bits) * 8) if bits[i >> 3] >> (i & 7) & 1]
    out, last, n, shift = [], -1, 0, 0
    for byte in base64.b64decode(text):
        n |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
            continue
        last += n + 1
        out.append(last)
        n = shift = 0
    return out


def test_organizations_have_their_own_index_of_words_documents_and_facets(site):
    folder, manifest, load = _directory(site)
    count = manifest["count"]
    assert count >= 70 and manifest["chunk"] == search.DOCS_PER_CHUNK
    assert len(list((folder / "t").glob("*.json.gz"))) == manifest["shards"]
    docs = [doc for n in range((count + manifest["chunk"] - 1) // manifest["chunk"]) for doc in load(f"d/{n}.json.gz")]
    assert len(docs) == count
    assert [d[1] for d in docs] == sorted(d[1] for d in docs)  # ids follow the names
    org = next(i for i, d in enumerate(docs) if d[0] == f"organizations/{ORG}/")
    assert docs[org][1:6] == ["朝阳区银龄互助会", "北京市 朝阳区 建外街道", "registered", "active", "2018-11-03"]
    # Every word of the name finds it, as a name word; its place, as another word.
    def postings(word):
        pair = load(f"t/{search.fnv1a(word) % manifest['shards']}.json.gz")[word]
        return load(f"t/w/{word}.json.gz") if pair == 1 else pair

    for word in search.directory_words("朝阳区银龄互助会 Chaoyang Silver Age"):
        assert org in _ids(postings(word)[0]), word
    assert org in _ids(postings("zq" + search._code("建") + search._code("外"))[1])
    facets = load("facets.json.gz")
    assert facets["counties"][facets["county"][org]] == "110105"
    codes = manifest["codes"]
    assert codes["track"][facets["track"][org]] == "registered"
    fields = {c for i, c in enumerate(codes["field"]) if facets["field"][org] >> i & 1}
    assert fields == {"elderly-care", "mutual-aid"}
    assert facets["founded"][org] == 20181103
    assert manifest["regions"]["11"] == "北京市" and manifest["regions"]["110105"] == "朝阳区"


def test_ids_are_gaps_or_a_bit_set_whichever_is_shorter():
    assert _ids(search._ids([0, 5, 300, 70000], 100_000)) == [0, 5, 300, 70000]
    dense = list(range(0, 1000, 3))
    encoded = search._ids(dense, 1000)
    assert encoded.startswith("b") and _ids(encoded)[:len(dense)] == dense


def test_english_words_drop_a_plural_s():
    assert search.english_words("Incubators, Mediation Groups; Business 2nd") == [
        "incubator", "mediation", "group", "business", "2nd"]
    assert search.directory_words("朝阳") == {"zq" + search._code("朝") + search._code("阳"),
                                             "zq" + search._code("朝"), "zq" + search._code("阳")}


def test_indexed_pages_mark_their_article_and_listings_keep_their_tables_out(site):
    guide = site.page("guides/start-an-organization/")
    assert guide.count("data-pagefind-body") == 1
    assert "data-pagefind-body" not in site.page("organizations/")  # excluded from search
    assert "data-pagefind-ignore" in site.page("policy/glossary/")


def test_hostile_record_reaches_the_index_only_as_text(site):
    _, manifest, load = _directory(site)
    docs = [doc for n in range((manifest["count"] + 15) // 16) for doc in load(f"d/{n}.json.gz")]
    hostile = next(d for d in docs if d[0] == f"organizations/{HOSTILE}/")
    assert hostile[1] == "<script>alert(1)</script>敌意测试"
    assert "<img src=x onerror=alert(1)>" in hostile[6]


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
