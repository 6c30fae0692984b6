"""The hostile-input corpus (issue 7), run through the real command line.

Every case of ``tests/hostile/cases.yaml`` is put into a copy of a small valid project
whose data package was published beforehand, and ``shequ validate --format json`` and
``shequ publish`` run on it, each in a process of its own with a timeout (forked from one that
has imported the project: tests/cli_runner.py). Each case must end one of
two ways:

- a clear error: exit 1, exactly the expected rule ids, files and lines (from validate,
  the case alone), each printed by publish as one line naming the file and line, and
  the previous data package byte-identical afterwards;
- or safe output: exit 0, and every text published exactly as text (CSV, XLSX string
  cells, never a formula).

Never a traceback and never a hang. To keep the suite fast, publish runs once for all
the error cases that only add record files (one project, every expected line checked in
its output) and once for all the safe cases; every other case is published alone. The
safe project is then built with ``mkdocs build`` and opened in Debian's Chromium: no
dialog, no console error, no request to a host other than 127.0.0.1, no injected
element, and the hostile text visible as text.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import http.server
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from cli_runner import Run, run_shequ
from conftest import MiniProject

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).parent / "hostile"
CASES: list[dict] = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
BY_ID = {case["id"]: case for case in CASES}

#: Seconds before a command counts as hung.
TIMEOUT = 60
ENV = {**os.environ, "SHEQU_TODAY": "2026-11-26", "NO_MKDOCS_2_WARNING": "1", "PYTHONIOENCODING": "utf-8"}
WORKERS = (os.cpu_count() or 1) + 1




def _text_fields() -> dict[str, tuple[str, ...]]:
    """Record fields that are free text (the ``free-text`` role in the Table Schemas), as
    dotted paths ("sources.title"): every one must be published and shown exactly as written."""
    from shequ.project import Project
    from shequ.sources.tables import LAYOUT, ROLES, Schemas

    schemas = Schemas(Project.at(REPO))
    out = {}
    for dataset, layout in LAYOUT.items():
        keys = [f.key for f in schemas.with_role(dataset, "free-text")]
        for child in layout.children:
            if child.is_mapping:
                keys += [f"{child.key}.{f['name']}" for f in schemas.fields(child.table)
                         if "free-text" in f.get(ROLES, [])]
        out[dataset] = tuple(keys)
    return out


def _main_text_columns() -> dict[str, tuple[str, ...]]:
    """The text columns of each record dataset's main table, as published in its CSV."""
    from shequ.project import Project
    from shequ.sources.tables import LAYOUT, Schemas

    schemas = Schemas(Project.at(REPO))
    return {dataset: tuple(f["name"] for f in schemas.fields(layout.main) if f["type"] == "string")
            for dataset, layout in LAYOUT.items()}


TEXT_FIELDS = _text_fields()
MAIN_TEXT_COLUMNS = _main_text_columns()
# Characters a report line prints as escapes (shequ.report.Problem.text).
_ESCAPED = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _load_generators():
    spec = importlib.util.spec_from_file_location("hostile_generators", CORPUS / "generators.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATORS = _load_generators()


def printed(text: str) -> str:
    """How a report line shows a file name (line breaks and the like as escapes)."""
    return _ESCAPED.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def manifest(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder``, by relative path."""
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# The project every case starts from ---------------------------------------------------------------

def make_base(root: Path) -> Path:
    """A small valid project with mkdocs.yml and the docs, its data package already published."""
    MiniProject(root)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copy(REPO / "CITATION.cff", root / "CITATION.cff")
    shutil.copytree(REPO / "docs", root / "docs", ignore=shutil.ignore_patterns(".*", "__pycache__"))
    result = run(["publish"], root, timeout=300)  # the setup, not a case: no hang limit under load
    assert result.code == 0, result.stderr
    return root


def apply(case: dict, root: Path) -> None:
    """Carry out a case's ``put`` steps inside the project at ``root``."""
    for step in case["put"]:
        if "fixture" in step:
            target = root / step["to"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((CORPUS / step["fixture"]).read_bytes())
        elif "generate" in step:
            getattr(GENERATORS, step["generate"])(root / step["to"], root, step)
        elif "edit" in step:
            path = root / step["edit"]
            text = path.read_text(encoding="utf-8")
            assert step["old"] in text, f"{case['id']}: {step['old']!r} not in {step['edit']}"
            path.write_text(text.replace(step["old"], step["new"], 1), encoding="utf-8")
        else:
            raise AssertionError(f"{case['id']}: unknown step {step}")


# Running a case ---------------------------------------------------------------------------------------

def run(args: list[str], cwd: Path, timeout: int = TIMEOUT) -> Run:
    """``shequ ARGS`` in a process of its own (tests/cli_runner.py), killed if it hangs."""
    return run_shequ(args, cwd, ENV, timeout)


def run_mkdocs_build(cwd: Path, timeout: int) -> Run:
    try:
        result = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=cwd, env=ENV, capture_output=True,
                                timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        return Run(None, (exc.stdout or b"").decode("utf-8", "replace"),
                   (exc.stderr or b"").decode("utf-8", "replace"))
    return Run(result.returncode, result.stdout.decode("utf-8", "replace"), result.stderr.decode("utf-8", "replace"))


@dataclass
class Published:
    """One ``shequ publish`` run over a project, and the data package before and after it."""

    root: Path
    run: Run
    before: dict[str, str]
    after: dict[str, str]
    leftovers: list[str]
    cases: list[dict]  # the cases in the project: one, or a group of cases that fit together


def publish_in(root: Path, cases: list[dict]) -> Published:
    before = manifest(root / "build" / "data")
    result = run(["publish"], root)
    leftovers = [p.name for p in (root / "build").iterdir() if p.name != "data"]
    return Published(root, result, before, manifest(root / "build" / "data"), leftovers, cases)


def copy_with(base: Path, root: Path, cases: list[dict]) -> Path:
    shutil.copytree(base, root, symlinks=True)
    for case in cases:
        apply(case, root)
    return root


# Which cases can share a project for their publish run.

def is_error(case: dict) -> bool:
    return isinstance(case["expect"], dict) and bool(case["expect"].get("errors") or case["expect"].get("exit"))


def only_adds_records(case: dict, base: Path) -> bool:
    """The case only adds new files to the record folders, so it fits in a project with others."""
    folders = {"organizations", "incubators"}
    for step in case["put"]:
        to = Path(step.get("to", ""))
        if "edit" in step or len(to.parts) != 3 or to.parts[1] not in folders or (base / to).exists():
            return False
    return True


@dataclass
class Outcome:
    case: dict
    validate: Run  # the case alone: shequ validate --format json
    publish: Published  # the case alone, or its group


@dataclass
class Corpus:
    outcomes: dict[str, Outcome]
    safe_root: Path  # base + every safe case: published, and built as the hostile site


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return make_base(tmp_path_factory.mktemp("hostile-base") / "project")


@pytest.fixture(scope="module")
def corpus(base, tmp_path_factory) -> Corpus:
    """Every case validated alone; published alone, or with the cases that fit in one project with it:
    the errors that only add record files, and the safe cases (that project is also the hostile site)."""
    work = tmp_path_factory.mktemp("hostile-cases")
    grouped_errors = [c for c in CASES if is_error(c) and only_adds_records(c, base)]
    alone = [c for c in CASES if is_error(c) and c not in grouped_errors]
    safe = [c for c in CASES if not is_error(c)]

    def validate_alone(case):
        root = copy_with(base, work / case["id"] / "project", [case])
        return case["id"], run(["validate", "--format", "json"], root)

    def publish_alone(case):
        return [publish_in(work / case["id"] / "project", [case])]

    def publish_group(name, cases):
        return [publish_in(copy_with(base, work / name / "project", cases), cases)]

    with ThreadPoolExecutor(WORKERS) as pool:
        validated = dict(pool.map(validate_alone, CASES))
        jobs = [pool.submit(publish_group, "all-safe", safe), pool.submit(publish_group, "errors", grouped_errors)]
        jobs += [pool.submit(publish_alone, case) for case in alone]
        published = {case["id"]: p for job in jobs for p in job.result() for case in p.cases}
    outcomes = {c["id"]: Outcome(c, validated[c["id"]], published[c["id"]]) for c in CASES}
    return Corpus(outcomes, work / "all-safe" / "project")


@pytest.fixture(scope="module")
def outcomes(corpus) -> dict[str, Outcome]:
    return corpus.outcomes


# The corpus itself ------------------------------------------------------------------------------------

def test_corpus_has_at_least_40_cases_with_unique_ids():
    assert len(CASES) >= 40
    assert len(BY_ID) == len(CASES)


def test_every_fixture_file_is_used():
    used = {step.get("fixture") or step.get("from") for case in CASES for step in case["put"]}
    files = {f"files/{p.name}" for p in (CORPUS / "files").iterdir()}
    assert files - used == set()


def test_corpus_covers_every_text_field_with_every_injection():
    """Each injection case gives every free-text field of both record types a hostile value."""
    for kind in ("html", "script", "markdown", "jinja", "url-js", "url-data"):
        for dataset, prefix in (("organizations", "org"), ("incubators", "inc")):
            data = yaml.safe_load((CORPUS / "files" / f"{prefix}-h-{kind}.yaml").read_text(encoding="utf-8"))
            missing = [f for f in TEXT_FIELDS[dataset] if f not in ("website", "sources.url") and not _values(data, f)]
            assert not missing, f"{prefix}-h-{kind}: no hostile value in {missing}"


def _values(data: dict, dotted: str) -> list[str]:
    """The string values of a field, e.g. ``sources.title`` of every source."""
    key, _, rest = dotted.partition(".")
    value = data.get(key)
    if rest:
        return [v for item in value or () if isinstance(item, dict) for v in _values(item, rest)]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return [value] if isinstance(value, str) else []


def _expected(items) -> set[tuple]:
    return {(p["rule"], p["file"], p["line"]) for p in items or ()}


def _found(problems: list[dict], severity: str) -> set[tuple]:
    return {(p["rule"], p["file"], p["line"]) for p in problems if p["severity"] == severity}


def _check(outcome: Outcome) -> None:
    case, validate, published = outcome.case, outcome.validate, outcome.publish
    publish = published.run
    expect = case["expect"]
    for name, result in (("validate", validate), ("publish", publish)):
        assert result.code is not None, f"shequ {name} hung (killed after {TIMEOUT} s)"
        assert "Traceback" not in result.stderr + result.stdout, f"shequ {name}:\n{result.stderr[-3000:]}"
    assert not published.leftovers, f"staging folders left behind: {published.leftovers}"
    assert not list(published.root.rglob("pwned*")), "a command in the input ran"

    if isinstance(expect, dict) and expect.get("exit") == 2:
        for result in (validate, publish):
            assert result.code == 2 and expect["names"] in result.stderr, result.stderr
        assert published.after == published.before
        return

    report = json.loads(validate.stdout)
    errors = _expected(expect.get("errors")) if isinstance(expect, dict) else set()
    warnings = _expected(expect.get("warnings")) if isinstance(expect, dict) else set()
    assert _found(report["problems"], "error") == errors, validate.stdout
    assert _found(report["problems"], "warning") == warnings, validate.stdout

    if errors:
        assert validate.code == 1 and publish.code == 1, (validate.code, publish.code, publish.stderr)
        lines = publish.stderr.splitlines()
        for rule, file, line in errors:
            where = printed(file) + (f":{line}: " if line else ": ")
            assert any(l.startswith(where) and l.endswith(f"[{rule}]") for l in lines), (where, rule, publish.stderr)
        # One problem per line: nothing an input holds can start a line of its own.
        files = {printed(p["file"]) for c in published.cases for p in c["expect"].get("errors", ())}
        for l in lines:
            assert any(l.startswith(f + ":") for f in files) or \
                l.startswith(("invalid: ", "valid: ", "publish: nothing was written")), f"stray line: {l!r}"
        assert published.after == published.before, "a failed publish changed the published data package"
    else:
        assert validate.code == 0 and publish.code == 0, (validate.code, publish.code, publish.stderr)
        assert published.after and published.after != published.before, "the data package was not republished"
        _check_published_text(case, published.root)


def _records_put(case: dict, root: Path) -> list[tuple[str, dict]]:
    """(dataset, record) for every valid record file a case puts in a record folder."""
    out = []
    for step in case["put"]:
        to = Path(step.get("to", ""))
        if len(to.parts) == 3 and to.parts[1] in TEXT_FIELDS and to.suffix == ".yaml":
            raw = (root / to).read_bytes().decode("utf-8-sig")
            out.append((to.parts[1], yaml.safe_load(raw)))
    return out


def _check_published_text(case: dict, root: Path) -> None:
    """Every text of the case's records is in the CSV as written, and in the XLSX as a string cell."""
    from openpyxl import load_workbook

    data = root / "build" / "data"
    workbook = load_workbook(data / "shequ.xlsx")
    for dataset, record in _records_put(case, root):
        rows = {row["id"]: row for row in csv.DictReader(io.StringIO((data / f"{dataset}.csv").read_text("utf-8")))}
        row = rows[record["id"]]
        sheet = workbook[dataset]
        header = [c.value for c in sheet[2]]  # row 1: the Chinese titles; row 2: the field names
        [xlsx_row] = [r for r in sheet.iter_rows(min_row=3) if r[header.index("id")].value == record["id"]]
        for column in MAIN_TEXT_COLUMNS[dataset]:
            value = record.get(column)
            if not isinstance(value, str):
                continue
            assert row[column] == value, (column, row[column], value)
            cell = xlsx_row[header.index(column)]
            assert cell.data_type == "s", f"{column}: XLSX cell type {cell.data_type}"
            # The workbook writes characters XML cannot hold as _xHHHH_ escapes (shequ/xlsx.py); openpyxl leaves them.
            assert re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), cell.value) == value


@pytest.mark.parametrize("case_id", [c["id"] for c in CASES])
def test_case(outcomes, case_id):
    outcome = outcomes[case_id]
    bug = outcome.case.get("known_bug")
    if bug:
        try:
            _check(outcome)
        except AssertionError:
            pytest.xfail(bug)
        pytest.fail(f"{case_id} passes now: remove its known_bug from tests/hostile/cases.yaml")
    _check(outcome)


def test_no_command_hangs(outcomes):
    """Every validate and publish run ends by itself; none is killed at the hang timeout.
    How long they take is the benchmark's figure (shequ bench --data), not a test's."""
    hung = {i: [name for name, r in (("validate", o.validate), ("publish", o.publish.run)) if r.code is None]
            for i, o in outcomes.items()}
    assert {i: names for i, names in hung.items() if names} == {}


def test_github_annotations_stay_one_line_per_problem(corpus):
    """The pull-request workflow runs 'shequ validate --format github': a key holding line
    breaks and '::' must not add workflow commands of its own."""
    root = corpus.outcomes["value-unknown-key-newline"].publish.root  # the project of the grouped errors
    result = run(["validate", "--format", "github"], root)
    assert result.code == 1 and "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("invalid: ")
    assert all(l.startswith(("::error file=datasets/", "::warning file=datasets/")) for l in lines[:-1]), lines
    errors, warnings = map(int, re.match(r"invalid: (\d+) errors?, (\d+) warnings?", lines[-1]).groups())
    assert len(lines) - 1 == errors + warnings  # one line per problem


# The injection cases in a browser -------------------------------------------------------------------

SITE_CASES = [c for c in CASES if c.get("site")]


@dataclass
class HostileSite:
    root: Path
    site: Path
    build_output: str


@pytest.fixture(scope="module")
def hostile_site(corpus) -> HostileSite:
    """Every safe case in one project (the one published above), built with mkdocs."""
    root = corpus.safe_root
    result = run_mkdocs_build(root, timeout=300)
    output = result.stdout + result.stderr
    assert result.code == 0 and "Traceback" not in output, output[-4000:]
    return HostileSite(root, root / "site", output)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture(scope="module")
def served(hostile_site):
    handler = functools.partial(_Quiet, directory=str(hostile_site.site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@dataclass
class Tab:
    page: object
    base: str
    requests: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # responses of 400 and above: what a console error was about

    def open(self, path: str):
        response = self.page.goto(self.base + path, wait_until="load")
        assert response is not None and response.ok, path
        return self.page

    def clean(self) -> None:
        assert not self.dialogs, f"a dialog opened: {self.dialogs}"
        assert not self.foreign, f"requests to other hosts: {self.foreign}"
        assert not self.console_errors and not self.page_errors, self.console_errors + self.page_errors + self.failed


@pytest.fixture
def tab(browser, served):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", service_workers="block")
    tab = Tab(context.new_page(), served)

    def on_request(request):
        tab.requests.append(request.url)
        if not request.url.startswith((served, "data:", "blob:", "about:")):
            tab.foreign.append(request.url)

    # Logged, not intercepted: Playwright's routing would stop the theme's search worker.
    context.on("request", on_request)
    context.on("response", lambda r: tab.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    tab.page.on("console", lambda m: tab.console_errors.append(m.text) if m.type == "error" else None)
    tab.page.on("pageerror", lambda e: tab.page_errors.append(str(e)))

    def on_dialog(dialog):
        tab.dialogs.append(dialog.message)
        dialog.dismiss()

    tab.page.on("dialog", on_dialog)
    yield tab
    context.close()


# What an injected value would have become, had it been markup.
INJECTED = """() => {
  const found = [];
  for (const el of document.querySelectorAll('body *')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase(), value = attr.value.trim().toLowerCase();
      if (name.startsWith('on')) found.push(`${el.tagName} ${name}`);
      if (['href', 'src', 'action', 'formaction', 'srcdoc', 'data'].includes(name)
          && /^(javascript|vbscript|data):/.test(value.replace(/[\\s\\x00-\\x1f]/g, ''))) found.push(`${el.tagName} ${name}=${value}`);
    }
  }
  const article = document.querySelector('article') || document.body;
  for (const el of article.querySelectorAll('script:not([type="application/ld+json"]), iframe, object, embed, base, '
      + 'meta, textarea, style, noscript, img[src="x"], a[href*="evil.example"], form[action*="evil.example"], b, h1 ~ h1'))
    found.push(el.outerHTML.slice(0, 120));
  for (const el of document.head.querySelectorAll('base, meta[http-equiv]')) found.push(el.outerHTML);
  return found;
}"""


def _normal(text: str) -> str:
    return " ".join(text.split())


def _shown(case: dict, root: Path) -> dict[str, list[str]]:
    """Page → texts that must be visible on it, for one site case."""
    shown = {page: list(texts) for page, texts in (case.get("shown") or {}).items()}
    for dataset, record in _records_put(case, root):
        texts = [v for f in TEXT_FIELDS[dataset] for v in _values(record, f)]
        shown.setdefault(f"{dataset}/{record['id']}/", []).extend(texts)
    return shown


def _visit(tab: Tab, path: str) -> None:
    page = tab.open(path)
    # Give injected handlers their chance: move the mouse over and focus every element, then wait.
    page.evaluate("""() => { for (const el of document.querySelectorAll('body *')) {
        for (const type of ['mouseover', 'mouseenter', 'focus']) el.dispatchEvent(new Event(type));
    } }""")
    page.keyboard.press("Tab")
    page.wait_for_timeout(150)


@pytest.mark.browser
@pytest.mark.parametrize("case_id", [c["id"] for c in SITE_CASES])
def test_site_case_shows_hostile_text_as_text_and_runs_nothing(tab, hostile_site, case_id):
    case = BY_ID[case_id]
    names = {f"{dataset}/{r['id']}/": r["name"] for dataset, r in _records_put(case, hostile_site.root)}
    for path, texts in _shown(case, hostile_site.root).items():
        # Each page in both languages: a text shows on the page of its language at least
        # (name_en, label_en and description_en on the English one), and neither runs anything.
        bodies = []
        for lang_path in (f"en/{path}", path):
            _visit(tab, lang_path)
            bodies.append(_normal(tab.page.inner_text("body")))
            assert tab.page.evaluate(INJECTED) == [], lang_path
        missing = [t for t in texts if not any(_normal(t) in body for body in bodies)]
        assert not missing, f"{path}: not shown as text: {missing}"
        if path in names:
            assert tab.page.title().startswith(names[path]), (tab.page.title(), names[path])
    tab.clean()


@pytest.mark.browser
def test_listing_pages_and_search_with_hostile_records_run_nothing(tab, hostile_site):
    records = [r for case in SITE_CASES for r in _records_put(case, hostile_site.root)]
    for path, dataset in (("organizations/", "organizations"), ("incubators/", "incubators")):
        _visit(tab, path)
        body = _normal(tab.page.inner_text("body"))
        for _, record in [r for r in records if r[0] == dataset]:
            assert _normal(record["name"]) in body, record["name"]
        assert tab.page.evaluate(INJECTED) == [], path
    for path in ("", "regions/110105/", "regions/110105002/", "topics/fields-of-activity/mutual-aid/", "statistics/",
                 "data/", "policy/glossary/", "en/organizations/", "en/regions/110105/",
                 "en/topics/fields-of-activity/mutual-aid/", "en/statistics/", "en/data/", "en/policy/glossary/"):
        _visit(tab, path)
        assert tab.page.evaluate(INJECTED) == [], path
    # The search box renders results, names and snippets, from the index with the site's script.
    tab.open("")
    for query, shown in (("<img src=x onerror=alert('search')> 组织", None),
                         ("脚本互助会", "<script>alert('name')</script>脚本互助会"),
                         ("模板互助会", "{{ 7*7 }}模板互助会{% raw %}"),
                         ("alert", None)):
        search = tab.page.locator("input.md-search__input").first
        search.fill("")
        search.click()
        tab.page.keyboard.type(query)
        tab.page.keyboard.press("End")  # Material searched on keyup; Chinese is typed without key events
        tab.page.wait_for_timeout(800)
        tab.page.wait_for_load_state("networkidle")
        if shown:  # a loaded machine may take longer than the pause: wait for the result, up to a limit
            for _ in range(40):
                if _normal(shown) in _normal(tab.page.inner_text("body")):
                    break
                tab.page.wait_for_timeout(250)
            assert _normal(shown) in _normal(tab.page.inner_text("body")), f"search {query!r}: {shown!r} not shown"
        assert tab.page.evaluate(INJECTED) == [], query
    tab.clean()


@pytest.mark.browser
def test_the_injection_detector_sees_injected_markup(tab):
    """A negative control: the same checks on a page where the values did become markup."""
    tab.page.set_content("<article><b onmouseover=alert(1)>x</b><img src=x onerror=\"alert('seen')\">"
                         "<a href='javascript:alert(1)'>y</a></article>")
    tab.page.wait_for_timeout(150)
    found = tab.page.evaluate(INJECTED)
    assert any("onerror" in f for f in found) and any("javascript:" in f for f in found), found
    assert tab.dialogs == ["seen"]
    tab.dialogs.clear()


#: Query strings and fragments a link from anywhere could carry into a page whose script reads them.
HOSTILE_URLS = [
    "organizations/?q=<img src=x onerror=alert('q')>&province=<svg onload=alert('p')>&prefecture=\"><script>"
    "alert('pf')</script>&county=javascript:alert('c')&track=<b onmouseover=alert('t')>&form={{7*7}}"
    "&field=</script><script>alert('f')</script>&population=data:text/html,<script>alert(1)</script>"
    "&status=<iframe src=javascript:alert('s')>&sort=javascript:alert('sort')",
    "organizations/?q=%3Cimg%20src%3Dx%20onerror%3Dalert(%27enc%27)%3E",
    "?q=<img src=x onerror=alert('home')>#<img src=x onerror=alert('hash')>",
    "regions/110105/#\"><img src=x onerror=alert('fragment')>",
]


@pytest.mark.browser
@pytest.mark.parametrize("path", HOSTILE_URLS, ids=["facets", "encoded", "home-query", "fragment"])
def test_hostile_query_strings_and_fragments_run_nothing(tab, hostile_site, path):
    """The directory keeps its search and facets in the URL: a crafted link must not inject."""
    _visit(tab, path)
    tab.page.wait_for_timeout(300)
    assert tab.page.evaluate(INJECTED) == [], path
    query = tab.page.locator("input.md-search__input").first
    if "organizations/?q=<img" in path:
        # The query is shown as typed text in a search box, never as markup.
        values = tab.page.eval_on_selector_all("input[type=search], input[name=q]", "els => els.map(e => e.value)")
        assert "<img src=x onerror=alert('q')>" in values, values
    assert query.count() == 1
    tab.clean()


def test_a_project_with_no_incubators_yet_publishes(base, tmp_path):
    """Empty tables are data too: a new deployment may list organizations before any incubator."""
    root = tmp_path / "project"
    shutil.copytree(base, root, symlinks=True)
    for path in (root / "datasets" / "incubators").iterdir():
        path.unlink()
    record = root / "datasets" / "organizations" / "org-silver-age.yaml"
    text = record.read_text(encoding="utf-8")
    text = re.sub(r"^incubated_(by|from|until):.*\n", "", text, flags=re.M)
    record.write_text(text, encoding="utf-8")
    result = run(["publish"], root)
    assert result.code == 0 and "Traceback" not in result.stderr, result.stderr
    data = root / "build" / "data"
    assert (data / "incubators.json").read_text(encoding="utf-8") == "[\n]\n"
    assert (data / "incubators.csv").read_text(encoding="utf-8").startswith("id,name,")
