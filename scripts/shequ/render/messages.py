"""The interface text of the site: one gettext message catalogue per language.

The catalogues are ``shequ/locales/<lang>/LC_MESSAGES/shequ.po``, one for each language of
:data:`.language.LANGUAGES`. A message's id is its English text (the gettext convention:
the code reads as the English page does); the same English that needs different words in
another language gets a context (``msgctxt``). Each catalogue, English too, gives every
message its text, so the English wording can change without touching the code.

Babel reads the ``.po`` files at run time and compiles them in memory: there is no ``.mo``
file that a fresh clone could lack or hold out of date.

Code and templates ask for text with three calls, which Babel's extractors know
(:data:`KEYWORDS`), so the tests can find every message in use:

- ``t("Regions")``: a message;
- ``tn("{n} organization", "{n} organizations", n)``: a message that depends on a count;
- ``tc("count", "Organizations")``: a message in a context;
- ``tcn(context, singular, plural, n)``: both.

Tables of Python that hold messages for later mark them with ``N_("…")`` (gettext_noop), or
``NC_(context, "…")``.
Text from the data (vocabulary labels, policy texts, schema descriptions) is no message:
it comes with its languages from ``datasets/``.
"""

from __future__ import annotations

import io
import json
from functools import lru_cache

from shequ.catalogues import DOMAIN, KEYWORDS, LOCALES, N_, NC_, catalogue, catalogue_path, translations
from shequ.render import language

# The catalogues are read in shequ.catalogues; the render stage asks for them here.
__all__ = ["DOMAIN", "KEYWORDS", "LOCALES", "N_", "NC_", "catalogue", "catalogue_path", "translations",
           "Messages", "of", "every_language", "for_tag", "script_messages"]


class Messages:
    """The messages of one language, as the render stage and the templates call them."""

    def __init__(self, lang: str):
        self.lang = lang
        self.tag = language.TAGS[lang]  # for ``lang="…"``
        self.prefix = language.prefix(lang)  # the folder of the language's pages
        self._translations = translations(lang)

    def t(self, message: str) -> str:
        return self._translations.gettext(message)

    def tn(self, singular: str, plural: str, n: int) -> str:
        return self._translations.ngettext(singular, plural, n)

    def tc(self, context: str, message: str) -> str:
        return self._translations.pgettext(context, message)

    def tcn(self, context: str, singular: str, plural: str, n: int) -> str:
        return self._translations.npgettext(context, singular, plural, n)

    def functions(self) -> dict:
        """``t``, ``tn``, ``tc`` and ``tcn`` for a template's context."""
        return {"t": self.t, "tn": self.tn, "tc": self.tc, "tcn": self.tcn}


@lru_cache(maxsize=None)
def of(lang: str) -> Messages:
    """The messages of ``lang``."""
    return Messages(lang)


def every_language() -> list[Messages]:
    """The messages of each language, the site's default first."""
    return [of(lang) for lang in sorted(language.LANGUAGES, key=lambda lang: lang != language.DEFAULT)]


def for_tag(tag: str | None) -> Messages:
    """The messages of the language a tag names (the theme's ``language``, ``en-GB``), else
    of the site's default language."""
    return of(language.of_tag(tag))


def script_messages(source: str) -> str:
    """The messages that a script (``assets/shequ-search.js``) asks for with ``t``/``tn``, in
    every language, as a JavaScript object literal: ``{"default": "zh", languages: {"zh":
    {plural: function (n) {…}, messages: {"No results": "没有结果", …}}, …}}``. A count's
    message holds its language's forms; ``plural(n)`` says which one ``n`` takes."""
    from babel.messages.extract import extract

    wanted = [m[1] for m in extract("javascript", io.BytesIO(source.encode("utf-8")), keywords=KEYWORDS)]
    parts = []
    for lang in language.LANGUAGES:
        texts = {}
        for message in wanted:
            if isinstance(message, tuple):  # tn(singular, plural, n): every form of the language
                found = catalogue(lang).get(message[0])
                texts[message[0]] = list(found.string) if found is not None else list(message[:2])
            else:
                texts[message] = of(lang).t(message)
        # The catalogue's plural formula is C, which reads the same in JavaScript.
        plural = f"function (n) {{ return Number({catalogue(lang).plural_expr}); }}"
        parts.append(f"{json.dumps(lang)}: {{plural: {plural}, "
                     f"messages: {json.dumps(texts, ensure_ascii=False, sort_keys=True)}}}")
    return f'{{"default": {json.dumps(language.DEFAULT)}, languages: {{{", ".join(parts)}}}}}'
