"""Crash safety and reproducible builds (issue 7).

**Killed builds.** ``mkdocs build`` (which also publishes the data package into the
site) and ``shequ publish`` are killed with SIGKILL at random moments, drawn from the
measured duration of one run with a seeded RNG: each trial in its own slice of that
duration, so a few trials reach every part of the run, start to swap. After every kill, ``site/`` and
``build/data`` must be exactly the previous output or exactly the new one, checked
against manifests of the sha256 of every file. Each trial builds the other of two
versions of the sources, so the folder is always either "old" or "new".

**Reproducible builds.** Two clean builds of the same sources, in different folders and
on different (pinned) days, give byte-identical data packages and identical HTML.

The project is small (tests/site_project.py's, with the repository's docs and a site_url),
so the trials take seconds each; the site and publish trials run side by side.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from site_project import make_addressed_project

SEED = 20261126
SITE_TRIALS = 4
PUBLISH_TRIALS = 6
ENV = {**os.environ, "SHEQU_TODAY": "2026-11-26", "NO_MKDOCS_2_WARNING": "1"}
#: A pinned build day for the second clean build: 2030-01-01, not today.
OTHER_DAY = {"SOURCE_DATE_EPOCH": "1893456000"}

SITE = [sys.executable, "-m", "mkdocs", "build"]
PUBLISH = [sys.executable, "-m", "shequ", "publish"]

#: The second version of the sources: one record renamed, one added.
RENAMED = ("name: 朝阳区银龄互助会", "name: 朝阳区银龄互助协会")
ADDED = """\
id: org-crash-added
name: 建外读书会
legal_form: unregistered
management_track: filed
division: "110105001"
status: active
fields_of_activity: [culture]
sources:
  - {title: Shequ demonstration record (fictional), url: https://example.org/shequ-demo/crash, accessed: 2026-11-01}
last_verified: 2026-11-01
"""


def manifest(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder``, by relative path."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def set_version(root: Path, version: str) -> None:
    """Put the sources of version "old" or "new" in place."""
    record = root / "datasets" / "organizations" / "org-silver-age.yaml"
    added = root / "datasets" / "organizations" / "org-crash-added.yaml"
    text = record.read_text(encoding="utf-8")
    old, new = RENAMED if version == "new" else RENAMED[::-1]
    record.write_text(text.replace(old, new, 1), encoding="utf-8")
    if version == "new":
        added.write_text(ADDED, encoding="utf-8")
    else:
        added.unlink(missing_ok=True)


def run(command: list[str], root: Path, env: dict | None = None) -> float:
    start = time.monotonic()
    result = subprocess.run(command, cwd=root, env={**ENV, **(env or {})}, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return time.monotonic() - start


@dataclass
class Versions:
    """The outputs of the old version of the sources, built twice, as manifests."""

    site: dict[str, dict[str, str]]  # "old" -> manifest of site/
    data: dict[str, dict[str, str]]  # "old" -> manifest of build/data
    reproduced_site: dict[str, str]  # "old" built again, elsewhere, on another day
    reproduced_data: dict[str, str]
    roots: dict[str, Path] = field(default_factory=dict)


def build_both(root: Path, env: dict | None = None) -> tuple[float, float]:
    return run(SITE, root, env), run(PUBLISH, root, env)


@pytest.fixture(scope="module")
def versions(addressed_site, tmp_path_factory) -> Versions:
    """The old version is the session's addressed site (tests/conftest.py), built and published
    with this module's ENV; the same sources are built again elsewhere, on another day."""
    old = addressed_site
    again = make_addressed_project(tmp_path_factory.mktemp("crash") / "elsewhere" / "deeper" / "old-again")
    build_both(again, OTHER_DAY)
    return Versions(
        site={"old": manifest(old / "site")}, data={"old": manifest(old / "build" / "data")},
        reproduced_site=manifest(again / "site"), reproduced_data=manifest(again / "build" / "data"),
        roots={"old": old, "again": again},
    )


# Reproducible builds ----------------------------------------------------------------------------------

def _differences(a: dict[str, str], b: dict[str, str]) -> list[str]:
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def test_two_clean_builds_give_a_byte_identical_data_package(versions):
    assert versions.data["old"], "no data package was written"
    assert _differences(versions.data["old"], versions.reproduced_data) == []


def test_two_clean_builds_give_identical_html_and_site_files(versions):
    site = versions.site["old"]
    assert any(name.endswith(".html") for name in site)
    assert _differences(site, versions.reproduced_site) == []


def test_the_sitemap_does_not_depend_on_the_build_day(versions):
    """MkDocs stamps each page's <lastmod> and the gzip header with the build day; the plugin drops both."""
    sitemap = (versions.roots["old"] / "site" / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://example.org/shequ/organizations/org-silver-age/</loc>" in sitemap
    assert "<lastmod>" not in sitemap
    assert versions.site["old"]["sitemap.xml.gz"] == versions.reproduced_site["sitemap.xml.gz"]


def test_published_folders_are_readable_by_others(versions):
    """Staging folders come from mkdtemp (mode 0700); the swapped-in output has the usual mode."""
    umask = os.umask(0)
    os.umask(umask)
    for folder in (versions.roots["old"] / "site", versions.roots["old"] / "build" / "data"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o777 & ~umask, folder


# Killed builds ----------------------------------------------------------------------------------------

@dataclass
class Trial:
    delay: float
    before: str  # the version the folder held
    after: str  # "old", "new", or "neither"
    finished: bool  # the command ended by itself before the kill


def kill_trials(root: Path, command: list[str], folder: Path, manifests: dict[str, dict], trials: int,
                rng: random.Random) -> list[Trial]:
    """Run ``command`` ``trials`` times, each building the other version and killed after a random delay.

    First one whole run builds the new version: its output is the "new" manifest, and its
    duration, measured in the same conditions (the site and publish trials run side by side),
    is what the delays are drawn from."""
    set_version(root, "new")
    start = time.monotonic()
    subprocess.run(command, cwd=root, env=ENV, capture_output=True, timeout=300, check=True)
    seconds = time.monotonic() - start
    manifests["new"] = manifest(folder)
    # Otherwise the trials could not tell old from new.
    assert [k for k in manifests["old"].keys() | manifests["new"].keys()
            if manifests["old"].get(k) != manifests["new"].get(k)]
    held = "new"
    results = []
    for trial in range(trials):
        target = "new" if held == "old" else "old"
        set_version(root, target)
        # The trials split the run (and a margin for a slower one) into equal slices, one kill in each.
        delay = rng.uniform(trial, trial + 1) * seconds * 1.15 / trials
        process = subprocess.Popen(command, cwd=root, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        try:
            process.wait(timeout=delay)
            finished = True
        except subprocess.TimeoutExpired:
            finished = False
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        found = manifest(folder)
        after = next((v for v in ("old", "new") if found == manifests[v]), "neither")
        results.append(Trial(round(delay, 2), held, after, finished))
        if after in ("old", "new"):
            held = after
        else:
            break
    # The next run after the kills cleans up what they left behind and builds the sources in place.
    process = subprocess.run(command, cwd=root, env=ENV, capture_output=True, text=True, timeout=300)
    assert process.returncode == 0, process.stderr[-3000:]
    return results


def test_killed_builds_leave_the_previous_or_the_new_output(versions, tmp_path):
    """SIGKILL at random points of 'mkdocs build' and 'shequ publish': never a mixed folder."""
    site_root = tmp_path / "site-trials"
    publish_root = tmp_path / "publish-trials"
    shutil.copytree(versions.roots["old"], site_root, symlinks=True)
    shutil.copytree(versions.roots["old"], publish_root, symlinks=True)
    rng_site, rng_publish = random.Random(SEED), random.Random(SEED + 1)
    with ThreadPoolExecutor(2) as pool:
        site_manifests, data_manifests = dict(versions.site), dict(versions.data)
        site_job = pool.submit(kill_trials, site_root, SITE, site_root / "site", site_manifests, SITE_TRIALS,
                               rng_site)
        publish_job = pool.submit(kill_trials, publish_root, PUBLISH, publish_root / "build" / "data",
                                  data_manifests, PUBLISH_TRIALS, rng_publish)
        site_trials, publish_trials = site_job.result(), publish_job.result()
    summary = {"site": site_trials, "publish": publish_trials}
    for name, trials in summary.items():
        assert all(t.after != "neither" for t in trials), f"{name}: a killed run left a mixed folder: {trials}"
    assert (len(site_trials), len(publish_trials)) == (SITE_TRIALS, PUBLISH_TRIALS)
    for name, trials in summary.items():
        assert any(not t.finished for t in trials), f"{name}: no run was killed before it ended: {trials}"
    # What the kills left behind is gone after the next full run, which built the sources in place.
    for root, folder, manifests in ((site_root, site_root / "site", site_manifests),
                                    (publish_root, publish_root / "build" / "data", data_manifests)):
        version = "new" if (root / "datasets" / "organizations" / "org-crash-added.yaml").exists() else "old"
        assert manifest(folder) == manifests[version]
        assert [p.name for p in folder.parent.iterdir() if p.name.startswith(".")] == []
    print({name: [(t.delay, t.before, t.after, t.finished) for t in trials] for name, trials in summary.items()})
