"""Package rules: datasets/package.yaml has what the data package and the site need."""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterator

from shequ import rules
from shequ.sources.load import Sources
from shequ.report import Problem, did_you_mean

REQUIRED = ("name", "title", "version", "created", "licenses")
#: title_zh and description_zh are the Chinese title and description the site's Chinese pages show.
OPTIONAL = ("title_zh", "description", "description_zh", "demonstration", "homepage", "repository", "keywords",
            "sources", "contributors")
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
VERSION = re.compile(r"^\d+\.\d+\.\d+$")


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
    for i, licence in enumerate(meta.get("licenses") or []):
        if not isinstance(licence, dict) or not (licence.get("name") or licence.get("path")):
            yield Problem(rules.PACKAGE_LICENSES, "each licence needs a name or a path", file, ("licenses", i))
