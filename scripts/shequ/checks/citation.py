"""Citation rules: the keys of CITATION.cff that the download page reads to say how to cite.

The page builds "Authors (Year). Title (Version X) [Data set]." from ``authors``,
``date-released``, ``title`` and ``version``: each must have the type the Citation File
Format gives it, or the sentence cannot be made.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterator

from shequ import rules
from shequ.report import Problem
from shequ.sources.load import Sources

#: Keys read as text; a version may be written as a number (1.2) in YAML.
TEXT_KEYS = ("title", "version", "cff-version", "message")
AUTHOR_NAME_KEYS = ("name", "given-names", "family-names")


def check(sources: Sources) -> Iterator[Problem]:
    citation = sources.citation
    if citation is None:
        return
    file = sources.project.relative(sources.project.citation_file)
    for key in TEXT_KEYS:
        value = citation.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int, float))):
            yield Problem(rules.CITATION_TYPE, "must be text", file, (key,))
    released = citation.get("date-released")
    if released is not None and not isinstance(released, dt.date):
        try:
            dt.date.fromisoformat(str(released))
        except ValueError:
            yield Problem(rules.CITATION_DATE, f"'{released}' is not a date (YYYY-MM-DD)", file, ("date-released",))
    authors = citation.get("authors")
    if authors is None:
        return
    if not isinstance(authors, list):
        yield Problem(rules.CITATION_TYPE, "must be a list of authors", file, ("authors",),
                      hint="for example '- name: \"Shequ contributors\"'")
        return
    for i, author in enumerate(authors):
        if not isinstance(author, dict):
            yield Problem(rules.CITATION_TYPE, "each author must be a mapping with name, or given-names and "
                          "family-names", file, ("authors", i))
            continue
        wrong = [key for key in AUTHOR_NAME_KEYS if key in author and not isinstance(author[key], str)]
        for key in wrong:
            yield Problem(rules.CITATION_TYPE, "must be text", file, ("authors", i, key))
        if not wrong and not any(isinstance(author.get(k), str) and author[k].strip() for k in AUTHOR_NAME_KEYS):
            yield Problem(rules.CITATION_AUTHOR, "an author needs a name, or given-names and family-names", file,
                          ("authors", i))
