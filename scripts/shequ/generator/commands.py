"""Build or serve the site with the project's ``mkdocs.yml``: what ``shequ build`` and
``shequ serve`` call. Both run the whole pipeline through the ``shequ`` MkDocs plugin.

Example::

    from shequ.generator.commands import build

    result = build(Project.at("."))
    print(result.site_dir, f"{result.seconds:.1f} s")
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from shequ import atomic
from shequ.build.core import SiteBuildError
from shequ.build.sitemap import WITHOUT_SITE_URL
from shequ.errors import ShequError
from shequ.project import Project

CONFIG = "mkdocs.yml"


@dataclass
class BuildResult:
    site_dir: Path
    seconds: float
    warnings: list[str] = field(default_factory=list)
    #: What the built site lacks because of its configuration (no ``site_url``), for the user.
    notes: list[str] = field(default_factory=list)


class _Collect(logging.Handler):
    """Keeps MkDocs' warnings and errors, so the caller decides how to show them."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _config_file(project: Project) -> Path:
    path = project.root / CONFIG
    if not path.is_file():
        raise SiteBuildError(f"{path} is missing: the site needs the project's {CONFIG}")
    return path


def build(project: Project, site_dir: Path | None = None, *, strict: bool = False) -> BuildResult:
    """Check the sources, publish the data package and build the site into ``site_dir``
    (default: the ``site_dir`` of mkdocs.yml, normally ``site/``), replacing it all at once.

    Raises a :class:`~shequ.errors.ShequError` when a check fails (with the problem report);
    the previous site is then untouched.
    """
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    config_file = _config_file(project)
    logger = logging.getLogger("mkdocs")
    collect = _Collect()
    logger.addHandler(collect)
    try:
        try:
            options = {"site_dir": str(site_dir)} if site_dir is not None else {}
            config = load_config(str(config_file), strict=strict, **options)
        except (ConfigurationError, Abort) as exc:
            raise SiteBuildError(f"{project.relative(config_file)}: {exc}") from None
        # Refused at once, before the checks: a site folder that is not the build's own (the
        # plugin claims it again, for `mkdocs build`).
        atomic.claim(Path(config.site_dir), project.root, [Path(config.docs_dir)])
        config.plugins.on_startup(command="build", dirty=False)
        start = time.monotonic()
        try:
            mkdocs_build(config)
        except Abort as exc:
            plugin = config.plugins.get("shequ")
            failure = plugin.build.error if plugin is not None and plugin.build is not None else None
            if isinstance(failure, ShequError):  # the core's own error, with its report
                raise failure from None
            errors = [m for m in collect.messages if m and not m.startswith("Aborted")]
            raise SiteBuildError("\n".join(errors) or str(exc)) from None
        finally:
            config.plugins.on_shutdown()
        notes = [] if config.site_url else [WITHOUT_SITE_URL]
        return BuildResult(Path(config.site_dir), time.monotonic() - start, collect.messages, notes)
    finally:
        logger.removeHandler(collect)


def serve(project: Project, dev_addr: str = "127.0.0.1:8000", *, open_browser: bool = False) -> None:
    """Build the site into a temporary folder, serve it at ``dev_addr`` and rebuild it when
    a source changes (``datasets/``, ``docs/``, ``mkdocs.yml``). Runs until interrupted."""
    from mkdocs.commands.serve import serve as mkdocs_serve

    config_file = _config_file(project)
    logger = logging.getLogger("mkdocs")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    watch = [str(project.datasets)] + [str(p) for p in (project.root / "CITATION.cff",) if p.is_file()]
    mkdocs_serve(str(config_file), dev_addr=dev_addr, watch=watch, open_in_browser=open_browser)
