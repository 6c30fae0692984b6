"""Places in both languages, the tile-grid map and the search that forgives, in Chromium.

The demo site of ``test_site.py`` is served as in ``test_site_browser.py``, whose fixtures
these tests share; the helpers come from ``test_search_browser.py``.
"""

from __future__ import annotations

import pytest

from conftest import make_uscc
from test_site import ORG, site  # noqa: F401  (site is a fixture)
from test_site_browser import base_url, tab, visit  # noqa: F401  (fixtures; the browser is conftest's)
from test_search_browser import paths

pytestmark = pytest.mark.browser

#: The test organization's credit code (test_site.make_site_project).
CODE = make_uscc(subject="MJ0099001")


def results_of(visit, query: str, path: str = "") -> tuple[list[dict], str]:
    """Type ``query`` in the header's search box: the first results shown, and the note above
    them (the "did you mean", if any). Waits for any query to be done: a corrected one is."""
    page = visit.page
    visit.open(path)
    box = page.locator("form[data-shequ-search] input")
    box.click()
    box.fill(query)
    page.wait_for_function("() => document.querySelector('.shequ-search__results')?.dataset.shequDone",
                           timeout=20_000)
    found = page.evaluate("""() => [...document.querySelectorAll('.shequ-search__results .shequ-result')].map(li => ({
        href: li.querySelector('a').href,
        kind: li.querySelector('.shequ-result__kind')?.textContent || '',
        title: li.querySelector('.shequ-result__title').textContent}))""")
    note = page.evaluate("() => document.querySelector('.shequ-search__suggestion')?.textContent || ''")
    return found, note


# Search ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("query", [CODE, CODE[:10], CODE[:6], CODE.lower()])
def test_a_credit_code_or_its_first_characters_finds_the_organization_not_a_region(visit, base_url, query):  # noqa: F811
    found, _ = results_of(visit, query)
    assert f"organizations/{ORG}/" in paths(found, base_url)
    assert {r["kind"] for r in found} == {"组织"}  # no "地区 | 北京市" for the code's digits


@pytest.mark.parametrize("path, query, target", [
    ("en/", "Mutaul", "mutual"),  # two letters swapped
    ("en/", "Chaoyng", "chaoyang"),  # a letter dropped
    ("", "Silvr", "silver"),  # on a Chinese page too
])
def test_a_word_one_edit_away_finds_its_target_with_did_you_mean(visit, base_url, path, query, target):  # noqa: F811
    found, note = results_of(visit, query, path)
    assert target in note.lower() and query in note
    assert any(url.endswith(f"organizations/{ORG}/") for url in paths(found, base_url))


def test_the_query_as_typed_stays_one_click_away(visit):
    results_of(visit, "Mutaul", "en/")
    visit.page.locator(".shequ-search__again").click()
    visit.page.wait_for_function("() => document.querySelector('.shequ-search__results').dataset.shequDone === 'Mutaul'")
    assert visit.page.locator(".shequ-search__suggestion").count() == 0


@pytest.mark.parametrize("query", ["yinling huzhu", "yínlíng hùzhù", "yin2ling2", "YinLingHuZhu"])
def test_pinyin_with_or_without_tones_or_spaces_finds_the_chinese_name(visit, base_url, query):  # noqa: F811
    found, _ = results_of(visit, query)
    assert f"organizations/{ORG}/" in paths(found, base_url)


@pytest.mark.parametrize("path, query, region", [
    ("", "Pudong", "regions/310115/"),  # English on the Chinese site
    ("en/", "Pudong", "en/regions/310115/"),
    ("en/", "浦东", "en/regions/310115/"),
    ("en/", "pudongxinqu", "en/regions/310115/"),
    ("", "pu dong xin qu", "regions/310115/"),
])
def test_places_are_found_by_chinese_pinyin_and_english_on_both_sites(visit, base_url, path, query, region):  # noqa: F811
    found, _ = results_of(visit, query, path)
    assert paths(found, base_url)[0] == region


def test_near_terms_meet_through_the_synonyms_file(visit, base_url):  # noqa: F811
    # 长青社区长者关爱小组 holds neither 关怀 nor 老年人; the synonyms join them.
    found, _ = results_of(visit, "长者关怀")
    assert "长青社区长者关爱小组" in [r["title"] for r in found]
    found, _ = results_of(visit, "银龄关怀")  # 银龄 (the test organization's name) joins 长者 too
    titles = [r["title"] for r in found]
    assert "长青社区长者关爱小组" in titles


# English places on English pages ----------------------------------------------------------------

def test_an_english_region_page_names_places_in_english_with_the_chinese_beside(visit):
    page = visit.open("en/regions/310115/")
    assert page.title().startswith("Pudong New Area 310115")
    heading = page.inner_text("article h1")
    assert "Pudong New Area" in heading and "浦东新区" in heading
    trail = page.inner_text(".shequ-trail")
    assert "Shanghai Municipality" in trail and "Municipal Districts" in trail and "市辖区" not in trail
    assert "Zhangjiang Town" in page.inner_text("article")


def test_english_cards_and_filters_name_places_in_english(visit):
    page = visit.open("en/regions/3101/")
    assert "Pudong New Area" in page.inner_text("article")
    page = visit.open("en/organizations/?province=31")
    page.wait_for_function("() => document.querySelector('[data-shequ-done]')", timeout=20_000)
    text = page.inner_text("article")
    # The filter names the province in English; the cards leave it out (the filter says it) and
    # name the rest of the place in English.
    chosen = page.eval_on_selector("select[name=province]", "s => s.options[s.selectedIndex].text")
    assert chosen.startswith("Shanghai Municipality"), chosen
    assert "Pudong New Area" in text and "上海市" not in text and "浦东新区" not in text


# The map ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["", "en/", "regions/", "en/regions/", "statistics/", "en/statistics/"])
@pytest.mark.parametrize("width", [390, 1280])
def test_the_tile_map_works_without_javascript_and_its_labels_are_readable(browser, base_url, path, width):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + path)
    tiles = page.locator(".shequ-tilemap svg rect")
    assert tiles.count() == 34
    # Every tile that holds organizations links to its region page, in the page's language.
    links = page.eval_on_selector_all(".shequ-tilemap svg a", "els => els.map(a => a.getAttribute('href'))")
    assert links and all(href.rstrip("/").split("/")[-1].isdigit() for href in links)
    assert page.locator(".shequ-tilemap table tbody tr").count() == 34
    # Text drawn at 12 px or more on screen, and the map and charts no wider than the screen
    # (the page itself is the phone layouts' business: without JavaScript its language menu
    # is wider than a phone, issue 16).
    smallest = page.evaluate("""() => Math.min(...[...document.querySelectorAll(
        '.shequ-tilemap svg text, .shequ-chart svg text')].map(t =>
        parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a))""")
    assert smallest >= 12, smallest
    widest = page.evaluate("""() => Math.max(...[...document.querySelectorAll(
        '.shequ-tilemap svg, .shequ-tilemap table, .shequ-chart svg')].map(e => e.getBoundingClientRect().right))""")
    assert widest <= width, widest
    context.close()


def test_a_tile_leads_to_its_region(visit, base_url):  # noqa: F811
    page = visit.open("en/")
    page.locator(".shequ-tilemap svg a[aria-label^='Beijing Municipality']").click()
    page.wait_for_url(base_url + "en/regions/11/")


def test_a_region_page_has_a_chart_of_its_subdivisions(visit):
    page = visit.open("en/regions/5101/")
    labels = page.eval_on_selector_all("#subdivision-chart + .shequ-chart__body svg text.shequ-chart__label",
                                       "els => els.map(e => e.textContent)")
    assert set(labels) == {"Pidu District", "Pujiang County", "Wuhou District"}
