"""Site configuration rules: the values of mkdocs.yml that the site uses.

The theme writes many of them into pages without escaping (``href="{{ config.repo_url }}"``,
``<meta content="{{ config.site_description }}">``, the copyright, ``extra.*``), and the
shequ plugin builds paths and links from others. Each is checked for its type and for
what could end an attribute or start markup, so that a value from a pull request is
shown as text or refused, never run. Values written with a tag (``!ENV``) are decided by
MkDocs at build time and left alone.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

from shequ import rules
from shequ.checks.urls import url_problem
from shequ.report import Problem
from shequ.sources.filenames import name_problems
from shequ.sources.load import Sources
from shequ.sources.siteconfig import SiteConfig, Tagged

#: Settings shown in pages as text (the theme inserts them as HTML, unescaped).
TEXT_SETTINGS = ("site_name", "site_description", "site_author", "copyright", "repo_name")
#: Settings that must be an http(s) address.
URL_SETTINGS = ("site_url", "repo_url")
#: Characters that would end an attribute or open markup in a value the theme does not escape.
MARKUP = re.compile(r"[\"<>`\\\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
#: A language tag the theme can have a translation for: zh, en, zh-Hant, pt-BR.
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
#: The site's folder for the data package: plain path segments.
DATA_PATH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*/?$")
MAX_PER_PAGE = 10_000
#: Extra values that are links, by key (Material: extra.homepage, extra.social[].link, extra.alternate[].link).
LINK_KEYS = ("homepage", "link")
#: Folders the generated pages live in, in each language (see shequ.render): a nav entry there
#: names a page the plugin makes, not a file of docs_dir.
GENERATED_SECTIONS = ("organizations", "incubators", "regions", "topics", "policy", "statistics", "whats-new")


def check(sources: Sources) -> Iterator[Problem]:
    config = sources.site_config
    if config is None:
        return
    yield from shown_values(config)
    yield from _folders(sources, config)
    yield from _theme(config)
    yield from _custom_dir(sources, config)
    options = yield from _plugin_options(config)
    yield from _nav(sources, config, options)


def shown_values(config: SiteConfig) -> Iterator[Problem]:
    """The checks of every value the theme prints (text settings, addresses, ``extra``): what
    the build runs again on the configuration as MkDocs resolved it, ``!ENV`` values included."""
    yield from _text_settings(config)
    yield from _url_settings(config)
    yield from _extra(config, config.get("extra"), ("extra",))


def _set(value: Any) -> bool:
    """A value the checks judge: written out in mkdocs.yml, not left to MkDocs (a tag) or empty."""
    return value is not None and not isinstance(value, Tagged)


def _problem(config: SiteConfig, rule: str, message: str, path: tuple, hint: str | None = None) -> Problem:
    return Problem(rule, message, config.file_of(path[0]), path, hint=hint)


def _text(config: SiteConfig, value: Any, path: tuple, hint: str | None = None) -> Iterator[Problem]:
    if not _set(value):
        return
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        yield _problem(config, rules.CONFIG_TYPE, "must be text", path)
    elif isinstance(value, str) and (found := MARKUP.search(value)):
        yield _problem(config, rules.CONFIG_MARKUP, f"holds {found.group()!r}: the theme would read it as HTML", path,
                       hint or "write plain text, without quotes, '<', '>' or backslashes")


def _text_settings(config: SiteConfig) -> Iterator[Problem]:
    for key in TEXT_SETTINGS:
        yield from _text(config, config.get(key), (key,))


def _url(config: SiteConfig, value: Any, path: tuple, *, relative: bool = False) -> Iterator[Problem]:
    if not _set(value) or value == "":
        return
    why = url_problem(value, relative=relative)
    if why:
        yield _problem(config, rules.CONFIG_URL, why, path, "a full address such as https://example.org/shequ/")


def _url_settings(config: SiteConfig) -> Iterator[Problem]:
    for key in URL_SETTINGS:
        yield from _url(config, config.get(key), (key,))
    yield from _url(config, config.get("edit_uri"), ("edit_uri",), relative=True)
    yield from _url(config, config.get("edit_uri_template"), ("edit_uri_template",), relative=True)


def _folders(sources: Sources, config: SiteConfig) -> Iterator[Problem]:
    root = sources.project.root
    for key, default in (("docs_dir", "docs"), ("site_dir", "site")):
        value = config.get(key, default)
        if not _set(value):
            continue
        if not isinstance(value, str) or not value.strip():
            yield _problem(config, rules.CONFIG_TYPE, "must be a folder name", (key,))
            continue
        folder = (config.folder / value).resolve()
        if key == "docs_dir":
            if not folder.is_dir():
                yield _problem(config, rules.CONFIG_DOCS_DIR, f"the folder '{value}' does not exist", (key,),
                               "create it, or name the folder that holds the site's pages")
            elif root != folder and root not in folder.parents:
                yield _problem(config, rules.CONFIG_DOCS_DIR, f"'{value}' is outside the project", (key,),
                               "keep the site's pages inside the project")
            continue
        # The site folder is replaced as a whole by every build: never one that holds sources.
        kept = [root, root / "datasets", root / ".git", docs_folder_of(config)]
        if any(folder == k or folder in k.parents for k in kept):
            yield _problem(config, rules.CONFIG_SITE_DIR, f"'{value}' holds the project's sources; every build "
                           "replaces the site folder", (key,), "use a folder of its own, such as site")


def docs_folder_of(config: SiteConfig) -> Path:
    value = config.get("docs_dir")
    return (config.folder / (value if isinstance(value, str) and value else "docs")).resolve()


def theme_languages(name: str) -> set[str] | None:
    """The languages the installed theme has translations for (Material keeps one file per
    language in ``templates/partials/languages/``), or None when that is unknown. Only the
    theme's files are listed: none of its modules runs."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        return None
    try:
        spec = importlib.util.find_spec(name)  # finds the package without importing it
    except (ImportError, ValueError):
        return None
    for location in (spec.submodule_search_locations or []) if spec is not None else []:
        folder = Path(location) / "templates" / "partials" / "languages"
        if folder.is_dir():
            return {p.stem for p in folder.glob("*.html")}
    return None


def _theme(config: SiteConfig) -> Iterator[Problem]:
    theme = config.get("theme")
    if not _set(theme):
        return
    if isinstance(theme, str):
        theme = {"name": theme}
    if not isinstance(theme, dict):
        yield _problem(config, rules.CONFIG_TYPE, "must be a theme name or a mapping with name:", ("theme",))
        return
    path = ("theme",) if isinstance(config.get("theme"), str) else ("theme", "name")
    name = theme.get("name")
    if _set(name) and not isinstance(name, str):
        yield _problem(config, rules.CONFIG_TYPE, "must be a theme name", path)
        return
    language = theme.get("language")
    if not _set(language):
        return
    if not isinstance(language, str) or not LANGUAGE.match(language):
        yield _problem(config, rules.CONFIG_LANGUAGE, f"{language!r} is not a language tag", ("theme", "language"),
                       "a tag such as zh or en")
        return
    known = theme_languages(name) if isinstance(name, str) else None
    if known is not None and language not in known:
        yield _problem(config, rules.CONFIG_LANGUAGE, f"the theme '{name}' has no language '{language}'",
                       ("theme", "language"), "a tag such as zh or en")


def _custom_dir(sources: Sources, config: SiteConfig) -> Iterator[Problem]:
    """The theme's overrides go into every page: a folder of the project, without links."""
    theme = config.get("theme")
    value = theme.get("custom_dir") if isinstance(theme, dict) else None
    if not _set(value):
        return
    path = ("theme", "custom_dir")
    if not isinstance(value, str) or not value.strip():
        yield _problem(config, rules.CONFIG_TYPE, "must be a folder name", path)
        return
    root, folder = sources.project.root, config.folder / value
    real = folder.resolve()
    if real != root and root not in real.parents:
        yield _problem(config, rules.CONFIG_CUSTOM_DIR, f"'{value}' is outside the project", path)
        return
    for dirpath, dirnames, filenames in os.walk(folder):
        yield from name_problems(sources.project, Path(dirpath), dirnames + filenames)
        for name in sorted(dirnames + filenames):
            if Path(dirpath, name).is_symlink():
                yield Problem(rules.FILES_SYMLINK, "symbolic links are not allowed in the theme's overrides",
                              sources.project.relative(Path(dirpath, name)),
                              hint="replace the link with the file itself: a link would publish whatever file it names")
        dirnames[:] = [d for d in dirnames if not Path(dirpath, d).is_symlink()]


def _extra(config: SiteConfig, value: Any, path: tuple) -> Iterator[Problem]:
    """Every text under extra: the theme puts them in pages unescaped; links must be web addresses."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in LINK_KEYS and isinstance(item, str):
                yield from _url(config, item, path + (key,), relative=True)
            else:
                yield from _extra(config, item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _extra(config, item, path + (i,))
    elif isinstance(value, str):
        yield from _text(config, value, path)


def _plugin_options(config: SiteConfig):
    """The shequ plugin's options (a generator that returns them: data_path, per_page)."""
    plugins = config.get("plugins")
    entries: list[tuple[tuple, Any]] = []
    if isinstance(plugins, list):
        for i, item in enumerate(plugins):
            if item == "shequ":
                entries.append((("plugins", i), {}))
            elif isinstance(item, dict) and "shequ" in item:
                entries.append((("plugins", i, "shequ"), item["shequ"]))
    elif isinstance(plugins, dict) and "shequ" in plugins:
        entries.append((("plugins", "shequ"), plugins["shequ"]))
    options: dict = {}
    for path, value in entries:
        if value is None:
            continue
        if not isinstance(value, dict):
            yield _problem(config, rules.CONFIG_PLUGIN, "the shequ plugin's options must be a mapping", path)
            continue
        options = value
        data_path = value.get("data_path")
        if _set(data_path) and (not isinstance(data_path, str) or not DATA_PATH.match(data_path)
                                or ".." in PurePosixPath(data_path).parts):
            yield _problem(config, rules.CONFIG_PLUGIN, f"data_path {data_path!r} is not a folder of the site",
                           path + ("data_path",), "plain folder names such as data/")
        per_page = value.get("per_page")
        if _set(per_page) and (not isinstance(per_page, int) or isinstance(per_page, bool)
                               or not 1 <= per_page <= MAX_PER_PAGE):
            yield _problem(config, rules.CONFIG_PLUGIN, f"per_page must be a whole number from 1 to {MAX_PER_PAGE:,}",
                           path + ("per_page",))
        yield from _url(config, value.get("source_edit_uri"), path + ("source_edit_uri",))
    return options


def _nav(sources: Sources, config: SiteConfig, options: dict) -> Iterator[Problem]:
    nav = config.get("nav")
    if not _set(nav):
        return
    if not isinstance(nav, list):
        yield _problem(config, rules.CONFIG_NAV, "must be a list of pages and sections", ("nav",))
        return
    data_path = options.get("data_path")
    if not isinstance(data_path, str) or not DATA_PATH.match(data_path):
        data_path = "data/"  # the plugin's default; a wrong value is reported on its own
    generated = GENERATED_SECTIONS + (data_path.strip("/"),)
    pages = sources.docs.pages if sources.docs is not None else None
    yield from _nav_items(config, nav, ("nav",), pages, generated)


def _nav_items(config: SiteConfig, items: list, path: tuple, pages, generated) -> Iterator[Problem]:
    for i, item in enumerate(items):
        here = path + (i,)
        if isinstance(item, dict) and len(item) == 1:
            title, target = next(iter(item.items()))
            yield from _text(config, title, here + (title,), "a title in plain text")
            here += (title,)
        else:
            target = item
        if isinstance(target, list):
            yield from _nav_items(config, target, here, pages, generated)
        elif isinstance(target, str):
            yield from _nav_target(config, target, here, pages, generated)
        elif _set(target):
            yield _problem(config, rules.CONFIG_NAV, "each entry is a page, a link, or a title with a page or "
                           "a list of entries", here, "for example '- Home: index.md'")


def _nav_target(config: SiteConfig, target: str, path: tuple, pages, generated) -> Iterator[Problem]:
    if "://" in target or target.startswith("//"):
        yield from _url(config, target, path)  # a link to another site
        return
    if (found := MARKUP.search(target)):
        yield _problem(config, rules.CONFIG_MARKUP, f"holds {found.group()!r}, which no page path may hold", path)
        return
    if target.startswith(("/", "#", "mailto:")):
        return  # a link within the site, which MkDocs leaves as it is
    if pages is None:
        return
    page = PurePosixPath(target.split("#")[0].lstrip("./"))
    parts = page.parts
    if parts and re.fullmatch(r"[a-z]{2,3}(-[A-Za-z]{2,4})?", parts[0]) and parts[0] not in generated:
        parts = parts[1:]  # a language's pages, under en/
    if parts and (parts[0] in generated or "/".join(parts).startswith(tuple(g + "/" for g in generated))):
        return
    if page.as_posix() not in pages:
        yield _problem(config, rules.CONFIG_NAV_MISSING, f"the page '{target}' is not in the site's pages",
                       path, "write it, or correct the path in nav")
