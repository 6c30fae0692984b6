"""The build core (issue 12): generator-neutral, one error type, settings read at the edge.

- The record pages build through a plain Jinja shell with no MkDocs imported at all.
- With a Table Schema deleted, every command (``shequ validate``, ``build``, ``publish``,
  ``mkdocs build``) prints the same ``[schemas.missing]`` report and exits 1, no traceback.
- No module but ``shequ.settings`` reads a ``SHEQU_`` environment variable.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from markupsafe import escape

from conftest import MiniProject

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "scripts" / "shequ"
ENV = {**os.environ, "SHEQU_TODAY": "2026-11-26", "NO_MKDOCS_2_WARNING": "1", "PYTHONIOENCODING": "utf-8"}
#: Characters the shell must escape, in a name the checks accept.
HOSTILE_NAME_EN = "Chaoyang Silver Age Mutual Aid & Friends' Association"

PLAIN_BUILD = """
import datetime as dt, json, sys
from pathlib import Path
from shequ.generator.plain import build_site
from shequ.project import Project
from shequ.settings import Settings

site = build_site(Project.at(sys.argv[1]), Path(sys.argv[2]), Settings(pinned_today=dt.date(2026, 11, 26)))
print(json.dumps({"site": str(site), "mkdocs": sorted(m for m in sys.modules if m.split(".")[0] == "mkdocs")}))
"""


def site_project(root: Path) -> MiniProject:
    mini = MiniProject(root)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copy(REPO / "CITATION.cff", root / "CITATION.cff")
    shutil.copytree(REPO / "docs", root / "docs", ignore=shutil.ignore_patterns(".*", "__pycache__"))
    return mini


def test_record_pages_build_through_a_plain_shell_without_mkdocs(tmp_path):
    mini = MiniProject(tmp_path / "project")
    mini.edit("organizations", "org-silver-age", "name_en: Chaoyang Silver Age Mutual Aid Association",
              f"name_en: {HOSTILE_NAME_EN}")
    out = tmp_path / "plain-site"
    run = subprocess.run([sys.executable, "-c", PLAIN_BUILD, str(mini.root), str(out)], env=ENV,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    facts = json.loads(run.stdout.strip().splitlines()[-1])
    assert facts["mkdocs"] == []  # not one MkDocs module was imported
    assert Path(facts["site"]) == out.resolve()
    names = {"zh": "朝阳区银龄互助会", "en": HOSTILE_NAME_EN}
    for lang, prefix in (("zh", ""), ("en", "en/")):
        page = out / prefix / "organizations" / "org-silver-age" / "index.html"
        html = page.read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in html
        assert str(escape(names[lang])) in html
        assert HOSTILE_NAME_EN not in html  # only escaped: '&' and "'" never reach the page raw
        incubator = out / prefix / "incubators" / "inc-chaoyang-base" / "index.html"
        assert incubator.is_file()
    assert (out / "organizations" / "org-silver-age.json").is_file()
    assert (out / "data" / "datapackage.json").is_file()


@pytest.fixture(scope="module")
def no_schema(tmp_path_factory) -> MiniProject:
    mini = site_project(tmp_path_factory.mktemp("no-schema") / "project")
    (mini.root / "datasets" / "schemas" / "organizations.schema.json").unlink()
    return mini


@pytest.mark.parametrize("command", [
    ["-m", "shequ", "validate"],
    ["-m", "shequ", "build"],
    ["-m", "shequ", "publish"],
    ["-m", "mkdocs", "build"],
], ids=["validate", "build", "publish", "mkdocs-build"])
def test_a_missing_schema_is_one_clean_report_in_every_command(no_schema, command):
    run = subprocess.run([sys.executable, *command], cwd=no_schema.root, env=ENV, capture_output=True,
                         text=True, timeout=600)
    output = run.stdout + run.stderr
    assert run.returncode == 1, output[-3000:]
    assert "Traceback" not in output
    assert "datasets/schemas/organizations.schema.json" in output
    assert "[schemas.missing]" in output
    assert not (no_schema.root / "site").exists() and not (no_schema.root / "build").exists()


def test_every_expected_failure_is_a_shequ_error():
    from shequ.build.core import SiteBuildError
    from shequ.errors import InvalidSources, ShequError
    from shequ.project import NotAProject
    from shequ.publish.package import PublishError
    from shequ.render.model import UnsafeValue
    from shequ.search import SearchIndexError
    from shequ.settings import SettingsError
    from shequ.sources.divisions import DivisionImportError
    from shequ.sources.tables import SchemaError
    from shequ.tools.diff import DiffError
    from shequ.tools.importer import ImportFileError
    from shequ.tools.release import InvalidData, ReleaseError

    for error in (SiteBuildError, InvalidSources, NotAProject, PublishError, UnsafeValue, SearchIndexError,
                  SettingsError, DivisionImportError, SchemaError, DiffError, ImportFileError, ReleaseError):
        assert issubclass(error, ShequError), error
    assert InvalidData is InvalidSources  # one class for "the sources have errors"
    # Every class the package defines that derives from Exception derives from ShequError.
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = [ast.unparse(b) for b in node.bases]
                assert "Exception" not in bases or node.name == "ShequError", f"{path.name}: {node.name}"


def _environment_reads(tree: ast.AST):
    """(line, variable) for each ``os.environ[...]``, ``os.environ.get(...)``, ``os.getenv(...)``
    whose variable is a SHEQU_ string, or a name the module binds to one."""
    constants = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    constants[target.id] = node.value.value

    def shequ_var(arg) -> str | None:
        value = arg.value if isinstance(arg, ast.Constant) else constants.get(getattr(arg, "id", None))
        return value if isinstance(value, str) and value.startswith("SHEQU_") else None

    for node in ast.walk(tree):
        key = None
        if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ" \
                and isinstance(node.ctx, ast.Load):
            key = node.slice
        elif isinstance(node, ast.Call) and ast.unparse(node.func) in ("os.environ.get", "os.getenv") and node.args:
            key = node.args[0]
        if key is not None and shequ_var(key):
            yield node.lineno, shequ_var(key)


def test_only_the_settings_module_reads_shequ_environment_variables():
    reads = {}
    for path in PACKAGE.rglob("*.py"):
        if path.name == "settings.py" and path.parent == PACKAGE:
            continue
        found = list(_environment_reads(ast.parse(path.read_text(encoding="utf-8"))))
        if found:
            reads[path.relative_to(PACKAGE).as_posix()] = found
    assert reads == {}
    # The check itself finds a read where there is one.
    sample = ast.parse('import os\nVAR = "SHEQU_TODAY"\nos.environ.get(VAR)\nos.getenv("SHEQU_SEED")\n')
    assert [v for _, v in _environment_reads(sample)] == ["SHEQU_TODAY", "SHEQU_SEED"]


def test_settings_reach_the_date_rules_explicitly(tmp_path):
    import datetime as dt

    from shequ.build.core import SiteBuild
    from shequ.project import Project
    from shequ.settings import Settings

    mini = MiniProject(tmp_path / "project")
    mini.edit("organizations", "org-silver-age", "last_verified: 2026-11-01", "last_verified: 2026-11-27")
    project = Project.at(mini.root)
    before = SiteBuild(Settings(pinned_today=dt.date(2026, 11, 26))).validate(project)
    after = SiteBuild(Settings(pinned_today=dt.date(2026, 11, 27))).validate(project)
    assert [p.rule for p in before.errors] == ["dates.future"]
    assert after.valid
