"""Privacy (issue 7): the site asks no other host for anything, and no field can carry
personal data.

- **No third-party requests.** Every page type of the built demo site (``test_site.py``'s
  session build) is opened in Debian's Chromium, scrolled, and searched. Chromium sends
  every request through a logging proxy that also serves the site, so the request log
  holds everything its network stack asked for, workers included (Playwright's own
  request events miss the search worker's). The log names no other host.
- **No personal data.** The privacy rules reject a personal mobile number and a
  resident identity number in every field a record can hold text in, parametrized over
  the fields the Table Schemas define (``test_checks_privacy.py`` tests the patterns
  themselves). And nothing in the built site or its data package looks like either.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from conftest import MiniProject, launch_chromium, line_of
from test_checks_privacy import FICTIONAL_ID
from test_site import ORG, INC, site  # noqa: F401  (site is a fixture)

MOBILE = "13812345678"

# Personal data ----------------------------------------------------------------------------------------


def text_fields() -> list[tuple[str, tuple]]:
    """(dataset, path in a record) for every string field a record can hold, from the Table Schemas."""
    from shequ.project import Project
    from shequ.sources.tables import LAYOUT, POSITION, Schemas

    schemas = Schemas(Project(Path(__file__).resolve().parents[1]))
    out = []
    for dataset, layout in LAYOUT.items():
        for f in schemas.fields(layout.main):
            if f["type"] == "string":
                out.append((dataset, (f["name"],)))
        for child in layout.children:
            if not child.is_mapping:
                out.append((dataset, (child.key, 0)))
                continue
            for f in schemas.fields(child.table):
                if f["type"] == "string" and f["name"] not in (layout.parent_column, POSITION):
                    out.append((dataset, (child.key, 0, f["name"])))
    return out


FIELDS = text_fields()
RECORDS = {"organizations": "org-silver-age", "incubators": "inc-chaoyang-base"}


def _label(path: tuple) -> str:
    from shequ.report import field_label

    return field_label(path)


def _set(data: dict, path: tuple, value: str) -> None:
    *parents, last = path
    for part in parents:
        if isinstance(part, int):
            data = data[part]
        else:
            if data.get(part) is None:
                data[part] = [{}] if len(path) == 3 else []
            data = data[part]
    if isinstance(last, int):
        if len(data) <= last:
            data.append(value)
        else:
            data[last] = value
    else:
        data[last] = value


@dataclass
class Personal:
    report: object
    project: MiniProject
    values: dict[tuple, str]  # (dataset, path) -> the value written there


def _project_with(root: Path, number: str) -> Personal:
    """A project whose two records hold ``number`` in every text field, each with its own words around it."""
    project = MiniProject(root)
    values = {}
    for dataset, record_id in RECORDS.items():
        path = project.path(dataset, record_id)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for ds, field_path in FIELDS:
            if ds == dataset:
                value = f"{_label(field_path)} 联系 {number}"
                _set(data, field_path, value)
                values[(dataset, field_path)] = value
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    return Personal(project.report(), project, values)


@pytest.fixture(scope="module")
def personal(tmp_path_factory) -> dict[str, Personal]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SHEQU_TODAY", "2026-11-26")
        return {
            "privacy.mobile": _project_with(tmp_path_factory.mktemp("mobile") / "project", MOBILE),
            "privacy.identity-number": _project_with(tmp_path_factory.mktemp("identity") / "project", FICTIONAL_ID),
        }


def test_every_field_kind_is_covered():
    labels = {(d, _label(p)) for d, p in FIELDS}
    for expected in (("organizations", "name"), ("organizations", "uscc"), ("organizations", "email"),
                     ("organizations", "alternate_names[0]"), ("organizations", "fields_of_activity[0]"),
                     ("organizations", "support_received[0].provider"), ("organizations", "sources[0].url"),
                     ("incubators", "operator"), ("incubators", "support_types[0]"), ("incubators", "sources[0].title")):
        assert expected in labels
    assert len(FIELDS) >= 30


@pytest.mark.parametrize("rule", ["privacy.mobile", "privacy.identity-number"])
@pytest.mark.parametrize("dataset,path", FIELDS, ids=[f"{d}.{_label(p)}" for d, p in FIELDS])
def test_personal_number_in_any_text_field_is_rejected(personal, rule, dataset, path):
    case = personal[rule]
    record = case.project.path(dataset, RECORDS[dataset])
    file = record.relative_to(case.project.root).as_posix()
    found = [p for p in case.report.errors if p.rule == rule and p.file == file and p.field == _label(path)]
    assert len(found) == 1, f"{file} {_label(path)}: {[p.text() for p in case.report.problems if p.file == file]}"
    assert found[0].line == line_of(record, case.values[(dataset, path)])


def test_identity_number_as_an_amount_is_rejected(mini):
    from stdnum.cn import ric

    # A fictional identity number whose check character is a digit, so YAML reads it as a number.
    body = next(b for b in (FICTIONAL_ID[:16] + str(d) for d in range(10)) if ric.calc_check_digit(b + "0") != "X")
    number = body + ric.calc_check_digit(body + "0")
    assert ric.is_valid(number)
    mini.edit("organizations", "org-silver-age", "amount_cny: 50000", f"amount_cny: {number}")
    problem = next(p for p in mini.report().errors if p.rule == "privacy.identity-number")
    assert (problem.field, problem.line) == ("support_received[0].amount_cny",
                                             line_of(mini.path("organizations", "org-silver-age"), "amount_cny"))


IDENTITY = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")


def test_the_built_site_and_its_data_hold_no_personal_numbers(site):  # noqa: F811
    from stdnum.cn import ric

    from shequ.checks.privacy import mobile_numbers

    found = []
    for path in sorted(site.site.rglob("*")):
        if path.suffix not in (".html", ".json", ".csv", ".ttl", ".xml") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        text = re.sub(r'\bsha256[":\s]+[0-9a-f]{64}|[0-9a-f]{64}', "", text)  # checksums are not numbers
        found += [f"{path.relative_to(site.site)}: {m}" for m in mobile_numbers(text)]
        found += [f"{path.relative_to(site.site)}: {m}" for m in IDENTITY.findall(text) if ric.is_valid(m)]
    assert not found, found[:20]


# No third-party requests ---------------------------------------------------------------------------------

#: Every page type of the demo site: (name, path, what to do there).
PAGE_TYPES = [
    ("home", "", None),
    ("guide", "guides/start-an-organization/", None),
    ("organizations", "organizations/", None),
    ("organization", f"organizations/{ORG}/", None),
    ("incubators", "incubators/", None),
    ("incubator", f"incubators/{INC}/", None),
    ("regions", "regions/", None),
    ("province", "regions/11/", None),
    ("county", "regions/110105/", None),
    ("township", "regions/110105001/", None),
    ("topics", "topics/", None),
    ("topic", "topics/fields-of-activity/elderly-care/", None),
    ("policy", "policy/", None),
    ("policy-document", "policy/opinions-2016/", None),
    ("provision", "policy/opinions-2016/3.1/", None),
    ("glossary", "policy/glossary/", None),
    ("statistics", "statistics/", None),
    ("downloads", "data/", None),
    ("not-found", "404.html", None),
    ("search", "", "search"),
]


class LoggingOrigin:
    """The site's own origin, and the proxy every request of the browser goes through.

    Chromium is started with ``--proxy-server`` pointing here and ``<-loopback>`` in the
    bypass list, so every request its network stack makes (pages, workers, the browser
    itself) arrives here as a proxy request and is logged. Requests for this origin are
    served from the site folder; any other host is logged and refused, never fetched.
    """

    def __init__(self, folder: Path):
        self.log: list[str] = []
        origin = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, format, *args):  # noqa: A002
                pass

            def _route(self) -> bool:
                url = self.path if "://" in self.path else f"http://{self.headers.get('Host', '')}{self.path}"
                origin.log.append(url)
                parts = urlsplit(url)
                if parts.netloc != origin.netloc:
                    self.send_error(403, "Shequ tests: no request may leave the site")
                    return False
                self.path = parts.path + (f"?{parts.query}" if parts.query else "")
                return True

            def do_GET(self):
                if self._route():
                    super().do_GET()

            def do_HEAD(self):
                if self._route():
                    super().do_HEAD()

            def do_CONNECT(self):  # https:// through the proxy: always another host
                origin.log.append(f"https://{self.path}/")
                self.send_error(403, "Shequ tests: no request may leave the site")

            do_POST = do_PUT = do_DELETE = do_OPTIONS = do_GET

        handler = functools.partial(Handler, directory=str(folder))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.netloc = f"127.0.0.1:{self.server.server_address[1]}"
        self.url = f"http://{self.netloc}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def proxy_args(self) -> list[str]:
        return [f"--proxy-server={self.url}", "--proxy-bypass-list=<-loopback>"]

    def foreign(self) -> list[str]:
        return sorted({u for u in self.log if urlsplit(u).netloc != self.netloc})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def origin(site):  # noqa: F811
    server = LoggingOrigin(site.site)
    yield server
    server.close()


@pytest.fixture(scope="module")
def browser(playwright, origin):
    """Chromium of its own (not the shared one), every request through ``origin``."""
    chromium = launch_chromium(playwright, *origin.proxy_args)
    yield chromium
    chromium.close()


def search(page, text: str) -> None:
    """Type into the header's search box, as a reader would, and let the results load."""
    box = page.locator("input.md-search__input").first
    assert box.count(), "no search box"
    box.click()
    page.keyboard.type(text)
    page.keyboard.press("End")  # Material searches on keyup; Chinese is typed without key events
    page.wait_for_timeout(600)
    page.wait_for_load_state("networkidle")


#: Chromium's own services, which it calls by itself whatever the page (update checks, sign-in,
#: autofill hints) despite --disable-background-networking: the browser's traffic, not the site's.
#: They still go through the logging proxy, which refuses them.
BROWSER_SERVICES = {"update.googleapis.com", "accounts.google.com", "content-autofill.googleapis.com",
                    "optimizationguide-pa.googleapis.com", "clients2.google.com", "safebrowsing.googleapis.com"}


def site_requests(origin: LoggingOrigin) -> list[str]:
    """Every request to another host, less the browser's own services."""
    return [u for u in origin.foreign() if urlsplit(u).hostname not in BROWSER_SERVICES]


def _explore(page, action: str | None) -> None:
    """What a reader does: on the search page, search and open a result; then scroll to the end."""
    if action == "search":
        search(page, "组织")
        results = page.locator(".md-search-result__item a, .shequ-search__results a")
        if results.count():
            results.first.click()
            page.wait_for_load_state("load")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
def test_no_page_type_requests_anything_from_another_host(browser, origin):
    seen = []  # what the pages asked for, as Playwright reports it (the proxy log also has the workers')
    context = browser.new_context(locale="zh-CN", service_workers="block")
    context.on("request", lambda request: seen.append(request.url))
    page = context.new_page()
    start = len(origin.log)
    try:
        for name, path, action in PAGE_TYPES:
            response = page.goto(f"{origin.url}/{path}", wait_until="load")
            assert response is not None and response.ok, name
            _explore(page, action)
    finally:
        context.close()
    log = origin.log[start:]
    assert len(log) > len(PAGE_TYPES)  # the log did record the pages, their styles and scripts
    # Everything the pages and workers asked for went through the proxy (or the browser's cache).
    assert {u for u in seen if not u.startswith(("data:", "blob:"))} <= set(origin.log)
    assert site_requests(origin) == [], site_requests(origin)


@pytest.mark.browser
def test_the_request_log_sees_a_request_to_another_host(browser, origin):
    """A negative control: a page that does ask another host shows up in the log, refused."""
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    page.goto(f"{origin.url}/404.html", wait_until="load")
    page.evaluate("""() => { const s = document.createElement('script');
        s.src = 'http://cdn.example.invalid/x.js'; document.head.append(s);
        new Worker(URL.createObjectURL(new Blob(["fetch('http://worker.example.invalid/y')"]))); }""")
    page.wait_for_timeout(500)
    context.close()
    assert {"http://cdn.example.invalid/x.js", "http://worker.example.invalid/y"} <= set(site_requests(origin))
    origin.log[:] = [u for u in origin.log if "example.invalid" not in u]
