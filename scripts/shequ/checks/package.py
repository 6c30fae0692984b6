"""Package rules: datasets/package.yaml has what the data package and the site need."""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterator

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
            yield Problem("package.unknown-key", f"unknown field '{key}'", file, (key,),
                          hint=did_you_mean(str(key), known) or f"known fields: {', '.join(known)}")
    for key in REQUIRED:
        if meta.get(key) in (None, "", []):
            yield Problem("package.required", "is required", file, (key,))
    if isinstance(meta.get("name"), str) and not NAME.match(meta["name"]):
        yield Problem("package.name", f"'{meta['name']}' is not a package name", file, ("name",),
                      hint="lowercase letters, digits, '.', '_' and '-'")
    if meta.get("version") is not None and not VERSION.match(str(meta["version"])):
        yield Problem("package.version", f"'{meta['version']}' is not a version X.Y.Z", file, ("version",))
    created = meta.get("created")
    if created is not None and not isinstance(created, dt.date):
        try:
            dt.date.fromisoformat(str(created))
        except ValueError:
            yield Problem("package.created", f"'{created}' is not a date (YYYY-MM-DD)", file, ("created",))
    if "demonstration" in meta and not isinstance(meta["demonstration"], bool):
        yield Problem("package.demonstration", "must be true or false", file, ("demonstration",))
    if meta.get("demonstration") is True and "demonstration" not in str(meta.get("title", "")).lower():
        yield Problem("package.demonstration", "the title must say 'demonstration data' while demo data ships",
                      file, ("title",))
    if meta.get("demonstration") is True and meta.get("title_zh") and "演示数据" not in str(meta["title_zh"]):
        yield Problem("package.demonstration", "the Chinese title must say '演示数据' while demo data ships",
                      file, ("title_zh",))
    for i, licence in enumerate(meta.get("licenses") or []):
        if not isinstance(licence, dict) or not (licence.get("name") or licence.get("path")):
            yield Problem("package.licenses", "each licence needs a name or a path", file, ("licenses", i))
