"""Region pages: province → prefecture → county → township / sub-district, with counts.

Only divisions that hold a record, or lie above one, get a page. Each page
lists its sub-divisions with counts and the incubators in it. County and
township pages also list, page by page, the organizations in them and below
them; province and prefecture pages link to the directory filtered to them
instead (``organizations/?province=11``). A province of tens of thousands of
organizations is read by going down to its counties, and listing every
organization at all four levels would double the listings' share of the site
(about 2 KB per organization in each language). Divisions have Chinese names
only; they sort by pinyin on the pages of both languages.
"""

from __future__ import annotations

from shequ.render.coverage import TARGET_PROVISION, TARGET_RURAL, TARGET_URBAN, coverage
from shequ.render.directory import sorted_records
from shequ.render.model import LEVEL_LABELS, Region
from shequ.render.page import GeneratedPage, Renderer, paginated

DIVISIONS_SOURCE = "datasets/reference/divisions.csv"


def sorted_regions(renderer: Renderer, regions: list[Region]) -> list[Region]:
    """Regions in the reader's order: by pinyin (divisions have no English names), then code."""
    return sorted(regions, key=lambda r: (renderer.sort_key(r.name), r.code))


def region_index(renderer: Renderer) -> GeneratedPage:
    path = "regions/"
    directory = renderer.directory
    body = renderer.render("regions.html", path, regions=sorted_regions(renderer, directory.top_regions),
                           subregions=lambda r: sorted_regions(renderer, directory.children(r)), levels=LEVEL_LABELS)
    return GeneratedPage(path, renderer.t("Regions"), body, renderer.edit_url(DIVISIONS_SOURCE), in_nav=True)


#: Levels whose pages list their organizations; above them, the directory filtered to the region.
LISTED_LEVELS = ("county", "township")


def region(renderer: Renderer, r: Region) -> list[GeneratedPage]:
    directory = renderer.directory
    children = sorted_regions(renderer, [directory.regions[c] for c in r.children])
    listed = r.level in LISTED_LEVELS or not children
    orgs = sorted_records(renderer, directory.organizations_by_region.get(r.code, [])) if listed else []
    return paginated(
        renderer, "region.html", r.path, f"{r.name} {r.code}", orgs,
        edit_url=renderer.edit_url(DIVISIONS_SOURCE),
        region=r,
        coverage=coverage(directory).get(r.code),
        targets=(TARGET_URBAN, TARGET_RURAL),
        target_provision=directory.provision_path(TARGET_PROVISION),
        directory_filter=None if listed else f"organizations/?{r.level}={r.code}",
        trail=directory.region_path(r.code),
        children=children,
        incubators=sorted_records(renderer, directory.incubators_by_region.get(r.code, [])),
        levels=LEVEL_LABELS,
    )
