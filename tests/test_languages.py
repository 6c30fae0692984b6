"""The site in two languages: every page in Chinese at its address and in English under
``en/``, each with the right ``<html lang>``, Material's interface in that language, a
language switcher and ``hreflang`` alternates to its counterpart; listings sorted in the
reader's language. Uses ``test_site.py``'s session build of the demo site."""

from __future__ import annotations

import re
from html import unescape as html_unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from shequ.render import language
from site_project import SITE_ADDRESS
from test_site import INC, ORG, site  # noqa: F401  (site is a fixture)

#: Folders of the built site that are not pages of a language.
SHARED = ("assets/", "pagefind/", "directory-index/", "search/")


class Head(HTMLParser):
    """``<html lang>``, the ``hreflang`` alternates, the switcher's links, and the table rows' first links."""

    def __init__(self):
        super().__init__()
        self.lang = None
        self.alternates: dict[str, str] = {}
        self.switcher: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "link" and a.get("rel") == "alternate" and a.get("hreflang"):
            self.alternates[a["hreflang"]] = a.get("href", "")
        elif tag == "a" and "md-select__link" in (a.get("class") or "") and a.get("hreflang"):
            self.switcher[a["hreflang"]] = a.get("href", "")


def head(path: Path) -> Head:
    parser = Head()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def pages(root: Path) -> list[str]:
    """Site paths of the built pages (``organizations/x/``), shared folders and 404 left out."""
    out = []
    for path in root.rglob("index.html"):
        rel = path.parent.relative_to(root).as_posix()
        rel = "" if rel == "." else rel + "/"
        if not rel.startswith(SHARED):
            out.append(rel)
    return sorted(out)


def resolve(page: str, href: str) -> str:
    """The site path a relative ``href`` on the page at ``page`` leads to."""
    return urlsplit(urljoin("http://site/" + page, href)).path.lstrip("/")


@pytest.fixture(scope="module")
def built(site):  # noqa: F811
    return site.site


def test_every_page_exists_in_both_languages(built):
    paths = set(pages(built))
    zh = {p for p in paths if language.language_of(p) == "zh"}
    en = {p for p in paths if language.language_of(p) == "en"}
    assert len(zh) > 100 and len(zh) == len(en)
    assert {language.counterpart(p, "en") for p in zh} == en
    # The addresses of the one-language site still work: they are the Chinese pages.
    for old in ("", f"organizations/{ORG}/", f"incubators/{INC}/", "regions/", "data/", "guides/find-support/"):
        assert old in zh


def test_each_page_has_its_language_alternates_and_switcher(built):
    for path in pages(built):
        lang = language.language_of(path)
        h = head(built / path / "index.html")
        assert h.lang == lang, path
        for other in language.LANGUAGES:
            want = language.counterpart(path, other)
            assert resolve(path, h.alternates[other]) == want, (path, other, h.alternates)
            assert resolve(path, h.switcher[other]) == want, (path, other, h.switcher)


def test_the_interface_speaks_the_page_language(built):
    zh = (built / f"organizations/{ORG}/index.html").read_text(encoding="utf-8")
    en = (built / f"en/organizations/{ORG}/index.html").read_text(encoding="utf-8")
    # Material's own strings (its translation files): the switcher's label, "back to top".
    for zh_text, en_text in (("选择当前语言", "Select language"), ("回到页面顶部", "Back to top")):
        assert zh_text in zh and en_text not in zh
        assert en_text in en and zh_text not in en
    assert "演示数据" in zh and "Demonstration data" in en and "演示数据" not in en


def test_each_language_has_its_own_navigation(built):
    zh = (built / "guides/find-support/index.html").read_text(encoding="utf-8")
    en = (built / "en/guides/find-support/index.html").read_text(encoding="utf-8")
    nav = re.compile(r'<nav class="md-nav md-nav--primary"[\s\S]*?</nav>\s*</div>\s*</div>\s*</div>')
    zh_nav, en_nav = nav.search(zh).group(0), nav.search(en).group(0)
    assert "孵化机构" in zh_nav and "Incubators" not in zh_nav
    assert "Incubators" in en_nav and "孵化机构" not in en_nav
    assert 'href="../../en/' not in en_nav  # English pages link English pages, relatively


def test_records_show_the_name_of_the_page_language_first(built):
    zh = (built / f"organizations/{ORG}/index.html").read_text(encoding="utf-8")
    en = (built / f"en/organizations/{ORG}/index.html").read_text(encoding="utf-8")
    h1 = re.compile(r"<h1[^>]*>([\s\S]*?)</h1>")
    assert h1.search(zh).group(1).lstrip().startswith("朝阳区银龄互助会")
    assert h1.search(en).group(1).lstrip().startswith("Chaoyang Silver Age Mutual Aid Association")


def listing_names(path: Path) -> list[str]:
    """The organizations' names in a listing, in page order (each row's first link), as text."""
    html = path.read_text(encoding="utf-8")
    table = html[re.search(r'<table class="shequ-list shequ-cards[" ]', html).start():]
    body = table[table.index("<tbody"):table.index("</tbody>")]
    return [html_unescape(re.sub(r"<[^>]+>", "", m)).strip()
            for m in re.findall(r"<tr>\s*<td[^>]*>\s*<a [^>]*>([\s\S]*?)</a>", body)]


def test_listings_sort_by_pinyin_in_chinese_and_alphabetically_in_english(built):
    zh = listing_names(built / "regions/110105/index.html")
    en = listing_names(built / "en/regions/110105/index.html")
    assert len(zh) >= 3 and len(zh) == len(en)
    assert zh == sorted(zh, key=lambda n: language.sort_key("zh", n))
    # English names alphabetically; a record without one shows its Chinese name, sorted by its pinyin.
    han = re.compile(r"[\u4e00-\u9fff]")
    assert en == sorted(en, key=lambda n: language.sort_key("en", n, None if han.search(n) else n))
    assert any(han.search(n) for n in en) and not all(han.search(n) for n in en)


def test_the_not_found_page_speaks_both_languages_and_leads_to_each_home(built):
    html = (built / "404.html").read_text(encoding="utf-8")
    assert "页面不存在" in html and 'lang="en"' in html and "Page not found" in html
    hrefs = re.findall(r'<article[\s\S]*?</article>', html)[0]
    for target in ('href="/"', 'href="/en/"', 'href="/organizations/"', 'href="/en/organizations/"'):
        assert target in hrefs, target


def test_alternates_are_full_addresses_when_the_site_address_is_known(addressed_site):
    """Search engines read hreflang alternates only as full addresses."""
    out = addressed_site / "site"
    for path in ("", "en/", "organizations/org-silver-age/", "en/organizations/org-silver-age/"):
        h = head(out / path / "index.html")
        assert h.alternates == {lang: SITE_ADDRESS + language.counterpart(path, lang)
                                for lang in language.LANGUAGES}, path
        assert h.switcher == h.alternates, path
