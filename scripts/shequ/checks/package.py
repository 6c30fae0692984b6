"""Package rules: datasets/package.yaml has what the data package and the site need."""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterator

from shequ.checks.urls import url_problem
from shequ import rules
from shequ.sources.load import Sources
from shequ.report import Problem, did_you_mean

REQUIRED = ("name", "title", "version", "created", "licenses")
#: title_zh and description_zh are the Chinese title and description the site's Chinese pages show.
OPTIONAL = ("title_zh", "description", "description_zh", "demonstration", "homepage", "repository", "keywords",
            "sources", "contributors", "corrections", "identifier_prefix")
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
#: What ``identifier_prefix`` (the org-id prefix of organizations without a credit code,
#: shequ.publish.identifiers) may be: capitals and digits in up to three parts joined by
#: '-', as org-id.guide's codes are (GB-COH, XI-IATI). It goes into identifiers, files and
#: pages, so nothing else is let through.
IDENTIFIER_PREFIX = re.compile(r"^[A-Z][A-Z0-9]{1,15}(?:-[A-Z0-9]{1,15}){0,2}$")
#: Prefixes a deployment may not take: org-id.guide's register of Unified Social Credit
#: Codes (shequ.publish.identifiers.USCC_SCHEME), whose identifiers name other organizations.
RESERVED_PREFIXES = ("CN-USCI",)
VERSION = re.compile(r"^\d+\.\d+\.\d+$")
#: Top-level keys that hold text (published in datapackage.json, shown on the site).
TEXT = ("name", "title", "title_zh", "description", "description_zh", "version")
#: Top-level keys that become links on the site (the repository also becomes repo_url).
URLS = ("homepage", "repository")
#: The keys of each entry of a list, by kind: text, or a link.
ENTRY_KEYS = {
    "licenses": {"name": "text", "title": "text", "path": "url"},
    "sources": {"title": "text", "path": "url", "email": "text"},
    "contributors": {"title": "text", "role": "text", "path": "url", "email": "text", "organization": "text"},
}


def check(sources: Sources) -> Iterator[Problem]:
    meta = sources.package
    if not meta:
        return  # missing or unreadable: the load problems say so
    file = sources.project.relative(sources.project.package_file)
    known = list(REQUIRED + OPTIONAL)
    for key in meta:
        if key not in known:
            yield Problem(rules.PACKAGE_UNKNOWN_KEY, f"unknown field '{key}'", file, (key,),
                          hint=did_you_mean(str(key), known) or f"known fields: {', '.join(known)}")
    for key in REQUIRED:
        if meta.get(key) in (None, "", []):
            yield Problem(rules.PACKAGE_REQUIRED, "is required", file, (key,))
    if isinstance(meta.get("name"), str) and not NAME.match(meta["name"]):
        yield Problem(rules.PACKAGE_NAME, f"'{meta['name']}' is not a package name", file, ("name",),
                      hint="lowercase letters, digits, '.', '_' and '-'")
    if meta.get("version") is not None and not VERSION.match(str(meta["version"])):
        yield Problem(rules.PACKAGE_VERSION, f"'{meta['version']}' is not a version X.Y.Z", file, ("version",))
    created = meta.get("created")
    if created is not None and not isinstance(created, dt.date):
        try:
            dt.date.fromisoformat(str(created))
        except ValueError:
            yield Problem(rules.PACKAGE_CREATED, f"'{created}' is not a date (YYYY-MM-DD)", file, ("created",))
    if "demonstration" in meta and not isinstance(meta["demonstration"], bool):
        yield Problem(rules.PACKAGE_DEMONSTRATION, "must be true or false", file, ("demonstration",))
    if meta.get("demonstration") is True and "demonstration" not in str(meta.get("title", "")).lower():
        yield Problem(rules.PACKAGE_DEMONSTRATION, "the title must say 'demonstration data' while demo data ships",
                      file, ("title",))
    if meta.get("demonstration") is True and meta.get("title_zh") and "演示数据" not in str(meta["title_zh"]):
        yield Problem(rules.PACKAGE_DEMONSTRATION, "the Chinese title must say '演示数据' while demo data ships",
                      file, ("title_zh",))
    yield from _types(meta, file)
    if "identifier_prefix" in meta:
        problem = prefix_problem(meta["identifier_prefix"])
        if problem:
            yield Problem(rules.PACKAGE_IDENTIFIER_PREFIX, problem, file, ("identifier_prefix",),
                          hint="capitals and digits, parts joined by '-' (SHEQU, CN-XYZ); ideally a prefix "
                               "org-id.guide has registered for your records")
    if meta.get("corrections") is not None:
        for path, message, hint in correction_problems(meta["corrections"]):
            yield Problem(rules.PACKAGE_CORRECTIONS, message, file, path, hint=hint)
    licenses = meta.get("licenses")
    for i, licence in enumerate(licenses if isinstance(licenses, list) else []):
        if not isinstance(licence, dict) or not (licence.get("name") or licence.get("path")):
            yield Problem(rules.PACKAGE_LICENSES, "each licence needs a name or a path", file, ("licenses", i))


def prefix_problem(value: object) -> str | None:
    """Why ``value`` cannot be an identifier prefix, or None."""
    if not isinstance(value, str) or not IDENTIFIER_PREFIX.match(value):
        return f"{str(value)[:40]!r} is not a prefix of capitals and digits such as SHEQU or CN-XYZ"
    if value in RESERVED_PREFIXES:
        return f"{value} is the register of Unified Social Credit Codes, whose identifiers name other organizations"
    return None


#: Where readers without a GitHub account send corrections: an e-mail address (a mailto: link
#: with the record filled in) and/or the address of a web form. Both are optional.
CORRECTION_CHANNELS = ("email", "form")
#: An address a mailto: link can hold as it is: no spaces, quotes, '?', '&' or angle brackets
#: that would change the link or break out of the attribute.
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")


def correction_problems(corrections) -> Iterator[tuple[tuple, str, str]]:
    """What is wrong with ``corrections`` in package.yaml: (field path, message, hint)."""
    if not isinstance(corrections, dict):
        yield ("corrections",), f"must be a mapping of {' and/or '.join(CORRECTION_CHANNELS)}, not {_kind(corrections)}", \
            "write e.g. corrections: {email: corrections@example.org}"
        return
    for key in corrections:
        if key not in CORRECTION_CHANNELS:
            yield ("corrections", key), f"unknown correction channel '{key}'", \
                did_you_mean(str(key), list(CORRECTION_CHANNELS)) or f"known channels: {', '.join(CORRECTION_CHANNELS)}"
    email = corrections.get("email")
    if email is not None and not (isinstance(email, str) and EMAIL.match(email)):
        yield ("corrections", "email"), f"{email!r} is not a plain e-mail address", \
            "write one address such as corrections@example.org, without a name, spaces or '?'"
    form = corrections.get("form")
    if form is not None:
        why = url_problem(form)
        if why:
            yield ("corrections", "form"), why, "a full address such as https://example.org/form"


def correction_channels(meta: dict | None) -> dict[str, str]:
    """The correction channels of package.yaml that pass the checks, by name (``email``, ``form``).
    A value that fails is left out, so a page never shows it even if the checks were skipped."""
    corrections = (meta or {}).get("corrections")
    if not isinstance(corrections, dict):
        return {}
    wrong = {path[1] for path, _, _ in correction_problems(corrections) if len(path) > 1}
    return {key: corrections[key] for key in CORRECTION_CHANNELS
            if corrections.get(key) is not None and key not in wrong}


def _is_text(value) -> bool:
    return isinstance(value, str)


def _types(meta: dict, file: str) -> Iterator[Problem]:
    """Every value has the type the data package and the site read it as: a wrong one would stop
    ``publish`` (an invalid descriptor) or ``build`` (a link that is not a URL)."""
    for key in TEXT:
        if meta.get(key) is not None and not _is_text(meta[key]):
            yield Problem(rules.PACKAGE_TYPE, f"must be text, not {_kind(meta[key])}", file, (key,),
                          hint="put the value in quotes")
    for key in URLS:
        if meta.get(key) is not None:
            why = url_problem(meta[key])
            if why:
                yield Problem(rules.PACKAGE_URL, why, file, (key,), hint="a full address such as https://example.org/")
    keywords = meta.get("keywords")
    if keywords is not None:
        if not isinstance(keywords, list):
            yield Problem(rules.PACKAGE_TYPE, "must be a list of keywords", file, ("keywords",))
        else:
            for i, word in enumerate(keywords):
                if not _is_text(word):
                    yield Problem(rules.PACKAGE_TYPE, f"must be text, not {_kind(word)}", file, ("keywords", i))
    for key, fields in ENTRY_KEYS.items():
        entries = meta.get(key)
        if entries is None:
            continue
        if not isinstance(entries, list):
            yield Problem(rules.PACKAGE_TYPE, f"must be a list of {key}", file, (key,))
            continue
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                if key != "licenses":  # the licence rule names it
                    yield Problem(rules.PACKAGE_TYPE, "must be a mapping", file, (key, i))
                continue
            for name, kind in fields.items():
                value = entry.get(name)
                if value is None:
                    continue
                if kind == "url":
                    why = url_problem(value)
                    if why:
                        yield Problem(rules.PACKAGE_URL, why, file, (key, i, name),
                                      hint="a full address such as https://example.org/")
                elif not _is_text(value):
                    yield Problem(rules.PACKAGE_TYPE, f"must be text, not {_kind(value)}", file, (key, i, name),
                                  hint="put the value in quotes")


def _kind(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (dt.date, dt.datetime)):
        return "a date"
    return {int: "a number", float: "a number", list: "a list", dict: "a mapping"}.get(type(value), "another type")
