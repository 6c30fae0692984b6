"""The Open Referral HSDS 3.0 export: ``hsds/``, the organizations in pages by province.

Why this shape: since 3.0 the canonical form of HSDS is JSON, *dereferenced* (related
objects embedded, not referred to by id), and valid against the official JSON Schemas.
HSDS defines no file that holds many records; the nearest thing a consumer already reads
is the API's paginated list: ``GET /organizations?page=N&per_page=M`` answers with the
``Page`` envelope of the HSDS API reference (``total_items``, ``total_pages``,
``page_number``, ``size`` (the entities on this page), ``first_page``, ``last_page``,
``empty``) around ``contents``. Each file here is one such page, each organization in the
organization-oriented compiled view (``schema/compiled/organization.json``): services,
locations with their addresses, contacts and phones nested inside it. One JSON file per
HSDS table is not an HSDS serialization (the tabular one is CSV plus HSDS's own
``datapackage.json``), and a consumer would have to join it back together.

Layout (about 6 KB per organization, so one national file would be some 15 GB)::

    hsds/index.json                     what the API's root answers, and every page by province
    hsds/province=11/page-1.json        organizations of Beijing, the first PAGE_SIZE
    hsds/province=44/page-2.json        ... a province with more has more pages

Each province is its own paginated list (``total_items`` counts the province's
organizations), as the API would answer a request filtered to it.

The mapping:

- organization: name, alternate names, description (Chinese, else English), email,
  website, legal form (as ``legal_status``), year founded, and its identifiers: the
  org-id style one (``CN-USCI-…`` or ``SHEQU-…``, :mod:`shequ.publish.identifiers`)
  and the project's record id;
- one service per field of activity, with the service populations and functions as
  attributes whose taxonomy terms come from the project's vocabularies; the service's
  status follows the organization's (suspended → inactive, dissolved → defunct);
- one physical location in the organization's division: the division code as the
  location's external identifier, and an address whose ``state_province``, ``city``
  and ``region`` are the names of the province, prefecture and county above it;
- a contact with the organization's public email and phone, and the phone again on
  the organization.

Every ``id`` is a UUID, as HSDS requires, derived from the record id
(:func:`~shequ.publish.identifiers.stable_uuid`): the same sources give the same file.
HSDS wants a postal code in every address; the sources have none, so it is "".
"""

from __future__ import annotations

import json
from pathlib import Path

from shequ.publish.identifiers import (LOCAL_SCHEME, USCC_SCHEME, organization_identifier, organization_scheme,
                                       stable_uuid)
from shequ.catalogues import N_
from shequ.publish.tablerows import Divisions, Labels, by_organization, province_code, records

FOLDER = "hsds"
INDEX = f"{FOLDER}/index.json"
#: Organizations per page: about 6 KB each, so a page stays under some 30 MB.
PAGE_SIZE = 5000
#: The HSDS version, and the API reference whose root response and pages these files follow.
VERSION = "3.0"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
COMPILED_ORGANIZATION = "https://github.com/openreferral/specification/blob/3.0/schema/compiled/organization.json"
DESCRIPTION = N_("Open Referral HSDS 3.0: every organization with its services, location and contacts, "
                 "as pages of the HSDS API's organization list, by province.")
INDEX_DESCRIPTION = N_("Open Referral HSDS 3.0: the list of the organization pages, by province.")


#: The project's own vocabularies, as HSDS taxonomies.
TAXONOMIES = {
    "fields_of_activity": ("Shequ fields of activity", "Fields a community-based organization works in."),
    "service_populations": ("Shequ service populations", "The people a community-based organization serves."),
    "service_functions": ("Shequ service functions", "What a community-based organization does for its community."),
}
#: How an attribute's term applies to the service (HSDS's open codelist of link types).
LINK_TYPES = {"service_populations": "audience", "service_functions": "service_function"}
SERVICE_STATUS = {"active": "active", "suspended": "inactive", "dissolved": "defunct"}
#: Municipal districts sit under a placeholder prefecture ("市辖区"), not a city.
PLACEHOLDER_PREFECTURES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def page_path(province: str, number: int) -> str:
    """The path of a page in the package, e.g. ``hsds/province=11/page-1.json``."""
    return f"{FOLDER}/province={province}/page-{number}.json"


def paginate(count: int, page_size: int = PAGE_SIZE) -> list[tuple[int, int]]:
    """The (start, end) of each page of ``count`` items, in order.

    >>> paginate(5, 2)
    [(0, 2), (2, 4), (4, 5)]
    """
    return [(start, min(start + page_size, count)) for start in range(0, count, page_size)]


def page_envelope(total: int, number: int, pages: int, size: int) -> dict:
    """The HSDS API's ``Page`` fields of page ``number`` (from 1) of ``pages``."""
    return {"total_items": total, "total_pages": pages, "page_number": number, "size": size,
            "first_page": number == 1, "last_page": number == pages, "empty": total == 0}


def write(folder: Path, tables: dict, page_size: int = PAGE_SIZE, local: str = LOCAL_SCHEME) -> list[dict]:
    """Write the HSDS pages and their index into ``folder``; return their resources for
    ``datapackage.json`` (the index, then the pages as one resource of several files).
    ``local``: the deployment's identifier prefix (:func:`~shequ.publish.identifiers.local_scheme`)."""
    builder = _Builder(tables, local)
    divisions = Divisions(tables["divisions"])
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    by_province: dict[str, list[dict]] = {}
    for org in records(tables["organizations"]):
        by_province.setdefault(province_code(org["division"]), []).append(org)
    index = {"version": VERSION, "openapi_url": OPENAPI_URL, "per_page": page_size,
             "total_items": sum(len(orgs) for orgs in by_province.values()), "provinces": []}
    paths = []
    for province in sorted(by_province):
        orgs = by_province[province]
        bounds = paginate(len(orgs), page_size)
        pages = [page_path(province, n) for n in range(1, len(bounds) + 1)]
        for number, ((start, end), path) in enumerate(zip(bounds, pages), start=1):
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("w", encoding="utf-8", newline="\n") as fh:
                # The envelope's fields first, then one organization per line, so the file
                # streams and diffs line by line.
                fh.write(encode(page_envelope(len(orgs), number, len(bounds), end - start))[:-1] + ',"contents":[')
                for i, org in enumerate(orgs[start:end]):
                    fh.write(("\n" if i == 0 else ",\n") + encode(builder.organization(org)))
                fh.write("\n]}\n")
        index["provinces"].append({"province": province, "name": divisions.name(province) or "",
                                   "total_items": len(orgs), "total_pages": len(pages),
                                   # Relative to the index, as the API's own links are to its root.
                                   "pages": [p.removeprefix(FOLDER + "/") for p in pages]})
        paths += pages
    (folder / INDEX).parent.mkdir(parents=True, exist_ok=True)
    (folder / INDEX).write_text(json.dumps(index, ensure_ascii=False, indent=1) + "\n", encoding="utf-8",
                                newline="\n")
    resources = [{"name": "hsds-index", "type": "file", "path": INDEX, "format": "json",
                  "mediatype": "application/json", "encoding": "utf-8", "description": INDEX_DESCRIPTION}]
    if paths:  # a resource needs at least one file: with no organization, the index says so alone
        resources.append({"name": "hsds-organizations", "type": "file", "path": paths, "format": "json",
                          "mediatype": "application/json", "encoding": "utf-8",
                          "conformsTo": COMPILED_ORGANIZATION, "description": DESCRIPTION})
    return resources


class _Builder:
    def __init__(self, tables: dict, local: str = LOCAL_SCHEME):
        self.local = local
        self.labels = Labels(tables["vocabulary_terms"])
        self.divisions = Divisions(tables["divisions"])
        self.classifications = by_organization(tables["organization_classifications"])
        self.alternate_names = by_organization(tables["organization_alternate_names"])
        self.terms: dict[tuple[str, str], dict] = {}

    def organization(self, org: dict) -> dict:
        oid = stable_uuid("organization", org["id"])
        out = {"id": oid, "name": org["name"]}
        alternates = [r["name"] for r in self.alternate_names.get(org["id"], [])]
        if alternates:
            out["alternate_name"] = "；".join(alternates)
        out["description"] = org.get("description_zh") or org.get("description_en") or org["name"]
        if org.get("email"):
            out["email"] = org["email"]
        if org.get("website"):
            out["website"] = org["website"]
        out["legal_status"] = self.labels.en("legal_forms", org["legal_form"])
        if org.get("founded"):
            out["year_incorporated"] = org["founded"].year
        phone = self._phone(org, oid)
        if phone:
            out["phones"] = [phone]
        contact = self._contact(org, oid)
        if contact:
            out["contacts"] = [contact]
        out["locations"] = [self._location(org, oid)]
        out["organization_identifiers"] = self._identifiers(org, oid)
        out["services"] = self._services(org, oid)
        return out

    def _phone(self, org: dict, oid: str, contact_id: str | None = None) -> dict | None:
        if not org.get("phone"):
            return None
        phone = {"id": stable_uuid("phone", org["id"], contact_id or ""), "organization_id": oid,
                 "number": org["phone"]}
        if contact_id:
            phone["contact_id"] = contact_id
        return phone

    def _contact(self, org: dict, oid: str) -> dict | None:
        if not (org.get("email") or org.get("phone")):
            return None
        cid = stable_uuid("contact", org["id"])
        contact = {"id": cid, "organization_id": oid, "name": org["name"]}
        if org.get("email"):
            contact["email"] = org["email"]
        phone = self._phone(org, oid, cid)
        if phone:
            contact["phones"] = [phone]
        return contact

    def _location(self, org: dict, oid: str) -> dict:
        lid = stable_uuid("location", org["id"])
        chain = self.divisions.chain(org["division"])
        place = chain.get("township") or chain.get("county") or {}
        location = {"id": lid, "location_type": "physical", "organization_id": oid,
                    "name": org.get("community") or place.get("name") or org["name"],
                    "external_identifier": org["division"],
                    "external_identifier_type": "CN administrative division code (GB/T 2260, NBS township codes)"}
        province = chain.get("province", {}).get("name", "")
        prefecture = chain.get("prefecture", {}).get("name", "")
        city = province if (not prefecture or prefecture in PLACEHOLDER_PREFECTURES) else prefecture
        address = {"id": stable_uuid("address", org["id"]), "location_id": lid,
                   "address_1": org.get("address") or org.get("community") or place.get("name", ""),
                   "city": city, "state_province": province, "postal_code": "", "country": "CN",
                   "address_type": "physical"}
        township = [n for n in (chain.get("township", {}).get("name"), org.get("community")) if n]
        if township:
            address["address_2"] = "".join(township)
        if chain.get("county"):
            address["region"] = chain["county"]["name"]
        location["addresses"] = [address]
        return location

    def _identifiers(self, org: dict, oid: str) -> list[dict]:
        out = []
        if org.get("uscc"):
            out.append({"id": stable_uuid("organization_identifier", org["id"], USCC_SCHEME), "organization_id": oid,
                        "identifier_scheme": USCC_SCHEME, "identifier_type": "Unified Social Credit Code (统一社会信用代码)",
                        "identifier": org["uscc"]})
        out.append({"id": stable_uuid("organization_identifier", org["id"], LOCAL_SCHEME), "organization_id": oid,
                    "identifier_scheme": self.local, "identifier_type": "Shequ record id",
                    "identifier": org["id"]})
        # The org-id style identifier as a whole, as other datasets join on it.
        out.append({"id": stable_uuid("organization_identifier", org["id"], "org-id"), "organization_id": oid,
                    "identifier_scheme": organization_scheme(org.get("uscc"), self.local),
                    "identifier_type": "org-id identifier",
                    "identifier": organization_identifier(org["id"], org.get("uscc"), self.local)})
        return out

    def _services(self, org: dict, oid: str) -> list[dict]:
        codes: dict[str, list[str]] = {}
        for row in self.classifications.get(org["id"], []):
            codes.setdefault(row["vocabulary"], []).append(row["code"])
        status = SERVICE_STATUS.get(org["status"], "inactive")
        services = []
        for field in codes.get("fields_of_activity", []):
            sid = stable_uuid("service", org["id"], field)
            service = {"id": sid, "organization_id": oid,
                       "name": self.labels.zh("fields_of_activity", field),
                       "alternate_name": self.labels.en("fields_of_activity", field),
                       "status": status}
            if org.get("email"):
                service["email"] = org["email"]
            attributes = [self._attribute(sid, "fields_of_activity", field, "service_type")]
            for vocabulary, link_type in LINK_TYPES.items():
                attributes += [self._attribute(sid, vocabulary, code, link_type) for code in codes.get(vocabulary, [])]
            service["attributes"] = attributes
            services.append(service)
        return services

    def _attribute(self, service_id: str, vocabulary: str, code: str, link_type: str) -> dict:
        term = self._term(vocabulary, code)
        return {"id": stable_uuid("attribute", service_id, vocabulary, code), "link_id": service_id,
                "taxonomy_term_id": term["id"], "link_type": link_type, "link_entity": "service",
                "taxonomy_term": term}

    def _term(self, vocabulary: str, code: str) -> dict:
        """A vocabulary term as an HSDS taxonomy term; made once per term (the encoder
        only reads it)."""
        key = (vocabulary, code)
        if key not in self.terms:
            taxonomy_id = stable_uuid("taxonomy", vocabulary)
            name, description = TAXONOMIES[vocabulary]
            self.terms[key] = {"id": stable_uuid("taxonomy_term", vocabulary, code), "code": code,
                               "name": self.labels.zh(vocabulary, code),
                               "description": self.labels.en(vocabulary, code), "language": "zh",
                               "taxonomy": vocabulary, "taxonomy_id": taxonomy_id,
                               "taxonomy_detail": {"id": taxonomy_id, "name": name, "description": description}}
        return self.terms[key]
