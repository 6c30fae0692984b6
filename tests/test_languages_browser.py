"""Both languages in a real browser (Debian's Chromium through Playwright): each page type
opens in Chinese and in English, and the header's language switcher lands on the same
item in the other language. Uses the session build of ``test_site.py`` and the browser
fixtures of ``test_site_browser.py``."""

from __future__ import annotations

import pytest

from shequ.render import language
from test_site import INC, ORG, site  # noqa: F401  (site is a fixture)
from test_site_browser import PHONE, base_url, tab, visit  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

#: A Chinese page of each type, with a text it shows in Chinese and one in English.
PAGES = {
    "home": ("", "查找组织", "Find organizations"),
    "organization": (f"organizations/{ORG}/", "朝阳区银龄互助会", "Chaoyang Silver Age Mutual Aid Association"),
    "incubator": (f"incubators/{INC}/", "孵化的组织", "Chaoyang Community Organization Incubation Base"),
    "organizations": ("organizations/", "朝阳区银龄互助会", "Chaoyang Silver Age Mutual Aid Association"),
    "regions": ("regions/", "北京市", "Regions"),
    "region": ("regions/110105/", "朝阳区", "Chaoyang Silver Age Mutual Aid Association"),
    "topic": ("topics/fields-of-activity/elderly-care/", "养老照护", "Elderly care"),
    "policy": ("policy/", "政策", "Policy"),
    "provision": ("policy/opinions-2016/3.1/", "降低准入门槛", "For organizers"),
    "glossary": ("policy/glossary/", "社区社会组织", "Community-based social organization"),
    "guide": ("guides/start-an-organization/", "街道办事处", "register or file"),
    "statistics": ("statistics/", "活动领域", "Year founded"),
    "downloads": ("data/", "数据字典", "Data dictionary"),
    "contribute": ("guides/add-or-correct-a-record/", "更正", "correct"),
}


def switch(page, lang: str) -> None:
    """Choose ``lang`` in the header's language menu, as a reader does."""
    page.locator(".md-header .md-select").first.hover()
    link = page.locator(f".md-header .md-select__link[hreflang='{lang}']").first
    link.click()
    page.wait_for_load_state("load")


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_type_in_both_languages_and_the_switcher_keeps_the_item(visit, name):
    path, zh_text, en_text = PAGES[name]
    page = visit.open(path)
    assert page.evaluate("document.documentElement.lang") == "zh"
    assert zh_text in page.inner_text("article")
    switch(page, "en")
    assert page.url == visit.base + language.counterpart(path, "en")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert en_text.casefold() in page.inner_text("article").casefold()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if name in ("organization", "guide", "statistics"):
        visit.shoot(f"{name}-en")
    switch(page, "zh")
    assert page.url == visit.base + path
    assert not visit.page_errors and not visit.console_errors, visit.page_errors + visit.console_errors
