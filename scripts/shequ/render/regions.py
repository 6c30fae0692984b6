"""Region pages: province → prefecture → county → township / sub-district, with counts.

Only divisions that hold a record, or lie above one, get a page. Each page
lists its sub-divisions with counts and the incubators in it. County and
township pages also list, page by page, the organizations in them and below
them; province and prefecture pages link to the directory filtered to them
instead (``organizations/?province=11``). A province of tens of thousands of
organizations is read by going down to its counties, and listing every
organization at all four levels would double the listings' share of the site
(about 2 KB per organization in each language). English pages show the divisions'
English names (the divisions table's ``name_en``) with the Chinese beside them.
"""

from __future__ import annotations

from shequ.render.coverage import TARGET_PROVISION, TARGET_RURAL, TARGET_URBAN, coverage
from shequ.render.directory import sorted_records
from shequ.render.messages import N_
from shequ.render.model import LEVEL_LABELS, Region
from shequ.render.page import GeneratedPage, Renderer, paginated
from shequ.render.statistics import BAR_HEIGHT, LABEL_HEIGHT, WIDTH, Bar, Chart
from shequ.render.tilemap import tile_map

DIVISIONS_SOURCE = "datasets/reference/divisions.csv"


def sorted_regions(renderer: Renderer, regions: list[Region]) -> list[Region]:
    """Regions in the reader's order (pinyin; English names on English pages), then code."""
    return sorted(regions, key=lambda r: (renderer.sort_key(r.name, r.name_en), r.code))


def region_index(renderer: Renderer) -> GeneratedPage:
    path = "regions/"
    directory = renderer.directory
    body = renderer.render("regions.html", path, regions=sorted_regions(renderer, directory.top_regions),
                           tile_map=tile_map(directory, renderer.lang),
                           subregions=lambda r: sorted_regions(renderer, directory.children(r)), levels=LEVEL_LABELS)
    return GeneratedPage(path, renderer.t("Regions"), body, renderer.edit_url(DIVISIONS_SOURCE), in_nav=True)


#: Levels whose pages list their organizations; above them, the directory filtered to the region.
LISTED_LEVELS = ("county", "township")


def subdivision_chart(children: list[Region]) -> Chart | None:
    """A small bar chart of the organizations in each subdivision (None for fewer than two)."""
    if len(children) < 2:
        return None
    bars = [Bar(c.name, c.name_en, c.organizations, c.path) for c in children]
    return Chart("subdivision-chart", N_("Organizations by subdivision"),
                 sorted(bars, key=lambda b: -b.count)).layout()


def region(renderer: Renderer, r: Region) -> list[GeneratedPage]:
    directory = renderer.directory
    children = sorted_regions(renderer, [directory.regions[c] for c in r.children])
    listed = r.level in LISTED_LEVELS or not children
    orgs = sorted_records(renderer, directory.organizations_by_region.get(r.code, [])) if listed else []
    return paginated(
        renderer, "region.html", r.path, f"{r.label(renderer.lang)} {r.code}", orgs,
        edit_url=renderer.edit_url(DIVISIONS_SOURCE),
        region=r,
        coverage=coverage(directory).get(r.code),
        targets=(TARGET_URBAN, TARGET_RURAL),
        target_provision=directory.provision_path(TARGET_PROVISION),
        directory_filter=None if listed else f"organizations/?{r.level}={r.code}",
        trail=directory.region_path(r.code),
        children=children,
        chart=subdivision_chart(children), chart_sizes=(WIDTH, LABEL_HEIGHT, BAR_HEIGHT),
        incubators=sorted_records(renderer, directory.incubators_by_region.get(r.code, [])),
        levels=LEVEL_LABELS,
    )
