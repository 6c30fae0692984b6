"""The statistics page: counts drawn at build time as inline SVG bar charts.

No chart JavaScript and no external host: each chart is an ``<svg>`` built by
the template from the numbers here, with the same numbers in a table beside it.
Titles and notes are messages, labels come from the data in its languages; the page shows
those of its own.
Bars run from the largest count down; equal counts keep the vocabulary's order
(regions: the reader's order of their names, years: oldest first).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from shequ.render.coverage import TARGET_PROVISION, TARGET_RURAL, TARGET_URBAN, coverage
from shequ.render.messages import N_
from shequ.render.model import Directory
from shequ.render.page import GeneratedPage, Renderer
from shequ.render.tilemap import tile_map

#: Chart geometry, in SVG units (the chart scales to the width of its column).
WIDTH = 360
LABEL_HEIGHT = 17
BAR_HEIGHT = 14
ROW_HEIGHT = 40
BAR_SPACE = 310  # the longest bar; the rest of the width holds its count


@dataclass
class Bar:
    label_zh: str
    label_en: str
    count: int
    link: str | None = None  # a site path
    y: float = 0
    width: float = 0


@dataclass
class Chart:
    id: str
    title: str  # a message
    bars: list[Bar]
    note: str = ""  # a message

    @property
    def height(self) -> int:
        return max(ROW_HEIGHT * len(self.bars), ROW_HEIGHT)

    def layout(self) -> "Chart":
        top = max((b.count for b in self.bars), default=0) or 1
        for i, bar in enumerate(self.bars):
            bar.y = i * ROW_HEIGHT
            bar.width = round(BAR_SPACE * bar.count / top, 1)
        return self


def _term_bars(directory: Directory, vocabulary: str, counts: Counter) -> list[Bar]:
    bars = []
    for code, term in directory.terms.get(vocabulary, {}).items():
        if counts.get(code):
            link = term.path if directory.has_page(term) else None
            bars.append(Bar(term.label_zh, term.label_en, counts[code], link))
    known = set(directory.terms.get(vocabulary, {}))
    bars += [Bar(code, code, n) for code, n in sorted(counts.items()) if code not in known]
    return sorted(bars, key=lambda b: -b.count)


def region_level(directory: Directory) -> str:
    """The first level, from province down, at which the organizations are spread over several regions."""
    for level in ("province", "prefecture", "county"):
        used = {r.code for r in directory.regions.values() if r.level == level and r.organizations}
        if len(used) > 1:
            return level
    return "county"


def charts(directory: Directory, renderer: Renderer | None = None) -> list[Chart]:
    """The charts of the statistics page; ``renderer`` orders regions with equal counts in its language."""
    fields = directory.count_by(lambda o: o.lists.get("fields_of_activity", []))
    tracks = directory.count_by(lambda o: o.values.get("management_track"))
    forms = directory.count_by(lambda o: o.values.get("legal_form"))
    years = directory.count_by(lambda o: o.values["founded"].year if o.values.get("founded") else None)
    level = region_level(directory)
    regions = [r for r in directory.regions.values() if r.level == level and r.organizations]
    out = [
        Chart("fields", N_("Field of activity"), _term_bars(directory, "fields_of_activity", fields),
              N_("An organization may work in several fields.")),
        Chart("tracks", N_("Management track"), _term_bars(directory, "management_tracks", tracks)),
        Chart("legal-forms", N_("Legal form"), _term_bars(directory, "legal_forms", forms)),
        Chart("founded", N_("Year founded"),
              [Bar(str(y), str(y), n) for y, n in sorted(years.items())],
              N_("Organizations without a founding date are left out.")),
        Chart("regions", N_("Region"),
              sorted((Bar(r.name, r.name_en, r.organizations, r.path) for r in regions),
                     key=lambda b: (-b.count, renderer.sort_key(b.label_zh) if renderer else (), b.link))),
    ]
    return [c.layout() for c in out]


def statistics(renderer: Renderer) -> GeneratedPage:
    path = "statistics/"
    directory = renderer.directory
    found = charts(directory, renderer)
    covered = coverage(directory)
    level = region_level(directory)
    coverage_rows = [(r, covered[r.code]) for r in directory.regions.values() if r.level == level and r.code in covered]
    body = renderer.render("statistics.html", path, charts=found, width=WIDTH, label_height=LABEL_HEIGHT,
                           bar_height=BAR_HEIGHT, total=len(directory.organizations),
                           coverage_total=covered.get(""), coverage_rows=coverage_rows,
                           targets=(TARGET_URBAN, TARGET_RURAL), tile_map=tile_map(directory, renderer.lang),
                           target_provision=directory.provision_path(TARGET_PROVISION))
    toc = [("shequ-tilemap-title", renderer.t("Organizations by province"))]
    toc += [(c.id, renderer.t(c.title)) for c in found]
    toc.append(("targets", renderer.t("Against the 2017 targets")))
    return GeneratedPage(path, renderer.t("Statistics"), body, toc=toc, in_nav=True)
