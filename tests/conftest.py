"""Shared fixtures: a small, valid project in a temporary folder, built from the
repository's own schemas and vocabularies, that each test may break on purpose."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REFERENCE_DIVISIONS = SHARED / "reference" / "divisions"

DIVISIONS_CSV = """code,name,level,parent
11,北京市,province,
1101,市辖区,prefecture,11
110105,朝阳区,county,1101
110105001,建外街道,township,110105
110105002,朝外街道,township,110105
"""

ORGANIZATION = """\
id: org-silver-age
name: 朝阳区银龄互助会
name_en: Chaoyang Silver Age Mutual Aid Association
alternate_names: [银龄互助会]
legal_form: social-group
management_track: registered
uscc: {uscc}
registration_authority: 北京市朝阳区民政局
registration_date: 2019-05-12
division: "110105001"
address: 北京市朝阳区建外街道示例路1号
community: 示例社区
founded: 2018-11-03
status: active
incubated_by: inc-chaoyang-base
incubated_from: 2018-06-01
incubated_until: 2019-05-31
fields_of_activity: [elderly-care, mutual-aid]
service_populations: [seniors]
service_functions: [neighbourhood-support]
support_received:
  - type: government-procurement
    provider: 朝阳区民政局
    year: 2021
    amount_cny: 50000
website: https://example.org/silver-age
email: contact@example.org
phone: 010-6555 0123
sources:
  - title: Shequ demonstration record (fictional)
    url: https://example.org/shequ-demo/org-silver-age
    accessed: 2026-11-01
last_verified: 2026-11-01
description_en: A fictional mutual aid group of older residents.
description_zh: 虚构的老年居民互助组织。
"""

FILED_ORGANIZATION = """\
id: org-harmony-mediators
name: 朝外调解志愿队
legal_form: unregistered
management_track: filed
registration_authority: 朝外街道办事处
registration_date: 2020-03-01
division: "110105002"
founded: 2020-01-15
status: active
fields_of_activity: [promoting-harmony]
service_functions: [dispute-mediation]
sources:
  - title: Shequ demonstration record (fictional)
    url: https://example.org/shequ-demo/org-harmony-mediators
    accessed: 2026-11-01
last_verified: 2026-11-01
"""

INCUBATOR = """\
id: inc-chaoyang-base
name: 朝阳区社区社会组织孵化基地
name_en: Chaoyang Community Organization Incubation Base
kind: incubation-base
operator: 示例社会工作服务中心
host_body: 北京市朝阳区民政局
division: "110105"
opened: 2015-06-01
capacity: 30
support_types: [activity-sites, incubation]
sources:
  - title: Shequ demonstration record (fictional)
    url: https://example.org/shequ-demo/inc-chaoyang-base
    accessed: 2026-11-01
last_verified: 2026-11-01
"""


def make_uscc(legal_type: str = "1", area: str = "110105", subject: str = "MJ0000001") -> str:
    from stdnum.cn import uscc

    body = "5" + legal_type + area + subject
    return body + uscc.calc_check_digit(body)


class MiniProject:
    """A valid project with two organizations and one incubator."""

    def __init__(self, root: Path):
        self.root = root
        datasets = root / "datasets"
        shutil.copytree(REPO / "datasets" / "schemas", datasets / "schemas")
        shutil.copytree(REPO / "datasets" / "vocabularies", datasets / "vocabularies")
        shutil.copytree(REPO / "datasets" / "policy", datasets / "policy")
        shutil.copy(REPO / "datasets" / "package.yaml", datasets / "package.yaml")
        (datasets / "reference").mkdir()
        (datasets / "reference" / "divisions.csv").write_text(DIVISIONS_CSV, encoding="utf-8")
        (datasets / "organizations").mkdir()
        (datasets / "incubators").mkdir()
        self.write("organizations", "org-silver-age", ORGANIZATION.format(uscc=make_uscc()))
        self.write("organizations", "org-harmony-mediators", FILED_ORGANIZATION)
        self.write("incubators", "inc-chaoyang-base", INCUBATOR)

    def path(self, dataset: str, record_id: str) -> Path:
        return self.root / "datasets" / dataset / f"{record_id}.yaml"

    def write(self, dataset: str, record_id: str, text: str) -> Path:
        path = self.path(dataset, record_id)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def edit(self, dataset: str, record_id: str, old: str, new: str) -> None:
        path = self.path(dataset, record_id)
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path.name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def report(self):
        from shequ.build.pipeline import validate
        from shequ.project import Project
        from shequ.settings import Settings

        # The fixture's SHEQU_TODAY, read at the edge as the CLI does.
        return validate(Project.at(self.root), Settings.from_environ().today())[1]


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """The timed scale tests (``pytest -m scale``) run in one process: a second worker would
    share the cores they measure. Otherwise xdist counts the cores (``-n auto`` in addopts)."""
    selected = config.option.markexpr or ""
    if "scale" in selected and "not scale" not in selected:
        return 0
    return None


#: Test modules whose fixtures build whole sites or run many commands, longest first (measured
#: in docs/performance.md). Under ``--dist loadfile`` each module runs whole on one worker; xdist
#: would hand them out last (it orders modules by their number of tests), leaving one worker alone
#: on a long module at the end of the run. Started first, the short modules fill in behind them.
LONG_MODULES = (
    "test_crash_safety.py",
    "test_hostile.py",
    "test_fast_render.py",
    "test_incremental.py",
    "test_quality.py",
    "test_bench.py",
    "test_shards.py",
    "test_validate_covers_build.py",
    "test_site.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {name: place for place, name in enumerate(LONG_MODULES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest keep their order


def build_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """The folder ``name``, made by ``build(folder)`` once per test run, however many workers run.

    Under pytest-xdist every worker has its own session, so a session-scoped build would run
    once per worker: the first worker builds while holding a file lock, the others wait and
    reuse its output. The folder is shared: tests read it and copy it before changing anything.
    A build that failed half-way is removed and tried again by the next worker that asks."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # this run's pytest-N folder, above each worker's own
    folder = base / f"shared-{name}"
    done = base / f"shared-{name}.done"
    with FileLock(str(base / f"shared-{name}.lock")):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            done.touch()
    return folder


def _build_addressed_site(folder: Path) -> None:
    from site_project import make_addressed_project

    root = make_addressed_project(folder / "project")
    env = {**os.environ, "SHEQU_TODAY": "2026-11-26", "NO_MKDOCS_2_WARNING": "1"}
    for command in (["-m", "mkdocs", "build"], ["-m", "shequ", "publish"]):
        result = subprocess.run([sys.executable, *command], cwd=root, env=env, capture_output=True, text=True,
                                timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="session")
def addressed_site(tmp_path_factory) -> Path:
    """The small project with the docs and a ``site_url`` (tests/site_project.py), built with
    ``mkdocs build`` and published with ``shequ publish`` once per run: its site/ and build/data.
    Read it; copy it before changing anything."""
    return build_once(tmp_path_factory, "addressed-site", _build_addressed_site) / "project"


#: Debian's Chromium: Playwright never downloads a browser.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def playwright():
    """Playwright's driver, one per worker: its sync API runs one at a time in a process."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


def launch_chromium(playwright, *args: str):
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: install it with 'apt-get install chromium fonts-noto-cjk'")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + list(args))


@pytest.fixture(scope="session")
def browser(playwright):
    """Chromium, started once per worker for every browser test; each test opens its own context."""
    chromium = launch_chromium(playwright)
    yield chromium
    chromium.close()


@pytest.fixture
def mini(tmp_path, monkeypatch) -> MiniProject:
    monkeypatch.setenv("SHEQU_TODAY", "2026-11-26")
    return MiniProject(tmp_path / "project")


def rules(report) -> list[str]:
    return [p.rule for p in report.errors]


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """The 1-based number of the line of ``path`` holding the n-th occurrence of ``needle``."""
    seen = 0
    for number, line in enumerate(Path(path).read_text(encoding="utf-8-sig").splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found {occurrence} time(s) in {path}")


def problems_of(report, rule: str) -> list:
    """Every problem (error or warning) with this rule id."""
    return [p for p in report.problems if p.rule == rule]


def one_problem(report, rule: str, field: str | None = None):
    """The single problem with this rule id (and field); fails showing the whole report otherwise."""
    found = [p for p in problems_of(report, rule) if field is None or p.field == field]
    assert len(found) == 1, f"expected one {rule} problem at {field!r}, got:\n{report.format_text()}"
    return found[0]
