"""Region pages: province → prefecture → county → township / sub-district, with counts.

Only divisions that hold a record, or lie above one, get a page. Each page
lists its sub-divisions with counts, the incubators in it and, page by page,
the organizations in it and below it.
"""

from __future__ import annotations

from .model import LEVEL_LABELS, Region
from .page import GeneratedPage, Renderer, paginated

DIVISIONS_SOURCE = "datasets/reference/divisions.csv"


def region_index(renderer: Renderer) -> GeneratedPage:
    path = "regions/"
    body = renderer.render("regions.html", path, regions=renderer.directory.top_regions, levels=LEVEL_LABELS)
    return GeneratedPage(path, "Regions 地区", body, renderer.edit_url(DIVISIONS_SOURCE), in_nav=True)


def region(renderer: Renderer, r: Region) -> list[GeneratedPage]:
    directory = renderer.directory
    children = [directory.regions[c] for c in r.children]
    orgs = sorted(directory.organizations_by_region.get(r.code, []),
                  key=lambda o: (o.values.get("division", ""), o.name, o.id))
    return paginated(
        renderer, "region.html", r.path, f"{r.name} {r.code}", orgs,
        edit_url=renderer.edit_url(DIVISIONS_SOURCE),
        region=r,
        trail=directory.region_path(r.code),
        children=children,
        incubators=directory.incubators_by_region.get(r.code, []),
        levels=LEVEL_LABELS,
    )
