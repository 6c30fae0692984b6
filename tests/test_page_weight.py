"""The weight of the pages a large site is made of (issue 17: at most 40 KB per organization).

Record pages are nearly all of a large site, two per organization, so what their theme
repeats on each counts tens of thousands of times: the navigation, the icons. These tests
read the demo site the session builds once (``site``), and hold the budget of a record page
at the demo's size; ``shequ bench`` gives the figures at scale (docs/performance.md).
"""

from __future__ import annotations

import re

from test_site import ORG, site  # noqa: F401  (site is a fixture)

#: The mean bytes of a demo record page, both languages. Before the pruned navigation and
#: the shared icons it was 21.3 KB; now about 17.6 KB.
RECORD_PAGE_BUDGET = 18_500

PRIMARY_NAV = re.compile(r'<nav class="md-nav md-nav--primary"[\s\S]*?<ul class="md-nav__list" data-md-scrollfix>'
                         r'([\s\S]*)</ul>\s*</nav>\s*</div>\s*</div>\s*</div>')


def record_pages(site):  # noqa: F811
    return [p for lang in ("", "en/") for p in (site.site / lang / "organizations").glob("org-*/index.html")]


def test_record_pages_stay_within_their_byte_budget(site):  # noqa: F811
    sizes = [p.stat().st_size for p in record_pages(site)]
    assert len(sizes) >= 20
    mean = sum(sizes) / len(sizes)
    assert mean <= RECORD_PAGE_BUDGET, f"a record page is {mean:,.0f} bytes on average"


def nav_links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]*)" class="md-nav__link', PRIMARY_NAV.search(html).group(1))


def test_a_record_page_links_each_section_of_the_navigation_once(site):  # noqa: F811
    # The guide is in the navigation: it shows all of it, its own section open.
    guide = nav_links(site.page("guides/find-support/"))
    for lang in ("", "en/"):
        record = nav_links(site.page(f"{lang}organizations/{ORG}/"))
        # Home, guides, directory, policy, statistics, data, what's new: one link each, every
        # section to its first page, as the guide's navigation has them.
        assert 5 <= len(record) < len(nav_links(site.page(f"{lang}guides/find-support/")))
        assert len(set(record)) == len(record)
    assert "../../guides/start-an-organization/" in nav_links(site.page(f"organizations/{ORG}/"))
    assert "../start-an-organization/" in guide and "../../policy/timeline/" in guide


def test_icons_shown_twice_are_drawn_from_one_copy(site):  # noqa: F811
    page = site.page(f"organizations/{ORG}/")
    for name in ("logo", "repo"):
        assert page.count(f'<symbol id="shequ-icon-{name}"') == 1
        assert page.count(f'<use href="#shequ-icon-{name}"/>') == 2  # the header's and the navigation's
    paths = re.findall(r'<path d="([^"]+)"', page)
    assert paths and len(paths) == len(set(paths)), "an icon is drawn twice"
