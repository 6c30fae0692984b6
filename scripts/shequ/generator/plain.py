"""A plain Jinja page shell: the build core with no MkDocs at all.

:class:`PlainShell` is a :class:`~shequ.build.shell.PageShell` that puts each generated
page in one small template: the page's language, title and body, and a link to the same
page in the other language. :func:`build_site` drives :class:`~shequ.build.core.SiteBuild`
with it, the way the MkDocs plugin does with Material's shell: a second generator, in a
few lines, that shows the core needs nothing of MkDocs.

Example::

    site = build_site(Project.at("."), Path("/tmp/plain-site"), Settings.from_environ())
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import jinja2

from shequ.build.core import SiteBuild
from shequ.project import Project
from shequ.render import GeneratedPage, Settings as RenderSettings, language
from shequ.settings import Settings

TEMPLATE = """<!doctype html>
<html lang="{{ lang_tag }}">
<head><meta charset="utf-8"><title>{{ page.title }}</title></head>
<body>
<nav>{% for other in alternates %}<a hreflang="{{ other.tag }}" href="{{ other.link }}">{{ other.name }}</a> {% endfor %}</nav>
<main>{% if "<h1" not in page.body %}<h1>{{ page.title }}</h1>{% endif %}{{ page.body | safe }}</main>
</body>
</html>
"""


class PlainShell:
    def __init__(self, source: str = TEMPLATE):
        self.source = source
        self.template = jinja2.Environment(autoescape=True).from_string(source)

    def render(self, page: GeneratedPage) -> str:
        lang = language.language_of(page.path)
        depth = "../" * page.path.count("/")
        alternates = [{"tag": language.TAGS[other], "name": language.NAMES[other],
                       "link": depth + language.counterpart(page.path, other)}
                      for other in language.LANGUAGES if other != lang]
        return self.template.render(page=page, lang_tag=language.TAGS[lang], alternates=alternates)

    def digest(self, models: list[GeneratedPage]) -> str:
        return hashlib.blake2b(self.source.encode("utf-8"), digest_size=16).hexdigest()


def build_site(project: Project, site_dir: Path, settings: Settings | None = None) -> Path:
    """Check, publish and build every generated page into ``site_dir`` (replaced all at once)."""
    build = SiteBuild(settings)
    try:
        build.start(project.root)
        site = build.stage(site_dir)
        build.start_publishing()
        shell = PlainShell()
        for page in build.listing_pages(RenderSettings()):
            out = site / page.path / "index.html"
            out.parent.mkdir(parents=True, exist_ok=True)
            body = build.render_body(page) if page.deferred is not None else page.body
            out.write_text(shell.render(GeneratedPage(page.path, page.title, body, page.edit_url)), "utf-8")
        build.write_record_pages(site, shell)
        return build.finish(site)
    except BaseException:
        build.fail()
        raise
    finally:
        build.close()
