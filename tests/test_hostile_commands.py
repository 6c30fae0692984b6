"""The hostile corpus, round two (issue 13): commands turned against the reader, the data or
the machine, by class. The cases that ``shequ validate`` and ``shequ publish`` judge from the
sources (configuration values, links out of the repository) are in tests/hostile/cases.yaml,
with the rest of the corpus; these are the ones about what a command does: where it writes,
what it removes, what it prints, what it runs. Each runs in-process on the smallest project
that shows the point, and none builds a site (the browser half is tests/test_hostile.py).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import MiniProject
from shequ import atomic
from shequ.cli import main
from site_project import make_site_project

#: Bytes a terminal acts on: C0 controls but tab and line feed, DEL, C1 controls (UTF-8), bidi controls.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def manifest(folder: Path) -> dict[str, str]:
    """sha256 of every file and the target of every link under ``folder`` (.git included)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = "-> " + str(path.readlink())
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture
def site_project(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SHEQU_TODAY", "2026-11-26")
    root = make_site_project(tmp_path / "project")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    return root


# Class 2: a command writes only into a folder of its own ----------------------------------------

@pytest.mark.parametrize("out, says", [
    (".", "it is the project folder"),
    ("datasets", "it is datasets/"),
    ("docs", "it is docs/"),
    (".git", "it is .git/"),
    ("datasets/organizations", "it is inside datasets/"),
    ("..", "it holds the project folder"),
    ("notes", "it is not empty and not shequ's output"),
])
def test_publish_refuses_an_output_folder_it_does_not_own_and_removes_nothing(site_project, out, says):
    (site_project / "notes").mkdir()
    (site_project / "notes" / "mine.txt").write_text("keep me\n", encoding="utf-8")
    (site_project / "README.md").write_text("# readme\n", encoding="utf-8")
    before = manifest(site_project.parent)
    result = run("publish", "--project", str(site_project), "--out", str(site_project / out))
    assert result.exit_code == 1
    assert "refused as an output folder" in result.stderr and says in result.stderr, result.stderr
    assert manifest(site_project.parent) == before


def test_publish_marks_its_output_which_the_next_run_replaces_whole(site_project):
    out = site_project / "build" / "data"
    assert run("publish", "--project", str(site_project)).exit_code == 0
    assert (out / atomic.MARKER).is_file()
    (out / "stale.csv").write_text("old\n", encoding="utf-8")
    with atomic.staging(out, site_project) as tmp:  # what the next publish does, without the checks
        (tmp / "datapackage.json").write_text("{}\n", encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == sorted([atomic.MARKER, "datapackage.json"])


def test_an_empty_or_new_folder_is_accepted_and_a_file_refused(site_project, tmp_path):
    (tmp_path / "empty").mkdir()
    for out in (tmp_path / "empty", tmp_path / "new" / "data"):
        assert atomic.claim(out, site_project) == out.resolve()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(atomic.OutputRefused, match="it is not a folder"):
        atomic.claim(tmp_path / "file", site_project)


def test_an_unmarked_output_from_before_the_marker_is_refused_with_the_command_that_clears_it(site_project):
    """A site/ built before outputs were marked: refused (it might hold someone's files), with a
    message naming the folder and a command that removes exactly it, whatever its name."""
    old = site_project / "-old site"  # a name a shell would misread unquoted
    old.mkdir()
    (old / "index.html").write_text("<html>an earlier build</html>", encoding="utf-8")
    with pytest.raises(atomic.OutputRefused) as refused:
        atomic.claim(old, site_project)
    message = str(refused.value)
    assert message.startswith("-old site: refused as an output folder: it is not empty and not shequ's output")
    command = re.search(r"run the command again: (rm -r -- .+?)  Otherwise", message).group(1)
    before = manifest(site_project)
    subprocess.run(command, shell=True, check=True)
    assert manifest(site_project) == {k: v for k, v in before.items() if not k.startswith("-old site/")}
    assert atomic.claim(old, site_project) == old.resolve()  # the next run may write it


def test_build_refuses_a_site_dir_with_files_of_others_before_removing_anything(site_project, tmp_path):
    other = tmp_path / "photos"
    other.mkdir()
    (other / "holiday.jpg").write_bytes(b"\xff\xd8 not ours")
    before = manifest(tmp_path)
    result = run("build", "--project", str(site_project), "--site-dir", str(other))
    assert result.exit_code == 1
    assert "photos: refused as an output folder: it is not empty and not shequ's output" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert manifest(tmp_path) == before


def test_build_refuses_a_site_dir_from_the_environment_that_names_git(site_project, monkeypatch):
    """``validate`` cannot judge ``site_dir: !ENV [...]``; the build claims the folder it resolves to."""
    config = site_project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "site_dir: !ENV [SHEQU_TEST_SITE, site]\n", "utf-8")
    monkeypatch.setenv("SHEQU_TEST_SITE", ".git")
    before = manifest(site_project)
    assert run("validate", "--project", str(site_project)).exit_code == 0
    result = run("build", "--project", str(site_project))
    assert result.exit_code == 1 and ".git: refused as an output folder: it is .git/" in result.stderr, result.stderr
    assert manifest(site_project) == before


# Class 8: concurrency and atomicity -------------------------------------------------------------------

def test_a_second_run_on_the_same_output_says_another_is_running(site_project):
    out = site_project / "build" / "data"
    lock = atomic.Lock(out.resolve()).acquire()  # what a running publish or build holds
    try:
        result = run("publish", "--project", str(site_project))
        assert result.exit_code == 1
        assert "another shequ build or publish is writing this folder right now" in result.stderr, result.stderr
        assert not out.exists()
    finally:
        lock.release()
    assert not (out.parent / ".data.lock").exists()
    atomic.Lock(out.resolve()).acquire().release()  # free again for the next run


def test_a_build_takes_the_lock_before_it_removes_leftovers_and_stages_its_data_beside_the_site(tmp_path):
    from shequ.build.staging import Staging

    project = tmp_path / "project"
    project.mkdir()
    site = project / "site"
    killed = [project / ".site.tmp-k1lled", project / ".site.tmp-data-k1lled"]  # what SIGKILL leaves
    for folder in killed:
        folder.mkdir()
        (folder / "index.html").write_text("half", encoding="utf-8")
    first = Staging(site, project)
    staged = first.begin()
    assert not any(f.exists() for f in killed)
    data = first.scratch("data")
    assert data.parent == project and data.name.startswith(".site.tmp-")  # never in /tmp
    second = Staging(site, project)
    with pytest.raises(atomic.OutputBusy, match="another shequ build or publish"):
        second.begin()
    assert staged.is_dir() and data.is_dir()  # the second build removed nothing of the first
    (staged / "index.html").write_text("new", encoding="utf-8")
    first.swap()
    assert (site / atomic.MARKER).is_file() and (site / "index.html").read_text(encoding="utf-8") == "new"
    assert not (project / ".site.lock").exists()
    second.begin()  # the lock was let go
    second.discard()


def test_an_import_killed_before_its_commit_leaves_no_row_and_after_it_every_row(tmp_path):
    from shequ.project import Project

    mini = MiniProject(tmp_path / "project")
    folder = mini.root / "datasets" / "organizations"
    before = sorted(p.name for p in folder.iterdir())
    # Killed while writing: the batch was never renamed to .ready.
    half = mini.root / ".shequ-batch-k1.tmp" / "datasets" / "organizations"
    half.mkdir(parents=True)
    (half / "org-half.yaml").write_text("id: org-half\n", encoding="utf-8")
    # Killed while linking a committed batch into place: one file already there, one not.
    ready = mini.root / ".shequ-batch-k2.ready" / "datasets" / "organizations"
    ready.mkdir(parents=True)
    for name in ("org-one.yaml", "org-two.yaml"):
        (ready / name).write_text(f"id: {name[:-5]}\n", encoding="utf-8")
    (folder / "org-one.yaml").hardlink_to(ready / "org-one.yaml")
    Project.at(mini.root)  # any command
    assert sorted(p.name for p in folder.iterdir()) == sorted(before + ["org-one.yaml", "org-two.yaml"])
    assert not list(mini.root.glob(".shequ-batch-*"))


IMPORT_MAPPING = """\
columns: {name: 名称, division: 区划代码, legal_form: 组织类型, management_track: 管理方式, fields_of_activity: 活动领域}
values:
  legal_form: {未登记: unregistered}
  management_track: {备案: filed}
  fields_of_activity: {邻里互助: mutual-aid}
defaults: {status: active}
source: {title: 示例导出, url: "https://example.org/export", accessed: 2026-11-20}
"""


def _pause_when(proc: subprocess.Popen, ready, what: str) -> None:
    """Poll until ``ready()``, then stop ``proc`` (SIGSTOP) where it is: what the test then sees
    on disk is exactly what a SIGKILL at that instant leaves."""
    deadline = time.monotonic() + 120
    while not ready():
        if proc.poll() is not None:
            pytest.fail(f"the import ended (exit {proc.returncode}) before {what}: {proc.stderr.read()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"no {what} within 120 s")
        time.sleep(0.001)
    os.kill(proc.pid, signal.SIGSTOP)


def test_an_import_killed_with_sigkill_while_writing_leaves_every_row_or_none(tmp_path, monkeypatch):
    """A real ``shequ import`` of 150 rows, killed while it writes its records (each flushed to
    disk, one by one). The sources are the ones before or the ones after, never a part; what the
    killed run left (its batch, the copy it checked the rows in) is inside the project and gone
    after the next command; the next import runs as if the killed one never had."""
    from openpyxl import Workbook

    monkeypatch.setenv("SHEQU_TODAY", "2026-11-26")
    mini = MiniProject(tmp_path / "project")
    rows = 150
    book = Workbook(write_only=True)
    sheet = book.create_sheet("名录")
    sheet.append(["名称", "区划代码", "组织类型", "管理方式", "活动领域"])
    for i in range(rows):
        sheet.append([f"建外街道第{i + 1}邻里互助队", "110105001", "未登记", "备案", "邻里互助"])
    book.save(tmp_path / "名录.xlsx")
    (tmp_path / "mapping.yaml").write_text(IMPORT_MAPPING, encoding="utf-8")
    stale = mini.root / ".shequ-import-k1lled"  # the check copy of an import killed earlier
    (stale / "datasets").mkdir(parents=True)
    datasets = mini.root / "datasets"
    before = manifest(datasets)
    args = ["import", "organizations", str(tmp_path / "名录.xlsx"), "--mapping", str(tmp_path / "mapping.yaml"),
            "--project", str(mini.root), "--seed", "kill"]

    proc = subprocess.Popen([sys.executable, "-m", "shequ", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)

    def writing() -> bool:
        for batch in mini.root.glob(".shequ-batch-*"):
            try:
                return any(os.scandir(batch / "datasets" / "organizations"))
            except OSError:
                return False
        return False

    try:
        _pause_when(proc, writing, "its first record was written")
        batch = next(mini.root.glob(".shequ-batch-*"), None)  # as the kill leaves it
        assert batch is not None, "the import had finished writing when it was stopped"
        staged = {p.name: p.read_bytes() for p in (batch / "datasets" / "organizations").iterdir()}
        left = sorted(p.name for p in mini.root.iterdir() if p.name.startswith(".shequ-import-"))
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not stale.exists()  # the killed import removed what an earlier one left
    assert len(left) == 1  # its own check copy: in the project, where the next command finds it
    committed = batch.suffix == ".ready"
    assert committed or 0 < len(staged) < rows, f"killed in {batch.name} with {len(staged)} of {rows} files"

    result = run("validate", "--project", str(mini.root))  # any command: it finishes or drops the batch
    assert result.exit_code == 0, result.output
    assert not [p.name for p in mini.root.iterdir() if p.name.startswith(".shequ-")]
    after = manifest(datasets)
    assert {name: after[name] for name in before} == before
    new = {name.removeprefix("organizations/") for name in after.keys() - before.keys()}
    if committed:  # killed after the commit: every row is in, and importing again adds none
        assert len(new) == rows and set(staged) <= new
        again = run(*args)
        assert again.exit_code == 1 and "already in the data" in again.stderr
        assert manifest(datasets) == after
    else:  # killed before it: no row is in, and the same import now writes them all
        assert after == before
        again = run(*args)
        assert again.exit_code == 0, again.output
        assert again.stdout == f"imported {rows} of {rows} rows into datasets/organizations/\n"
        now = manifest(datasets)
        assert {name: now[name] for name in before} == before and len(now) == len(before) + rows
        # The same records under the same ids (the file being written at the kill, only begun).
        assert all((datasets / "organizations" / name).read_bytes().startswith(text) for name, text in staged.items())


def test_a_second_import_in_a_project_stops_and_removes_nothing_of_the_first(tmp_path, monkeypatch):
    monkeypatch.setenv("SHEQU_TODAY", "2026-11-26")
    mini = MiniProject(tmp_path / "project")
    (tmp_path / "mapping.yaml").write_text(IMPORT_MAPPING, encoding="utf-8")
    (tmp_path / "rows.csv").write_text("名称,区划代码,组织类型,管理方式,活动领域\n建外街道新队,110105001,未登记,备案,邻里互助\n",
                                       encoding="utf-8")
    before = manifest(mini.root / "datasets")
    with atomic.import_scratch(mini.root) as running:  # what a running import holds
        assert running.parent == mini.root.resolve() and running.name.startswith(".shequ-import-")
        (running / "datasets").mkdir()
        result = run("import", "organizations", str(tmp_path / "rows.csv"), "--mapping", str(tmp_path / "mapping.yaml"),
                     "--project", str(mini.root))
        assert result.exit_code == 1, result.output
        assert "another shequ import is running in this project right now" in result.stderr
        assert (running / "datasets").is_dir()  # the second command left the first's copy alone
    assert not running.exists() and not (mini.root / ".shequ-import.lock").exists()
    assert manifest(mini.root / "datasets") == before


def test_import_writes_all_rows_at_once_and_never_replaces_a_file(tmp_path):
    mini = MiniProject(tmp_path / "project")
    folder = mini.root / "datasets" / "organizations"
    files = {folder / f"org-new{i}.yaml": f"id: org-new{i}\n" for i in range(3)}
    atomic.write_new_files(files, mini.root)
    assert all(p.read_text(encoding="utf-8") == text for p, text in files.items())
    with pytest.raises(FileExistsError):
        atomic.write_new_files({folder / "org-new9.yaml": "x\n", folder / "org-new0.yaml": "y\n"}, mini.root)
    assert not (folder / "org-new9.yaml").exists() and (folder / "org-new0.yaml").read_text() == "id: org-new0\n"


# Class 9: the terminal ---------------------------------------------------------------------------------

ESCAPES = "\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\\x1b[2J\x1b[H\x9b31m\u202e"


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=root, check=True,
                   capture_output=True)


def test_diff_prints_escape_sequences_from_records_as_text(tmp_path):
    mini = MiniProject(tmp_path / "project")
    _git(mini.root, "init", "-q")
    _git(mini.root, "add", "-A")
    _git(mini.root, "commit", "-qm", "base")
    path = mini.path("organizations", "org-silver-age")
    escaped = ESCAPES.encode("unicode_escape").decode("ascii")  # YAML's double-quoted escapes
    path.write_text(re.sub(r"(?m)^name: .*$", lambda m: f'name: "{escaped}"', path.read_text(encoding="utf-8"),
                           count=1), encoding="utf-8")
    for fmt in ("text", "markdown"):
        result = run("diff", "--project", str(mini.root), "--format", fmt)
        assert result.exit_code == 0, result.output
        assert "org-silver-age" in result.stdout
        assert not RAW_CONTROL.search(result.stdout), repr(result.stdout)
        assert "u001b" in result.stdout and "evil.example" in result.stdout


def test_every_message_escapes_control_characters_even_an_error_naming_a_folder(site_project):
    name = "out" + ESCAPES.replace("\u202e", "").replace("/", "")
    (site_project / name).mkdir()
    (site_project / name / "x").write_text("x", encoding="utf-8")
    result = run("publish", "--project", str(site_project), "--out", name)
    assert result.exit_code == 1 and "refused as an output folder" in result.stderr
    assert not RAW_CONTROL.search(result.stderr), repr(result.stderr)
    assert "\\u001b[2J" in result.stderr


def test_mkdocs_log_lines_escape_control_characters():
    from shequ.generator.plugin import PrintableLog

    record = logging.LogRecord("mkdocs.structure", logging.WARNING, __file__, 1, "Doc file '%s' links to '%s'",
                               ("a\x1b[2J.md", "b"), None)
    PrintableLog().filter(record)
    assert record.getMessage() == "Doc file 'a\\u001b[2J.md' links to 'b'"


# Class 1 and 5: what the build reads, checked again as MkDocs resolved it -------------------------------

def _mkdocs_config(root: Path):
    from mkdocs.config import load_config

    return load_config(str(root / "mkdocs.yml"))


def test_a_config_value_from_the_environment_is_checked_and_stops_the_build(site_project, monkeypatch):
    from shequ.errors import ShequError
    from shequ.generator.config import guard_shown_values

    config = site_project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace("site_name: Shequ 社区", "site_name: !ENV [SHEQU_TEST_NAME, x]")
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("SHEQU_TEST_NAME", "x\"><img src=x onerror=alert(document.domain)>")
    assert run("validate", "--project", str(site_project)).exit_code == 0  # validate sees only the tag
    with pytest.raises(ShequError, match=r"mkdocs.yml: site_name: holds '\"'.*\[config.markup\]"):
        guard_shown_values(_mkdocs_config(site_project), site_project)


def test_config_texts_are_escaped_at_their_source_once(site_project):
    from jinja2 import Environment

    from shequ.generator.config import guard_shown_values

    config = _mkdocs_config(site_project)
    config["copyright"] = "Tom & Jerry's"
    config.extra["note"] = ["a & b"]
    guard_shown_values(config, site_project)
    guard_shown_values(config, site_project)  # serve runs it on every rebuild: never twice
    page = Environment().from_string('<p title="{{ c.copyright | e }}">{{ c.copyright }} {{ c.extra.note[0] }}</p>')
    assert page.render(c=config) == '<p title="Tom &amp; Jerry&#39;s">Tom &amp; Jerry&#39;s a &amp; b</p>'


def test_the_build_refuses_a_docs_file_that_links_outside_the_project(site_project, tmp_path):
    from mkdocs.structure.files import get_files

    from shequ.errors import ShequError
    from shequ.generator.config import guard_files

    secret = tmp_path / "id_rsa"
    secret.write_text("PRIVATE KEY\n", encoding="utf-8")
    config = _mkdocs_config(site_project)
    guard_files(get_files(config), config, site_project)  # the project as it is: nothing outside
    (site_project / "docs" / "assets").mkdir(exist_ok=True)
    (site_project / "docs" / "assets" / "key.txt").symlink_to(secret)
    with pytest.raises(ShequError, match="docs/assets/key.txt: a symbolic link to a file outside the project"):
        guard_files(get_files(config), config, site_project)


def test_the_build_refuses_theme_overrides_that_link_outside_the_project(site_project, tmp_path):
    from shequ.errors import ShequError
    from shequ.generator.config import guard_files

    (tmp_path / "passwd").write_text("root:x:0:0\n", encoding="utf-8")
    overrides = site_project / "overrides" / "partials"
    overrides.mkdir(parents=True)
    (overrides / "copyright.html").symlink_to(tmp_path / "passwd")
    config_file = site_project / "mkdocs.yml"
    config_file.write_text(config_file.read_text(encoding="utf-8").replace(
        "  name: material\n", "  name: material\n  custom_dir: overrides\n"), encoding="utf-8")
    with pytest.raises(ShequError, match="overrides/partials/copyright.html: a symbolic link to a file outside"):
        guard_files([], _mkdocs_config(site_project), site_project)


@pytest.mark.browser
def test_the_issue_payload_in_material_templates_runs_nothing_in_chromium(site_project, browser):
    """Defence in depth: even a value the checks never saw (as if they had a gap) is text once
    escaped at its source, in Material's own copyright partial and in an attribute as its
    base template prints the description."""

    from shequ.generator.config import escape_shown_values

    payload = "x\"><img src=x onerror=alert(document.domain)><script>alert('s')</script>"
    config = _mkdocs_config(site_project)
    config["copyright"], config["site_description"] = payload, payload
    escape_shown_values(config)
    env = config.theme.get_env()
    html = env.from_string('<meta name="description" content="{{ config.site_description }}">'
                           '{% include "partials/copyright.html" %}').render(config=config)
    # The worker's shared Chromium (conftest): a second Playwright in one process is refused.
    context = browser.new_context()
    try:
        page, dialogs = context.new_page(), []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.set_content(f"<html><head></head><body>{html}</body></html>")
        page.wait_for_timeout(200)
        assert dialogs == [] and page.evaluate("document.querySelectorAll('img, script').length") == 0
        assert page.inner_text(".md-copyright__highlight") == payload
        assert page.get_attribute("meta[name=description]", "content") == payload
    finally:
        context.close()
