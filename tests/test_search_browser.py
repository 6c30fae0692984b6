"""Search in a real browser: the header search box and the faceted directory, in Chromium.

The demo site of ``test_site.py`` (its records plus the test's own: 朝阳区银龄互助会,
朝外调解志愿队, the hostile record and 朝阳区社区社会组织孵化基地) is served on
127.0.0.1 as in ``test_site_browser.py``, whose fixtures these tests share. Every
test's ``visit`` fails if the page asked any other host for anything.

Search follows the page's language: Chinese pages (the site root) search the Chinese
index and link to Chinese pages, English pages (``en/``) the English index and English
pages; Chinese queries are asked on Chinese pages and English ones on English pages.
"""

from __future__ import annotations

import csv
import re
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest

from shequ.render import language
from shequ.search.tokens import query_tokens

from test_site import FILED, HOSTILE, INC, ORG, site  # noqa: F401  (site is a fixture)
from test_site_browser import base_url, tab, visit  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def ask(visit, query: str, path: str = "") -> list[dict]:
    """Type ``query`` into the header's search box; the first page of results shown."""
    page = visit.page
    if path is not None:
        visit.open(path)
    box = page.locator("form[data-shequ-search] input")
    box.click()
    box.fill(query)
    page.wait_for_function("q => document.querySelector('.shequ-search__results')?.dataset.shequDone === q",
                           arg=query, timeout=20_000)
    return page.evaluate("""() => [...document.querySelectorAll('.shequ-search__results .shequ-result')].map(li => ({
        href: li.querySelector('a').href,
        kind: li.querySelector('.shequ-result__kind')?.textContent || '',
        region: li.querySelector('.shequ-result__region')?.textContent || '',
        title: li.querySelector('.shequ-result__title').textContent,
        snippet: li.querySelector('.shequ-result__snippet').textContent,
        marks: [...li.querySelectorAll('.shequ-result__snippet mark')].map(m => m.textContent),
    }))""")


def paths(results, base_url) -> list[str]:  # noqa: F811
    return [r["href"][len(base_url):] for r in results]


# Chinese queries ---------------------------------------------------------------------------------

def test_a_whole_name_finds_its_organization_first(visit, base_url):  # noqa: F811
    results = ask(visit, "朝阳区银龄互助会")
    assert paths(results, base_url)[0] == f"organizations/{ORG}/"
    first = results[0]
    assert first["kind"] == "组织"
    assert first["region"] == "北京市 朝阳区 建外街道"
    assert first["title"] == "朝阳区银龄互助会"
    visit.shoot("search-name")


@pytest.mark.parametrize("query, expected", [
    ("互助", f"organizations/{ORG}/"),  # a substring inside the name
    ("银龄", f"organizations/{ORG}/"),
    ("龄互", f"organizations/{ORG}/"),  # across the words a segmenter would see
    ("银龄互助", f"organizations/{ORG}/"),
    ("调解志愿", f"organizations/{FILED}/"),
])
def test_substrings_of_names_find_the_organization(visit, base_url, query, expected):  # noqa: F811
    found = paths(ask(visit, query), base_url)
    assert expected in found, found


def test_substring_incubation_finds_incubators_and_the_glossary(visit, base_url):  # noqa: F811
    results = ask(visit, "孵化")
    kinds = {r["kind"] for r in results[:10]}
    assert {"孵化机构", "术语"} <= kinds, kinds
    assert all("孵化" in r["title"] or "孵化" in r["snippet"] for r in results)


def test_a_place_name_finds_the_region_first(visit, base_url):  # noqa: F811
    results = ask(visit, "朝阳")
    assert paths(results, base_url)[0] == "regions/110105/"
    assert results[0]["kind"] == "地区"
    assert f"incubators/{INC}/" in paths(results, base_url)


@pytest.mark.parametrize("query, expected", [
    ("备案", "policy/glossary/#filing"),
    ("直接登记", "policy/glossary/#direct-registration"),
])
def test_policy_terms_find_the_glossary_and_the_provisions(visit, base_url, query, expected):  # noqa: F811
    results = ask(visit, query)
    found = paths(results, base_url)
    assert expected in found[:5], found
    assert any(r["kind"] == "政策条文" for r in results), [r["kind"] for r in results]


def test_results_snippets_mark_the_match(visit):
    results = ask(visit, "直接登记")
    marked = [r for r in results if r["marks"]]
    assert marked, results
    assert all(m in ("直接登记", "直接", "接登", "登记") for r in marked for m in r["marks"])


# English queries, on English pages ---------------------------------------------------------------

@pytest.mark.parametrize("query, first", [
    ("elderly care", "en/topics/fields-of-activity/elderly-care/"),
    ("dispute mediation", "en/topics/service-functions/dispute-mediation/"),
])
def test_english_topic_queries_find_the_topic_first(visit, base_url, query, first):  # noqa: F811
    results = ask(visit, query, path="en/")
    assert paths(results, base_url)[0] == first
    assert any(r["kind"] == "Organization" for r in results)
    assert any(m.lower() in query for r in results for m in r["marks"])
    assert all(p.startswith("en/") for p in paths(results, base_url))


def test_english_incubator_finds_incubators_their_listing_and_the_glossary(visit, base_url):  # noqa: F811
    results = ask(visit, "incubator", path="en/")
    assert [r["kind"] for r in results[:3]] == ["Incubator"] * 3
    found = paths(results, base_url)
    assert "en/incubators/" in found and any(p.startswith("en/policy/glossary/#") for p in found), found
    # The support guide, longer than a record, ranks below the incubators; a second word brings it up.
    assert "en/guides/find-support/" in paths(ask(visit, "incubator support", path=None), base_url)[:3]


@pytest.mark.parametrize("path, message", [("", "没有结果"), ("en/", "No results")])
def test_no_results_says_so_in_the_pages_language(visit, path, message):
    ask(visit, "qzxqzxq jjqqzz", path=path)  # words no page holds, nor one they begin with ("XYZ", "V")
    assert visit.page.inner_text(".shequ-search__results").strip() == message


# The page's language -------------------------------------------------------------------------------

@pytest.mark.parametrize("chinese, english, path", [
    ("朝阳区银龄互助会", "Chaoyang Silver Age Mutual Aid Association", f"organizations/{ORG}/"),
    ("朝阳区社区社会组织孵化基地", "Chaoyang Community Organization Incubation Base", f"incubators/{INC}/"),
])
def test_the_same_record_from_a_chinese_query_on_a_chinese_page_and_an_english_one_on_an_english_page(
        visit, base_url, chinese, english, path):  # noqa: F811
    results = ask(visit, chinese, path="")
    assert paths(results, base_url)[0] == path
    assert results[0]["title"] == chinese and results[0]["kind"] in ("组织", "孵化机构")
    results = ask(visit, english, path="en/")
    assert paths(results, base_url)[0] == "en/" + path
    assert results[0]["title"] == english and results[0]["kind"] in ("Organization", "Incubator")
    visit.page.locator(".shequ-search__results .shequ-result a").first.click()
    visit.page.wait_for_url(base_url + "en/" + path)
    assert visit.page.evaluate("document.documentElement.lang") == "en"


def test_chinese_queries_work_on_english_pages_and_english_names_on_chinese_pages(visit, base_url):  # noqa: F811
    found = paths(ask(visit, "银龄互助", path="en/"), base_url)
    assert f"en/organizations/{ORG}/" in found[:3], found
    found = paths(ask(visit, "朝阳", path="en/"), base_url)
    assert found[0] == "en/regions/110105/", found
    found = paths(ask(visit, "Chaoyang Silver Age", path=""), base_url)
    assert found[0] == f"organizations/{ORG}/", found


@pytest.mark.parametrize("path, lang, placeholder, action", [
    ("", "zh", "搜索", "organizations/"),
    ("guides/find-support/", "zh", "搜索", "organizations/"),
    ("en/", "en", "Search", "en/organizations/"),
    (f"en/organizations/{ORG}/", "en", "Search", "en/organizations/"),
])
def test_the_search_box_speaks_the_pages_language(visit, base_url, path, lang, placeholder, action):  # noqa: F811
    page = visit.open(path)
    box = page.locator("form[data-shequ-search]")
    assert page.evaluate("window.shequSearch.language") == lang
    assert box.locator("input").get_attribute("placeholder") == placeholder
    assert box.locator("label").inner_text() == placeholder
    assert page.evaluate("document.querySelector('form[data-shequ-search]').action") == base_url + action
    label = box.locator(".shequ-search__results").get_attribute("aria-label")
    assert label == ("Search results" if lang == "en" else "搜索结果")


@pytest.mark.parametrize("path, tag, lang", [("", "zh-CN", "zh"), ("en/", "en-GB", "en")])
def test_a_page_tagged_with_a_region_searches_its_languages_index(visit, base_url, path, tag, lang):  # noqa: F811
    """Pagefind's script picks the index of the tag, else of its first part; ours the same language."""
    page = visit.page

    def retag(route):
        response = route.fetch()
        body = response.text().replace(f'<html lang="{lang}"', f'<html lang="{tag}"', 1)
        route.fulfill(response=response, body=body)

    page.route(base_url + path, retag)
    results = ask(visit, "孵化", path=path)
    assert page.evaluate("document.documentElement.lang") == tag
    assert page.evaluate("window.shequSearch.language") == lang
    found = paths(results, base_url)
    assert found and all(p.startswith("en/") == (lang == "en") for p in found), found
    assert all(bool(re.search(r"[\u4e00-\u9fff]", r["kind"])) == (lang == "zh") for r in results), results


def test_a_result_opens_its_page(visit, base_url):  # noqa: F811
    ask(visit, "朝阳区银龄互助会")
    visit.page.locator(".shequ-search__results .shequ-result a").first.click()
    visit.page.wait_for_url(base_url + f"organizations/{ORG}/")
    assert "统一社会信用代码" in visit.page.inner_text("article")


def test_search_from_a_deep_page_links_back_to_the_site(visit, base_url):  # noqa: F811
    results = ask(visit, "朝阳区银龄互助会", path=f"organizations/{ORG}/")
    assert results[0]["href"] == base_url + f"organizations/{ORG}/"


def test_the_search_box_works_at_phone_width_and_on_a_desktop(visit):
    results = ask(visit, "互助")
    assert results
    panel = visit.page.locator(".shequ-search__results").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 390
    visit.shoot("search-phone")
    visit.page.set_viewport_size({"width": 1280, "height": 900})
    visit.page.keyboard.press("Escape")
    assert not visit.page.locator(".shequ-search__results").is_visible()
    box = visit.page.locator("form[data-shequ-search]").bounding_box()
    header = visit.page.locator(".md-header").bounding_box()
    assert header["y"] <= box["y"] and box["y"] + box["height"] <= header["y"] + header["height"]


def test_hostile_values_in_results_stay_text(visit, base_url):  # noqa: F811
    results = ask(visit, "敌意测试")
    hostile = [r for r in results if r["href"].endswith(f"organizations/{HOSTILE}/")]
    assert hostile and hostile[0]["title"] == "<script>alert(1)</script>敌意测试"
    ask(visit, "<img src=x onerror=alert(1)> 敌意", path=None)
    visit.page.wait_for_timeout(300)
    assert visit.page.locator(".shequ-search__results img, .shequ-search__results script").count() == 0
    assert visit.dialogs == [] and visit.page_errors == []


def test_the_script_turns_chinese_into_the_same_tokens_as_the_index(visit):
    from shequ.search.tokens import directory_words
    from shequ.search.tokens import fnv1a

    visit.open("")
    for query in ("朝阳区银龄互助会", "互助", "朝 阳", "elderly 养老 care", "㐀龥", "社區", "Groups, Mediation's 2nd"):
        assert visit.page.evaluate("q => window.shequSearch.cjkTokens(q)", query) == query_tokens(query), query
        words = visit.page.evaluate("q => window.shequSearch.directoryWords(q)", query)
        assert set(words) <= directory_words(query), query
        assert [visit.page.evaluate("w => window.shequSearch.fnv1a(w)", w) for w in words] == [fnv1a(w) for w in words]


def test_search_asks_no_other_host(visit, base_url):  # noqa: F811
    ask(visit, "朝阳区银龄互助会")
    ask(visit, "elderly care", path="en/")
    visit.page.wait_for_load_state("networkidle")
    searched = [u for u in visit.requests if "/pagefind/" in u]
    assert any(u.endswith("pagefind.js") for u in searched) and any("/fragment/" in u for u in searched)
    assert all(u.startswith(base_url) for u in visit.requests if not u.startswith(("data:", "blob:")))


# The directory's facets --------------------------------------------------------------------------

def directory(visit, query: str = "", path: str = "organizations/") -> dict:
    """Open the directory at ``path`` with ``query`` and wait for its results."""
    visit.open(path + query)
    page = visit.page
    page.wait_for_function("() => document.querySelector('[data-shequ-directory]')?.dataset.shequDone !== undefined",
                           timeout=20_000)
    facets = page.locator(".shequ-directory__facets")
    assert facets.get_attribute("open") is None  # folded away at phone width
    page.click(".shequ-directory__facets > summary")
    return state(visit)


def state(visit) -> dict:
    return visit.page.evaluate("""() => {
        const box = document.querySelector('[data-shequ-directory]');
        const selects = {};
        for (const s of box.querySelectorAll('select')) {
            selects[s.name] = {value: s.value, disabled: s.disabled,
                options: [...s.options].filter(o => o.value).map(o => [o.value, o.textContent, Number(o.dataset.count)])};
        }
        return {status: box.querySelector('.shequ-directory__status').textContent,
                names: [...box.querySelectorAll('.shequ-result__title')].map(n => n.textContent),
                links: [...box.querySelectorAll('.shequ-directory__results a')].map(a => a.href),
                labels: [...box.querySelectorAll('.shequ-directory__field > span, summary')].map(n => n.textContent),
                selects, url: location.href};
    }""")


def pinyin(name: str):
    """How the directory sorts names on a Chinese page."""
    return language.sort_key("zh", name)


def count(s: dict) -> int:
    return int(re.match(r"\d+", s["status"]).group(0))


def choose(visit, facet: str, value: str) -> dict:
    page = visit.page
    page.select_option(f"[data-shequ-directory] select[name={facet}]", value)
    page.wait_for_function(
        "([f, v]) => { const b = document.querySelector('[data-shequ-directory]');"
        " return b.dataset.shequDone !== undefined && (new URLSearchParams(location.search).get(f) || '') === v; }",
        arg=[facet, value], timeout=20_000)
    return state(visit)


def test_the_directory_offers_facets_with_counts_above_the_listing(visit):
    s = directory(visit)
    # Until the reader narrows the list, the page's own listing stays.
    assert visit.page.locator("[data-shequ-static]").is_visible()
    assert visit.page.locator(".shequ-directory__results").is_hidden()
    total = count(s)
    assert total >= 70
    provinces = s["selects"]["province"]["options"]
    assert ["11", "北京市（%d）" % provinces[0][2], provinces[0][2]] == provinces[0]
    assert sum(n for _, _, n in provinces) == total
    assert s["selects"]["prefecture"]["disabled"] and s["selects"]["county"]["disabled"]
    for facet in ("track", "form", "field", "population", "status"):
        assert s["selects"][facet]["options"], facet
        assert all(re.search(r"（\d+）$", text) for _, text, _ in s["selects"][facet]["options"])
    tracks = {value: n for value, _, n in s["selects"]["track"]["options"]}
    assert sum(tracks.values()) == total
    visit.shoot("directory")
    s = choose(visit, "sort", "name")
    assert visit.page.locator("[data-shequ-static]").is_hidden()
    assert len(s["names"]) == 20 and s["names"] == sorted(s["names"], key=pinyin)
    visit.page.click(".shequ-directory__more")
    visit.page.wait_for_function("() => document.querySelectorAll('.shequ-directory__results li').length > 20")
    names = state(visit)["names"]
    assert names == sorted(names, key=pinyin) and len(names) == min(40, total)


def test_facets_narrow_province_to_county_and_by_track(visit):
    s = directory(visit)
    total = count(s)
    beijing = dict((v, n) for v, _, n in s["selects"]["province"]["options"])["11"]
    s = choose(visit, "province", "11")
    assert count(s) == beijing < total
    assert not s["selects"]["prefecture"]["disabled"]
    assert [v for v, _, _ in s["selects"]["prefecture"]["options"]] and all(
        v.startswith("11") for v, _, _ in s["selects"]["prefecture"]["options"])
    s = choose(visit, "prefecture", "1101")
    s = choose(visit, "county", "110105")
    chaoyang = count(s)
    assert chaoyang <= beijing
    assert "朝阳区银龄互助会" in s["names"] and "朝外调解志愿队" in s["names"]
    filed = dict((v, n) for v, _, n in s["selects"]["track"]["options"])["filed"]
    s = choose(visit, "track", "filed")
    assert count(s) == filed < chaoyang
    assert "朝外调解志愿队" in s["names"] and "朝阳区银龄互助会" not in s["names"]
    # The selected facet still offers its other values, with their counts.
    assert {v for v, _, _ in s["selects"]["track"]["options"]} >= {"filed", "registered"}
    query = parse_qs(urlsplit(s["url"]).query)
    assert query == {"province": ["11"], "prefecture": ["1101"], "county": ["110105"], "track": ["filed"]}


def test_a_shared_filtered_url_opens_the_same_view(visit):
    s = directory(visit, "?county=110105&track=registered&field=elderly-care&sort=name")
    assert "朝阳区银龄互助会" in s["names"] and "朝外调解志愿队" not in s["names"]
    assert s["selects"]["county"]["value"] == "110105"
    assert s["selects"]["track"]["value"] == "registered"
    assert s["selects"]["field"]["value"] == "elderly-care"
    assert s["selects"]["sort"]["value"] == "name"
    visit.shoot("directory-shared")


def test_a_query_in_the_directory_narrows_and_is_kept_in_the_url(visit):
    s = directory(visit, "?q=%E4%BA%92%E5%8A%A9")  # 互助
    assert "朝阳区银龄互助会" in s["names"]
    assert all("互助" in n for n in s["names"][:3])
    assert visit.page.input_value("[data-shequ-directory] input[name=q]") == "互助"


def test_sorting_by_founding_date(visit):
    directory(visit, "?county=110105")
    newest = choose(visit, "sort", "founded-desc")["names"]
    oldest = choose(visit, "sort", "founded-asc")["names"]
    assert newest and newest[0] != oldest[0]
    founded = visit.page.evaluate("""() => [...document.querySelectorAll('[data-shequ-directory] .shequ-result__line')]
        .map(l => (l.textContent.match(/成立于 (\\d{4}-\\d{2}-\\d{2})/) || [])[1]).filter(Boolean)""")
    assert founded == sorted(founded)


def test_the_english_directory_speaks_english_and_links_into_the_english_tree(visit, base_url):  # noqa: F811
    s = directory(visit, "?county=110105", path="en/organizations/")
    assert re.fullmatch(r"\d+ organizations?", s["status"]), s["status"]
    assert "Management track" in s["labels"] and "Sort by" in s["labels"] and "Filter and sort: 3 filters" in s["labels"]
    assert not any(re.search(r"[\u4e00-\u9fff·]", label) for label in s["labels"]), s["labels"]
    tracks = dict((v, text) for v, text, _ in s["selects"]["track"]["options"])
    assert re.fullmatch(r"Registered with civil affairs \(\d+\)", tracks["registered"]), tracks
    assert s["selects"]["sort"]["options"][0][1] == "Name"
    assert "Chaoyang Silver Age Mutual Aid Association" in s["names"]  # the English name where there is one
    assert "朝外调解志愿队" in s["names"]  # the Chinese one where there is none
    assert s["links"] and all(link.startswith(base_url + "en/organizations/") for link in s["links"]), s["links"]
    assert f"{base_url}en/organizations/{ORG}/" in s["links"]

    def english(name):  # how an English page sorts the names it shows
        return language.sort_key("en", name, None if re.search(r"[\u4e00-\u9fff]", name) else name)

    assert s["names"] == sorted(s["names"], key=english)
    founded = visit.page.evaluate("""() => [...document.querySelectorAll('[data-shequ-directory] .shequ-result__line')]
        .map(l => l.textContent)""")
    assert any(re.search(r"Founded \d{4}-\d{2}-\d{2}", line) for line in founded)
    s = directory(visit, "?q=%E4%BA%92%E5%8A%A9", path="en/organizations/")  # 互助 on an English page
    assert "Chaoyang Silver Age Mutual Aid Association" in s["names"]
    assert all(link.startswith(base_url + "en/") for link in s["links"])


def test_without_javascript_the_listing_and_regions_lead_to_every_record(browser, base_url):  # noqa: F811
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base_url + "organizations/")
        assert page.locator("form[data-shequ-search]").is_hidden()
        assert page.locator("[data-shequ-directory]").is_hidden()
        assert page.locator(f"a[href='{ORG}/']").is_visible()
        page.goto(base_url + "regions/110105002/")
        assert page.locator(f"a[href='../../organizations/{FILED}/']").is_visible()
    finally:
        context.close()


def test_the_more_button_shows_only_while_more_results_remain(visit):
    s = directory(visit, "?sort=name")
    more = visit.page.locator(".shequ-directory__more")
    assert count(s) > 20 and more.is_visible()
    s = directory(visit, "?sort=name&county=110105&track=filed")
    assert 0 < count(s) <= 20 and more.is_hidden()


def test_on_a_desktop_the_filters_are_open_until_a_search_then_fold_and_count_what_is_on(browser, base_url):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 800}, service_workers="block")
    page = context.new_page()
    try:
        done = "() => document.querySelector('[data-shequ-directory]')?.dataset.shequDone !== undefined"
        page.goto(base_url + "en/organizations/")
        page.wait_for_function(done, timeout=20_000)
        facets = page.locator(".shequ-directory__facets")
        assert facets.get_attribute("open") is not None
        assert page.inner_text(".shequ-directory__facets > summary") == "Filter and sort"
        page.goto(base_url + "en/organizations/?q=mutual&track=registered&county=110105")
        page.wait_for_function(done, timeout=20_000)
        assert facets.get_attribute("open") is None
        assert page.inner_text(".shequ-directory__facets > summary") == "Filter and sort: 4 filters"
        # The first result is on the first screen.
        first = page.locator(".shequ-result").first.bounding_box()
        assert first is not None and first["y"] + first["height"] < 800
    finally:
        context.close()


def test_the_language_menu_keeps_the_directorys_query_and_filters(visit, base_url):  # noqa: F811
    directory(visit, "?q=%E4%BA%92%E5%8A%A9&track=registered")
    english = visit.page.get_attribute("a[hreflang=en]", "href")
    assert english.endswith("?q=%E4%BA%92%E5%8A%A9&track=registered"), english
    visit.page.goto(urljoin(visit.page.url, english))
    visit.page.wait_for_function(
        "() => document.querySelector('[data-shequ-directory]')?.dataset.shequDone !== undefined", timeout=20_000)
    s = state(visit)
    assert s["selects"]["track"]["value"] == "registered"
    assert visit.page.input_value("[data-shequ-directory] input[name=q]") == "互助"
    assert "/en/organizations/" in s["url"]


def test_directory_snippets_leave_out_what_the_card_already_says(visit):
    directory(visit, "?q=社区")
    cards = visit.page.evaluate("""() => [...document.querySelectorAll('[data-shequ-directory] .shequ-result')].map(li => ({
        region: li.querySelector('.shequ-result__region')?.textContent || '',
        facets: [...li.querySelectorAll('.shequ-result__facet')].map(f => f.textContent),
        snippet: li.querySelector('.shequ-result__snippet')?.textContent || ''}))""")
    assert cards and all(c["snippet"] for c in cards)
    for card in cards:
        parts = card["snippet"].rstrip(" …").split(". ")
        assert card["region"] not in parts and not set(card["facets"]) & set(parts), card


def test_header_results_say_their_kind_once_and_end_cleanly(visit):
    results = ask(visit, "elderly care", language.prefix("en"))
    topic = next(r for r in results if r["kind"] == "Topic")
    assert not topic["snippet"].startswith("Topic") and " ." not in topic["snippet"], topic


def test_directory_results_leave_out_the_usual_status_and_what_the_filters_chose(visit):
    s = directory(visit, "?sort=name")
    lines = visit.page.locator(".shequ-result__line").all_inner_texts()
    assert lines and not any("正常" in line for line in lines)
    assert any("在民政部门登记" in line for line in lines)
    # A chosen track or status is said by its filter, not again on every card.
    for query, label in (("track=registered", "在民政部门登记"), ("status=suspended", "停止活动")):
        s = directory(visit, "?sort=name&" + query)
        assert count(s) > 0
        lines = visit.page.locator(".shequ-result__line").all_inner_texts()
        assert lines and not any(label in line for line in lines), (query, lines)


def test_directory_cards_leave_out_the_regions_the_filters_chose(visit, site):  # noqa: F811
    with open(site.root / "datasets/reference/divisions.csv", encoding="utf-8", newline="") as f:
        divisions = {row["code"]: row for row in csv.DictReader(f)}
    # With a county chosen, a card names only what lies below it: its township, or nothing
    # (in English where the township has an English name).
    for path, key in (("organizations/", "name"), ("en/organizations/", "name_en")):
        directory(visit, "?county=110105&sort=name", path=path)
        places = visit.page.evaluate("""() => [...document.querySelectorAll('[data-shequ-directory] .shequ-result')]
            .map(li => li.querySelector('.shequ-result__region')?.textContent || '')""")
        townships = {row[key] or row["name"] for row in divisions.values() if row["parent"] == "110105"}
        assert places and set(places) <= townships | {""}, (path, places)
    # A province chosen leaves its name out, not the county's.
    directory(visit, "?province=11&sort=name")
    places = visit.page.locator(".shequ-result__region").all_inner_texts()
    counties = {row["name"] for row in divisions.values() if row["parent"] == "1101"}
    assert places and all(place.split(" ")[0] in counties for place in places), places


@pytest.mark.parametrize("path, lang", [("no-such-page/", "zh"), ("en/no-such-page/", "en")])
def test_the_not_found_page_searches_the_language_of_the_address_asked_for(visit, site, base_url, path, lang):  # noqa: F811
    """A host answers every missing address with the one 404.html; an English address searches in English."""
    page = visit.page
    not_found = (site.site / "404.html").read_text(encoding="utf-8")
    page.route(base_url + path, lambda route: route.fulfill(status=404, body=not_found, content_type="text/html"))
    page.goto(base_url + path, wait_until="load")
    results = ask(visit, "孵化", path=None)
    assert page.evaluate("window.shequSearch.language") == lang
    assert page.evaluate("document.documentElement.lang") == lang
    assert any(f"pagefind/pagefind.{lang}_" in url for url in visit.requests), visit.requests
    found = paths(results, base_url)
    assert found and all(p.startswith("en/") == (lang == "en") for p in found), found
    # Each part of the page still says its own language.
    assert page.locator("h1").get_attribute("lang") == "zh"
    assert page.locator("article [lang=en]").count() >= 1
