"""``shequ`` run as its console script runs it, each run in a process of its own, without
paying the interpreter's start and the project's imports every time.

Starting Python and importing the project and frictionless cost about 1.1 s of CPU per run:
two thirds of a ``shequ validate`` of a small project. The hostile corpus makes about 90 runs.
Here a fork server imports them once per test worker and forks a fresh process for every
run. The child calls the same click entry point as the console script, with its own working
folder, environment and standard streams: an exception that escapes prints its traceback to
the run's stderr, and a run that hangs is killed at the timeout, as with a subprocess. The
installed console script itself is tested in tests/test_cli.py.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: What every run needs; a module a command imports later is imported by that run alone. The
#: last one validates and publishes a small project, so runs inherit frictionless's verdicts
#: on the tables they share with it (tests/cli_runner_warmup.py).
PRELOAD = ["shequ.cli", "shequ.build.core", "shequ.checks", "shequ.publish", "frictionless", "openpyxl",
           "cli_runner_warmup"]

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(PRELOAD)


@dataclass
class Run:
    code: int | None  # None: it hung and was killed at the timeout
    stdout: str
    stderr: str


def _child(args: list[str], cwd: str, env: dict[str, str], out: str, err: str) -> None:
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    for fd, path in ((1, out), (2, err)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
    sys.argv = ["shequ", *args]
    from shequ.cli import main

    try:
        main(args=args, prog_name="shequ")
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


def run_shequ(args: list[str], cwd: Path, env: dict[str, str], timeout: float) -> Run:
    """``shequ ARGS`` in ``cwd`` with exactly ``env``; its exit code and output."""
    with tempfile.TemporaryDirectory(prefix="shequ-run-") as folder:
        out, err = Path(folder, "stdout"), Path(folder, "stderr")
        process = _context.Process(target=_child, args=(list(args), str(cwd), dict(env), str(out), str(err)))
        process.start()
        process.join(timeout)
        code = process.exitcode
        if process.is_alive():
            process.kill()
            process.join()
            code = None
        process.close()
        return Run(code, _read(out), _read(err))


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", "replace") if path.exists() else ""
