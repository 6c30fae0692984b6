"""The built site in a real browser: Debian's Chromium driven by Playwright.

The site comes from ``test_site.py``'s session build and is served by a local
``http.server`` on 127.0.0.1. Playwright never downloads a browser: without
``/usr/bin/chromium`` these tests fail, they do not skip. With ``SHEQU_TEST_SHOTS`` set
to a folder, each page type is also saved there as a phone-width screenshot, to look at;
without it none is taken (a full-page screenshot costs about a second of CPU).
"""

from __future__ import annotations

import csv
import functools
import http.server
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from test_site import FILED, HOSTILE, HOSTILE_TEXTS, INC, ORG, site  # noqa: F401  (site is a fixture)

pytestmark = pytest.mark.browser

#: Where screenshots go, if anywhere (``SHEQU_TEST_SHOTS=/tmp/shots pytest …``).
SHOTS = os.environ.get("SHEQU_TEST_SHOTS")
PHONE = {"width": 390, "height": 844}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture(scope="module")
def base_url(site):  # noqa: F811
    handler = functools.partial(_QuietHandler, directory=str(site.site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@dataclass
class Visit:
    page: object
    base: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def open(self, path: str):
        response = self.page.goto(self.base + path, wait_until="load")
        assert response is not None and response.ok, path
        return self.page

    def shoot(self, name: str) -> Path | None:
        if not SHOTS:
            return None
        out = Path(SHOTS) / f"{name}-{PHONE['width']}.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(out), full_page=True)
        return out


class Tab:
    """One browser tab that the tests of a module take turns in. A new context and page per
    test cost about 1.5 s of Chromium's CPU (a renderer started, fonts loaded, scripts
    compiled again); a navigation in a warm tab costs about 0.3 s."""

    def __init__(self, browser):
        self.browser = browser
        self.context = self.page = None

    def take(self):
        if self.page is None or self.page.is_closed():
            self.close()
            self.context = self.browser.new_context(viewport=PHONE, locale="zh-CN", service_workers="block")
            self.page = self.context.new_page()
        self.page.set_viewport_size(PHONE)
        return self.page

    def give_back(self) -> None:
        """Leave nothing for the next test: no route, no stored value, no cookie, no page."""
        page = self.page
        try:
            page.unroute_all(behavior="ignoreErrors")
            if page.url.startswith("http"):
                page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
            page.goto("about:blank")
            self.context.clear_cookies()
        except Exception:  # a page that crashed or hung: the next test gets a new one
            self.close()

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
        self.context = self.page = None


@pytest.fixture(scope="module")
def tab(browser):
    shared = Tab(browser)
    yield shared
    shared.close()


@pytest.fixture
def visit(tab, base_url):
    page = tab.take()
    v = Visit(page, base_url)

    def on_dialog(dialog):
        v.dialogs.append(dialog.message)
        dialog.dismiss()

    listeners = {
        "request": lambda r: v.requests.append(r.url),
        "console": lambda m: v.console_errors.append(m.text) if m.type == "error" else None,
        "pageerror": lambda e: v.page_errors.append(str(e)),
        "dialog": on_dialog,
    }
    for event, listener in listeners.items():
        page.on(event, listener)
    yield v
    for event, listener in listeners.items():
        page.remove_listener(event, listener)
    tab.give_back()
    foreign = [u for u in v.requests if not u.startswith(base_url) and not u.startswith(("data:", "blob:"))]
    assert not foreign, f"requests to other hosts: {foreign}"


PAGES = {
    "home": ("", ["Shequ 社区", "演示数据", "查找组织"]),
    "home-en": ("en/", ["Shequ", "Demonstration data", "Find organizations"]),
    "organization": (f"organizations/{ORG}/", ["朝阳区银龄互助会", "统一社会信用代码", "朝阳区社区社会组织孵化基地",
                                                "纠错"]),
    "organization-en": (f"en/organizations/{ORG}/", ["Chaoyang Silver Age Mutual Aid Association",
                                                      "Unified Social Credit Code", "Suggest a correction"]),
    "incubator": (f"incubators/{INC}/", ["朝阳区社区社会组织孵化基地", "孵化的组织", "朝阳区银龄互助会"]),
    "region": ("regions/110105/", ["朝阳区", "建外街道", "朝外街道", "朝阳区银龄互助会"]),
    "provision": ("policy/opinions-2016/3.1/", ["降低准入门槛", "意味着什么", "相关数据"]),
    "provision-en": ("en/policy/opinions-2016/3.1/", ["Lowering thresholds", "For organizers", "What it means"]),
    "glossary": ("policy/glossary/", ["社区社会组织", "shèqū shèhuì zǔzhī"]),
    "guide": ("guides/start-an-organization/", ["登记还是备案", "找到适合你的方式", "街道办事处"]),
    "guide-en": ("en/guides/start-an-organization/", ["register or file?", "Find your track", "登记"]),
    "statistics": ("statistics/", ["活动领域", "管理方式"]),
    "statistics-en": ("en/statistics/", ["Field of activity", "Management track", "Year founded"]),
    "downloads": ("data/", ["organizations.csv", "SHA-256", "数据字典"]),
    "downloads-en": ("en/data/", ["organizations.csv", "SHA-256", "Data dictionary", "Shequ contributors"]),
    "organizations": ("organizations/", ["朝阳区银龄互助会", "朝外调解志愿队"]),
    "topic": ("topics/fields-of-activity/elderly-care/", ["养老照护", "在组织名录中查看"]),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_with_expected_content(visit, name):
    path, texts = PAGES[name]
    page = visit.open(path)
    body = page.inner_text("body")
    for text in texts:
        assert text in body, f"{name}: {text!r} not shown"
    assert page.locator("aside.md-banner .shequ-demo").is_visible()
    # Nothing is wider than the phone: no sideways scrolling of the whole page.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    visit.shoot(name)
    assert not visit.page_errors and not visit.console_errors, visit.page_errors + visit.console_errors


#: The data page at a small phone's width, without script: every file and hash in view made it
#: about 40,000 px tall; the main downloads first and the rest folded keep it under this.
NARROW_PHONE = {"width": 360, "height": 780}
DATA_PAGE_MAX_HEIGHT = 8000
MAIN_DOWNLOADS = ["shequ-data.zip", "shequ.xlsx", "shequ-csv-excel.zip"]


@pytest.mark.parametrize("path", ["data/", "en/data/"])
def test_data_page_reads_on_a_phone_with_the_main_downloads_first(browser, base_url, path):
    context = browser.new_context(viewport=NARROW_PHONE, java_script_enabled=False, service_workers="block")
    try:
        page = context.new_page()
        assert page.goto(base_url + path, wait_until="load").ok
        height, width = page.evaluate("[document.documentElement.scrollHeight, document.documentElement.scrollWidth]")
        assert height < DATA_PAGE_MAX_HEIGHT, f"{path} is {height} px tall at {NARROW_PHONE['width']} px"
        assert width <= NARROW_PHONE["width"], f"{path} scrolls sideways: {width} px"
        shown = [a.get_attribute("href").rsplit("/", 1)[-1] for a in page.locator("article a[download]:visible").all()]
        assert shown[:3] == MAIN_DOWNLOADS
        # Every other file is a tap away: the folded tables open without script.
        table = page.locator("article #tables")
        assert not table.locator("a[href$='organizations.csv']").is_visible()
        table.locator("summary").first.click()
        assert table.locator("a[href$='organizations.csv']").is_visible()
    finally:
        context.close()


def test_statistics_charts_are_drawn_without_script(visit):
    page = visit.open("statistics/")
    charts = page.locator("article svg[role=img]")
    assert charts.count() == 5
    box = charts.first.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 20


def test_hostile_record_shows_its_values_as_text_and_runs_nothing(visit):
    articles = []
    for path in (f"en/organizations/{HOSTILE}/", f"organizations/{HOSTILE}/"):
        page = visit.open(path)
        page.wait_for_timeout(300)  # give any injected handler a chance to fire
        articles.append(" ".join(page.inner_text("article").split()))
        assert page.locator("article img").count() == 0
        assert page.locator("article b").count() == 0
    for text in HOSTILE_TEXTS:  # each in the page of its language at least (descriptions)
        assert any(" ".join(text.split()) in article for article in articles), text
    assert page.locator("article img").count() == 0
    assert page.locator("article b").count() == 0
    assert page.title().startswith("<script>alert(1)</script>敌意测试")
    visit.shoot("hostile")
    page.locator("article .shequ-description").first.hover()
    assert visit.dialogs == []
    assert visit.console_errors == [] and visit.page_errors == []


def test_no_request_leaves_the_site(visit):
    for path in ("", f"organizations/{ORG}/", "data/"):
        visit.open(path)
        visit.page.wait_for_load_state("networkidle")
    assert visit.requests  # the check in the fixture's teardown saw every request


def test_register_or_file_helper_opens_an_answer(visit):
    for path, answer in (("guides/start-an-organization/", "到民政部门登记"),
                         ("en/guides/start-an-organization/", "register with civil affairs")):
        page = visit.open(path)
        second = page.locator("article details").nth(1)
        assert not second.locator(f"text={answer}").is_visible()
        second.locator("summary").click()
        assert second.locator(f"text={answer}").first.is_visible()


def test_a_province_page_leads_to_the_directory_filtered_to_it(visit):
    for path, link_text in (("regions/11/", "在组织名录中筛选"), ("en/regions/11/", "filter the directory")):
        page = visit.open(path)
        assert page.locator("article table.shequ-cards").count() == 0  # organizations are listed further down
        page.locator(f"article a:has-text('{link_text}')").click()
        page.wait_for_load_state("load")
        assert "province=11" in page.url
        results = page.locator(".shequ-result")
        results.first.wait_for()
        places = page.locator(".shequ-result").all_inner_texts()
        # The province filter is on, naming Beijing; the cards leave the province out.
        chosen = page.eval_on_selector("select[name=province]", "s => s.options[s.selectedIndex].text")
        assert chosen.startswith("北京市" if path.startswith("regions") else "Beijing"), chosen
        assert places and not any("北京市" in text or "Beijing Municipality" in text for text in places), places
    assert not visit.page_errors and not visit.console_errors, visit.page_errors + visit.console_errors


def test_a_management_track_page_leads_to_the_directory_filtered_to_it(visit, site):  # noqa: F811
    # Cards leave out what the filter chose, so the filed organizations are read from the published table.
    with (site.site / "data" / "organizations.csv").open(encoding="utf-8", newline="") as fh:
        filed = {row["id"] for row in csv.DictReader(fh) if row["management_track"] == "filed"}
    for path, link_text in (("topics/management-tracks/filed/", "在组织名录中查看"),
                            ("en/topics/management-tracks/filed/", "See these")):
        page = visit.open(path)
        assert page.locator("article table.shequ-cards").count() == 0  # the directory lists them
        page.locator(f"article a:has-text('{link_text}')").click()
        page.wait_for_load_state("load")
        assert "track=filed" in page.url
        page.locator(".shequ-result").first.wait_for()
        shown = page.evaluate("() => [...document.querySelectorAll('.shequ-result a')].map(a => a.pathname)")
        ids = {p.rstrip("/").rsplit("/", 1)[-1] for p in shown if "/organizations/" in p}
        assert ids and ids <= filed, sorted(ids - filed)
    assert not visit.page_errors and not visit.console_errors, visit.page_errors + visit.console_errors


def test_a_service_function_page_leads_to_the_directory_filtered_to_it(visit, site):  # noqa: F811
    # Every topic vocabulary is a directory filter: its pages link there instead of listing.
    with (site.site / "data" / "organization_classifications.csv").open(encoding="utf-8", newline="") as fh:
        members = {row["organization_id"] for row in csv.DictReader(fh)
                   if (row["vocabulary"], row["code"]) == ("service_functions", "dispute-mediation")}
    page = visit.open("en/topics/service-functions/dispute-mediation/")
    assert page.locator("article table.shequ-cards").count() == 0
    page.locator("article a:has-text('See these')").click()
    page.wait_for_load_state("load")
    assert "function=dispute-mediation" in page.url
    page.locator(".shequ-result").first.wait_for()
    shown = page.evaluate("() => [...document.querySelectorAll('.shequ-result a')].map(a => a.pathname)")
    ids = {p.rstrip("/").rsplit("/", 1)[-1] for p in shown if "/organizations/" in p}
    assert ids and ids <= members, sorted(ids - members)
    assert not visit.page_errors and not visit.console_errors, visit.page_errors + visit.console_errors


#: One page of every type, by its path in the Chinese tree; each is also opened in English.
PAGE_TYPES = ["", "organizations/", f"organizations/{ORG}/", f"organizations/{HOSTILE}/", "incubators/",
              f"incubators/{INC}/", "regions/", "regions/11/", "regions/110105/", "regions/110105001/",
              "topics/", "topics/fields-of-activity/elderly-care/", "topics/management-tracks/filed/", "policy/",
              "policy/opinions-2016/", "policy/opinions-2016/3.1/", "policy/glossary/", "statistics/", "data/",
              "whats-new/", "guides/start-an-organization/", "guides/add-or-correct-a-record/"]
#: What a page may be wider than the screen by: nothing.
WIDER = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                 && getComputedStyle(e).position !== 'fixed')
    .slice(0, 3).map(e => e.tagName + '.' + e.className)"""


#: Small phones' widths: each page is loaded at the first and then laid out again at the others.
PHONE_WIDTHS = (360, 390)


@pytest.mark.parametrize("script", [True, False], ids=["js", "no-js"])
def test_no_page_scrolls_sideways_on_a_phone(browser, base_url, script):
    """Every page type, in both languages, fits a small phone: a table becomes cards or
    scrolls inside its own box, and menus stay inside the screen."""
    first, *others = PHONE_WIDTHS
    context = browser.new_context(viewport={"width": first, "height": 800}, java_script_enabled=script,
                                  locale="zh-CN", service_workers="block")
    page = context.new_page()
    wide = []
    try:
        for path in [*PAGE_TYPES, *(f"en/{p}" for p in PAGE_TYPES), "404.html"]:
            page.set_viewport_size({"width": first, "height": 800})
            response = page.goto(base_url + path, wait_until="load")
            assert response is not None and response.ok, path
            for width in (first, *others):
                if width != first:
                    page.set_viewport_size({"width": width, "height": 800})
                if page.evaluate("document.documentElement.scrollWidth") > width:
                    wide.append(f"{path} at {width} px: {page.evaluate(WIDER)}")
    finally:
        context.close()
    assert not wide, "\n".join(wide)
