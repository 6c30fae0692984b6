"""The package's folders follow the data's path, and no module reaches forward or into another's privates.

sources → checks → publish → render → search → build → generator → tools → bench → cli.
A module may import its own stage and earlier ones only; what every stage uses (the
project, the report, settings, progress) sits at the package's top, before them all.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "scripts" / "shequ"

STAGES = ["sources", "checks", "publish", "render", "search", "build", "generator", "tools", "bench", "cli"]


def stage_of(module: str) -> int:
    """-1 for the foundation modules at the package's top, else the stage's position."""
    parts = module.split(".")
    if len(parts) == 1:
        return -1
    name = parts[1]
    if name in ("cli", "__main__"):
        return STAGES.index("cli")
    if name in STAGES:
        return STAGES.index(name)
    return -1


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path


def imports(module: str, path: Path):
    """(imported module, names, line) of every import of the shequ package in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([target] if target else []))
            if target == "shequ" or target.startswith("shequ."):
                yield target, [a.name for a in node.names], node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("shequ"):
                    yield alias.name, [], node.lineno


def test_no_module_imports_a_later_stage():
    wrong = []
    for module, path in modules():
        for target, names, line in imports(module, path):
            targets = [f"{target}.{n}" for n in names] if target == "shequ" else [target]
            for t in targets:
                if stage_of(t) > stage_of(module):
                    wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {module} imports {t}")
    assert not wrong, "\n".join(wrong)


def test_no_private_name_is_imported_across_modules():
    wrong = []
    for module, path in modules():
        for target, names, line in imports(module, path):
            for name in names:
                if name.startswith("_") and not name.startswith("__"):
                    wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {name} from {target}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("entry", ["shequ.build", "shequ.generator.plugin", "shequ.search", "shequ.cli"])
def test_the_runtime_never_imports_benchmarks_synthetic_data_or_playwright(entry):
    code = (f"import sys, {entry}; "
            "print(sorted(m for m in sys.modules if m.startswith(('shequ.bench', 'playwright'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
