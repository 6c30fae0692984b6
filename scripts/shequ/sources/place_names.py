"""The project's list of places whose English name is transliterated from a minority language.

China's place-name rules write a name that comes from Uyghur, Tibetan, Mongolian and other
minority languages in Latin letters transliterated from that language (乌鲁木齐 → Ürümqi,
日喀则 → Xigazê, 呼和浩特 → Hohhot), not as the pinyin of its Chinese characters. No
library knows those forms, so ``datasets/reference/place_names.yaml`` (optional) lists
them, each with the source it was checked in (see docs/divisions.md). The key is the
official Chinese name of the division, in full; the value gives the romanized proper name
only, and :func:`shequ.sources.romanize.english_name` adds the generic term's translation
as for any other place (乌鲁木齐市 → Ürümqi City).

Example file::

    names:
      乌鲁木齐市:
        en: Ürümqi
        source: https://example.org/where-the-form-was-seen
"""

from __future__ import annotations

import re

from shequ import rules
from shequ.project import Project
from shequ.report import Problem
from shequ.sources.yamlfiles import load_mapping

#: Longest Chinese name and romanized name, in characters.
MAX_NAME = 100
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
#: A romanized proper name: Latin letters (with the diacritics the transliterations use,
#: such as ü and ê), apostrophes, hyphens and single spaces; a capital first letter.
_ROMANIZED = re.compile(r"[A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ÿĀ-žḀ-ỿ']*(?:[ -][A-Za-zÀ-ÖØ-öø-ÿĀ-žḀ-ỿ']+)*")
_SOURCE = re.compile(r"https?://[^\s<>\"]+")


def load_place_names(project: Project) -> tuple[dict[str, str], list[Problem]]:
    """Chinese name → romanized proper name (empty when the project has no list), and what is
    wrong with the file. A bad entry is left out; the others still apply."""
    path = project.place_names_file
    if not path.exists() and not path.is_symlink():
        return {}, []
    rel = project.relative(path)
    if path.is_symlink():
        return {}, [Problem(rules.FILES_SYMLINK, "symbolic links are not allowed in datasets/", rel,
                            hint="replace the link with the file itself")]
    data, problems = load_mapping(project, path)
    if data is None:
        return {}, problems
    entries = data.get("names")
    if not isinstance(entries, dict):
        return {}, [Problem(rules.PLACE_NAMES_ENTRY, "'names' must be a mapping of Chinese names to entries",
                            rel, ("names",))]
    out: dict[str, str] = {}
    for name, entry in entries.items():
        problem = _entry_problem(name, entry)
        if problem is None:
            out[name.strip()] = entry["en"].strip()
        else:
            message, field = problem
            problems.append(Problem(rules.PLACE_NAMES_ENTRY, message, rel,
                                    ("names", name, field) if field else ("names", name)))
    return out, problems


def _entry_problem(name: object, entry: object) -> tuple[str, str | None] | None:
    """What is wrong with one entry, and the field it is in; None when it is good."""
    if not isinstance(name, str) or not _HAN.search(name) or len(name) > MAX_NAME:
        return f"the key must be a division's official Chinese name (up to {MAX_NAME} characters)", None
    if not isinstance(entry, dict):
        return "must hold 'en' (the romanized name) and 'source' (where it was seen)", None
    unknown = sorted(str(k) for k in entry if k not in ("en", "source"))
    if unknown:
        return f"unknown field {unknown[0]!r}; an entry holds only 'en' and 'source'", None
    en = entry.get("en")
    if not isinstance(en, str) or len(en.strip()) > MAX_NAME or not _ROMANIZED.fullmatch(en.strip()):
        return ("'en' must be the romanized proper name in Latin letters, capital first, without the "
                "generic term (e.g. Ürümqi)"), "en"
    source = entry.get("source")
    if not isinstance(source, str) or not _SOURCE.fullmatch(source.strip()):
        return "'source' must be the http(s) address where the form was seen", "source"
    return None
