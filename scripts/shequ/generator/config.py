"""The ``shequ`` plugin's options, and what it adds to MkDocs' configuration and files: the
theme's overrides and stylesheet, the repository's address, source edit links, the generated pages."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.structure.files import File, InclusionLevel

from shequ import search
from shequ.errors import ShequError
from shequ.render import Settings as RenderSettings

PACKAGE_ROOT = Path(__file__).parents[1]  # the shequ package: its templates and assets
OVERRIDES = PACKAGE_ROOT / "templates" / "overrides"
STYLESHEET = PACKAGE_ROOT / "assets" / "shequ.css"
STYLESHEET_URI = "assets/shequ.css"


class ShequConfig(Config):
    #: The project folder, relative to mkdocs.yml.
    project = c.Type(str, default=".")
    #: Where the data package goes in the site.
    data_path = c.Type(str, default="data/")
    #: Rows per page of organization listings.
    per_page = c.Type(int, default=200)
    #: Base URL to edit a source file in the repository; by default derived from repo_url and edit_uri.
    source_edit_uri = c.Optional(c.Type(str))


def prepare_theme(config, sources) -> None:
    """Material overrides (demonstration banner, no GitHub API call), after a deployment's own
    custom_dir; the project's stylesheet; the demonstration and feed flags."""
    dirs = config.theme.dirs
    if str(OVERRIDES) not in dirs:
        dirs.insert(1 if config.theme.custom_dir else 0, str(OVERRIDES))
    if STYLESHEET_URI not in config.extra_css:
        config.extra_css.append(STYLESHEET_URI)
    config.extra["shequ_demonstration"] = bool(sources.package.get("demonstration"))
    # Pages link their language's Atom feed of what releases changed, once a release recorded it.
    config.extra["shequ_feed"] = bool(sources.releases)


def guard_shown_values(config, project_root: Path) -> None:
    """Check and escape every configuration value that the theme prints into pages.

    Material's templates print ``site_name``, ``site_description``, ``copyright``, ``extra.*``…
    unescaped (MkDocs' Jinja does not autoescape), and ``shequ validate`` cannot judge a value
    that MkDocs reads from the environment (``!ENV``). So the build checks the values as MkDocs
    resolved them, with the same rules (:func:`shequ.checks.site_config.shown_values`: an
    address is a real http(s) URL with nothing that ends an attribute), and fails on any error;
    then every text is escaped at its source, the configuration, so that each template prints
    it as text whether or not it escapes (``Markup`` is never escaped twice). Addresses stay
    plain text: they are checked to hold nothing that HTML would read, and MkDocs builds edit
    links from them."""
    from shequ.checks.site_config import TEXT_SETTINGS, URL_SETTINGS, shown_values
    from shequ.report import Report
    from shequ.sources.siteconfig import SiteConfig

    keys = TEXT_SETTINGS + URL_SETTINGS + ("edit_uri", "edit_uri_template", "extra")
    data = {key: config.get(key) for key in keys}
    data["extra"] = {k: v for k, v in dict(config.extra).items() if not k.startswith("shequ_")}
    file = Path(config.config_file_path).resolve()
    try:
        shown = file.relative_to(project_root).as_posix()
    except ValueError:
        shown = file.name
    report = Report(list(shown_values(SiteConfig(shown, data, file.parent))))
    if not report.valid:
        raise ShequError(f"{report.format_text()}the configuration as MkDocs read it (values from the environment "
                         "included) puts these into every page: correct them", report)
    escape_shown_values(config)


def escape_shown_values(config) -> None:
    """Every text setting and ``extra`` text of ``config`` as escaped ``Markup`` (see
    :func:`guard_shown_values`); running it again changes nothing."""
    from markupsafe import Markup, escape

    from shequ.checks.site_config import TEXT_SETTINGS

    def escaped(value):
        if isinstance(value, str):
            return Markup(escape(value))
        if isinstance(value, dict):
            return {k: escaped(v) for k, v in value.items()}
        if isinstance(value, list):
            return [escaped(v) for v in value]
        return value

    for key in TEXT_SETTINGS:
        if isinstance(config.get(key), str):
            config[key] = escaped(config[key])
    for key, value in list(config.extra.items()):
        if not key.startswith("shequ_"):
            config.extra[key] = escaped(value)


def guard_files(files, config, project_root: Path) -> None:
    """Every file the build copies or renders from the project stays in the project.

    ``shequ validate`` refuses links under ``docs/``; this is the build's own check, for what
    MkDocs actually reads, however its folders were named (``!ENV`` included): ``docs_dir``
    and the theme's ``custom_dir`` lie inside the project, and no file or template under
    them resolves, through a symbolic link, to a file outside it (which the site would
    publish: a key, a password file). Files of the installed theme and of this package are
    not the project's and are left alone."""
    root = project_root.resolve()
    folders = {"docs_dir": config.docs_dir, "theme.custom_dir": config.theme.custom_dir}
    outside = []
    for name, folder in folders.items():
        if not folder:
            continue
        real = Path(folder).resolve()
        if real != root and root not in real.parents:
            raise ShequError(f"{name}: '{folder}' is outside the project: the build reads only the project's files")
    for name, folder in folders.items():
        if name == "theme.custom_dir" and folder:  # templates are read by Jinja, not listed in files
            for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
                outside += [Path(dirpath, n) for n in dirnames + filenames if not _inside(Path(dirpath, n), root)]
                dirnames[:] = [d for d in dirnames if _inside(Path(dirpath, d), root)]
    project_folders = [Path(os.path.abspath(f)) for f in folders.values() if f]
    for file in files:
        src = getattr(file, "abs_src_path", None)
        if src and any(f == Path(src) or f in Path(src).parents for f in project_folders) \
                and not _inside(Path(src), root):
            outside.append(Path(src))
    if outside:
        shown = ", ".join(sorted({_relative(p, root) for p in outside})[:10])
        raise ShequError(f"{shown}: a symbolic link to a file outside the project; the site would publish that "
                         "file (replace the link with the file itself)")


def _inside(path: Path, root: Path) -> bool:
    real = Path(os.path.realpath(path))
    return real == root or root in real.parents


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(os.path.abspath(path)).relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def add_assets(files, config) -> None:
    """The project's stylesheet, the search script and its stylesheet, as files of the site."""
    files.append(File.generated(config, STYLESHEET_URI, abs_src_path=str(STYLESHEET)))
    for asset in search.asset_files(config):
        files.append(asset)


def add_pages(files, config, pages, log: logging.Logger) -> dict:
    """The generated pages as MkDocs pages, each replacing a page of docs/ at its address;
    the generated pages by MkDocs' name for them."""
    generated = {}
    for page in pages:
        existing = files.get_file_from_path(page.src_uri)
        if existing is not None:
            log.warning(f"docs/{page.src_uri} is replaced by the generated page at /{page.path}")
            files.remove(existing)
        inclusion = InclusionLevel.UNDEFINED if page.in_nav else InclusionLevel.NOT_IN_NAV
        files.append(File.generated(config, page.src_uri, content="", inclusion=inclusion))
        generated[page.src_uri] = page
    return generated


def render_settings(config, options: ShequConfig, root: Path) -> RenderSettings:
    """What the pages need of mkdocs.yml and the plugin's options."""
    return RenderSettings(
        edit_base=edit_base(config, options.source_edit_uri, root),
        site_url=config.site_url or None, per_page=options.per_page,
        data_path=options.data_path.strip("/") + "/",
        deferred=True)  # long listings render as MkDocs builds them: one in memory at a time


def set_repository(config, repository, log: logging.Logger) -> None:
    """The repository's address comes from ``repository`` in datasets/package.yaml, so that a
    deployment changes it in one place; a ``repo_url`` in mkdocs.yml still wins."""
    if not isinstance(repository, str) or not repository.startswith(("https://", "http://")):
        return
    if not config.repo_url:
        config.repo_url = repository.rstrip("/")
        config.repo_name = urlsplit(repository).path.strip("/") or urlsplit(repository).netloc
    elif config.repo_url.rstrip("/") != repository.rstrip("/"):
        log.warning(f"repo_url in mkdocs.yml ({config.repo_url}) differs from repository in "
                    f"datasets/package.yaml ({repository}); the site links to repo_url")


def edit_base(config, source_edit_uri: str | None, root: Path) -> str | None:
    """Where a source file is edited: ``<repo_url>/edit/main/`` for ``edit_uri: edit/main/docs/``."""
    if source_edit_uri:
        return source_edit_uri.rstrip("/") + "/"
    if not config.repo_url or not config.edit_uri:
        return None
    docs = Path(config.docs_dir).resolve()
    try:
        docs_rel = docs.relative_to(root).as_posix() + "/"
    except ValueError:
        docs_rel = docs.name + "/"
    base = urljoin(config.repo_url.rstrip("/") + "/", config.edit_uri.lstrip("/"))
    base = base.rstrip("/") + "/"
    return base[: -len(docs_rel)] if base.endswith("/" + docs_rel) else base
