"""Organization and incubator pages, their listings, and each record as JSON.

A record page shows every field of the record with its label from the Table
Schema (``title_zh`` or ``title``, in the page's language), vocabulary codes as
their labels in that language, the region breadcrumb, the sources, a link to
correct the record's YAML in the repository, the record as JSON and schema.org
JSON-LD. Chinese pages name a record by its Chinese name first, English pages by
its English name where it has one.

Listings sort by name in the reader's language (:func:`sorted_records`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from shequ.publish.identifiers import organization_identifier
from shequ.render.corrections import correction_links
from shequ.render.html import http_url
from shequ.render.model import Entry
from shequ.render.page import GeneratedFile, GeneratedPage, Renderer, paginated

#: Main-table fields shown elsewhere on a record page, not in its table of fields.
NOT_IN_TABLE = {"id", "name", "description_en", "description_zh"}

#: How many incubated organizations an incubator's own page lists; the rest are on
#: ``incubators/<id>/organizations/``, so that no record page grows past 60 KB.
INCUBATED_ON_PAGE = 20



@dataclass
class Row:
    """One labelled value on a record page; ``kind`` tells the template how to show it.
    The template shows the label in the page's language."""

    label_zh: str
    label_en: str
    kind: str  # text | date | number | term | terms | names | incubator | region | url
    value: object


def _rows(renderer: Renderer, entry: Entry) -> list[Row]:
    directory = renderer.directory
    table = "organizations" if entry.dataset == "organizations" else "incubators"
    fields = directory.fields[table]
    rows: list[Row] = []
    for name, f in fields.items():
        if name in NOT_IN_TABLE:
            continue
        value = entry.values.get(name)
        if value is None:
            continue
        if f.vocabulary:
            row = Row(f.title_zh, f.title, "term", directory.term(f.vocabulary, value))
        elif name == "division":
            row = Row(f.title_zh, f.title, "region", (directory.region_path(value), value))
        elif name == "incubated_by":
            row = Row(f.title_zh, f.title, "incubator", (directory.incubator_by_id.get(value), value))
        elif name == "website":
            row = Row(f.title_zh, f.title, "url", value)
        elif f.type == "date":
            row = Row(f.title_zh, f.title, "date", value)
        elif f.type in ("integer", "number"):
            row = Row(f.title_zh, f.title, "number", value)
        else:
            row = Row(f.title_zh, f.title, "text", value)
        # The English name is an English page's title: no row saying it again below it.
        if not (name == "name_en" and value == record_title(renderer, entry)):
            rows.append(row)
        if name == "name_en" and entry.lists.get("alternate_names"):
            alt = directory.fields["organization_alternate_names"]["name"]
            rows.append(Row(alt.title_zh, alt.title, "names", entry.lists["alternate_names"]))
    # The record's lists of codes, in the order its schema's listRoles gives them.
    for f in directory.sources.schemas.roles(entry.dataset):
        if not (f.is_list and f.vocabulary):
            continue
        key, vocabulary = f.key, f.vocabulary
        codes = entry.lists.get(key)
        if codes:
            vocab = directory.vocabularies.get(vocabulary)
            label_zh, label_en = (vocab.title_zh, vocab.title_en) if vocab else (key, key)
            rows.append(Row(label_zh, label_en, "terms", [directory.term(vocabulary, c) for c in codes]))
    return rows


def _child_fields(renderer: Renderer, table: str) -> list:
    return [f for name, f in renderer.directory.fields[table].items()
            if name not in ("organization_id", "incubator_id", "position")]


def record_title(renderer: Renderer, entry: Entry) -> str:
    """A record's name in the renderer's language: its English name on English pages, where it has one."""
    return renderer.pick(entry.name, entry.values.get("name_en"))


def sorted_records(renderer: Renderer, entries) -> list[Entry]:
    """Organizations or incubators by name in the reader's language: by pinyin on Chinese
    pages, by the English name (else the pinyin) on English pages; the id breaks ties."""
    return sorted(entries, key=renderer.rank)


def organization(renderer: Renderer, org: Entry) -> GeneratedPage:
    directory = renderer.directory
    path = org.path
    body = renderer.render(
        "organization.html", path,
        entry=org,
        rows=_rows(renderer, org),
        regions=directory.region_path(org.values.get("division")),
        support_fields=_child_fields(renderer, "organization_support"),
        source_fields=_child_fields(renderer, "organization_sources"),
        edit_url=renderer.edit_url(org.file),
        corrections=correction_links(renderer, org),
        ld=organization_jsonld(renderer, org),
    )
    return GeneratedPage(path, record_title(renderer, org), body, renderer.edit_url(org.file))


def incubator(renderer: Renderer, inc: Entry) -> GeneratedPage:
    directory = renderer.directory
    path = inc.path
    incubated = _incubated(renderer, inc)
    body = renderer.render(
        "incubator.html", path,
        entry=inc,
        rows=_rows(renderer, inc),
        regions=directory.region_path(inc.values.get("division")),
        incubated=incubated[:INCUBATED_ON_PAGE],
        incubated_count=len(incubated),
        incubated_path=incubated_path(inc) if len(incubated) > INCUBATED_ON_PAGE else None,
        source_fields=_child_fields(renderer, "incubator_sources"),
        edit_url=renderer.edit_url(inc.file),
        corrections=correction_links(renderer, inc),
        ld=incubator_jsonld(renderer, inc),
    )
    return GeneratedPage(path, record_title(renderer, inc), body, renderer.edit_url(inc.file))


def _incubated(renderer: Renderer, inc: Entry) -> list[Entry]:
    """The organizations that name the incubator, most recently incubated first."""
    orgs = renderer.directory.incubated.get(inc.id, [])
    return sorted(orgs, key=lambda o: (o.values.get("incubated_from") or dt.date.min, o.id), reverse=True)


def incubated_path(inc: Entry) -> str:
    return f"{inc.path}organizations/"


def incubated_listing(renderer: Renderer, inc: Entry) -> list[GeneratedPage]:
    """All the organizations an incubator incubated, page by page, when its own page cannot hold them."""
    incubated = _incubated(renderer, inc)
    if len(incubated) <= INCUBATED_ON_PAGE:
        return []
    name = record_title(renderer, inc)
    title = renderer.t("Organizations incubated by {name}").format(name=name)
    return paginated(renderer, "incubated.html", incubated_path(inc), title, incubated, edit_url=None, incubator=inc)


def organization_listing(renderer: Renderer) -> list[GeneratedPage]:
    orgs = sorted_records(renderer, renderer.directory.organizations)
    from shequ.render.facets import facet_labels, usual_values

    pages = paginated(renderer, "organizations.html", "organizations/", renderer.tc("directory", "Organizations"),
                      orgs, facets=facet_labels(renderer.directory), usual=usual_values())
    pages[0].in_nav = True
    return pages


def incubator_listing(renderer: Renderer) -> GeneratedPage:
    path = "incubators/"
    incs = sorted_records(renderer, renderer.directory.incubators)
    body = renderer.render("incubators.html", path, items=incs)
    return GeneratedPage(path, renderer.t("Incubators"), body, in_nav=True)


def record_json(entry: Entry) -> GeneratedFile:
    """The record as its YAML gave it, as JSON (dates as ISO text)."""
    text = json.dumps({"id": entry.id, **entry.raw}, ensure_ascii=False, indent=2, default=_iso) + "\n"
    return GeneratedFile(entry.json_path, text.encode("utf-8"))


def _iso(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


# schema.org JSON-LD -----------------------------------------------------------------------------

def _address(renderer: Renderer, entry: Entry) -> dict:
    path = renderer.directory.region_path(entry.values.get("division"))
    address = {"@type": "PostalAddress", "addressCountry": "CN"}
    if entry.values.get("address"):
        address["streetAddress"] = entry.values["address"]
    if path:
        address["addressRegion"] = path[0].label(renderer.lang)
    locality = [r.label(renderer.lang) for r in path[1:] if r.level in ("county", "township")]
    if locality:
        address["addressLocality"] = " ".join(locality)
    return address


def _common_ld(renderer: Renderer, entry: Entry) -> dict:
    values = entry.values
    ld = {"@context": "https://schema.org", "@type": "Organization", "name": entry.name}
    # Without a site_url the @id is relative: JSON-LD resolves it against the page's own address.
    ld["@id"] = (renderer.absolute(entry.path) or "") + "#organization"
    alternate = [values["name_en"]] if values.get("name_en") else []
    alternate += entry.lists.get("alternate_names", [])
    if alternate:
        ld["alternateName"] = alternate
    description = renderer.pick(values.get("description_zh"), values.get("description_en"))
    if description:
        ld["description"] = description
    ld["address"] = _address(renderer, entry)
    if http_url(values.get("website")):
        ld["url"] = values["website"]
    if values.get("email"):
        ld["email"] = values["email"]
    if values.get("phone"):
        ld["telephone"] = values["phone"]
    return ld


def organization_jsonld(renderer: Renderer, org: Entry) -> dict:
    values = org.values
    ld = _common_ld(renderer, org)
    if values.get("uscc"):
        ld["identifier"] = organization_identifier(org.id, values["uscc"])
    if values.get("founded"):
        ld["foundingDate"] = values["founded"]
    if values.get("dissolved"):
        ld["dissolutionDate"] = values["dissolved"]
    incubator = renderer.directory.incubator_by_id.get(values.get("incubated_by", ""))
    if incubator is not None:
        ld["sponsor"] = {"@type": "Organization", "name": incubator.name}
    topics = [renderer.directory.term("fields_of_activity", c) for c in org.lists.get("fields_of_activity", [])]
    if topics:
        ld["knowsAbout"] = [renderer.pick(t.label_zh, t.label_en) for t in topics]
    return ld


def incubator_jsonld(renderer: Renderer, inc: Entry) -> dict:
    ld = _common_ld(renderer, inc)
    if inc.values.get("opened"):
        ld["foundingDate"] = inc.values["opened"]
    return ld
