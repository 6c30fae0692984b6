"""Organizations per community, against the targets of the Ministry's 2017 opinions.

The divisions table knows, for a township imported with NBS's village-level list, how
many urban and rural communities (residents' and villagers' committees) it has. This
module adds up, for each region, the organizations in such townships and the target
those communities imply. The statistics page and the region pages show it.
"""

from __future__ import annotations

import weakref
from collections import Counter
from dataclasses import dataclass

from shequ.render.model import Directory

#: The 2020 targets of the Ministry's 2017 opinions (mca-2017/targets): on average at least
#: this many community-based social organizations per urban and per rural community.
TARGET_URBAN, TARGET_RURAL = 10, 5
TARGET_PROVISION = "mca-2017/targets"
#: Organizations that no longer exist do not count towards the target.
NOT_COUNTED_STATUSES = {"dissolved"}


@dataclass
class Coverage:
    """Organizations against the 2017 targets, over the townships of a region whose
    community counts the divisions table knows."""

    organizations: int = 0
    urban: int = 0
    rural: int = 0
    townships: int = 0

    @property
    def communities(self) -> int:
        return self.urban + self.rural

    @property
    def target(self) -> int:
        return TARGET_URBAN * self.urban + TARGET_RURAL * self.rural

    @property
    def per_community(self) -> float:
        return self.organizations / self.communities if self.communities else 0.0

    @property
    def share_of_target(self) -> int:
        """Organizations as a whole percentage of the target."""
        return round(100 * self.organizations / self.target) if self.target else 0


_CACHE: "weakref.WeakKeyDictionary[Directory, dict[str, Coverage]]" = weakref.WeakKeyDictionary()


def coverage(directory: Directory) -> dict[str, Coverage]:
    """:func:`compute_coverage`, once per directory: every region page asks for it."""
    found = _CACHE.get(directory)
    if found is None:
        found = _CACHE[directory] = compute_coverage(directory)
    return found


def compute_coverage(directory: Directory) -> dict[str, Coverage]:
    """Region code -> its coverage, for every region with at least one township whose urban and
    rural community counts are known ("" holds the total). Counts the directory's organizations
    whose division is such a township, leaving out dissolved ones."""
    sources = directory.sources
    out: dict[str, Coverage] = {}
    counted = Counter(
        org.values.get("division") for org in directory.organizations
        if org.values.get("status") not in NOT_COUNTED_STATUSES
    )
    for code, division in sources.divisions.items():
        communities = division.communities
        if division.level != "township" or communities is None:
            continue
        for region in ("", *(d.code for d in sources.division_path(code))):
            c = out.setdefault(region, Coverage())
            c.organizations += counted.get(code, 0)
            c.urban += communities[0]
            c.rural += communities[1]
            c.townships += 1
    return out
