"""The exports to exchange standards and to Parquet, read by the standards' own schemas and by
DuckDB, offline: Open Referral HSDS 3.0, the 360Giving Data Standard, and province-partitioned
Parquet. They are read from the demo site's data package (built once per run)."""

from __future__ import annotations

import copy
import csv
import json
import logging
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conftest import REPO
from shequ.publish import hsds, parquet, tablerows, threesixtygiving
from shequ.publish.identifiers import organization_identifier, stable_uuid
from test_site import site  # noqa: F401 - the demo site, built once per run

STANDARDS = REPO / "tests" / "standards"
HSDS = STANDARDS / "hsds-3.0"
GIVING = STANDARDS / "360giving-1.4.3"
HSDS_REMOTE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
GIVING_REMOTE = "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/{}/schema/360-giving-schema.json"


def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def data(site) -> Path:  # noqa: F811
    return site.site / "data"


@pytest.fixture(scope="module")
def demo_csv(data) -> dict[str, list[dict]]:
    tables = {}
    for name in ("organizations", "organization_support", "organization_classifications", "divisions"):
        with (data / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
            tables[name] = list(csv.DictReader(fh))
    return tables


# --- the identifier rule -----------------------------------------------------------------------


def test_organization_identifier_is_org_id_style_with_the_credit_code_or_the_project_prefix():
    assert organization_identifier("org-2hkzg7kr", "51310115MJ74678924") == "CN-USCI-51310115MJ74678924"
    assert organization_identifier("org-2hkzg7kr", None) == "SHEQU-org-2hkzg7kr"
    assert organization_identifier("org-2hkzg7kr", "") == "SHEQU-org-2hkzg7kr"


def test_a_deployment_sets_its_own_prefix_and_every_export_uses_it(mini, tmp_path):
    """SHEQU is the project's own, unregistered prefix: a deployment names its own in
    package.yaml, and the org_id column, HSDS and 360Giving all take it."""
    from shequ.project import Project
    from shequ.publish.package import prepare_tables
    from shequ.sources.load import load as load_sources

    package_yaml = mini.root / "datasets" / "package.yaml"
    package_yaml.write_text(package_yaml.read_text(encoding="utf-8") + "identifier_prefix: XX-TEST\n",
                            encoding="utf-8")
    sources = load_sources(Project.at(mini.root))
    tables = prepare_tables(sources)
    organizations = list(tablerows.records(tables["organizations"]))
    assert {o["org_id"] for o in organizations} == {organization_identifier(o["id"], o["uscc"], "XX-TEST")
                                                    for o in organizations}
    assert any(o["org_id"].startswith("XX-TEST-") for o in organizations)
    assert not any(o["org_id"].startswith("SHEQU-") for o in organizations)
    hsds.write(tmp_path, tables, local="XX-TEST")
    org_ids = {o["name"]: o["org_id"] for o in organizations}
    for item in hsds_organizations(tmp_path):
        ids = {i["identifier_type"]: i for i in item["organization_identifiers"]}
        assert ids["org-id identifier"]["identifier"] == org_ids.pop(item["name"])
    assert org_ids == {}
    for grant in threesixtygiving.grants(tables, "XX-TEST"):
        assert grant["id"].startswith("360G-XX-TEST-")
        assert grant["fundingOrganization"][0]["id"].startswith("360G-XX-TEST-funder-")


@pytest.mark.parametrize("value", ["shequ", "X", "SHEQU-", "A-B-C-D", "CN-USCI", "X\"><script>", 7])
def test_an_identifier_prefix_that_is_not_a_plain_code_is_refused(value):
    from shequ.checks.package import prefix_problem
    from shequ.errors import ShequError
    from shequ.publish.identifiers import USCC_SCHEME, local_scheme

    assert prefix_problem(value)
    with pytest.raises(ShequError, match="identifier_prefix"):
        local_scheme({"identifier_prefix": value})  # the second barrier, if the checks were skipped
    assert local_scheme({}) == "SHEQU" and local_scheme({"identifier_prefix": "CN-XYZ"}) == "CN-XYZ"
    assert prefix_problem(USCC_SCHEME)


def test_derived_uuids_are_rfc4122_version_5_uuids_of_the_project_namespace():
    import uuid

    from shequ.publish.identifiers import NAMESPACE

    for parts in (("organization", "org-2hkzg7kr"), ("taxonomy_term", "fields_of_activity", "elderly-care")):
        assert stable_uuid(*parts) == str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def test_derived_uuids_are_stable_and_distinct():
    assert stable_uuid("organization", "org-a") == stable_uuid("organization", "org-a")
    assert stable_uuid("organization", "org-a") != stable_uuid("organization", "org-b")
    assert stable_uuid("organization", "org-a") != stable_uuid("location", "org-a")


# --- HSDS 3.0 ----------------------------------------------------------------------------------


def _closed(schema):
    """The schema with additionalProperties false on every object, as HSDS's own example
    checks use it (compiletojsonschema --set-additional-properties-false-everywhere): a
    misspelt or invented field fails instead of passing unseen."""
    if isinstance(schema, dict):
        schema = {k: _closed(v) for k, v in schema.items()}
        if schema.get("type") == "object" and "properties" in schema:
            schema.setdefault("additionalProperties", False)
    elif isinstance(schema, list):
        schema = [_closed(v) for v in schema]
    return schema


@pytest.fixture(scope="module")
def hsds_registry() -> Registry:
    resources = []
    for path in sorted(HSDS.glob("*.json")):
        if path.name == "openapi.json":
            continue
        resource = Resource.from_contents(_closed(load(path)), default_specification=DRAFT202012)
        resources.append((path.name, resource))  # the canonical schemas refer to each other by file name
        resources.append((HSDS_REMOTE + path.name, resource))
    compiled = Resource.from_contents(load(HSDS / "compiled" / "organization_list.json"),
                                      default_specification=DRAFT202012)
    resources.append((HSDS_REMOTE + "compiled/organization_list.json", compiled))
    return Registry().with_resources(resources)


def _hsds_validator(registry: Registry, name: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": name}, registry=registry, format_checker=FormatChecker())


def _page_validator(registry: Registry) -> Draft202012Validator:
    """The schema of the HSDS API's GET /organizations response: a Page of organizations."""
    api = load(HSDS / "openapi.json")
    response = api["paths"]["/organizations"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    schema = copy.deepcopy(response)
    schema["allOf"] = [api["components"]["schemas"]["Page"]]
    return Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())


def _errors(validator, instance) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)][:10]


def hsds_pages(data: Path) -> list[tuple[str, dict]]:
    """Every HSDS page, as the index lists them: (province, page)."""
    index = load(data / hsds.INDEX)
    return [(entry["province"], load(data / hsds.FOLDER / path))
            for entry in index["provinces"] for path in entry["pages"]]


def hsds_organizations(data: Path) -> list[dict]:
    return [org for _, page in hsds_pages(data) for org in page["contents"]]


def test_hsds_pages_are_pages_of_the_hsds_api_organization_list_by_province(data, hsds_registry, demo_csv):
    validator = _page_validator(hsds_registry)
    index = load(data / hsds.INDEX)
    by_province = {}
    for org in demo_csv["organizations"]:
        by_province.setdefault(org["division"][:2], []).append(org)
    assert [e["province"] for e in index["provinces"]] == sorted(by_province)
    assert index["total_items"] == len(demo_csv["organizations"])
    pages = hsds_pages(data)
    for province, page in pages:
        assert _errors(validator, page) == [], province
        assert page["total_items"] == len(by_province[province])
        assert page["size"] == len(page["contents"]) and page["empty"] is False
        # Each organization sits in the pages of its own province.
        assert {o["locations"][0]["external_identifier"][:2] for o in page["contents"]} == {province}
    assert sorted(o["name"] for o in hsds_organizations(data)) == sorted(o["name"] for o in demo_csv["organizations"])
    # The index answers what the HSDS API's root answers.
    api = load(HSDS / "openapi.json")
    root = api["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert _errors(Draft202012Validator(root, format_checker=FormatChecker()), index) == []
    assert index["version"] == "3.0"


def test_a_province_with_more_organizations_than_a_page_has_numbered_pages_in_order(site, data, tmp_path,  # noqa: F811
                                                                                  hsds_registry):
    """The demo's provinces fit in one page each; with pages of 5, the same organizations
    come in order over numbered pages whose envelopes say which they are."""
    from shequ.project import Project
    from shequ.publish.package import prepare_tables
    from shequ.sources.load import load as load_sources

    tables = prepare_tables(load_sources(Project.at(site.root)))
    resources = hsds.write(tmp_path, tables, page_size=5)
    assert [r["name"] for r in resources] == ["hsds-index", "hsds-organizations"]
    written = hsds_pages(tmp_path)
    assert [o["id"] for _, page in written for o in page["contents"]] == \
        [o["id"] for o in hsds_organizations(data)]
    validator = _page_validator(hsds_registry)
    for entry in load(tmp_path / hsds.INDEX)["provinces"]:
        pages = [load(tmp_path / hsds.FOLDER / path) for path in entry["pages"]]
        assert entry["total_pages"] == len(pages) == -(-entry["total_items"] // 5)
        assert [p["page_number"] for p in pages] == list(range(1, len(pages) + 1))
        assert [(p["first_page"], p["last_page"]) for p in pages] == \
            [(i == 0, i == len(pages) - 1) for i in range(len(pages))]
        assert all(p["total_pages"] == len(pages) and p["size"] <= 5 and _errors(validator, p) == [] for p in pages)
    assert any(len(e["pages"]) > 1 for e in load(tmp_path / hsds.INDEX)["provinces"])
    listed = [path for r in resources if isinstance(r["path"], list) for path in r["path"]]
    assert sorted(listed) == sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("page-*.json"))


def test_hsds_pagination_covers_every_item_once():
    assert hsds.paginate(0, 5) == []
    assert hsds.paginate(10, 5) == [(0, 5), (5, 10)]
    assert hsds.paginate(11, 5) == [(0, 5), (5, 10), (10, 11)]


def test_every_hsds_organization_and_service_validates_against_the_hsds_schemas(data, hsds_registry):
    organization = _hsds_validator(hsds_registry, "organization.json")
    service = _hsds_validator(hsds_registry, "service.json")
    for item in hsds_organizations(data):
        # The compiled organization view nests the services; the canonical organization
        # schema does not list them, so each service is checked on its own.
        services = item.get("services", [])
        bare = {k: v for k, v in item.items() if k != "services"}
        assert _errors(organization, bare) == [], item["name"]
        for one in services:
            assert _errors(service, one) == [], (item["name"], one["name"])


def test_hsds_schemas_catch_what_the_export_must_not_do(data, hsds_registry):
    """The validation is not vacuous: a missing required field, an invented one and an id that
    is not a UUID each fail."""
    organization = _hsds_validator(hsds_registry, "organization.json")
    item = {k: v for k, v in hsds_organizations(data)[0].items() if k != "services"}
    assert _errors(organization, item) == []
    assert _errors(organization, {k: v for k, v in item.items() if k != "description"})
    assert _errors(organization, {**item, "province": "31"})
    assert _errors(organization, {**item, "id": "org-2hkzg7kr"})


def test_hsds_holds_services_by_field_locations_by_division_and_identifiers(data, demo_csv):
    page = {o["name"]: o for o in hsds_organizations(data)}
    divisions = {d["code"]: d for d in demo_csv["divisions"]}
    fields = {}
    for row in demo_csv["organization_classifications"]:
        fields.setdefault(row["organization_id"], {}).setdefault(row["vocabulary"], []).append(row["code"])
    for org in demo_csv["organizations"]:
        item = page[org["name"]]
        assert item["id"] == stable_uuid("organization", org["id"])
        codes = fields.get(org["id"], {})
        services = item["services"]
        assert [s["attributes"][0]["taxonomy_term"]["code"] for s in services] == codes.get("fields_of_activity", [])
        for one in services:
            audience = [a["taxonomy_term"]["code"] for a in one["attributes"] if a["link_type"] == "audience"]
            assert audience == codes.get("service_populations", [])
        [location] = item["locations"]
        assert location["external_identifier"] == org["division"]
        province = divisions[org["division"][:2]]["name"]
        assert location["addresses"][0]["state_province"] == province
        identifiers = {i["identifier_type"]: i for i in item["organization_identifiers"]}
        assert identifiers["org-id identifier"]["identifier"] == organization_identifier(org["id"], org["uscc"])
        if org["uscc"]:
            assert identifiers["Unified Social Credit Code (统一社会信用代码)"]["identifier"] == org["uscc"]
        if org["phone"]:
            assert item["contacts"][0]["phones"][0]["number"] == org["phone"]


# --- 360Giving ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def giving_validator() -> Draft202012Validator:
    grant = Resource.from_contents(load(GIVING / "360-giving-schema.json"), default_specification=DRAFT202012)
    # The package schema refers to the grant schema by a released URL: served from the copy here.
    registry = Registry().with_resources([(GIVING_REMOTE.format(v), grant) for v in ("1.4.2", "1.4.3")])
    return Draft202012Validator(load(GIVING / "360-giving-package-schema.json"), registry=registry,
                                format_checker=FormatChecker())


def test_360giving_package_validates_against_the_360giving_schema(data, giving_validator):
    package = load(data / threesixtygiving.FILE)
    assert _errors(giving_validator, package) == []
    broken = copy.deepcopy(package)
    del broken["grants"][0]["amountAwarded"]
    assert _errors(giving_validator, broken), "the schema must refuse a grant without an amount"


def test_360giving_grants_are_the_support_with_an_amount(data, demo_csv):
    grants = {g["id"]: g for g in load(data / threesixtygiving.FILE)["grants"]}
    organizations = {o["id"]: o for o in demo_csv["organizations"]}
    with_amount = [s for s in demo_csv["organization_support"] if s["amount_cny"]]
    assert with_amount and len(grants) == len(with_amount)
    for support in with_amount:
        grant = grants[f"360G-SHEQU-{support['organization_id']}-support-{support['position']}"]
        org = organizations[support["organization_id"]]
        assert grant["amountAwarded"] == float(support["amount_cny"]) and grant["currency"] == "CNY"
        assert grant["awardDate"] == f"{support['year']}-01-01"
        assert grant["recipientOrganization"][0]["id"] == organization_identifier(org["id"], org["uscc"])
        assert grant["fundingOrganization"][0] == {"id": threesixtygiving.funder_identifier(support["provider"]),
                                                   "name": support["provider"]}
        assert grant["fundingType"][0]["code"] == support["type"]


# --- Parquet -----------------------------------------------------------------------------------


def _duckdb():
    try:
        import duckdb
    except ImportError:
        pytest.fail('duckdb is not installed: pip install -e ".[test]"')
    return duckdb


def test_parquet_is_partitioned_by_province_hive_style(data, demo_csv):
    provinces = sorted({o["division"][:2] for o in demo_csv["organizations"]})
    folders = sorted(p.name for p in (data / "parquet" / "organizations").iterdir())
    assert folders == [f"province={p}" for p in provinces]
    assert (data / "parquet" / "vocabulary_terms" / parquet.PART).is_file()  # not partitioned


def test_duckdb_reads_the_parquet_in_place_with_the_types_of_the_schemas(data, demo_csv):
    duckdb = _duckdb()
    con = duckdb.connect()
    organizations = (data / "parquet" / "organizations").as_posix() + "/*/*.parquet"
    relation = con.sql(f"SELECT * FROM read_parquet('{organizations}', hive_partitioning = true, "
                       "hive_types = {'province': VARCHAR})")
    types = dict(zip(relation.columns, map(str, relation.types)))
    assert (types["division"], types["uscc"], types["founded"], types["province"]) == \
        ("VARCHAR", "VARCHAR", "DATE", "VARCHAR")
    rows = con.sql(f"SELECT id, division, province, CAST(founded AS VARCHAR) FROM read_parquet('{organizations}', "
                   "hive_partitioning = true, hive_types = {'province': VARCHAR}) ORDER BY id").fetchall()
    expected = sorted((o["id"], o["division"], o["division"][:2], o["founded"] or None)
                      for o in demo_csv["organizations"])
    assert rows == expected
    support = (data / "parquet" / "organization_support").as_posix() + "/*/*.parquet"
    total = con.sql(f"SELECT typeof(amount_cny), typeof(year), sum(amount_cny) FROM read_parquet('{support}') "
                    "GROUP BY ALL").fetchall()
    assert [(t, y) for t, y, _ in total] == [("DOUBLE", "BIGINT")]
    assert total[0][2] == pytest.approx(sum(float(s["amount_cny"]) for s in demo_csv["organization_support"]
                                            if s["amount_cny"]))


def test_pandas_reads_the_parquet_folder_with_codes_as_text_and_dates_as_dates(data, demo_csv):
    """As the Exchange formats guide shows it: only the province, which is in the folder
    names and not in the files, needs its type named."""
    import datetime as dt

    import pandas as pd
    import pyarrow as pa
    import pyarrow.dataset as ds

    frame = pd.read_parquet(data / "parquet" / "organizations",
                            partitioning=ds.partitioning(pa.schema([("province", pa.string())]), flavor="hive"))
    by_id = {row["id"]: row for row in frame.to_dict("records")}
    assert len(by_id) == len(demo_csv["organizations"])
    for org in demo_csv["organizations"]:
        row = by_id[org["id"]]
        assert (row["division"], row["province"]) == (org["division"], org["division"][:2])
        assert (row["uscc"] if isinstance(row["uscc"], str) else "") == org["uscc"]
        if org["founded"]:
            assert row["founded"] == dt.date.fromisoformat(org["founded"])


def test_parquet_resources_list_every_file_with_bytes_and_hash(data):
    descriptor = load(data / "datapackage.json")
    resources = [r for r in descriptor["resources"] if r["format"] == "parquet"]
    listed = sorted(p for r in resources for p in r["path"])
    on_disk = sorted(p.relative_to(data).as_posix() for p in (data / "parquet").rglob("*.parquet"))
    assert listed == on_disk
    for resource in resources:
        assert resource["bytes"] == sum((data / p).stat().st_size for p in resource["path"])
        assert resource["hash"].startswith("sha256:")


def test_without_pyarrow_the_package_has_no_parquet_and_the_build_says_how_to_get_it(tmp_path, monkeypatch,
                                                                                    caplog):
    monkeypatch.setattr(parquet, "_arrow", lambda: None)
    with caplog.at_level(logging.WARNING, logger="shequ.publish"):
        assert parquet.write(tmp_path, {}) == []
    assert 'pip install "shequ[parquet]"' in caplog.text
    assert not (tmp_path / "parquet").exists()


def test_exports_are_listed_in_datapackage_json(data):
    names = {r["name"]: r for r in load(data / "datapackage.json")["resources"]}
    assert names["hsds-index"]["path"] == hsds.INDEX
    index = load(data / hsds.INDEX)
    assert names["hsds-organizations"]["path"] == [f"{hsds.FOLDER}/{page}" for entry in index["provinces"]
                                                   for page in entry["pages"]]
    assert names["360giving-grants"]["path"] == threesixtygiving.FILE
    assert "organizations-parquet" in names


def test_export_descriptions_are_messages_so_the_data_page_has_them_in_every_language():
    from shequ.render.downloads import FILE_DESCRIPTIONS

    assert hsds.DESCRIPTION in FILE_DESCRIPTIONS and hsds.INDEX_DESCRIPTION in FILE_DESCRIPTIONS
    assert parquet.PARTITIONED_DESCRIPTION in FILE_DESCRIPTIONS
    assert threesixtygiving.DESCRIPTION in FILE_DESCRIPTIONS
