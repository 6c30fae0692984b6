"""The synthetic record generator, and the demonstration data it wrote."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml
from stdnum.cn import ric
from stdnum.cn import uscc as stdnum_uscc

from shequ.checks.text import strings
from shequ.sources.divisions import nbs_code
from shequ.project import Project
from shequ.bench.synthetic import (
    DEFAULT_TODAY,
    DEMO_TOWNSHIPS,
    Township,
    generate,
    make_uscc,
    org_code_check,
    townships_from_lists,
    townships_from_table,
    write_demo,
)

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference" / "divisions"
ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,63}$")
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9][0-9](?:[ -]?[0-9]){8}(?![0-9A-Za-z])")
LANDLINE = re.compile(r"^0[1-9][0-9]{1,2}-[5-8][0-9]{3} [0-9]{4}$")
EIGHTEEN = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")

# Real places, named as in the official lists, so that no test needs the lists.
TOWNSHIPS = [
    Township("110105003", "呼家楼街道", "朝阳区", "市辖区", "北京市", "110105", "北京市朝阳区民政局"),
    Township("110117213", "黄松峪乡", "平谷区", "市辖区", "北京市", "110117", "北京市平谷区民政局"),
    Township("440305005", "蛇口街道", "南山区", "深圳市", "广东省", "440305", "深圳市南山区民政局"),
    Township("510131104", "西来镇", "蒲江县", "成都市", "四川省", "510131", "成都市蒲江县民政局"),
    Township("130171010", "长江街道", "石家庄高新技术产业开发区", "石家庄市", "河北省", "130100", "石家庄市民政局"),
]


def new_project(root: Path) -> Path:
    """A copy of the project's datasets folder without records and without a divisions table."""
    shutil.copytree(REPO / "datasets", root / "datasets",
                    ignore=lambda folder, names: [n for n in names if Path(folder) == REPO / "datasets"
                                                  and n in ("organizations", "incubators", "reference")])
    return root


def load(folder: Path) -> list[dict]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.yaml"))]


def vocabulary(root: Path, name: str) -> list[dict]:
    return yaml.safe_load((root / "datasets" / "vocabularies" / f"{name}.yaml").read_text(encoding="utf-8"))["terms"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    root = new_project(tmp_path_factory.mktemp("sample") / "project")
    generate(root, 400, 12, TOWNSHIPS, seed=7)
    return root


@pytest.fixture(scope="module")
def orgs(sample) -> list[dict]:
    return load(sample / "datasets" / "organizations")


@pytest.fixture(scope="module")
def incubators(sample) -> list[dict]:
    return load(sample / "datasets" / "incubators")


# --- determinism ----------------------------------------------------------------------------


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / "datasets").glob("[io]*/*.yaml"))}


def test_the_same_seed_gives_byte_identical_files(tmp_path):
    a, b = new_project(tmp_path / "a"), new_project(tmp_path / "b")
    generate(a, 150, 6, TOWNSHIPS, seed=11)
    generate(b, 150, 6, TOWNSHIPS, seed=11)
    assert len(files(a)) == 156 and files(a) == files(b)


def test_another_seed_gives_other_records(tmp_path):
    a, b = new_project(tmp_path / "a"), new_project(tmp_path / "b")
    generate(a, 20, 2, TOWNSHIPS, seed=11)
    generate(b, 20, 2, TOWNSHIPS, seed=12)
    assert set(files(a)).isdisjoint(files(b))


def test_clean_removes_older_record_files(tmp_path):
    root = new_project(tmp_path / "p")
    generate(root, 5, 1, TOWNSHIPS, seed=1)
    generate(root, 3, 1, TOWNSHIPS, seed=2, clean=True)
    assert len(list((root / "datasets" / "organizations").glob("*.yaml"))) == 3


# --- identifiers ----------------------------------------------------------------------------


def test_ids_follow_the_pattern_match_file_names_and_are_not_names(sample, orgs, incubators):
    for dataset, records in (("organizations", orgs), ("incubators", incubators)):
        for rec in records:
            assert ID.match(rec["id"]) and (sample / "datasets" / dataset / f"{rec['id']}.yaml").is_file()
            assert rec["id"].startswith(("org-", "inc-")) and rec["id"].isascii()
    assert len({r["name"] for r in orgs}) == len(orgs), "names repeat"


def test_org_code_check_character():
    assert org_code_check("12345678") == "8"  # 201 mod 11 = 3, 11 - 3 = 8
    assert org_code_check("MJ000000") == "X"  # M=22, J=19: 66 + 133 = 199; 199 mod 11 = 1; 11 - 1 = 10 -> X


def test_make_uscc_is_valid_and_a_changed_character_is_not():
    code = make_uscc("1", "110105", 123)
    assert stdnum_uscc.is_valid(code) and code[:10] == "5111010" "5MJ" and code[10:16] == "000123"
    tampered = code[:12] + ("1" if code[12] != "1" else "2") + code[13:]
    assert not stdnum_uscc.is_valid(tampered)


def test_registered_organizations_have_a_valid_uscc_of_their_legal_form(sample, orgs):
    type_of = {t["code"]: str(t["uscc_type"]) for t in vocabulary(sample, "legal_forms") if "uscc_type" in t}
    registered = [o for o in orgs if o["management_track"] == "registered"]
    assert len(registered) > 50
    for org in registered:
        code = org["uscc"]
        assert stdnum_uscc.is_valid(code), code
        assert code[0] == "5" and code[1] == type_of[org["legal_form"]]
        assert org["division"].startswith(nbs_code(code[2:8]))
        assert code[8:10] == "MJ" and code[10:16].isdigit() and code[16] == org_code_check(code[8:16])
        assert org["registration_authority"].endswith("民政局")
    assert len({o["uscc"] for o in registered}) == len(registered)
    # A development zone is not a GB/T 2260 county: its organizations register with the city.
    assert any(o["uscc"][2:8] == "130100" for o in registered if o["division"].startswith("130171"))


def test_filed_and_community_guided_organizations_have_no_uscc(orgs):
    others = [o for o in orgs if o["management_track"] != "registered"]
    assert {o["management_track"] for o in others} == {"filed", "community-guided"}
    for org in others:
        assert "uscc" not in org and org["legal_form"] == "unregistered"
        assert len(org["division"]) == 9
    for org in others:
        if org["management_track"] == "filed":
            assert org["registration_authority"].endswith(("办事处", "人民政府"))


# --- privacy and text -----------------------------------------------------------------------


def test_no_mobile_numbers_and_nothing_like_an_identity_number(orgs, incubators):
    phones = 0
    for rec in orgs + incubators:
        for path, value in strings(rec):
            assert not MOBILE.search(value), (rec["id"], path, value)
            assert not any(ric.is_valid(m) for m in EIGHTEEN.findall(value)), (rec["id"], path)
        if "phone" in rec:
            phones += 1
            assert LANDLINE.match(rec["phone"]), rec["phone"]
    assert phones > 20


def test_the_checks_catch_a_mobile_number_the_generator_never_writes():
    assert MOBILE.search("联系电话 13812345678") and not MOBILE.search("010-6555 0123")


def test_contacts_are_only_on_example_domains(orgs, incubators):
    for rec in orgs + incubators:
        if "website" in rec:
            assert re.match(r"^https://example\.(org|com)/", rec["website"])
        if "email" in rec:
            assert re.match(r"^[a-z0-9-]+@example\.(org|com)$", rec["email"])
        for source in rec["sources"]:
            assert source["url"].startswith("https://example.org/")


def test_no_text_starts_like_a_formula(orgs, incubators):
    for rec in orgs + incubators:
        for path, value in strings(rec):
            assert value and not value.startswith(("=", "+", "-", "@")), (rec["id"], path)
            assert value == value.strip()


def test_every_record_says_it_is_fictional(orgs, incubators):
    for rec in orgs + incubators:
        assert rec["sources"] and all("FICTIONAL" in s["title"] and "虚构" in s["title"] for s in rec["sources"])
        assert "FICTIONAL" in rec["description_en"] and "虚构" in rec["description_zh"]
        assert isinstance(rec["last_verified"], dt.date)


# --- values ---------------------------------------------------------------------------------


def test_divisions_are_quoted_text_and_codes_are_known_terms(sample, orgs, incubators):
    terms = {name: {t["code"] for t in vocabulary(sample, name)} for name in (
        "fields_of_activity", "service_populations", "service_functions", "support_types", "legal_forms",
        "management_tracks", "statuses", "incubator_kinds")}
    places = {t.code for t in TOWNSHIPS} | {t.county for t in TOWNSHIPS}
    for org in orgs:
        assert isinstance(org["division"], str) and org["division"] in places
        assert org["fields_of_activity"] and set(org["fields_of_activity"]) <= terms["fields_of_activity"]
        assert set(org.get("service_populations", ())) <= terms["service_populations"]
        assert set(org.get("service_functions", ())) <= terms["service_functions"]
        assert {s["type"] for s in org.get("support_received", ())} <= terms["support_types"]
        assert org["legal_form"] in terms["legal_forms"] and org["status"] in terms["statuses"]
        for s in org.get("support_received", ()):
            assert 0 < s.get("amount_cny", 1) <= 1_000_000 and isinstance(s["year"], int)
    for inc in incubators:
        assert inc["kind"] in terms["incubator_kinds"] and set(inc["support_types"]) <= terms["support_types"]
        assert isinstance(inc["division"], str) and inc["division"] in places


def test_dates_come_in_order_and_never_after_the_reference_day(orgs, incubators):
    opened = {i["id"]: i["opened"] for i in incubators}
    for org in orgs:
        dates = [org.get(k) for k in ("founded", "registration_date", "dissolved", "incubated_from",
                                      "incubated_until", "last_verified")]
        assert all(d is None or (isinstance(d, dt.date) and d <= DEFAULT_TODAY) for d in dates)
        if "registration_date" in org:
            assert org["founded"] <= org["registration_date"]
        assert (org["status"] == "dissolved") == ("dissolved" in org)
        if "dissolved" in org:
            assert org["dissolved"] > org["founded"]
            assert org["dissolved"] >= org.get("incubated_until", org["founded"])
        if "incubated_by" in org:
            assert org["incubated_by"] in opened
            assert org["incubated_from"] >= max(opened[org["incubated_by"]], org["founded"])
            assert org.get("incubated_until", DEFAULT_TODAY) > org["incubated_from"]
        assert org["last_verified"] >= max(d for d in dates[:-1] if d)
        assert all(s["accessed"] <= org["last_verified"] for s in org["sources"])
    assert sum("incubated_by" in o for o in orgs) > 20


def test_the_first_records_cover_every_vocabulary_term(sample, orgs, incubators):
    used = {
        "fields_of_activity": {c for o in orgs for c in o["fields_of_activity"]},
        "service_populations": {c for o in orgs for c in o.get("service_populations", ())},
        "service_functions": {c for o in orgs for c in o.get("service_functions", ())},
        "support_types": {s["type"] for o in orgs for s in o.get("support_received", ())},
        "legal_forms": {o["legal_form"] for o in orgs},
        "management_tracks": {o["management_track"] for o in orgs},
        "statuses": {o["status"] for o in orgs},
        "incubator_kinds": {i["kind"] for i in incubators},
    }
    for name, codes in used.items():
        assert {t["code"] for t in vocabulary(sample, name)} == codes, name


# --- places ---------------------------------------------------------------------------------


def test_code_name_pairs_are_resolved_against_the_project_table(tmp_path):
    root = new_project(tmp_path / "p")
    table = root / "datasets" / "reference" / "divisions.csv"
    table.parent.mkdir(parents=True)
    table.write_text("code,name,level,parent\n11,北京市,province,\n1101,市辖区,prefecture,11\n"
                     "110105,朝阳区,county,1101\n110105003,呼家楼街道,township,110105\n", encoding="utf-8")
    assert [t.registry_name for t in townships_from_table(root)] == ["北京市朝阳区民政局"]
    generate(root, 10, 1, [("110105003", "呼家楼街道")], seed=3)
    assert {o["division"][:6] for o in load(root / "datasets" / "organizations")} == {"110105"}
    with pytest.raises(ValueError, match="not in the project's divisions table"):
        generate(root, 1, 0, [("440305005", "蛇口街道")])


def reference() -> Path:
    if not (REFERENCE / "nbs-2023-streets.csv").is_file():
        pytest.skip(f"the official division lists are not at {REFERENCE}")
    return REFERENCE


def test_townships_from_the_national_lists():
    towns = townships_from_lists([reference()], codes=["110105003", "441900101", "130171010"])
    assert [t.name for t in towns] == ["呼家楼街道", "石碣镇", "长江街道"]
    assert [t.registry for t in towns] == ["110105", "441900", "130100"]
    assert [t.registry_name for t in towns] == ["北京市朝阳区民政局", "东莞市民政局", "石家庄市民政局"]
    assert len(townships_from_lists([reference()], prefixes=["4403"])) > 50


def test_generated_records_pass_validation(tmp_path, monkeypatch):
    from shequ.build import pipeline
    from shequ.sources.divisions import import_divisions

    root = new_project(tmp_path / "p")
    generate(root, 300, 10, townships_from_lists([reference()], prefixes=["4419", "1301", "11"]), seed=5)
    result = import_divisions(Project.at(root), [reference()], [])
    assert result.ok
    _, report = pipeline.validate(Project.at(root), DEFAULT_TODAY)
    assert [p.text() for p in report.problems] == []


# --- the shipped demonstration data ---------------------------------------------------------


def test_the_shipped_demo_data_covers_what_the_site_shows():
    orgs = load(REPO / "datasets" / "organizations")
    incubators = load(REPO / "datasets" / "incubators")
    assert len(orgs) >= 60 and len(incubators) >= 8
    divisions = [r["division"] for r in orgs + incubators]
    assert len({d[:2] for d in divisions}) >= 3 and len({d[:6] for d in divisions}) >= 6
    assert len({d for d in divisions if len(d) == 9}) >= 12
    assert all(d[:9] in DEMO_TOWNSHIPS or len(d) == 6 for d in divisions)
    assert {o["management_track"] for o in orgs} == {"registered", "filed", "community-guided"}
    assert {o["status"] for o in orgs} == {"active", "suspended", "dissolved"}
    assert sum("incubated_by" in o for o in orgs) >= 5
    used = {c for o in orgs for k in ("fields_of_activity", "service_populations", "service_functions")
            for c in o.get(k, ())}
    used |= {s["type"] for o in orgs for s in o.get("support_received", ())}
    used |= {o["legal_form"] for o in orgs} | {o["management_track"] for o in orgs} | {o["status"] for o in orgs}
    used |= {i["kind"] for i in incubators} | {c for i in incubators for c in i["support_types"]}
    for path in sorted((REPO / "datasets" / "vocabularies").glob("*.yaml")):
        for term in yaml.safe_load(path.read_text(encoding="utf-8"))["terms"]:
            assert term["code"] in used, f"{path.stem}: {term['code']} is never used"


def test_the_shipped_demo_data_is_what_the_generator_writes(tmp_path):
    root = new_project(tmp_path / "p")
    write_demo(root, [reference()])
    assert files(root) == files(REPO)
    table = "datasets/reference/divisions.csv"
    assert (root / table).read_bytes() == (REPO / table).read_bytes()


def test_the_shipped_demo_data_passes_validation(monkeypatch):
    from shequ.build import pipeline

    _, report = pipeline.validate(Project.at(REPO), DEFAULT_TODAY)
    assert [p.text() for p in report.problems] == []


# --- scale ----------------------------------------------------------------------------------


@pytest.mark.scale
def test_a_hundred_thousand_organizations_are_generated_and_pass_every_rule(tmp_path):
    # Speed is measured by `shequ bench`, not asserted here: a busy machine would make it flaky.
    root = new_project(tmp_path / "p")
    towns = townships_from_lists([REFERENCE]) if (REFERENCE / "nbs-2023-streets.csv").is_file() else TOWNSHIPS
    generate(root, 100_000, 1_000, towns, seed=1)
    assert len(list((root / "datasets" / "organizations").glob("*.yaml"))) == 100_000
