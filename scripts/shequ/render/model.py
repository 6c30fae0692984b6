"""What the pages show, derived once from checked sources.

The render stage never reads YAML: it takes :class:`~shequ.sources.load.Sources` that
passed the checks and builds a :class:`Directory`, the read-only model every
page generator shares (records with their labels, the incubated organizations
of each incubator, counts by division and by vocabulary term).

Values stay plain Python values here. They become HTML only in the templates,
which escape everything.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from shequ.errors import ShequError
from shequ.render.messages import N_
from shequ.sources.load import Division, Sources
from shequ.sources.tables import LAYOUT, typed

#: What may become part of a URL path. Record ids and vocabulary codes are checked
#: against this again here, so that no value from a source can name another path.
SEGMENT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
DIVISION_CODE = re.compile(r"^[0-9]{2,12}$")
PROVISION_SEGMENT = re.compile(r"^[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?$")

#: Vocabularies that get one page per term, in the order the topic index lists them.

#: Division names that only stand for "the districts of this city" and add nothing to a short label.
PLACEHOLDER_DIVISIONS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}

#: The value most organizations have, by field: a listing that repeats it on every card says
#: nothing, so listings and directory results show the field only when it differs.
USUAL_VALUES = {"status": "active"}

LEVELS = ("province", "prefecture", "county", "township")
LEVEL_LABELS = {"province": N_("Province"), "prefecture": N_("Prefecture"),
                "county": N_("County"), "township": N_("Township / sub-district")}


class UnsafeValue(ShequError, ValueError):
    """A value that would become part of a path does not match the id pattern."""


def segment(value: str) -> str:
    """``value`` if it is safe as one URL path segment, else :class:`UnsafeValue`."""
    if not isinstance(value, str) or not SEGMENT.match(value):
        raise UnsafeValue(f"{value!r} cannot be used in a page address")
    return value


def provision_segment(value: str) -> str:
    """Provision ids may hold dots ("3.1"), never two in a row or at either end."""
    if not isinstance(value, str) or not PROVISION_SEGMENT.match(value) or ".." in value:
        raise UnsafeValue(f"provision id {value!r} cannot be used in a page address")
    return value


def division_segment(code: str) -> str:
    if not isinstance(code, str) or not DIVISION_CODE.match(code):
        raise UnsafeValue(f"division code {code!r} cannot be used in a page address")
    return code


@dataclass
class Field:
    """One schema field with its human labels."""

    name: str
    title: str
    title_zh: str
    type: str
    description: str = ""
    vocabulary: str | None = None


@dataclass
class Term:
    vocabulary: str
    code: str
    label_en: str
    label_zh: str
    provision: str | None = None

    @property
    def path(self) -> str:
        return f"topics/{segment(self.vocabulary).replace('_', '-')}/{segment(self.code)}/"


class Values(dict):
    """A record's values: a field the record leaves out reads as None, in code and in templates."""

    def __missing__(self, key):
        return None


@dataclass
class Entry:
    """One organization or incubator: its values typed by the Table Schema."""

    dataset: str  # organizations | incubators
    id: str
    file: str
    values: dict  # main-table columns, typed (dates are dates)
    lists: dict  # child key -> list of plain values or of typed mappings
    raw: dict  # the record as the YAML gave it, for the JSON download

    @property
    def name(self) -> str:
        return self.values.get("name") or self.id

    @property
    def path(self) -> str:
        return f"{self.dataset}/{segment(self.id)}/"

    @property
    def json_path(self) -> str:
        return f"{self.dataset}/{segment(self.id)}.json"


@dataclass
class Region:
    code: str
    name: str
    level: str
    parent: str | None
    children: list[str] = field(default_factory=list)
    organizations: int = 0  # in this division and below
    incubators: int = 0
    name_en: str = ""  # the divisions table's English name (pinyin and translated generic term)

    @property
    def path(self) -> str:
        return f"regions/{division_segment(self.code)}/"

    def label(self, lang: str) -> str:
        """The name for a page in ``lang``: the English name on English pages, where there is one."""
        return self.name_en if lang == "en" and self.name_en else self.name


class Directory:
    """The model of the directory pages, built from checked sources."""

    def __init__(self, sources: Sources, elsewhere=()):
        """``elsewhere``: for a shard built from a record index (:mod:`shequ.build.record_index`),
        the records of other shards that its pages name, each holding only the fields a page
        shows of a record elsewhere (:class:`~shequ.sources.yamlfiles.Record` objects)."""
        self.sources = sources
        self.package = sources.package
        self.fields = {
            table: {f["name"]: _field(f) for f in sources.schemas.fields(table)}
            for table in sources.schemas.descriptors
        }
        self.vocabularies = sources.vocabularies
        # The fields whose vocabularies have topic pages (the ``topic`` role), in the topics' order.
        self.topic_fields = sorted((f for f in sources.schemas.with_role("organizations", "topic") if f.vocabulary),
                                   key=lambda f: f.topic_order)
        self.topic_vocabularies = tuple(f.vocabulary for f in self.topic_fields)
        self.terms: dict[str, dict[str, Term]] = {
            name: {
                code: Term(name, code, str(t.get("label_en", code)), str(t.get("label_zh", code)),
                           t.get("provision"))
                for code, t in vocab.terms.items()
            }
            for name, vocab in sources.vocabularies.items()
        }
        self.organizations = [self._entry(r) for r in sources.records.get("organizations", ())]
        self.incubators = [self._entry(r) for r in sources.records.get("incubators", ())]
        for record in elsewhere:
            (self.organizations if record.dataset == "organizations" else self.incubators).append(self._entry(record))
        self.organizations.sort(key=lambda e: e.id)
        self.incubators.sort(key=lambda e: e.id)
        self.incubator_by_id = {e.id: e for e in self.incubators}
        self.incubated: dict[str, list[Entry]] = defaultdict(list)
        for org in self.organizations:
            if org.values.get("incubated_by"):
                self.incubated[org.values["incubated_by"]].append(org)
        self.regions = self._regions()
        self.policy = getattr(sources, "policy", None)

    def _entry(self, record) -> Entry:
        layout = LAYOUT[record.dataset]
        fields = self.fields[layout.main]
        values = {name: typed(record.data.get(name), f.type) for name, f in fields.items()}
        values = Values((k, v) for k, v in values.items() if v is not None)
        lists = {}
        for child in layout.children:
            items = record.data.get(child.key) or []
            if child.is_mapping:
                child_fields = self.fields[child.table]
                lists[child.key] = [
                    {k: typed(item.get(k), child_fields[k].type) for k in child_fields if k in item}
                    for item in items if isinstance(item, dict)
                ]
            else:
                lists[child.key] = [str(v) for v in items]
        return Entry(record.dataset, record.id, record.file, values, lists, record.data)

    # Labels ---------------------------------------------------------------------------------

    def term(self, vocabulary: str, code: str) -> Term:
        """The term, or a stand-in that shows the bare code (the checks catch unknown codes)."""
        found = self.terms.get(vocabulary, {}).get(code)
        return found or Term(vocabulary, code, code, code)

    def unusual(self, key: str, value) -> bool:
        """Whether a listing should show ``value`` of field ``key``: not when it is the usual one."""
        return bool(value) and USUAL_VALUES.get(key) != value

    def has_page(self, term: Term) -> bool:
        return term.vocabulary in self.topic_vocabularies and term.code in self.terms.get(term.vocabulary, {})

    # Divisions ------------------------------------------------------------------------------

    def _regions(self) -> dict[str, Region]:
        divisions = self.sources.divisions
        used: dict[str, Region] = {}

        def add(code: str) -> Region | None:
            if code in used:
                return used[code]
            d: Division | None = divisions.get(code)
            if d is None:
                return None
            region = used[code] = Region(d.code, d.name, d.level, d.parent, name_en=d.name_en or "")
            if d.parent:
                parent = add(d.parent)
                if parent is not None:
                    parent.children.append(code)
            return region

        for dataset, attr in ((self.organizations, "organizations"), (self.incubators, "incubators")):
            for entry in dataset:
                code = entry.values.get("division")
                for d in self.sources.division_path(code) if code else ():
                    region = add(d.code)
                    setattr(region, attr, getattr(region, attr) + 1)
        for region in used.values():
            region.children.sort()
        return dict(sorted(used.items()))

    @property
    def top_regions(self) -> list[Region]:
        return [r for r in self.regions.values() if not r.parent or r.parent not in self.regions]

    def children(self, region: Region) -> list[Region]:
        return [self.regions[c] for c in region.children]

    def region_path(self, code: str | None) -> list[Region]:
        """The region and its ancestors, top first."""
        return [self.regions[d.code] for d in self.sources.division_path(code or "") if d.code in self.regions]

    def short_place(self, code: str | None, lang: str = "zh", within: str | None = None) -> str:
        """A compact place name, e.g. '北京市 朝阳区 建外街道'; in English, smallest first,
        'Jianwai Subdistrict, Chaoyang District, Beijing Municipality'. ``within``, the code
        of a region the reader is already in (a page's), leaves it and its ancestors out:
        within 朝阳区, '建外街道'; '' for a place that is ``within`` itself."""
        regions = self.region_path(code)
        codes = [r.code for r in regions]
        if within in codes:
            regions = regions[codes.index(within) + 1:]
            if not regions:
                return ""
        regions = [r for r in regions if r.name not in PLACEHOLDER_DIVISIONS]
        if lang == "en" and regions and all(r.name_en for r in regions):
            return ", ".join(r.name_en for r in reversed(regions))
        names = [r.name for r in regions]
        return " ".join(names) if names else (code or "")

    @cached_property
    def organizations_by_region(self) -> dict[str, list[Entry]]:
        out: dict[str, list[Entry]] = defaultdict(list)
        for org in self.organizations:
            for d in self.sources.division_path(org.values.get("division", "")):
                out[d.code].append(org)
        return out

    @cached_property
    def incubators_by_region(self) -> dict[str, list[Entry]]:
        out: dict[str, list[Entry]] = defaultdict(list)
        for inc in self.incubators:
            for d in self.sources.division_path(inc.values.get("division", "")):
                out[d.code].append(inc)
        return out

    # Topics ---------------------------------------------------------------------------------

    @cached_property
    def organizations_by_term(self) -> dict[tuple[str, str], list[Entry]]:
        """(vocabulary, code) -> organizations, for every topic vocabulary."""
        out: dict[tuple[str, str], list[Entry]] = defaultdict(list)
        for org in self.organizations:
            for f in self.topic_fields:
                codes = org.lists.get(f.key, []) if f.is_list else [org.values.get(f.key)]
                for code in dict.fromkeys(codes):
                    if code:
                        out[(f.vocabulary, code)].append(org)
        return out

    @cached_property
    def term_counts(self) -> dict[tuple[str, str], tuple[int, int]]:
        """(vocabulary, code) -> (organizations, incubators) that use the term anywhere in their record."""
        orgs: Counter = Counter()
        incs: Counter = Counter()
        for dataset, counter in ((self.organizations, orgs), (self.incubators, incs)):
            table = "organizations" if counter is orgs else "incubators"
            for entry in dataset:
                used = set()
                for name, f in self.fields[table].items():
                    if f.vocabulary and entry.values.get(name):
                        used.add((f.vocabulary, entry.values[name]))
                for f in self.sources.schemas.roles(entry.dataset):
                    if f.is_list and f.vocabulary:
                        used.update((f.vocabulary, c) for c in entry.lists.get(f.key, []))
                for item in entry.lists.get("support_received", []):
                    if item.get("type"):
                        used.add(("support_types", item["type"]))
                counter.update(used)
        return {key: (orgs.get(key, 0), incs.get(key, 0)) for key in set(orgs) | set(incs)}

    def provision_path(self, full_id: str | None) -> str | None:
        """The page of a provision cited as ``<document>/<provision>``, if the policy has it."""
        if not full_id or self.policy is None or self.policy.provision(full_id) is None:
            return None
        document, _, provision = full_id.partition("/")
        return f"policy/{segment(document)}/{provision_segment(provision)}/"

    def count_by(self, key) -> Counter:
        """Organizations counted by ``key(org)``, which gives one value or a list of values."""
        counts: Counter = Counter()
        for org in self.organizations:
            value = key(org)
            if isinstance(value, list):
                counts.update(list(dict.fromkeys(value)))
            elif value is not None:
                counts[value] += 1
        return counts


def _field(f: dict) -> Field:
    return Field(f["name"], f.get("title", f["name"]), f.get("title_zh", ""), f.get("type", "string"),
                 f.get("description", ""), f.get("vocabulary"))


def iso(value) -> str:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)
