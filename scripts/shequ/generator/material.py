"""Generated pages inside the theme's ``main.html``, tens of thousands of times, fast.

Rendering Material's ``main.html`` costs about a millisecond and a half per page,
most of it the navigation. The pages of a record type differ in only four
things: the title, the body, the last segment of their address (the record id,
also in the edit link and the canonical URL) and whether the body has its own
``<h1>``. So do the pages of a long listing that are not in the navigation. Everything else (navigation, header, footer, relative links) is the
same for every page at the same depth.

So :class:`ThemeShells` renders the theme once per kind of page, with sentinel
values in place of the title, body and id, splits the result at the sentinels,
and fills in each page's values. The first page of each kind is also rendered
the ordinary way and compared byte for byte; if they differ (a theme that
transforms the title, say), that kind of page is always rendered the ordinary
way. A page whose values would confuse the sentinels is rendered the ordinary
way too.

``plain=True`` (``SHEQU_PLAIN_RENDER=1``) turns every shortcut of the render stage off (here:
every page is rendered the ordinary way), so that tests can compare the two outputs byte for byte.

:class:`ThemeShells` is the build core's :class:`~shequ.build.shell.PageShell` for Material;
the rest of this module is what else is Material's: a generated page's title, edit link and
table of contents on an MkDocs page (:func:`dress`), and each page's language: interface
language, navigation and language switcher (:class:`Languages`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import escape

from shequ.render import language
from shequ.render.page import GeneratedPage

SENTINEL_ID = "qqshequidqq7x"  # a valid id: lowercase letters and digits
SENTINEL_TITLE = "QQSHEQUTITLEQQ7X"
BODY_START, BODY_END = "QQSHEQUBODYQQ7X", "QQSHEQUBODYENDQQ7X"
_SENTINELS = re.compile(f"({SENTINEL_ID}|{SENTINEL_TITLE}|{BODY_START}.*?{BODY_END})", re.S)
_ANY = ("qqshequ", "QQSHEQU")


@dataclass
class Shell:
    parts: list  # literal text, or one of "id", "title", "body"
    verified: bool = False
    usable: bool = True


class ThemeShells:
    """Renders :class:`GeneratedPage` objects in the theme, as MkDocs would render a page.

    ``dress(page, generated)`` gives an MkDocs ``Page`` its title, edit link and table
    of contents from the generated page (:func:`dress`); ``localize(context, page)``, when
    given, sets the page's language in the template context (:meth:`Languages.localize`:
    interface language, navigation, language switcher), as MkDocs' ``on_page_context``
    event does for the pages MkDocs renders. The language is part of a page's address
    (``en/…``), so each language gets shells of its own.
    """

    def __init__(self, template, nav, doc_pages, config, dress, localize=None, *, plain: bool = False):
        self.template = template
        self.nav = nav
        self.doc_pages = doc_pages
        self.config = config
        self.dress = dress
        self.localize = localize
        self.shells: dict[tuple, Shell] = {}
        self.fast = 0  # pages filled into a shell
        self.slow = 0  # pages rendered the ordinary way
        self.plain = plain

    def _page(self, generated: GeneratedPage):
        from mkdocs.structure.files import File, InclusionLevel
        from mkdocs.structure.pages import Page

        file = File.generated(self.config, generated.src_uri, content="", inclusion=InclusionLevel.NOT_IN_NAV)
        page = Page(None, file, self.config)
        page.markdown = ""
        page.content = generated.body
        self.dress(page, generated)
        return page

    def render_slow(self, generated: GeneratedPage) -> str:
        """The page rendered the ordinary way: the theme's template with MkDocs' context."""
        from mkdocs.commands.build import get_context

        page = self._page(generated)
        context = get_context(self.nav, self.doc_pages, self.config, page)
        if self.localize is not None:
            self.localize(context, page)
        return self.template.render(context)

    def render(self, generated: GeneratedPage) -> str:
        key = None if self.plain else self._key(generated)
        if key is None:
            self.slow += 1
            return self.render_slow(generated)
        shell = self.shells.get(key)
        if shell is None:
            shell = self.shells[key] = self._shell(key, generated)
        if not shell.usable:
            self.slow += 1
            return self.render_slow(generated)
        html = self._fill(shell, generated)
        if not shell.verified:
            shell.verified = True
            slow = self.render_slow(generated)
            if slow != html:
                shell.usable = False
                self.slow += 1
                return slow
        self.fast += 1
        return html

    def digest(self, models: list[GeneratedPage]) -> str:
        """A hash of the theme around pages like ``models`` (their shells): what an incremental
        rebuild compares to know that the navigation, header and footer did not change."""
        import hashlib

        h = hashlib.blake2b(digest_size=16)
        for model in models:
            key = self._key(model)
            html = self.render_slow(self._model(key)) if key is not None else self.render_slow(model)
            h.update(html.encode("utf-8", "surrogateescape") + b"\0")
        return h.hexdigest()

    @staticmethod
    def _model(key: tuple) -> GeneratedPage:
        path, edit, toc, search, h1 = key
        return GeneratedPage(path, SENTINEL_TITLE, BODY_START + ("<h1" if h1 else "") + BODY_END,
                             edit, list(toc), search=search)

    @staticmethod
    def _segment(generated: GeneratedPage) -> str:
        return generated.path.rstrip("/").rsplit("/", 1)[-1]

    def _key(self, generated: GeneratedPage) -> tuple | None:
        segment = self._segment(generated)
        path, edit = generated.path, generated.edit_url or ""
        if not segment:
            return None
        values = (path, generated.title, generated.body, edit, *(name for _, name in generated.toc))
        if any(s in v for v in values for s in _ANY):
            return None
        head = path.rstrip("/")[: -len(segment)]  # "organizations/" of "organizations/<id>/"
        return (
            head + SENTINEL_ID + "/",
            # The segment, wherever the edit link has it, is filled in again: pages share the
            # shell only when their links match but for it.
            edit.replace(segment, SENTINEL_ID) if generated.edit_url else None,
            tuple(generated.toc),
            generated.search,
            "<h1" in generated.body,
        )

    def _shell(self, key: tuple, generated: GeneratedPage) -> Shell:
        html = self.render_slow(self._model(key))
        parts: list = []
        for i, piece in enumerate(_SENTINELS.split(html)):
            if i % 2 == 0:
                parts.append(piece)
            elif piece == SENTINEL_ID:
                parts.append(("id",))
            elif piece == SENTINEL_TITLE:
                parts.append(("title",))
            else:
                parts.append(("body",))
        literal = "".join(p for p in parts if isinstance(p, str))
        usable = parts.count(("body",)) == 1 and not any(s in literal for s in _ANY)
        return Shell(parts, usable=usable)

    def _fill(self, shell: Shell, generated: GeneratedPage) -> str:
        values = {"id": self._segment(generated), "title": str(escape(generated.title)), "body": generated.body}
        return "".join(p if isinstance(p, str) else values[p[0]] for p in shell.parts)


def dress(page, generated: GeneratedPage) -> None:
    """Title, edit link and table of contents of a generated page, on its MkDocs ``page``.
    The theme prints ``page.meta.title`` unescaped, so it gets the escaped title."""
    from mkdocs.structure.toc import get_toc

    page.meta["title"] = str(escape(generated.title))
    if not generated.search:
        page.meta["search"] = {"exclude": True}
    page.edit_url = generated.edit_url
    page.toc = get_toc([{"level": 2, "id": anchor, "name": str(escape(name)), "children": []}
                        for anchor, name in generated.toc])


class Languages:
    """Each page in the language of its address (``en/…`` is English): Material's interface
    language and ``<html lang>``, that language's navigation, and the language switcher with
    ``hreflang`` alternates, each to the same page in the other language."""

    def __init__(self, config):
        # What mkdocs.yml says, for the pages of neither language (see restore).
        self.site_language = config.theme["language"]
        self.site_alternate = config.extra.get("alternate")
        self.navs: dict = {}  # language -> its navigation (see split_nav)

    def split(self, nav) -> None:
        self.navs = split_nav(nav)

    def localize(self, context, page) -> None:
        lang = language.language_of(page.url)
        config = context["config"]
        config.theme["language"] = lang
        # Absolute where the site's address is known: search engines read hreflang alternates
        # only as full addresses (Material's `url` filter leaves those as they are).
        base = config.site_url.rstrip("/") + "/" if config.site_url else ""
        config.extra["alternate"] = [
            {"name": language.NAMES[other], "link": base + language.counterpart(page.url, other) or "./",
             "lang": language.TAGS[other]}
            for other in language.LANGUAGES]
        context["nav"] = self.navs.get(lang, context["nav"])

    def restore(self, config) -> None:
        """The configuration as mkdocs.yml has it: no page's language or switcher."""
        config.theme["language"] = self.site_language
        if self.site_alternate is None:
            config.extra.pop("alternate", None)
        else:
            config.extra["alternate"] = self.site_alternate


def split_nav(nav) -> dict:
    """Each language's navigation, from a ``nav`` whose top-level sections are one per
    language (``- 简体中文: …``, ``- English: …`` in mkdocs.yml): a language's pages then show
    only its own section, as the whole navigation, with previous/next links that stay in it.
    Any other ``nav`` is left as it is (an empty result)."""
    from mkdocs.structure.nav import Navigation

    sections = {}
    for item in nav.items:
        pages = list(_nav_pages(item))
        langs = {language.language_of(p.url) for p in pages}
        if not getattr(item, "children", None) or len(langs) != 1 or langs & set(sections):
            return {}
        sections[langs.pop()] = item
    if set(sections) != set(language.LANGUAGES):
        return {}
    navs = {}
    for lang, section in sections.items():
        for child in section.children:
            child.parent = None
        pages = list(_nav_pages(section))
        for i, page in enumerate(pages):
            page.previous_page = pages[i - 1] if i else None
            page.next_page = pages[i + 1] if i + 1 < len(pages) else None
        split = Navigation(section.children, pages)
        home = language.prefix(lang)
        split.homepage = next((p for p in pages if p.url in (home, home or "./")), split.homepage)
        navs[lang] = split
    return navs


def _nav_pages(item):
    if getattr(item, "is_page", False):
        yield item
    for child in getattr(item, "children", None) or ():
        yield from _nav_pages(child)
