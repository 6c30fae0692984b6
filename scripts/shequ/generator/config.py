"""The ``shequ`` plugin's options, and what it adds to MkDocs' configuration and files: the
theme's overrides and stylesheet, the repository's address, source edit links, the generated pages."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.structure.files import File, InclusionLevel

from shequ import search
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
    custom_dir; the project's stylesheet; the demonstration flag."""
    dirs = config.theme.dirs
    if str(OVERRIDES) not in dirs:
        dirs.insert(1 if config.theme.custom_dir else 0, str(OVERRIDES))
    if STYLESHEET_URI not in config.extra_css:
        config.extra_css.append(STYLESHEET_URI)
    config.extra["shequ_demonstration"] = bool(sources.package.get("demonstration"))


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
