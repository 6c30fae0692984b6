"""Benchmarks: time and peak memory of each stage on N synthetic records.

Each stage runs as its own child process, so its peak RSS is its own, read with
``os.wait4``. The records are generated into a temporary copy of the project;
the project itself is never touched. Figures are noisy on a shared 2-core
machine: compare ratios between sizes measured in the same run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from .project import Project


@dataclass
class StageFigure:
    records: int
    stage: str
    seconds: float
    peak_rss_mb: float
    exit_code: int


def _copy_project_without_records(project: Project, dest: Path) -> None:
    """Schemas, vocabularies, package metadata and policy; no records, no divisions table."""
    for name in ("schemas", "vocabularies", "policy"):
        src = project.datasets / name
        if src.is_dir():
            shutil.copytree(src, dest / "datasets" / name)
    shutil.copy(project.package_file, dest / "datasets" / "package.yaml")
    for name in ("organizations", "incubators", "reference"):
        (dest / "datasets" / name).mkdir(parents=True, exist_ok=True)


def run_stage(args: list[str], cwd: Path) -> tuple[float, float, int]:
    """Run one child process; return (wall seconds, its peak RSS in MB, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1) and proc.stderr:
        sys.stderr.write(proc.stderr.read().decode("utf-8", "replace")[-2000:])
    if proc.stderr:
        proc.stderr.close()
    # ru_maxrss is in kilobytes on Linux.
    return seconds, usage.ru_maxrss / 1024, proc.returncode


def bench(project: Project, sizes: list[int], incubators: int | None, official: list[Path] = (),
          seed: int = 2016) -> list[StageFigure]:
    """Generate, validate and publish each size in a fresh temporary copy of the project.

    ``official`` are national division lists (files or folders, as for
    ``shequ divisions import``): records then spread over every township in them.
    Without them, records spread over the townships of the project's own table.
    """
    from . import synthetic
    from .divisions import import_divisions

    townships = synthetic.townships_from_lists(official) if official else None
    figures = []
    for n in sizes:
        work = Path(tempfile.mkdtemp(prefix=f"shequ-bench-{n}-"))
        try:
            _copy_project_without_records(project, work)
            copy = Project.at(work)
            if not official:
                shutil.copy(project.divisions_table, copy.divisions_table)
            inc = incubators if incubators is not None else max(8, n // 200)
            start = time.perf_counter()
            synthetic.generate(work, orgs=n, incubators=inc, divisions=townships, seed=seed)
            if official:
                import_divisions(copy, list(official), [])
            figures.append(StageFigure(n, "generate", time.perf_counter() - start, 0.0, 0))
            base = [sys.executable, "-m", "shequ"]
            for stage, args in (("validate", ["validate", "--project", str(work)]),
                                ("validate+publish", ["publish", "--project", str(work), "--out",
                                                      str(work / "build" / "data")])):
                seconds, rss, code = run_stage(base + args, work)
                figures.append(StageFigure(n, stage, seconds, rss, code))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return figures


def format_table(figures: list[StageFigure]) -> str:
    lines = [f"{'records':>9}  {'stage':<18} {'seconds':>8} {'peak RSS MB':>12}  exit"]
    for f in figures:
        rss = f"{f.peak_rss_mb:12.0f}" if f.peak_rss_mb else f"{'-':>12}"
        lines.append(f"{f.records:>9,}  {f.stage:<18} {f.seconds:8.2f} {rss}  {f.exit_code}")
    by_size = {(f.records, f.stage): f.seconds for f in figures}
    sizes = sorted({f.records for f in figures})
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        for stage in ("validate", "validate+publish"):
            if (small, stage) in by_size and by_size[(small, stage)] > 0:
                ratio = by_size[(large, stage)] / by_size[(small, stage)]
                lines.append(f"{stage}: {large:,}/{small:,} records took {ratio:.1f}x as long "
                             f"({large / small:.0f}x the records; linear growth is {large / small:.0f}x)")
    return "\n".join(lines) + "\n"


def write_json(figures: list[StageFigure], path: Path) -> None:
    path.write_text(json.dumps([asdict(f) for f in figures], indent=2) + "\n", encoding="utf-8")
