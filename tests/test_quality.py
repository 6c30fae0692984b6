"""Accessibility and links in the default suite (issue 7): the subset of ``scripts/audit``
that is fast and needs no Java and no Lighthouse.

- **axe-core** in Debian's Chromium on every page type of the demo site built by
  ``test_site.py``, in Chinese and in English (plus its hostile record's page in
  each language): no serious or critical violation
  outside ``scripts/audit``'s EXCEPTIONS, and every exception still needed.
- **Links**: the audit's crawler over the served site; every local link answers 200
  and every ``#fragment`` names an element.

axe-core comes from npm (package.json, package-lock.json). When ``node_modules`` lacks it,
this module installs it with ``npm ci --omit=dev --ignore-scripts`` (a few seconds; the
npm registry must be reachable), and fails with the reason if that is not possible.
The same functions run in ``scripts/audit``, so the suite and the audit agree.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_site import HOSTILE, site  # noqa: F401  (site is a fixture)

REPO = Path(__file__).resolve().parents[1]


def _load_audit():
    loader = importlib.machinery.SourceFileLoader("shequ_audit", str(REPO / "scripts" / "audit"))
    spec = importlib.util.spec_from_loader("shequ_audit", loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules["shequ_audit"] = module  # its dataclasses look their module up while it loads
    loader.exec_module(module)
    return module


audit = _load_audit()


@pytest.fixture(scope="module")
def axe_installed() -> Path:
    if not audit.AXE.is_file():
        if shutil.which("npm") is None:
            pytest.fail("axe-core is not installed and npm is missing: install Node 20 and npm, then run "
                        "'npm ci --omit=dev --ignore-scripts' in the repository")
        result = subprocess.run(["npm", "ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"],
                                cwd=REPO, capture_output=True, text=True, timeout=300)
        if result.returncode != 0 or not audit.AXE.is_file():
            pytest.fail(f"'npm ci --omit=dev --ignore-scripts' could not install axe-core:\n{result.stderr[-2000:]}")
    return audit.AXE


@pytest.fixture(scope="module")
def served(site):  # noqa: F811
    server = audit.Served(site.site)
    yield server.url
    server.close()


@pytest.fixture(scope="module")
def pages(site) -> dict[str, str]:  # noqa: F811
    return {**audit.page_types(site.site), "hostile record": f"organizations/{HOSTILE}/",
            "en-hostile record": f"en/organizations/{HOSTILE}/"}


@pytest.fixture(scope="module")
def axe_results(axe_installed, served, pages, browser):
    return audit.run_axe(browser, served, pages)


def test_every_page_type_is_audited(pages):
    types = ("home", "organization", "incubator", "region", "topic", "provision", "glossary", "statistics",
             "downloads", "guide")
    for name in types + ("not-found",):  # the host's one 404.html, of neither language
        assert name in pages
    for name in types:  # and each in English, under en/
        assert f"en-{name}" in pages
        assert pages[f"en-{name}"] == "en/" + pages[name]


@pytest.mark.browser
def test_no_serious_or_critical_axe_violations(axe_results):
    failures = [f for result in axe_results.values() for f in result.failures]
    assert not failures, "\n".join(failures[:30])


@pytest.mark.browser
def test_every_axe_exception_is_still_needed(axe_results):
    """A violation of the project's own that is fixed leaves EXCEPTIONS in scripts/audit, so the list
    stays honest. (Material's may go away with the theme component, e.g. when the site replaces it.)"""
    used = {why for result in axe_results.values() for why in result.excepted}
    stale = [ex.why for ex in audit.EXCEPTIONS if ex.owner == "shequ" and ex.why not in used]
    assert not stale, f"no longer needed, remove from EXCEPTIONS in scripts/audit: {stale}"


def test_every_local_link_of_the_served_site_resolves(served, pages):
    report = audit.check_links(served, list(pages.values()))
    assert report.pages > 50  # the crawl did walk the site
    assert not report.broken, "\n".join(report.broken[:30])
