"""The 360Giving Data Standard export: ``360giving-grants.json``.

Each entry of ``organization_support`` that has an amount becomes a grant in a
360Giving package (``360-giving-package-schema.json``, version 1.4): the organization
as recipient, the provider as funder, the amount in CNY, the support type as the
funding type, and the division as the beneficiary location. Support without an
amount (a room, staff time, incubation) is not a grant in 360Giving's sense, which
requires ``amountAwarded``; it stays in ``organization_support``.

Two things the sources do not hold, and how the export fills them:

- **awardDate**: the sources give only the year, so the date is 1 January of that
  year. Read the year, not the day.
- **funder identifiers**: providers are known by name alone, so a funder's id is
  ``360G-SHEQU-funder-<12 hex digits of the name's SHA-256>``, 360Giving's prefix for
  identifiers outside any register: the same name, as written, gives the same id.

A recipient's id is its org-id style identifier (:mod:`shequ.publish.identifiers`).
Grant ids are ``360G-SHEQU-<record id>-support-<position>``, stable as the record is.
``SHEQU`` here is the deployment's prefix (``identifier_prefix`` of ``package.yaml``,
:func:`~shequ.publish.identifiers.local_scheme`); 360Giving gives each publisher its own
``360G-`` prefix on request, which a deployment that publishes to it should set there.
"""

from __future__ import annotations

import json
from pathlib import Path

from shequ.publish.identifiers import LOCAL_SCHEME, local_scheme, name_key, organization_identifier
from shequ.publish.tablerows import Divisions, Labels, by_organization, records

FILE = "360giving-grants.json"
DESCRIPTION = ("360Giving Data Standard 1.4: support with an amount as grants, the organization as "
               "recipient and the provider as funder.")
SCHEMA_VERSION = "1.4"
def prefix(local: str = LOCAL_SCHEME) -> str:
    """The 360Giving prefix of the ids this export makes: ``360G-`` and the deployment's."""
    return f"360G-{local}"


def funder_identifier(provider: str, local: str = LOCAL_SCHEME) -> str:
    """The 360Giving id of a funder known only by name (see the module's docstring)."""
    return f"{prefix(local)}-funder-{name_key(provider)}"


def _publisher(package: dict) -> str:
    """Who publishes the package: its first contributor, as ``package.yaml`` names it."""
    for contributor in package.get("contributors") or []:
        if isinstance(contributor, dict) and contributor.get("title"):
            return str(contributor["title"])
    return str(package.get("title") or package.get("name") or "")


def grants(tables: dict, local: str = LOCAL_SCHEME) -> list[dict]:
    """The grants, in the order of ``organization_support`` (organization, then position);
    ``local``: the deployment's identifier prefix."""
    own = prefix(local)
    labels = Labels(tables["vocabulary_terms"])
    divisions = Divisions(tables["divisions"])
    support = by_organization(tables["organization_support"])
    out = []
    for org in records(tables["organizations"]):
        entries = [s for s in support.get(org["id"], []) if s.get("amount_cny") is not None]
        if not entries:
            continue
        chain = divisions.chain(org["division"])
        region = chain.get("province", {}).get("name")
        recipient = {"id": organization_identifier(org["id"], org.get("uscc"), local), "name": org["name"],
                     "addressCountry": "CN"}
        if region:
            recipient["addressRegion"] = region
        if org.get("address"):
            recipient["streetAddress"] = org["address"]
        location = {"id": f"{own}-division-{org['division']}", "name": divisions.name(org["division"]) or "",
                    "countryCode": "CN", "geoCode": org["division"],
                    "geoCodeType": "CN administrative division code"}
        for entry in entries:
            type_en = labels.en("support_types", entry["type"])
            type_zh = labels.zh("support_types", entry["type"])
            amount = entry["amount_cny"]
            out.append({
                "id": f"{own}-{org['id']}-support-{entry['position']}",
                "title": f"{type_zh}：{org['name']}",
                "description": (f"{type_en} ({type_zh}) from {entry['provider']} to {org['name']} in {entry['year']}. "
                                "The sources give only the year: awardDate is 1 January of it."),
                "currency": "CNY",
                "amountAwarded": int(amount) if float(amount).is_integer() else amount,
                "awardDate": f"{entry['year']:04d}-01-01",
                "recipientOrganization": [recipient],
                "fundingOrganization": [{"id": funder_identifier(entry["provider"], local),
                                         "name": entry["provider"]}],
                "fundingType": [{"vocabulary": "shequ:support_types", "code": entry["type"], "title": type_en}],
                "beneficiaryLocation": [location],
            })
    return out


def write(folder: Path, tables: dict, package: dict, issued: str) -> list[dict]:
    """Write the 360Giving package into ``folder``; return its resource for
    ``datapackage.json`` (none when no support has an amount: 360Giving wants a grant)."""
    found = grants(tables, local_scheme(package))
    if not found:
        return []
    envelope = {"version": SCHEMA_VERSION, "title": f"{package.get('title', '')}: support as grants".lstrip(": "),
                "description": DESCRIPTION, "issued": issued,
                "publisher": {"name": _publisher(package)}}
    homepage = package.get("homepage")
    if isinstance(homepage, str) and homepage.startswith(("http://", "https://")):
        envelope["publisher"]["website"] = homepage
    licenses = package.get("licenses") or []
    if licenses and isinstance(licenses[0], dict) and str(licenses[0].get("path", "")).startswith("http"):
        envelope["license"] = licenses[0]["path"]
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with (folder / FILE).open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(encode(envelope)[:-1] + ',"grants":[\n')
        fh.write(",\n".join(encode(g) for g in found))
        fh.write("\n]}\n")
    return [{
        "name": "360giving-grants", "type": "file", "path": FILE, "format": "json",
        "mediatype": "application/json", "encoding": "utf-8",
        "conformsTo": "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.3/schema/360-giving-package-schema.json",
        "description": DESCRIPTION,
    }]
