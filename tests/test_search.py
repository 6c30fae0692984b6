"""The search index (the shequ.search package): bigram tokens, what goes in, and the built demo site's index.

The browser side (queries, facets, shared URLs, no third-party requests) is in
``test_search_browser.py``.
"""

from __future__ import annotations

import gzip
import json
import re

import pytest

from shequ import search
from shequ.render import language
from shequ.search import canonical, directory, pagefind, records, tokens
from shequ.search.records import page_html, page_kind
from shequ.search.tokens import cjk_tokens, query_tokens

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
    record = records.Record("incubators/inc-x/", "<script>alert(1)</script>互助", "incubator",
                           "</p><img src=x onerror=alert(1)>", "北京市 朝阳区",
                           {"province": ["11 北京市"], "track": ["filed"]}, {"name": "<b>"}, {"founded": "2020-01-15"})
    html = record.html()
    assert html.startswith('<html lang="zh">')
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert '<span data-pagefind-filter="province">11 北京市</span>' in html
    assert '<span data-pagefind-filter="kind">incubator</span>' in html
    assert '<span data-pagefind-meta="kind">孵化机构</span>' in html
    assert '<span data-pagefind-sort="name">&lt;b&gt;</span>' in html
    assert '<span data-pagefind-weight="7">' + records.token_text(cjk_tokens(record.title)) in html
    assert record.message(3) == {"type": "AddFile", "index_id": 3, "url": "/incubators/inc-x/",
                                 "file_contents": html}


def test_an_english_record_is_an_english_page_under_en_with_the_chinese_as_tokens():
    record = records.Record("incubators/inc-x/", "Silver Age Base", "incubator", "Activity sites.",
                           subtitle="银龄基地", lang="en", hidden="活动场地")
    html = record.html()
    assert html.startswith('<html lang="en">')
    assert '<span data-pagefind-meta="kind">Incubator</span>' in html
    assert '<p data-pagefind-weight="5">Incubator. 银龄基地</p>' in html
    assert '<span data-pagefind-weight="7">' + records.token_text(cjk_tokens("银龄基地")) + "</span>" in html
    assert all(token in html for token in cjk_tokens("活动场地"))
    assert record.message(1)["url"] == "/en/incubators/inc-x/"


def test_page_html_marks_the_kind_and_adds_tokens_of_text_not_ignored():
    page = ('<html><body><nav>导航</nav><div data-pagefind-body>\n<h1>登记 备案</h1><p>直接登记</p>'
            '<div class="x" data-pagefind-ignore><table><tr><td>忽略</td></tr></table></div>'
            '<script>var 脚本 = 1;</script></div></body></html>')
    out = page_html(page, "provision")
    assert 'data-pagefind-meta="kind:政策条文"' in out
    assert out.startswith('<html lang="zh">')
    hidden = re.search(r"<span hidden>(.*?) </span>", out).group(1)
    title = re.search(r'<span data-pagefind-weight="7">(.*?)</span>', hidden).group(1).split()
    assert title == [t for t in cjk_tokens("登记 备案") for _ in range(records.TOKEN_REPEATS)]
    assert set(cjk_tokens("登记 备案 直接登记")) == set(re.sub(r"<[^>]+>", " ", hidden).split())
    assert page_html("<html><body><p>没有正文</p></body></html>", "page") is None


def test_an_english_page_is_filed_in_english_with_its_chinese_pages_tokens():
    page = ('<!doctype html><html class="no-js" lang="zh" dir="ltr"><body><div data-pagefind-body>'
            '<h1>Filing</h1><p>File with the sub-district office.</p></div></body></html>')
    out = page_html(page, "provision", "en", cjk_tokens("备案"))
    assert '<html class="no-js" dir="ltr" lang="en">' in out and 'lang="zh"' not in out
    assert 'data-pagefind-meta="kind:Provision"' in out
    assert all(token in out for token in cjk_tokens("备案"))


@pytest.mark.parametrize("path, kind", [
    ("", "page"), ("guides/find-support/", "guide"), ("policy/", "page"), ("policy/opinions-2016/", "document"),
    ("policy/opinions-2016/3.1/", "provision"), ("policy/glossary/", "glossary"), ("data/", "page"),
    ("en/", "page"), ("en/guides/find-support/", "guide"), ("en/policy/opinions-2016/3.1/", "provision"),
])
def test_page_kind(path, kind):
    assert page_kind(path) == kind


def test_a_missing_binary_is_a_clear_error(monkeypatch):
    import pagefind_bin_extended

    monkeypatch.setattr(pagefind_bin_extended, "get_executable", lambda: "/nonexistent/pagefind")
    monkeypatch.setattr("pagefind.service.get_executable", lambda: None)
    with pytest.raises(search.SearchIndexError, match=r"pip install 'pagefind\[extended\]'"):
        pagefind.executable()


# The demo site's index ---------------------------------------------------------------------------

def _entry(site):
    return json.loads((site.site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))


def test_the_site_has_a_chinese_and_an_english_index_and_no_unused_bundles(site):
    folder = site.site / "pagefind"
    entry = _entry(site)
    assert set(entry["languages"]) == {"zh", "en"}
    assert entry["languages"]["zh"]["page_count"] > 100
    # Every record and page is in both, once.
    assert entry["languages"]["zh"]["page_count"] == entry["languages"]["en"]["page_count"]
    for name in ("pagefind.js", "pagefind-worker.js", "wasm.unknown.pagefind"):
        assert (folder / name).is_file(), name
    assert not list(folder.glob("pagefind-*ui*")) and not (folder / "pagefind-highlight.js").exists()
    assert not (site.site / "search" / "search_index.json").exists()  # the theme's search is gone


#: What the index chunks of the benchmark's whole-name query may weigh: with Pagefind's loader
#: (about 118 KB) and the organizations' word shards, its payload stays within the 186 KB it
#: was before places were searchable in both languages (shequ.bench.search measures it).
WHOLE_NAME_CHUNKS_BUDGET = 66_000


def test_a_whole_name_loads_few_index_bytes_because_tokens_are_repeated(site):
    """Pagefind cuts its index every 20,000 positions; each token written TOKEN_REPEATS times
    makes the chunks of tokens smaller, so a long name's four tokens load few bytes."""
    folder = site.site / "pagefind"
    entry = _entry(site)
    meta = canonical.read_pagefind(folder / f"pagefind.{entry['languages']['zh']['hash']}.pf_meta")
    chunks = meta[2]  # (first word, last word's prefix, file) in word order

    def holds(chunk, token):
        first, last, _ = chunk
        return first <= token and (token <= last or token.startswith(last))

    needed = {c[2] for token in query_tokens("朝阳区银龄互助会").split() for c in chunks if holds(c, token)}
    weight = sum((folder / "index" / f"{name}.pf_index").stat().st_size for name in needed)
    assert needed and weight <= WHOLE_NAME_CHUNKS_BUDGET, (sorted(needed), weight)


def _fragments(site) -> list[dict]:
    out = []
    for path in (site.site / "pagefind" / "fragment").iterdir():
        data = gzip.decompress(path.read_bytes())
        out.append(json.loads(data[data.index(b"{"):]))
    return out


@pytest.mark.parametrize("path, zh, en", [
    (f"incubators/{INC}/", "孵化机构", "Incubator"),
    ("regions/110105/", "地区", "Region"),
    ("policy/glossary/#filing", "术语", "Glossary term"),
    ("policy/opinions-2016/3.1/", "政策条文", "Provision"),
    ("guides/start-an-organization/", "指南", "Guide"),
    ("topics/fields-of-activity/elderly-care/", "主题", "Topic"),
])
def test_records_and_pages_are_in_pagefind_in_both_languages_with_their_kind(site, path, zh, en):
    fragments = {f["url"]: f for f in _fragments(site)}
    assert fragments["/" + path]["meta"]["kind"] == zh
    assert fragments["/en/" + path]["meta"]["kind"] == en


def test_record_titles_follow_the_language_and_long_listings_are_not_results(site):
    fragments = {f["url"]: f for f in _fragments(site)}
    chinese, english = fragments[f"/incubators/{INC}/"], fragments[f"/en/incubators/{INC}/"]
    assert chinese["meta"]["title"] == "朝阳区社区社会组织孵化基地"
    assert english["meta"]["title"] == "Chaoyang Community Organization Incubation Base"
    assert chinese["meta"]["region"] == "北京市 朝阳区"
    assert english["meta"]["region"] == "Chaoyang District, Beijing Municipality"  # the divisions' English names
    # A region's result says where it lies as cards do: no 市辖区 grouping, English smallest first.
    assert fragments["/regions/110105/"]["meta"]["region"] == "北京市"
    assert fragments["/en/regions/110105004/"]["meta"]["region"] == "Chaoyang District, Beijing Municipality"
    # Pagefind marks its Chinese word breaks with U+200B
    assert "Chaoyang Community Organization Incubation Base" in chinese["content"].replace("\u200b", "")
    assert "朝阳区社区社会组织孵化基地" in english["content"]
    assert fragments["/en/topics/fields-of-activity/elderly-care/"]["meta"]["title"] == "Elderly care"
    assert fragments["/topics/fields-of-activity/elderly-care/"]["meta"]["title"] == "养老照护"
    # Long listings are not results; organizations have their own index.
    for prefix in ("/", "/en/"):
        assert prefix + "organizations/" not in fragments and prefix + "regions/110105/page/2/" not in fragments
        assert not any(url.startswith(prefix + "organizations/") for url in fragments)


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
    assert count >= 70 and manifest["chunk"] == directory.DOCS_PER_CHUNK
    assert len(list((folder / "t").glob("*.json.gz"))) == manifest["shards"]
    assert manifest["format"] == directory.FORMAT
    # A result's values, read by the names the manifest gives their positions (as the script does).
    rows = [row for n in range((count + manifest["chunk"] - 1) // manifest["chunk"]) for row in load(f"d/{n}.json.gz")]
    docs = [dict(zip(manifest["fields"], row)) for row in rows]
    assert len(docs) == count and all(len(row) == len(manifest["fields"]) for row in rows)
    # ids follow the names in pinyin order; English order is a rank per id
    assert [d["name"] for d in docs] == sorted((d["name"] for d in docs), key=lambda n: language.sort_key("zh", n))
    rank = load("order-en.json.gz")
    assert sorted(rank) == list(range(count))
    english = sorted(range(count), key=lambda i: rank[i])
    assert [language.sort_key("en", docs[i]["name"], docs[i]["name_en"]) for i in english] == sorted(
        language.sort_key("en", d["name"], d["name_en"]) for d in docs)
    org = next(i for i, d in enumerate(docs) if d["path"] == f"organizations/{ORG}/")
    doc = docs[org]
    assert (doc["name"], doc["place"]) == ("朝阳区银龄互助会", "北京市 朝阳区 建外街道")
    assert (doc["management_track"], doc["status"], doc["founded"]) == ("registered", "active", "2018-11-03")
    assert [f["name"] for f in manifest["facets"]] == ["track", "form", "field", "population", "function", "status"]
    assert {"field": "management_track", "facet": "track"} in manifest["results"] and manifest["sort"] == "founded"
    # Each language's snippet: its labels, and the name the title does not show.
    assert doc["name_en"] == "Chaoyang Silver Age Mutual Aid Association"
    assert doc["snippet_zh"].startswith("Chaoyang Silver Age Mutual Aid Association. ") and "养老" in doc["snippet_zh"]
    assert doc["snippet_en"].startswith("朝阳区银龄互助会. ") and "Elderly care" in doc["snippet_en"]
    assert "养老" not in doc["snippet_en"] and "Elderly care" not in doc["snippet_zh"]
    # The usual status is left out, as the listings leave it out: "Active" on every result says nothing.
    assert "Active" not in doc["snippet_en"] and "正常" not in doc["snippet_zh"]
    # Every word of the name finds it, as a name word; its place, as another word.
    def postings(word):
        pair = load(f"t/{tokens.fnv1a(word) % manifest['shards']}.json.gz")[word]
        return load(f"t/w/{word}.json.gz") if pair == 1 else pair

    for word in directory.directory_words("朝阳区银龄互助会 Chaoyang Silver Age"):
        assert org in _ids(postings(word)[0]), word
    assert org in _ids(postings("zq" + tokens.char_code("建") + tokens.char_code("外"))[1])
    facets = load("facets.json.gz")
    assert facets["counties"][facets["county"][org]] == "110105"
    codes = manifest["codes"]
    assert codes["track"][facets["track"][org]] == "registered"
    fields = {c for i, c in enumerate(codes["field"]) if facets["field"][org] >> i & 1}
    assert fields == {"elderly-care", "mutual-aid"}
    assert facets["founded"][org] == 20181103
    assert manifest["regions"]["11"] == "北京市" and manifest["regions"]["110105"] == "朝阳区"


def test_ids_are_gaps_or_a_bit_set_whichever_is_shorter():
    assert _ids(directory.encode_ids([0, 5, 300, 70000], 100_000)) == [0, 5, 300, 70000]
    dense = list(range(0, 1000, 3))
    encoded = directory.encode_ids(dense, 1000)
    assert encoded.startswith("b") and _ids(encoded)[:len(dense)] == dense


def test_english_words_drop_a_plural_s():
    assert tokens.english_words("Incubators, Mediation Groups; Business 2nd") == [
        "incubator", "mediation", "group", "business", "2nd"]
    assert directory.directory_words("朝阳") == {"zq" + tokens.char_code("朝") + tokens.char_code("阳"),
                                             "zq" + tokens.char_code("朝"), "zq" + tokens.char_code("阳")}


def test_indexed_pages_mark_their_article_and_listings_keep_their_tables_out(site):
    guide = site.page("guides/start-an-organization/")
    assert guide.count("data-pagefind-body") == 1
    assert "data-pagefind-body" not in site.page("organizations/")  # excluded from search
    assert "data-pagefind-ignore" in site.page("policy/glossary/")


def test_hostile_record_reaches_the_index_only_as_text(site):
    _, manifest, load = _directory(site)
    docs = [dict(zip(manifest["fields"], row)) for n in range((manifest["count"] + 15) // 16)
            for row in load(f"d/{n}.json.gz")]
    hostile = next(d for d in docs if d["path"] == f"organizations/{HOSTILE}/")
    assert hostile["name"] == "<script>alert(1)</script>敌意测试"
    assert "<img src=x onerror=alert(1)>" in hostile["snippet_zh"]


def test_directory_page_carries_the_facet_labels(site):
    page = site.page("organizations/")
    match = re.search(r'data-shequ-directory data-labels="([^"]*)"', page)
    assert match is not None
    import html

    labels = json.loads(html.unescape(match.group(1)))
    assert labels["track"]["filed"][1] == "Filed with a sub-district office or township government"
    assert set(labels) == {"track", "form", "field", "population", "function", "status"}
    assert "data-shequ-static" in page  # the listing a reader without JavaScript gets
    assert f'href="{FILED}/"' in page


# Two indexes, one per language, on a small site -----------------------------------------------------
#
# A site folder made here: a few Chinese pages at the root and their English pages under
# en/ (one of which still says lang="zh", one MkDocs does not list), indexed with the
# records of the conftest ``mini`` project. The index is then read as Pagefind's script
# reads it: the language's metadata, the word's index chunk, the pages' fragments.

TINY_PAGES = {
    "guides/find-support/index.html": ("zh", "寻找扶持", "孵化基地提供活动场地和培训。"),
    "en/guides/find-support/index.html": ("en", "Find support", "Incubators offer activity sites and training."),
    "data/index.html": ("zh", "数据下载", "下载数据包。"),
    "en/data/index.html": ("zh", "Data", "Download the data package."),  # lang still zh: filed by its address
    "organizations/index.html": ("zh", "组织", "朝阳区银龄互助会"),  # excluded from search
}


def _tiny_page(lang: str, title: str, text: str, indexed: bool = True) -> str:
    body = "data-pagefind-body" if indexed else "data-listing"
    return (f'<!doctype html><html lang="{lang}"><head><title>{title}</title></head><body><nav>导航 Menu</nav>'
            f'<article {body}><h1>{title}</h1><p>{text}</p></article></body></html>')


class _Files:
    """The little of MkDocs' Files that build_index reads."""

    def __init__(self, pages):
        self.pages = pages

    def documentation_pages(self):
        return self.pages


@pytest.fixture
def tiny_index(mini, tmp_path):
    from types import SimpleNamespace

    from shequ.build.pipeline import validate
    from shequ.project import Project
    from shequ.render import Directory

    sources, report = validate(Project.at(mini.root))
    assert report.valid, report.format_text()
    site = tmp_path / "site"
    for path, (lang, title, text) in TINY_PAGES.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(_tiny_page(lang, title, text, not path.startswith("organizations/")), "utf-8")
    listed = ["guides/find-support/", "en/guides/find-support/", "data/", "organizations/"]  # not en/data/
    files = _Files([SimpleNamespace(url=url, dest_uri=url + "index.html",
                                    page=SimpleNamespace(meta={"search": {"exclude": True}} if url == "organizations/"
                                                         else {})) for url in listed])
    stats = search.build_index(site, Directory(sources), files)
    return site, stats


def _cbor(data: bytes, i: int = 0):
    """Pagefind's CBOR, all of it that its index chunks use (the module's reader covers fewer types)."""
    head = data[i]
    major, info = head >> 5, head & 31
    i += 1
    if info >= 24:
        size = 1 << (info - 24)
        n, i = int.from_bytes(data[i:i + size], "big"), i + size
    else:
        n = info
    if major in (0, 1):
        return (n if major == 0 else -1 - n), i
    if major in (2, 3):
        return (data[i:i + n].decode("utf-8") if major == 3 else data[i:i + n]), i + n
    items = []
    for _ in range(n * (2 if major == 5 else 1)):
        item, i = _cbor(data, i)
        items.append(item)
    return (items if major == 4 else dict(zip(items[::2], items[1::2]))), i


def _pagefind_file(path):
    data = gzip.decompress(path.read_bytes())
    return _cbor(data, len(b"pagefind_dcd"))[0]


def pagefind_urls(folder, lang: str, word: str) -> set[str]:
    """The addresses of the pages of the ``lang`` index that hold a word starting with ``word``,
    as Pagefind matches a query's last word. The English index holds words stemmed
    (incubation, incubator → incub), bigram tokens too (…s → …): a token is also found
    by its stem."""
    entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
    meta = canonical.read_pagefind(folder / f"pagefind.{entry['languages'][lang]['hash']}.pf_meta")
    pages = meta[1]
    found = set()
    for _, _, chunk in meta[2]:
        for indexed, postings, *_ in _pagefind_file(folder / "index" / f"{chunk}.pf_index")[0]:
            stemmed = word.startswith(tokens.MARKER) and word.startswith(indexed) and len(indexed) >= len(word) - 2
            if not (indexed.startswith(word) or stemmed):
                continue
            page = 0
            for posting in postings:
                page += posting[0]  # page numbers as gaps
                found.add(pages[page][0])
    urls = set()
    for fragment in found:
        data = gzip.decompress((folder / "fragment" / f"{fragment}.pf_fragment").read_bytes())
        urls.add(json.loads(data[data.index(b"{"):])["url"])
    return urls


def test_each_language_has_its_own_index_of_its_own_pages_and_records(tiny_index):
    site, stats = tiny_index
    folder = site / "pagefind"
    entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert set(entry["languages"]) == {"zh", "en"}
    assert entry["languages"]["zh"]["page_count"] == entry["languages"]["en"]["page_count"]
    assert stats.pages == 4  # two pages in two languages; the excluded listing in neither
    zh = pagefind_urls(folder, "zh", "")
    en = pagefind_urls(folder, "en", "")
    assert "/guides/find-support/" in zh and "/data/" in zh and "/incubators/inc-chaoyang-base/" in zh
    assert "/en/guides/find-support/" in en and "/en/data/" in en and "/en/incubators/inc-chaoyang-base/" in en
    assert "/regions/110105/" in zh and "/en/regions/110105/" in en
    assert not any(u.startswith("/en/") for u in zh) and all(u.startswith("/en/") for u in en)
    assert not any(u.startswith(("/organizations/", "/en/organizations/")) for u in zh | en)


def test_a_chinese_query_finds_the_chinese_page_and_an_english_query_the_english_one(tiny_index):
    site, _ = tiny_index
    folder = site / "pagefind"
    # 孵化基地 on a Chinese page: the incubator's and the guide's Chinese addresses.
    for token in query_tokens("孵化基地").split():
        found = pagefind_urls(folder, "zh", token)
        assert {"/incubators/inc-chaoyang-base/", "/guides/find-support/"} <= found, token
    # "Chaoyang incubation" on an English page: the incubator's English address.
    for word in ("chaoyang", "incub"):
        assert "/en/incubators/inc-chaoyang-base/" in pagefind_urls(folder, "en", word), word
    assert "/en/guides/find-support/" in pagefind_urls(folder, "en", "incub")
    assert "/guides/find-support/" not in pagefind_urls(folder, "zh", "incub")
    # A Chinese query on an English page still finds the record and the page (their Chinese tokens),
    for token in query_tokens("孵化基地").split():
        found = pagefind_urls(folder, "en", token)
        assert {"/en/incubators/inc-chaoyang-base/", "/en/guides/find-support/"} <= found, token
    # and an English name typed on a Chinese page finds the record (its English name is below the title).
    assert "/incubators/inc-chaoyang-base/" in pagefind_urls(folder, "zh", "chaoyang")
    # Regions are found by their pinyin as one word too.
    assert "/en/regions/110105/" in pagefind_urls(folder, "en", "chaoyangqu")


def test_both_languages_index_files_are_the_same_from_run_to_run(tiny_index, mini):
    """Pagefind writes filter values in hash-map order; canonical_filters renames each
    language's filter files and metadata after their contents."""
    site, _ = tiny_index

    def snapshot():
        folder = site / "pagefind"
        return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    first = snapshot()
    assert any(name.startswith("filter/zh_") for name in first) and any(name.startswith("filter/en_") for name in first)
    from shequ.build.pipeline import validate
    from shequ.project import Project
    from shequ.render import Directory

    sources, _ = validate(Project.at(mini.root))
    listed = ["guides/find-support/", "en/guides/find-support/", "data/"]
    from types import SimpleNamespace

    files = _Files([SimpleNamespace(url=u, dest_uri=u + "index.html", page=SimpleNamespace(meta={})) for u in listed])
    for _ in range(2):
        search.build_index(site, Directory(sources), files)
        assert snapshot() == first
