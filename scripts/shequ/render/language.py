"""The site's languages: Simplified Chinese at the site's root, English under ``en/``.

:data:`LANGUAGES` is the one list of them; each has a message catalogue of its interface
text (:mod:`.messages`) and a top-level section of the ``nav`` in ``mkdocs.yml``.

Every page exists in both. A page's Chinese address is its English address without the
``en/`` prefix (``organizations/org-x/`` ↔ ``en/organizations/org-x/``), so switching
language lands on the same item, and the addresses the site had before it was bilingual
still work (they are the Chinese pages: the public the site serves reads Chinese).

Files that are the same in both languages (the data package under ``data/``, each
record's JSON, the search indexes, assets) live once, outside the ``en/`` tree.

Sorting follows the reader's language: by pinyin on Chinese pages (pypinyin), by the
English name on English pages, falling back to the pinyin of the Chinese name where a
record has no English name.
"""

from __future__ import annotations

from functools import lru_cache

LANGUAGES = ("zh", "en")
DEFAULT = "zh"
#: How the language switcher names each language, in that language.
NAMES = {"zh": "简体中文", "en": "English"}
#: The ``<html lang>`` and ``hreflang`` value of each language.
TAGS = {"zh": "zh", "en": "en"}
EN_PREFIX = "en/"


def of_tag(tag: str | None) -> str:
    """The site's language that a language tag names (``en-GB`` → ``en``), else the default."""
    first = (tag or "").replace("_", "-").split("-")[0].lower()
    return first if first in LANGUAGES else DEFAULT


def prefix(lang: str) -> str:
    """The folder of a language's pages: ``""`` for Chinese, ``"en/"`` for English."""
    return "" if lang == DEFAULT else f"{lang}/"


def language_of(path: str) -> str:
    """The language of a site path (``en/regions/`` → ``en``; ``regions/`` → ``zh``)."""
    path = path.lstrip("/")
    for lang in LANGUAGES:
        if lang != DEFAULT and (path == lang or path.startswith(f"{lang}/")):
            return lang
    return DEFAULT


def neutral(path: str) -> str:
    """A site path without its language folder: the same for both languages of a page."""
    path = path.lstrip("/")
    lang = language_of(path)
    if lang == DEFAULT:
        return path
    return path[len(lang) + 1:] if path.startswith(f"{lang}/") else ""


def counterpart(path: str, lang: str) -> str:
    """The address of the page at ``path`` in language ``lang``."""
    return prefix(lang) + neutral(path)


def pick(lang: str, zh: str | None, en: str | None) -> str:
    """The text for a page in ``lang``: English where there is English, else the Chinese."""
    if lang == "en" and en:
        return en
    return zh or en or ""


@lru_cache(maxsize=None)
def _pinyin(text: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return " ".join(lazy_pinyin(text, style=Style.TONE3, errors="default")).casefold()


def pinyin(text: str) -> str:
    """The pinyin of ``text`` for sorting, syllables with tone numbers (``北京`` → ``bei3 jing1``)."""
    return _pinyin(text or "")


def sort_key(lang: str, zh: str | None, en: str | None = None) -> tuple[str, str]:
    """How a name sorts on a page in ``lang``: by pinyin in Chinese, by the English
    name in English (the pinyin where there is none); the name itself breaks ties."""
    if lang == "en" and en:
        return (en.casefold(), en)
    return (pinyin(zh or en or ""), zh or en or "")
