"""The site: `mkdocs build` on a copy of the project runs load → check → publish → render.

The demo site is built once per session (``site`` fixture) from the repository's
own datasets, docs and mkdocs.yml, plus three records of this file's own: a
registered organization, the incubator that incubated it, and a record whose
every text field is hostile. ``tests/test_site_browser.py`` reuses the build.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from markupsafe import escape

from conftest import DIVISIONS_CSV, FILED_ORGANIZATION, INCUBATOR, ORGANIZATION, MiniProject, build_once, make_uscc

REPO = Path(__file__).resolve().parents[1]
PROJECT_FILES = ("datasets", "docs", "mkdocs.yml", "CITATION.cff")

ORG = "org-site-test-silver"
FILED = "org-site-test-filed"
HOSTILE = "org-site-test-hostile"
INC = "inc-site-test-base"
CORRECTIONS_EMAIL = "corrections@example.org"
CORRECTIONS_FORM = "https://example.org/shequ-corrections"

HOSTILE_RECORD = """\
id: org-site-test-hostile
name: "<script>alert(1)</script>敌意测试"
name_en: "<img src=x onerror=alert(1)>"
alternate_names: ["[x](javascript:alert(1))", "{{ 7*7 }}", "{% raw %}"]
legal_form: unregistered
management_track: filed
registration_authority: "<!-- -->建外街道办事处"
registration_date: 2020-03-01
division: "110105001"
address: "</title><script>alert(2)</script>"
community: "{{ 7*7 }}{% raw %}<!--"
founded: 2020-01-15
status: active
incubated_by: inc-site-test-base
fields_of_activity: [mutual-aid]
support_received:
  - type: government-procurement
    provider: "<img src=x onerror=alert(3)>"
    year: 2021
sources:
  - title: "[x](javascript:alert(1)) <!-- hidden -->"
    url: https://example.org/shequ-demo/hostile
    accessed: 2026-11-01
last_verified: 2026-11-01
description_en: "</script><script>alert(4)</script> {{ 7*7 }} {% raw %} <!-- --> ]]>"
description_zh: "<b onmouseover=alert(5)>粗体</b> [链接](javascript:alert(1))"
"""

#: Each hostile text, as the page must show it.
HOSTILE_TEXTS = [
    "<script>alert(1)</script>敌意测试",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "{{ 7*7 }}",
    "{% raw %}",
    "<!-- -->建外街道办事处",
    "</title><script>alert(2)</script>",
    "<img src=x onerror=alert(3)>",
    "</script><script>alert(4)</script> {{ 7*7 }} {% raw %} <!-- --> ]]>",
    "<b onmouseover=alert(5)>粗体</b> [链接](javascript:alert(1))",
]


# Building ----------------------------------------------------------------------------------------

def make_site_project(root: Path) -> Path:
    """A copy of the repository's project files plus this file's three records."""
    root.mkdir(parents=True)
    for name in PROJECT_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns(".*", "__pycache__"))
        elif source.is_file():
            shutil.copy(source, root / name)
    datasets = root / "datasets"
    for folder in ("organizations", "incubators", "reference"):
        (datasets / folder).mkdir(exist_ok=True)
    _merge_divisions(datasets / "reference" / "divisions.csv")
    # Correction channels beside the repository's editor (package.yaml ships them commented out).
    with (datasets / "package.yaml").open("a", encoding="utf-8") as package:
        package.write(f"corrections:\n  email: {CORRECTIONS_EMAIL}\n  form: {CORRECTIONS_FORM}\n")
    org = ORGANIZATION.format(uscc=make_uscc(subject="MJ0099001")).replace("org-silver-age", ORG)
    (datasets / "organizations" / f"{ORG}.yaml").write_text(org.replace("inc-chaoyang-base", INC), encoding="utf-8")
    (datasets / "organizations" / f"{FILED}.yaml").write_text(
        FILED_ORGANIZATION.replace("org-harmony-mediators", FILED), encoding="utf-8")
    (datasets / "organizations" / f"{HOSTILE}.yaml").write_text(HOSTILE_RECORD, encoding="utf-8")
    (datasets / "incubators" / f"{INC}.yaml").write_text(INCUBATOR.replace("inc-chaoyang-base", INC),
                                                         encoding="utf-8")
    return root


def _merge_divisions(path: Path) -> None:
    """Add the test records' divisions to the project's table, keeping its own rows."""
    ours = list(csv.reader(io.StringIO(DIVISIONS_CSV)))
    if not path.is_file():
        path.write_text(DIVISIONS_CSV, encoding="utf-8")
        return
    text = path.read_text(encoding="utf-8")
    known = {row[0] for row in csv.reader(io.StringIO(text)) if row}
    missing = [row for row in ours[1:] if row[0] not in known]
    if missing:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(missing)
        path.write_text(text.rstrip("\n") + "\n" + buffer.getvalue(), encoding="utf-8")


def mkdocs_build(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SHEQU_TODAY": "2026-11-26"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600)


@dataclass
class BuiltSite:
    root: Path  # the project
    site: Path  # its built site/
    output: str

    def page(self, path: str) -> str:
        return (self.site / path / "index.html").read_text(encoding="utf-8")


#: The demo site's listings hold this many rows a page, so that they run to several pages as a
#: real deployment's do (the default, 200, would give the demo's 79 organizations one page).
DEMO_PER_PAGE = 30


def _build_demo_site(folder: Path) -> None:
    root = make_site_project(folder / "project")
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - shequ\n" in text
    config.write_text(text.replace("  - shequ\n", f"  - shequ:\n      per_page: {DEMO_PER_PAGE}\n", 1), encoding="utf-8")
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stderr[-4000:]
    (folder / "output.txt").write_text(result.stdout + result.stderr, encoding="utf-8")


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> BuiltSite:
    """The demo site, built once per test run and shared by every worker: read it, never change it."""
    folder = build_once(tmp_path_factory, "demo-site", _build_demo_site)
    root = folder / "project"
    return BuiltSite(root, root / "site", (folder / "output.txt").read_text(encoding="utf-8"))


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


class Links(HTMLParser):
    """Every URL an HTML page refers to, with the tag and attribute, and every id."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str, str, dict]] = []
        self.ids: set[str] = set()
        self.scripts: list[dict] = []
        self._in_script: dict | None = None
        self.script_text: list[tuple[dict, str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        for name in ("href", "src", "srcset", "poster", "data", "action", "formaction", "xlink:href"):
            if attributes.get(name):
                self.urls.append((tag, name, attributes[name], attributes))
        if tag == "script":
            self._in_script = attributes
            self.scripts.append(attributes)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            self.script_text.append((self._in_script, data))


def parse(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


# The build -----------------------------------------------------------------------------------------

def test_demo_site_builds_without_a_traceback(site):
    # How long it takes is the benchmark's figure (shequ bench), not a test's.
    assert "Traceback" not in site.output


def test_every_page_type_is_built(site):
    for path in ("", "organizations/", "incubators/", "regions/", "topics/", "statistics/", "data/",
                 f"organizations/{ORG}/", f"organizations/{HOSTILE}/", f"incubators/{INC}/",
                 "regions/110105/", "regions/110105001/", "topics/fields-of-activity/elderly-care/",
                 "topics/management-tracks/filed/", "topics/service-populations/seniors/",
                 "topics/service-functions/dispute-mediation/"):
        assert (site.site / path / "index.html").is_file(), path


def test_staging_folders_are_gone_after_a_build(site):
    assert not list(site.root.glob(".site.tmp-*"))
    assert not (site.root / ".site.old").exists()


# Record pages --------------------------------------------------------------------------------------

def test_organization_page_labels_every_field_from_the_table_schema(site):
    page, page_en = site.page(f"organizations/{ORG}/"), site.page(f"en/organizations/{ORG}/")
    schema = json.loads((REPO / "datasets/schemas/organizations.schema.json").read_text(encoding="utf-8"))
    record = (site.root / f"datasets/organizations/{ORG}.yaml").read_text(encoding="utf-8")
    for field in schema["fields"]:
        if field["name"] in ("id", "name", "description_en", "description_zh"):
            continue
        if re.search(rf"^{field['name']}:", record, re.M):
            assert str(escape(field["title_zh"])) in page, field["name"]
            # An English page's title is the English name: no row repeats it.
            assert (str(escape(field["title"])) in page_en) == (field["name"] != "name_en"), field["name"]


def test_english_organization_page_says_its_english_name_once_as_its_title(site):
    page_en = site.page(f"en/organizations/{ORG}/")
    facts = page_en[page_en.index('class="shequ-fields"'):]
    facts = facts[: facts.index("</table>")]
    assert "Chaoyang Silver Age Mutual Aid Association" in page_en[: page_en.index('class="shequ-fields"')]
    assert "Chaoyang Silver Age Mutual Aid Association" not in facts and "Name (English)" not in facts
    # Its other names stay; the Chinese page keeps the English name as a row under the Chinese title.
    assert "银龄互助会" in facts
    assert "英文名称" in site.page(f"organizations/{ORG}/")


def test_organization_page_shows_vocabulary_labels_in_the_page_language(site):
    page, page_en = site.page(f"organizations/{ORG}/"), site.page(f"en/organizations/{ORG}/")
    for zh, en in (("社会团体", "Social group"), ("养老照护", "Elderly care"), ("在民政部门登记", "Registered with civil affairs")):
        assert zh in page and en not in page
        assert en in page_en and zh not in page_en


def test_organization_page_has_region_breadcrumb_incubator_sources_and_links(site):
    page = site.page(f"organizations/{ORG}/")
    trail = page[page.index('class="shequ-trail"'):]
    trail = trail[: trail.index("</nav>")]
    assert [name for name in ("北京市", "朝阳区", "建外街道") if name in trail] == ["北京市", "朝阳区", "建外街道"]
    assert trail.index("北京市") < trail.index("朝阳区") < trail.index("建外街道")
    assert f'href="../../incubators/{INC}/"' in page
    assert "Shequ demonstration record (fictional)" in page
    assert f'href="../../organizations/{ORG}.json"' in page
    assert f"https://github.com/shequ-project/shequ/edit/main/datasets/organizations/{ORG}.yaml" in page


def test_record_json_is_the_record(site):
    data = json.loads((site.site / f"organizations/{ORG}.json").read_text(encoding="utf-8"))
    assert data["id"] == ORG and data["division"] == "110105001"
    assert data["founded"] == "2018-11-03"


def jsonld_blocks(path: Path) -> list[dict]:
    parser = parse(path)
    return [json.loads(text) for attrs, text in parser.script_text if attrs.get("type") == "application/ld+json"]


def test_organization_jsonld_names_the_uscc(site):
    [ld] = jsonld_blocks(site.site / f"organizations/{ORG}/index.html")
    assert ld["@type"] == "Organization"
    assert ld["identifier"] == "CN-USCI-" + make_uscc(subject="MJ0099001")
    assert ld["name"] == "朝阳区银龄互助会"
    [filed] = jsonld_blocks(site.site / f"organizations/{FILED}/index.html")
    assert "identifier" not in filed


def test_incubator_page_lists_the_organizations_it_incubated(site):
    page = site.page(f"incubators/{INC}/")
    incubated = page[page.index('id="incubated"'):]
    assert f'href="../../organizations/{ORG}/"' in incubated
    assert f'href="../../organizations/{HOSTILE}/"' in incubated
    assert f'href="../../organizations/{FILED}/"' not in incubated


def test_record_pages_stay_under_60_kb(site):
    pages = list((site.site / "organizations").glob("*/index.html")) + list((site.site / "incubators").glob("*/index.html"))
    assert pages
    largest = max(pages, key=lambda p: p.stat().st_size)
    assert largest.stat().st_size <= 60 * 1024, f"{largest}: {largest.stat().st_size} bytes"


def test_record_pages_stay_out_of_the_navigation(site):
    home = site.page("")
    assert f"organizations/{ORG}/" not in home
    assert f'href="{ORG}/"' in site.page("organizations/")


# Listings ------------------------------------------------------------------------------------------

def test_organization_listing_has_name_region_track_status_and_fields(site):
    page = site.page("organizations/")
    row = page[page.index(f'href="{ORG}/"'):]
    row = row[: row.index("</tr>")]
    for text in ("朝阳区银龄互助会", "建外街道", "在民政部门登记", "养老照护"):
        assert text in row


def test_listing_cards_leave_out_what_every_card_would_repeat(site):
    listing = site.page("organizations/")
    status_cells = re.findall(r'<td class="shequ-status" data-label="状态">(.*?)</td>', listing, re.S)
    # The usual status says nothing; another one is what a reader must see.
    assert "正常" not in "".join(status_cells)
    assert any("停止活动" in cell for cell in status_cells)
    # A listing whose every status is the usual one hides the empty column.
    hidden = 0
    for path in ("organizations/", "regions/110105/", "regions/110105001/"):
        page = site.page(path)
        cells = re.findall(r'<td class="shequ-status" data-label="状态">(.*?)</td>', page, re.S)
        assert cells, path
        assert ("shequ-no-status" in page) == (not any(c.strip() for c in cells)), path
        hidden += "shequ-no-status" in page
    assert hidden
    # A township's page lists its own organizations: the region column is left out there only.
    township = site.page("regions/110105001/")
    assert re.search(r'class="shequ-list shequ-cards shequ-one-place[ "]', township)
    assert 'class="shequ-place"' not in township and 'class="shequ-place"' in site.page("regions/110105/")
    assert "shequ-one-place" not in site.page("regions/110105/") and "shequ-one-place" not in listing


def test_a_countys_listing_leaves_the_county_out_of_each_place(site):
    for path, county, township in (("regions/110105/", "朝阳区", "建外街道"),
                                   ("en/regions/110105/", "Chaoyang", "Sanlitun Subdistrict")):
        page = site.page(path)
        places = re.findall(r'<td class="shequ-place"[^>]*>(.*?)</td>', page, re.S)
        assert places and any(township in p for p in places), path
        assert not any(county in p for p in places), (path, places)
    # The directory's listing still gives the whole place.
    assert "朝阳区 建外街道" in site.page("organizations/")


def test_record_pages_offer_corrections_by_email_and_form_beside_the_repository(site):
    from urllib.parse import parse_qs, urlsplit as split

    for prefix, subject_start, guide in (("", "纠错：", "../../guides/add-or-correct-a-record/"),
                                         ("en/", "Correction: ", "../../guides/add-or-correct-a-record/")):
        page = site.page(f"{prefix}organizations/{ORG}/")
        actions = page[page.index('class="shequ-actions"'):]
        actions = actions[: actions.index("</p>")]
        hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', actions)]
        mailto = next(h for h in hrefs if h.startswith("mailto:"))
        parts = split(mailto)
        assert parts.path == CORRECTIONS_EMAIL
        fields = parse_qs(parts.query)
        assert set(fields) == {"subject", "body"}
        assert fields["subject"][0].startswith(subject_start) and ORG in fields["subject"][0]
        assert ORG in fields["body"][0] and f"/{prefix}organizations/{ORG}/" in fields["body"][0]
        assert CORRECTIONS_FORM in hrefs and guide in hrefs
        assert any("/edit/main/datasets/organizations/" in h for h in hrefs)
    # A hostile name cannot add a header or a recipient: every character is percent-encoded.
    hostile = site.page(f"organizations/{HOSTILE}/")
    mailto = html.unescape(re.search(r'href="(mailto:[^"]+)"', hostile).group(1))
    assert mailto.count("?") == 1 and mailto.count("&") == 1 and "<" not in mailto and " " not in mailto


def test_regions_drill_down_from_province_to_township_with_counts(site):
    index = site.page("regions/")
    assert 'href="11/"' in index
    county = site.page("regions/110105/")
    assert 'href="../../regions/110105001/"' in county and 'href="../../regions/110105002/"' in county
    township = site.page("regions/110105001/")
    assert f'href="../../organizations/{ORG}/"' in township
    assert f'href="../../organizations/{FILED}/"' not in township
    counts = re.findall(r'<td class="shequ-number">(\d+)</td>', county)
    assert counts and all(int(n) >= 0 for n in counts)


def test_a_page_per_topic_term(site):
    vocab_dir = site.site / "topics"
    for vocabulary in ("fields-of-activity", "service-populations", "service-functions", "management-tracks"):
        assert len(list((vocab_dir / vocabulary).glob("*/index.html"))) >= 3, vocabulary
    # A term of a directory filter links to the directory filtered to it instead of listing.
    page = site.page("topics/fields-of-activity/elderly-care/")
    assert "href='../../../organizations/?field=elderly-care'" in page and f"organizations/{ORG}/" not in page


# Statistics and downloads ----------------------------------------------------------------------------

def test_statistics_are_inline_svg_with_their_tables(site):
    page = site.page("statistics/")
    for chart in ("fields", "tracks", "legal-forms", "founded", "regions"):
        section = page[page.index(f'<section class="shequ-chart" aria-labelledby="{chart}"'):]
        section = section[: section.index("</section>")]
        assert "<svg" in section and "<rect" in section and "<table" in section, chart
    content = page[page.index('<article'):page.index("</article>")]
    assert "<script" not in content



def test_a_chart_label_wider_than_the_drawing_is_squeezed_into_it_not_cut_off(site):
    from shequ.render.html import text_units
    from shequ.render.statistics import WIDTH

    squeezed = 0
    for prefix in ("", "en/"):
        labels = re.findall(r'<text x="0" y="\d+" class="shequ-chart__label"( textLength="[\d.]+")?[^>]*>(.*?)</text>',
                            site.page(f"{prefix}statistics/"))
        assert labels
        for length, label in labels:
            assert bool(length) == (text_units(html.unescape(label)) > WIDTH), label
            squeezed += bool(length)
    assert squeezed  # "Filed with a sub-district office or township government"


def test_data_page_lists_every_published_file_with_its_facts(site):
    page = site.page("data/")
    data = site.site / "data"
    descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    rows = {r["path"]: r.get("rows") for r in descriptor["resources"] if isinstance(r["path"], str)}
    nested = 0
    for path in sorted(data.rglob("*")):
        name = path.relative_to(data).as_posix()
        if name in ("index.html", "catalog.ttl") or path.is_dir():
            continue
        nested += "/" in name
        assert f'href="{name}"' in page, name
        # The hash is there, folded away (on a phone, hashes were most of the page).
        assert f'<summary>SHA-256</summary><code>{hashlib.sha256(path.read_bytes()).hexdigest()}</code>' in page, \
            name
        assert f'data-bytes="{path.stat().st_size}"' in page, name
        if rows.get(path.name) is not None:
            cell = page[page.index(f'href="{path.name}"'):]
            assert f'<td class="shequ-number" data-label="行数">{rows[path.name]:,}</td>' in cell[: cell.index("</tr>")]
    assert nested > 10  # the Parquet partitions and the HSDS pages, under their folders
    # The downloads most people want come first, unfolded; every other file is folded below them.
    files = page[page.index('id="files"'):page.index('id="releases"')]
    unfolded = files[:files.index('<details class="shequ-more"')]
    assert re.findall(r'href="([^"]+)" download', unfolded) == ["shequ-data.zip", "shequ.xlsx", "shequ-csv-excel.zip"]
    # A table's Parquet files are one row, with the table's rows (the CSV's count).
    cell = page[page.index("<code>parquet/organizations/</code>"):]
    assert f'data-label="行数">{rows["organizations.csv"]:,}</td>' in cell[: cell.index("</tr>")]
    assert "shequ[parquet]" not in page  # no note that Parquet is missing
    assert descriptor["version"] in page
    assert "Creative Commons Attribution 4.0 International" in page
    assert "Shequ contributors (2026)" in page  # how to cite, from CITATION.cff


def test_data_dictionary_comes_from_the_table_schemas(site):
    schema = json.loads((REPO / "datasets/schemas/organizations.schema.json").read_text(encoding="utf-8"))
    for path, key in (("data/", "description_zh"), ("en/data/", "description")):
        page = site.page(path)
        dictionary = page[page.index('id="dictionary"'):]
        text = re.sub(r"<(?!/?code>)[^>]+>", "", dictionary)  # Chinese terms in English text are marked up
        for field in schema["fields"]:
            assert f"<code>{field['name']}</code>" in dictionary
            assert str(escape(field[key])) in text, (path, field["name"])
        assert "<code>social-group</code>" in dictionary  # a vocabulary field's allowed values
    # The exports in the dictionary, each with the schema of its standard (from datapackage.json).
    descriptor = json.loads((site.site / "data/datapackage.json").read_text(encoding="utf-8"))
    standards = {r["conformsTo"] for r in descriptor["resources"] if r.get("conformsTo")}
    assert len(standards) == 2  # HSDS and 360Giving
    for path in ("data/", "en/data/"):
        dictionary = site.page(path)[site.page(path).index('id="dictionary"'):]
        assert "<code>hsds/</code>" in dictionary and "<code>360giving-grants.json</code>" in dictionary
        assert all(f'href="{url}"' in dictionary for url in standards)


def test_data_page_has_dataset_jsonld_with_a_download_per_file(site):
    [ld] = jsonld_blocks(site.site / "data/index.html")
    assert ld["@type"] == "Dataset"
    names = {d["name"] for d in ld["distribution"]}
    assert {"organizations.csv", "shequ.xlsx", "shequ.sqlite", "datapackage.json"} <= names
    assert all(d["@type"] == "DataDownload" and len(d["sha256"]) == 64 for d in ld["distribution"])


DCAT_AP_SHAPES = REPO / "tests" / "vendor" / "dcat-ap-3.0.1"


def test_dcat_catalogue_describes_every_file(site):
    import rdflib

    text = (site.site / "data/catalog.ttl").read_text(encoding="utf-8")
    graph = rdflib.Graph().parse(data=text, format="turtle", publicID="https://example.org/data/catalog.ttl")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    dct = rdflib.namespace.DCTERMS
    xsd = rdflib.namespace.XSD
    data = site.site / "data"
    files = sorted(p.relative_to(data).as_posix() for p in data.rglob("*")
                   if p.is_file() and p.name not in ("index.html", "catalog.ttl"))
    distributions = list(graph.subjects(rdflib.RDF.type, dcat.Distribution))
    downloads = sorted(str(url).removeprefix("https://example.org/data/")
                       for d in distributions for url in graph.objects(d, dcat.downloadURL))
    assert downloads == files  # every file, those in folders too, each in one distribution
    # One distribution per format of the tables, not one per table file.
    by_format = {}
    for distribution in distributions:
        by_format.setdefault(str(graph.value(distribution, dct.format)), []).append(
            len(list(graph.objects(distribution, dcat.downloadURL))))
    csv_iri = "http://publications.europa.eu/resource/authority/file-type/CSV"
    assert by_format[csv_iri] == [sum(1 for f in files if f.endswith(".csv"))]
    # Every Parquet partition in one distribution, with the EU file type and the IANA media type.
    parquet_iri = "http://publications.europa.eu/resource/authority/file-type/PARQUET"
    assert by_format[parquet_iri] == [sum(1 for f in files if f.endswith(".parquet"))]
    [parquet] = [d for d in distributions if str(graph.value(d, dct.format)) == parquet_iri]
    assert str(graph.value(parquet, dcat.mediaType)) == \
        "https://www.iana.org/assignments/media-types/application/vnd.apache.parquet"
    # The HSDS pages and their index in one distribution, reached through the index.
    [paged] = [d for d in distributions if any("hsds/" in str(u) for u in graph.objects(d, dcat.downloadURL))]
    assert str(graph.value(paged, dcat.accessURL)) == "https://example.org/data/hsds/index.json"
    assert len(list(graph.objects(paged, dcat.downloadURL))) == sum(1 for f in files if f.startswith("hsds/"))
    assert len(distributions) < len(files) - 10
    # What DCAT-AP asks of each value: IRIs for format and media type, a typed byte size.
    for distribution in distributions:
        assert isinstance(graph.value(distribution, dcat.mediaType), rdflib.URIRef)
        assert graph.value(distribution, dcat.byteSize).datatype == xsd.nonNegativeInteger
        fmt = graph.value(distribution, dct.format)
        assert fmt is None or str(fmt).startswith("http://publications.europa.eu/resource/authority/file-type/")
    dataset = next(graph.subjects(rdflib.RDF.type, dcat.Dataset))
    assert {t.language for t in graph.objects(dataset, dct.title)} == {"en", "zh"}
    assert {t.language for t in graph.objects(dataset, dct.description)} == {"en", "zh"}
    assert graph.value(dataset, dct.modified).datatype == xsd.date
    assert len(list(graph.objects(dataset, dct.language))) == 2
    # Contact point, theme, the provinces covered and the period covered.
    assert graph.value(graph.value(dataset, dcat.contactPoint), rdflib.URIRef("http://www.w3.org/2006/vcard/ns#fn"))
    assert graph.value(dataset, dcat.theme) is not None
    spatial = {str(graph.value(place, dct.identifier)) for place in graph.objects(dataset, dct.spatial)}
    assert "11" in spatial  # Beijing, where the demo's organizations are
    period = graph.value(dataset, dct.temporal)
    start, end = graph.value(period, dcat.startDate), graph.value(period, dcat.endDate)
    assert start.datatype == end.datatype == xsd.date and start.toPython() <= end.toPython()


def test_dcat_catalogue_validates_against_the_dcat_ap_shapes(site):
    """The official DCAT-AP 3.0.1 SHACL shapes (vendored, so the test runs offline)."""
    import pyshacl
    import rdflib

    shapes = rdflib.Graph()
    for name in ("shapes.ttl", "range.ttl"):
        shapes.parse(DCAT_AP_SHAPES / name, format="turtle")
    data = rdflib.Graph().parse(site.site / "data/catalog.ttl", format="turtle",
                                publicID="https://example.org/data/catalog.ttl")
    conforms, _, report = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    assert conforms, report
    # The check is not vacuous: a distribution without its mandatory access URL fails it.
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    distribution = next(data.subjects(rdflib.RDF.type, dcat.Distribution))
    data.remove((distribution, dcat.accessURL, None))
    assert not pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)[0]


def test_both_home_pages_describe_the_dataset(site):
    for home in ("index.html", "en/index.html"):
        [ld] = [b for b in jsonld_blocks(site.site / home) if b.get("@type") == "Dataset"]
        assert {d["name"] for d in ld["distribution"]} >= {"organizations.csv", "shequ.sqlite"}


def test_every_content_url_on_every_page_resolves(site):
    """Without a site_url the addresses are relative to the page they are on, English pages too."""
    checked = 0
    for path in html_files(site.site):
        page = path.relative_to(site.site).as_posix()
        for ld in jsonld_blocks(path):
            for download in ld.get("distribution", []):
                target = urlsplit(urljoin("https://example.org/" + page, download["contentUrl"])).path
                assert (site.site / unquote(target).lstrip("/")).is_file(), (page, download["contentUrl"])
                checked += 1
    assert checked >= 4 * 20  # both home pages and both data pages, every file


def test_every_organization_jsonld_has_an_id(site):
    pages = sorted(site.site.glob("organizations/*/index.html")) + sorted(site.site.glob("en/organizations/*/index.html"))
    assert len(pages) > 10
    for path in pages:
        [ld] = [b for b in jsonld_blocks(path) if b.get("@type") == "Organization"]
        assert ld["@id"].endswith("#organization"), path


def test_without_a_site_url_there_is_no_sitemap_and_robots_names_none(site):
    assert not re.search(r"^site_url:", (site.root / "mkdocs.yml").read_text(encoding="utf-8"), re.M)
    assert not (site.site / "sitemap.xml").exists() and not (site.site / "sitemap.xml.gz").exists()
    robots = (site.site / "robots.txt").read_text(encoding="utf-8")
    assert robots.startswith("User-agent: *\n") and "Sitemap:" not in robots


# Theme and safety ------------------------------------------------------------------------------------

def test_every_page_carries_the_demonstration_banner(site):
    for path in html_files(site.site):
        if path.name == "404.html":
            continue
        assert 'class="shequ-demo"' in path.read_text(encoding="utf-8"), path


def test_hostile_values_are_shown_as_text(site):
    pages = [site.page(f"organizations/{HOSTILE}/"), site.page(f"en/organizations/{HOSTILE}/")]
    for text in HOSTILE_TEXTS:  # each in the page of its language at least (descriptions)
        assert any(str(escape(text)) in page for page in pages), text
    for page in pages:
        content = page[page.index('<article'):page.index("</article>")]
        parser = Links()
        parser.feed(content)
        assert [s for s in parser.scripts if s.get("type") != "application/ld+json"] == []
        assert "49" not in content  # {{ 7*7 }} was never evaluated
        title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
        assert "<" not in title


@pytest.mark.parametrize("kind", ["record", "listing"])
def test_no_value_becomes_markup_or_a_script_link(site, kind):
    paths = [site.site / f"organizations/{HOSTILE}/index.html"] if kind == "record" else [
        site.site / "organizations/index.html", site.site / f"incubators/{INC}/index.html",
        site.site / "regions/110105001/index.html", site.site / "topics/fields-of-activity/mutual-aid/index.html"]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        parser = parse(path)
        assert not [u for _, _, u, _ in parser.urls if u.strip().lower().startswith(("javascript:", "data:", "vbscript:"))]
        assert "onerror=" not in text.replace("onerror=alert", "")  # only inside escaped text
        assert "<img src=x" not in text and "<script>alert" not in text and "<b onmouseover" not in text


def test_jsonld_is_escaped_so_no_value_ends_the_script(site):
    path = site.site / f"organizations/{HOSTILE}/index.html"
    text = path.read_text(encoding="utf-8")
    block = text[text.index('<script type="application/ld+json">'):]
    block = block[: block.index("</script>")]
    assert "<" not in block[len('<script type="application/ld+json">'):]
    [ld] = jsonld_blocks(path)
    assert ld["name"] == "<script>alert(1)</script>敌意测试"
    assert ld["address"]["streetAddress"] == "</title><script>alert(2)</script>"


def test_every_internal_link_resolves(site):
    broken = []
    ids: dict[Path, set[str]] = {}
    for path in html_files(site.site):
        parser = parse(path)
        ids[path] = parser.ids
    for path in html_files(site.site):
        for tag, attr, url, _ in parse(path).urls:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or url.startswith(("mailto:", "tel:")) or attr == "srcset":
                continue
            if parts.path.startswith("/"):  # 404.html: root-relative, as the server finds it
                target = site.site / unquote(parts.path).lstrip("/")
            else:
                target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{path.relative_to(site.site)}: {url}")
            elif parts.fragment and target.suffix == ".html" and target in ids and parts.fragment not in ids[target]:
                broken.append(f"{path.relative_to(site.site)}: {url} (no such anchor)")
    assert not broken, "\n".join(broken[:30])


EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)
#: Links that only take the reader elsewhere: following one is the reader's choice, not a request.
OUTBOUND = {("a", "href"), ("link", "href")}


def test_no_page_loads_anything_from_another_host(site):
    found = []
    for path in html_files(site.site):
        for tag, attr, url, attrs in parse(path).urls:
            if not EXTERNAL.match(url.strip()):
                continue
            if tag == "a" or (tag == "link" and attrs.get("rel") in ("canonical", "alternate")):
                continue
            found.append(f"{path.relative_to(site.site)}: <{tag} {attr}={url}>")
    for path in sorted(site.site.rglob("*.css")):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", path.read_text(encoding="utf-8")):
            if EXTERNAL.match(url.strip()):
                found.append(f"{path.relative_to(site.site)}: url({url})")
        for url in re.findall(r"@import\s+['\"]([^'\"]+)", path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(site.site)}: @import {url}")
    for path in html_files(site.site):
        text = path.read_text(encoding="utf-8")
        for host in ("fonts.googleapis.com", "fonts.gstatic.com", "api.github.com", "cdn.jsdelivr.net", "unpkg.com"):
            if host in text:
                found.append(f"{path.relative_to(site.site)}: {host}")
    assert not found, "\n".join(found[:30])


def test_edit_links_point_at_files_that_exist(site):
    base = "https://github.com/shequ-project/shequ/edit/main/"
    missing = set()
    for path in html_files(site.site):
        for tag, attr, url, attrs in parse(path).urls:
            if attrs.get("rel") == "edit":
                assert url.startswith(base), url
                if not (site.root / url[len(base):]).is_file():
                    missing.add(url)
    assert not missing, sorted(missing)[:10]


# A failed build --------------------------------------------------------------------------------------

def test_a_failing_check_stops_the_build_and_leaves_the_previous_site(site, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(site.root, root, ignore=shutil.ignore_patterns(".*"))
    before = {p.relative_to(root / "site"): p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    record = root / "datasets" / "organizations" / f"{ORG}.yaml"
    text = record.read_text(encoding="utf-8").replace("division: \"110105001\"", "divison: \"110105001\"")
    record.write_text(text, encoding="utf-8")

    result = mkdocs_build(root)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    line = text.splitlines().index('divison: "110105001"') + 1
    assert f"datasets/organizations/{ORG}.yaml:{line}: divison: unknown field 'divison'" in result.stderr
    after = {p.relative_to(root / "site"): p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    assert after == before
    assert not list(root.glob(".site.tmp-*"))


def test_demonstration_banner_follows_package_yaml(tmp_path):
    from jinja2 import Environment, FileSystemLoader

    from shequ.render.html import theme_globals

    overrides = REPO / "scripts" / "shequ" / "templates" / "overrides"
    env = Environment(loader=FileSystemLoader([str(overrides)]))
    env.globals.update(theme_globals())
    env.loader.searchpath.append(str(tmp_path))
    (tmp_path / "base.html").write_text("{% if self.announce() %}[{% block announce %}{% endblock %}]{% endif %}")
    render = env.get_template("main.html").render
    for lang, text in (("zh", "演示数据"), ("en", "Demonstration data")):
        config = {"extra": {"shequ_demonstration": True}, "theme": {"language": lang}}
        assert text in render(config=config)
        assert render(config={**config, "extra": {"shequ_demonstration": False}}) == ""


# The library functions behind `shequ build` ------------------------------------------------------------

@pytest.fixture(scope="module")
def library_site(tmp_path_factory) -> tuple[Path, Path]:
    """The small project with the docs, a fork's repository address and a changelog, built
    once by the library's ``build`` (no mkdocs command): (project, site)."""
    from shequ.project import Project
    from shequ.generator.commands import build

    folder = tmp_path_factory.mktemp("library")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SHEQU_TODAY", "2026-11-26")
        root = MiniProject(folder / "project").root
        shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
        shutil.copytree(REPO / "docs", root / "docs")
        package = root / "datasets" / "package.yaml"
        text = re.sub(r"(?m)^repository: .*$", "repository: https://git.example.org/fork/shequ",
                      package.read_text("utf-8"))
        package.write_text(text, encoding="utf-8")
        (root / "CHANGELOG.md").write_text(textwrap.dedent("""\
            # Changelog

            ## 0.2.0 — 2026-12-01

            Records since v0.1.0: 2 added.

            ## 0.1.0 — 2026-11-26

            First release.
            """), encoding="utf-8")
        result = build(Project.at(root), folder / "out")
    assert result.site_dir == folder / "out"
    return root, folder / "out"


def test_library_build_writes_the_site_and_reports_a_failing_check(library_site, tmp_path, monkeypatch):
    from shequ.project import Project
    from shequ.generator.commands import SiteBuildError, build

    built, site_dir = library_site
    record = (site_dir / "organizations" / "org-silver-age" / "index.html").read_text(encoding="utf-8")
    # The repository's address comes from datasets/package.yaml.
    assert 'href="https://git.example.org/fork/shequ/edit/main/datasets/organizations/org-silver-age.yaml"' in record
    assert 'href="https://git.example.org/fork/shequ/edit/main/docs/index.md"' in (site_dir / "index.html").read_text("utf-8")

    monkeypatch.setenv("SHEQU_TODAY", "2026-11-26")
    root, out = tmp_path / "project", tmp_path / "out"
    shutil.copytree(built, root)
    shutil.copytree(site_dir, out)
    path = root / "datasets" / "organizations" / "org-silver-age.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: active", "status: activ", 1), encoding="utf-8")
    with pytest.raises(SiteBuildError) as failed:
        build(Project.at(root), out)
    assert "datasets/organizations/org-silver-age.yaml:" in str(failed.value)
    assert "[vocabularies.unknown-term]" in str(failed.value)
    assert (out / "organizations" / "org-silver-age" / "index.html").read_text(encoding="utf-8") == record


def test_theme_features_that_call_other_hosts_are_off(site):
    # Material's script holds the addresses of the GitHub API (repository facts, fetched for
    # an element with data-md-component="source") and of unpkg.com (Mermaid, loaded for a
    # .mermaid block). The site has neither, so the script never asks those hosts.
    for path in html_files(site.site):
        text = path.read_text(encoding="utf-8")
        assert 'data-md-component="source"' not in text, path
        assert 'class="mermaid"' not in text, path
    assert "shequ-project/shequ" in site.page("")  # the repository link itself stays


# Policy ----------------------------------------------------------------------------------------------

def test_policy_index_lists_every_document_and_provision(site):
    from shequ.sources.policy import load_policy
    from shequ.project import Project

    policy, _ = load_policy(Project.at(site.root))
    page = site.page("policy/")
    for document in policy.documents.values():
        assert f'href="{document.id}/"' in page
        for provision in document.provisions:
            assert f'href="{document.id}/{provision.id}/"' in page


def test_provision_page_explains_and_links_to_the_data_it_governs(site):
    page = site.page("policy/opinions-2016/3.1/")
    assert "降低准入门槛" in page and "Lowering thresholds" in site.page("en/policy/opinions-2016/3.1/")
    for audience in ("For organizers", "For officials", "For researchers"):
        assert audience in site.page("en/policy/opinions-2016/3.1/")
    data = page[page.index('id="data"'):]
    assert 'href="../../../topics/management-tracks/registered/"' in data
    assert 'href="../../../topics/management-tracks/filed/"' in data
    support = site.page("policy/opinions-2016/3.2/")
    assert 'href="../../../incubators/"' in support[support.index('id="data"'):]
    functions = site.page("policy/opinions-2016/3.3/")
    assert 'href="../../../topics/service-functions/dispute-mediation/"' in functions


def test_glossary_has_chinese_pinyin_and_english(site):
    page = site.page("policy/glossary/")
    assert page.count("<dt ") >= 30
    assert "shèqū shèhuì zǔzhī" in page and "社区社会组织" in page and "community-based social organization" in page


def test_term_pages_link_to_the_provision_they_come_from(site):
    page = site.page("topics/management-tracks/filed/")
    assert 'href="../../../policy/opinions-2016/3.1/"' in page


# Guides ----------------------------------------------------------------------------------------------

GUIDES = ("start-an-organization", "find-support", "use-the-data", "add-or-correct-a-record")


def test_guides_are_built_and_linked_from_the_home_page(site):
    home = site.page("")
    for guide in GUIDES:
        assert (site.site / "guides" / guide / "index.html").is_file()
        assert f'href="guides/{guide}/"' in home


def test_register_or_file_helper_works_without_javascript(site):
    page = site.page("guides/start-an-organization/")
    content = page[page.index("<article"):page.index("</article>")]
    assert content.count("<details") == 3 and "<summary>" in content
    assert "<script" not in content
    assert 'href="../../policy/mca-2017/tiered/"' in content


@pytest.mark.parametrize("guide", ["docs/guides/use-the-data.md", "docs/en/guides/use-the-data.md"])
def test_use_the_data_examples_run_and_read_the_declared_types(site, guide, monkeypatch, capsys):
    """Every Python example of the guide runs on the published files (R's is not run here), and
    the tables pandas and DuckDB read have the types datapackage.json declares: codes stay text."""
    pd = pytest.importorskip("pandas")
    duckdb = pytest.importorskip("duckdb")
    data = site.site / "data"
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    schemas = {r["name"]: r["schema"] for r in package["resources"] if r["format"] == "csv"}
    examples = re.findall(r"```python\n(.*?)```", (REPO / guide).read_text(encoding="utf-8"), re.S)
    assert len(examples) == 4
    monkeypatch.chdir(data)
    frames, databases = 0, 0
    for code in examples:
        names: dict = {}
        exec(compile(code, guide, "exec"), names)
        assert capsys.readouterr().out.strip(), code
        for value in names.values():
            if isinstance(value, pd.DataFrame) and set(value.columns) <= {f["name"] for f in schemas["organizations"]["fields"]}:
                frames += 1
                for f in schemas["organizations"]["fields"]:
                    expected = {"string": "string", "integer": "Int64", "date": "datetime64"}.get(f["type"], "")
                    assert str(value[f["name"]].dtype).startswith(expected), f["name"]
            if isinstance(value, duckdb.DuckDBPyConnection):
                databases += 1
                for name, schema in schemas.items():
                    described = {row[0]: row[1] for row in value.sql(f'DESCRIBE "{name}"').fetchall()}
                    expected = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "date": "DATE"}
                    assert described == {f["name"]: expected[f["type"]] for f in schema["fields"]}, name
                codes = value.sql("SELECT code, parent FROM divisions WHERE parent IS NOT NULL").fetchall()
                assert codes and all(isinstance(c, str) and isinstance(p, str) for c, p in codes)
    assert (frames, databases) == (1, 1)


def test_data_page_lists_tagged_releases_with_stable_download_urls(library_site):
    _, out = library_site
    page = (out / "data" / "index.html").read_text(encoding="utf-8")
    releases = page[page.index('id="releases"'):page.index('id="cite"')]
    assert "0.2.0" in releases and "Records since v0.1.0: 2 added." in releases
    # At the repository that datasets/package.yaml names (here a fork's).
    assert 'href="https://git.example.org/fork/shequ/releases/download/v0.1.0/organizations.csv"' in releases
    assert "https://git.example.org/fork/shequ/releases/latest/download/datapackage.json" in releases


def test_the_not_found_page_speaks_both_languages_in_its_notice_and_search_box(site):
    page = (site.site / "404.html").read_text(encoding="utf-8")
    box = page[page.index("data-shequ-search"):]
    box = box[: box.index("</form>")]
    assert 'placeholder="搜索 / Search"' in box and ">搜索 / Search</label>" in box
    notice = page[page.index('class="shequ-demo"'):]
    notice = notice[: notice.index("</p>")]
    assert "演示数据" in notice and '<span lang="en"><strong>Demonstration data:</strong>' in notice
    # A page of one language keeps its own words only.
    home = site.page("en/")
    assert 'placeholder="Search"' in home and "演示数据" not in home[home.index('class="shequ-demo"'):][:400]
