"""What the build core asks of a site generator: one small interface.

The core (:mod:`shequ.build.core`) renders every page body itself. Only dressing a body
in the site's look (header, navigation, footer, the language switcher) belongs to the
generator that drives it: :class:`shequ.generator.material.ThemeShells` dresses pages in
Material for MkDocs' ``main.html``; :class:`shequ.generator.plain.PlainShell` in a plain
Jinja template, with no MkDocs at all.

Example::

    class Bare:
        def render(self, page):
            return f"<title>{escape(page.title)}</title>{page.body}"

        def digest(self, models):
            return "bare"
"""

from __future__ import annotations

from typing import Protocol

from shequ.render.page import GeneratedPage


class PageShell(Protocol):
    def render(self, page: GeneratedPage) -> str:
        """The whole HTML document of ``page``: its body inside the site's look, in the
        language of its address (``en/…`` is English)."""

    def digest(self, models: list[GeneratedPage]) -> str:
        """A hash of the look around pages like ``models``: serve's rebuilds keep a record
        page only while it, and the record's own files, are unchanged."""
