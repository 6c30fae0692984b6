"""The gettext catalogues of the interface text, one per language, read with Babel.

They sit at the package's top because more than one stage writes words for people: the
render stage's pages (through :mod:`shequ.render.messages`, which documents the calls) and
the publish stage's workbook, whose Chinese header row names the columns it adds.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from shequ.errors import ShequError

DOMAIN = "shequ"
LOCALES = Path(__file__).parent / "locales"
#: The calls that take messages, as Babel's extractors want them (``extract(keywords=…)``).
KEYWORDS = {"t": None, "tn": (1, 2), "tc": ((1, "c"), 2), "tcn": ((1, "c"), 2, 3), "N_": None, "NC_": ((1, "c"), 2)}


def N_(message: str) -> str:  # noqa: N802 (the gettext convention's name)
    """Marks ``message`` as a message to translate later; returns it as it is."""
    return message


def NC_(context: str, message: str) -> str:  # noqa: N802
    """Marks ``message`` in ``context`` as a message to translate later; returns it as it is."""
    return message


def catalogue_path(lang: str) -> Path:
    """Where the catalogue of ``lang`` lives."""
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=None)
def catalogue(lang: str) -> Catalog:
    """The catalogue of ``lang`` as Babel reads it."""
    path = catalogue_path(lang)
    if not path.is_file():
        raise ShequError(f"{path}: no message catalogue for the language {lang!r} "
                         "(CONTRIBUTING.md, \"Interface text and languages\", says how to start one)")
    with path.open("rb") as po:
        return read_po(po, locale=lang, domain=DOMAIN)


@lru_cache(maxsize=None)
def translations(lang: str) -> Translations:
    """The catalogue of ``lang``, compiled in memory for gettext's calls."""
    mo = io.BytesIO()
    write_mo(mo, catalogue(lang))
    mo.seek(0)
    return Translations(mo, domain=DOMAIN)
