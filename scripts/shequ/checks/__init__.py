"""The check stage: every rule family run over the loaded sources.

Each module owns one family of rules and exposes ``check(sources)``, yielding
:class:`~shequ.report.Problem` objects with a stable rule id. Lines are looked
up only for the files that have problems.

Large projects run the checks as jobs spread over the machine's cores: the
families, and the structure checks table by table. The report is the same
either way; it is sorted before it is printed.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing as mp
import os
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import Callable

from shequ.sources.load import Sources
from shequ.report import Problem, Report
from shequ.sources.yamlfiles import LineFinder
from shequ.checks import (citation, dates, divisions, identifiers, package, privacy, references, site_config, structure,
                          text, uscc, vocabularies)

#: Rule families. Structure comes first; later rules skip values whose shape it reports.
FAMILIES = (structure, identifiers, uscc, divisions, references, dates, vocabularies, privacy, text, package,
            site_config, citation)

#: Below this many table rows, worker processes cost more than they save.
PARALLEL_CHECK_ROWS = 50_000

# The sources and jobs of the current run, inherited by forked workers (never pickled).
_RUN: tuple[Sources, list] | None = None


def _jobs(sources: Sources, today: dt.date | None) -> list:
    jobs = structure.jobs(sources)
    rows = sum(len(t.rows) for t in sources.tables.values())
    jobs += [(partial(dates.check, today=today) if family is dates else family.check, rows // 4)
             for family in FAMILIES if family is not structure]
    # Largest first, so the pool's workers finish at about the same time.
    return [job for job, _ in sorted(jobs, key=lambda j: -j[1])]


def _run_job(index: int) -> list[Problem]:
    # In a worker process, which ends with the run: frictionless's row objects hold no
    # cycles worth collecting, and the collector's passes over them cost a tenth of a
    # table's validation.
    gc.disable()
    sources, jobs = _RUN
    return list(jobs[index](sources))


def run(sources: Sources, meanwhile: Callable[[], object] | None = None, today: dt.date | None = None) -> Report:
    """Every rule over the sources, with ``today`` as the date rules' reference day. ``meanwhile``, if given, is called in this process
    while worker processes check a large project (this process would only wait):
    work that does not depend on the report, such as preparing the tables to publish."""
    global _RUN
    report = Report(list(sources.problems))
    jobs = _jobs(sources, today)
    workers = min(os.cpu_count() or 1, 4)
    rows = sum(len(t.rows) for t in sources.tables.values())
    if rows >= PARALLEL_CHECK_ROWS and workers > 1 and "fork" in mp.get_all_start_methods():
        _RUN = (sources, jobs)
        try:
            with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
                results = pool.map(_run_job, range(len(jobs)))  # submits every job at once
                if meanwhile is not None:
                    meanwhile()
                for problems in results:
                    report.extend(problems)
        finally:
            _RUN = None
    else:
        for job in jobs:
            report.extend(job(sources))
    LineFinder(sources.project.root, yaml_files_by_name(sources)).fill(report.problems)
    return report


def yaml_files_by_name(sources: Sources) -> set[str]:
    """The YAML files the site reads whose names do not end in .yaml."""
    files = {sources.project.relative(sources.project.citation_file)}
    if sources.site_config is not None:
        files |= {sources.site_config.file, *sources.site_config.origins.values()}
    return files
