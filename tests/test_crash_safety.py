"""Crash safety and reproducible builds (issue 7).

**Killed builds.** ``mkdocs build`` (which also publishes the data package into the
site) and ``shequ publish`` are killed with SIGKILL at random moments, drawn from the
measured duration of one run with a seeded RNG: each trial in its own slice of that
duration, so a few trials reach every part of the run, start to swap. After every kill, ``site/`` and
``build/data`` must be exactly the previous output or exactly the new one, checked
against manifests of the sha256 of every file. Each trial builds the other of two
versions of the sources, so the folder is always either "old" or "new".

**Reproducible builds.** Two builds of the same sources, in different folders and on
different (pinned) days, give byte-identical data packages and identical HTML: the first is
the session's clean build, the second the run that follows the kill trials, which builds the
old version again in the trials' folder, two levels deeper, on another day.

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
from dataclasses import dataclass
from pathlib import Path

import pytest


SEED = 20261126
SITE_TRIALS = 3
PUBLISH_TRIALS = 5
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


# Reproducible builds ----------------------------------------------------------------------------------

def _differences(a: dict[str, str], b: dict[str, str]) -> list[str]:
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def test_two_builds_give_a_byte_identical_data_package(trials):
    assert trials.data["old"], "no data package was written"
    assert _differences(trials.data["old"], trials.data["again"]) == []


def test_two_builds_give_identical_html_and_site_files(trials):
    site = trials.site["old"]
    assert any(name.endswith(".html") for name in site)
    assert _differences(site, trials.site["again"]) == []


def test_the_sitemap_does_not_depend_on_the_build_day(trials, addressed_site):
    """MkDocs stamps each page's <lastmod> and the gzip header with the build day; the plugin drops both."""
    sitemap = (addressed_site / "site" / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://example.org/shequ/organizations/org-silver-age/</loc>" in sitemap
    assert "<lastmod>" not in sitemap
    assert trials.site["old"]["sitemap.xml.gz"] == trials.site["again"]["sitemap.xml.gz"]


def test_published_folders_are_readable_by_others(addressed_site):
    """Staging folders come from mkdtemp (mode 0700); the swapped-in output has the usual mode."""
    umask = os.umask(0)
    os.umask(umask)
    for folder in (addressed_site / "site", addressed_site / "build" / "data"):
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
    # The next run after the kills cleans up what they left behind and builds the old version
    # again, on another day: the second build of the reproducibility tests. It swaps in a new
    # folder even where the kills left the old version in place.
    set_version(root, "old")
    before = folder.stat().st_ino
    process = subprocess.run(command, cwd=root, env={**ENV, **OTHER_DAY}, capture_output=True, text=True,
                             timeout=300)
    assert process.returncode == 0, process.stderr[-3000:]
    assert folder.stat().st_ino != before, "the run after the kills did not replace the output"
    manifests["again"] = manifest(folder)
    return results


@dataclass
class Trials:
    """The kill trials of both commands, and the manifests of each version of their output."""

    site_trials: list[Trial]
    publish_trials: list[Trial]
    site: dict[str, dict[str, str]]  # "old" (the session's build), "new", "again" (old, rebuilt after the kills)
    data: dict[str, dict[str, str]]
    roots: tuple[Path, Path]  # the site trials' project, the publish trials'


@pytest.fixture(scope="module")
def trials(addressed_site, tmp_path_factory) -> Trials:
    """The old version is the session's addressed site (tests/conftest.py), built and published
    with this module's ENV; each command's trials run on a copy of it, two levels deeper."""
    base = tmp_path_factory.mktemp("crash") / "elsewhere" / "deeper"
    site_root, publish_root = base / "site-trials", base / "publish-trials"
    shutil.copytree(addressed_site, site_root, symlinks=True)
    shutil.copytree(addressed_site, publish_root, symlinks=True)
    site = {"old": manifest(addressed_site / "site")}
    data = {"old": manifest(addressed_site / "build" / "data")}
    rng_site, rng_publish = random.Random(SEED), random.Random(SEED + 1)
    with ThreadPoolExecutor(2) as pool:
        site_job = pool.submit(kill_trials, site_root, SITE, site_root / "site", site, SITE_TRIALS, rng_site)
        publish_job = pool.submit(kill_trials, publish_root, PUBLISH, publish_root / "build" / "data", data,
                                  PUBLISH_TRIALS, rng_publish)
        site_trials, publish_trials = site_job.result(), publish_job.result()
    return Trials(site_trials, publish_trials, site, data, (site_root, publish_root))


def test_killed_builds_leave_the_previous_or_the_new_output(trials):
    """SIGKILL at random points of 'mkdocs build' and 'shequ publish': never a mixed folder."""
    summary = {"site": trials.site_trials, "publish": trials.publish_trials}
    for name, found in summary.items():
        assert all(t.after != "neither" for t in found), f"{name}: a killed run left a mixed folder: {found}"
    assert (len(trials.site_trials), len(trials.publish_trials)) == (SITE_TRIALS, PUBLISH_TRIALS)
    for name, found in summary.items():
        assert any(not t.finished for t in found), f"{name}: no run was killed before it ended: {found}"
    # What the kills left behind is gone after the next full run, which built the old version in place.
    site_root, publish_root = trials.roots
    for folder, manifests in ((site_root / "site", trials.site), (publish_root / "build" / "data", trials.data)):
        assert manifest(folder) == manifests["again"]
        assert [p.name for p in folder.parent.iterdir() if p.name.startswith(".")] == []
    print({name: [(t.delay, t.before, t.after, t.finished) for t in found] for name, found in summary.items()})
