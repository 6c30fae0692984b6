"""The site at scale: 10,000 synthetic organizations build in 90 s, no record page over 60 KB.

Opt-in, like the other scale tests: ``pytest -m scale tests/test_site_scale.py``.
"""

from __future__ import annotations

import shutil
import time

import pytest

from test_site import PROJECT_FILES, REPO, mkdocs_build

pytestmark = pytest.mark.scale

ORGANIZATIONS = 10_000
INCUBATORS = 50


def test_ten_thousand_organizations_build_in_90_seconds(tmp_path):
    from shequ.bench import synthetic

    root = tmp_path / "project"
    root.mkdir()
    for name in PROJECT_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("organizations", "incubators"))
        else:
            shutil.copy(source, root / name)
    synthetic.generate(root, orgs=ORGANIZATIONS, incubators=INCUBATORS, clean=True)

    start = time.monotonic()
    result = mkdocs_build(root)
    seconds = time.monotonic() - start

    assert result.returncode == 0, result.stderr[-4000:]
    site = root / "site"
    record_pages = list((site / "organizations").glob("*/index.html")) + list((site / "incubators").glob("*/index.html"))
    assert len(record_pages) == ORGANIZATIONS + INCUBATORS
    largest = max(record_pages, key=lambda p: p.stat().st_size)
    print(f"\n{ORGANIZATIONS:,} organizations: built in {seconds:.1f} s; largest record page "
          f"{largest.stat().st_size / 1024:.1f} KB ({largest.relative_to(site)})")
    assert largest.stat().st_size <= 60 * 1024
    assert seconds <= 90
