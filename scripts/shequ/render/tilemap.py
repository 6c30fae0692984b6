"""A tile-grid map of China's 34 provincial-level divisions, coloured by how many organizations each holds.

Each division is one square in a grid that keeps its neighbours roughly where they are
on a map (Xinjiang in the west, Heilongjiang in the north-east, Hong Kong, Macao and
Taiwan in the south-east), so no boundary geometry is needed and every tile is the same
size, large enough to read and to tap. The template draws it as inline SVG (no script);
a tile with organizations links to its region page; the same numbers stand in a table
beside the map. Colours are a sequential scale of five steps, each tile's text black or
white, whichever contrasts more (at least 4.5:1, :func:`contrast`), and every tile has an
outline that stands out from the page (at least 3:1).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


def _read_grid() -> dict[str, tuple[int, int, str, str, str]]:
    with (Path(__file__).parent / "tilegrid.csv").open(encoding="utf-8", newline="") as fh:
        return {r["code"]: (int(r["column"]), int(r["row"]), r["short_zh"], r["short_en"], r["abbreviation"])
                for r in csv.DictReader(fh)}


#: code → (column, row, short Chinese name, short English name, two-letter code as in
#: ISO 3166-2:CN), from tilegrid.csv beside this module (data, not interface text).
GRID = _read_grid()
COLUMNS = 1 + max(c for c, *_ in GRID.values())
ROWS = 1 + max(r for _, r, *_ in GRID.values())
#: Tile size and gap, in SVG units.
TILE = 56
GAP = 4
#: No organization, then four steps of a sequential blue scale (light to dark).
FILLS = ("#f2f2f2", "#deebf7", "#9ecae1", "#4292c6", "#08519c")
OUTLINE = "#595959"  # 7:1 against white: the tiles' edges are seen on a white page
INK = ("#000000", "#ffffff")


def luminance(colour: str) -> float:
    """Relative luminance of a ``#rrggbb`` colour (WCAG 2.1)."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21).

    >>> round(contrast("#000000", "#ffffff"))
    21
    """
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def ink(fill: str) -> str:
    """Black or white, whichever reads better on ``fill``."""
    return max(INK, key=lambda colour: contrast(colour, fill))


@dataclass
class Tile:
    code: str
    x: int
    y: int
    short: str  # the tile's label
    name: str  # the full name, for the table and the link's label
    count: int
    step: int  # 0: none; 1–4: the colour step
    link: str | None  # the region page, where there is one

    @property
    def fill(self) -> str:
        return FILLS[self.step]

    @property
    def ink(self) -> str:
        return ink(self.fill)


@dataclass
class Step:
    fill: str
    low: int
    high: int

    @property
    def ink(self) -> str:
        return ink(self.fill)


@dataclass
class TileMap:
    tiles: list[Tile]
    steps: list[Step]  # the legend: the colour steps in use, with their ranges
    total: int
    width: int = COLUMNS * TILE + (COLUMNS - 1) * GAP
    height: int = ROWS * TILE + (ROWS - 1) * GAP
    tile: int = TILE

    @property
    def table(self) -> list[Tile]:
        """The tiles as the table lists them: most organizations first, then by code."""
        return sorted(self.tiles, key=lambda t: (-t.count, t.code))


def _step(count: int, top: int) -> int:
    """The colour step of a count: four equal parts of 1…top (0 for none)."""
    return 0 if count <= 0 else min(4, 1 + (4 * (count - 1)) // max(top, 1))


def tile_map(directory, lang: str) -> TileMap:
    """The map of the organizations in ``directory`` (the render model) for a page in ``lang``."""
    tiles = []
    top = max((directory.regions[c].organizations for c in GRID if c in directory.regions), default=0)
    for code, (col, row, short_zh, short_en, abbr) in GRID.items():
        region = directory.regions.get(code)
        division = directory.sources.divisions.get(code)
        count = region.organizations if region else 0
        if lang == "en":
            short, name = abbr, (division.name_en if division and division.name_en else short_en)
        else:
            short, name = short_zh, (division.name if division else short_zh)
        tiles.append(Tile(code, col * (TILE + GAP), row * (TILE + GAP), short, name, count, _step(count, top),
                          region.path if region else None))
    steps = []
    for step in range(1, 5):
        counts = [n for n in range(1, top + 1) if _step(n, top) == step]
        if counts:
            steps.append(Step(FILLS[step], counts[0], counts[-1]))
    return TileMap(tiles, steps, sum(t.count for t in tiles))
