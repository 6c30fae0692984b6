"""Tests for shequ.sources.policy: the shipped policy files, and every rule failing and passing."""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from shequ.sources.policy import Document, GlossaryTerm, Policy, Provision, load_policy, vocabulary_codes
from shequ.project import Project
from shequ.sources.yamlfiles import LineFinder

ROOT = Path(__file__).resolve().parents[1]

REQUIRED_PROVISIONS = [
    "opinions-2016/3.1",
    "opinions-2016/3.2",
    "opinions-2016/3.3",
    "mca-2017/targets",
    "mca-2017/focus",
    "mca-2017/tiered",
    "mca-2017/support",
    "action-plan-2021/plans",
    "social-groups-regulations/definition",
    "social-groups-regulations/supervision",
    "social-groups-regulations/deregistration",
    "private-non-enterprise-regulations/definition",
    "foundations-regulations/definition",
    "gb-32100-2015/structure",
]
REQUIRED_DOCUMENTS = [
    "opinions-2016", "mca-2017", "action-plan-2021", "social-groups-regulations",
    "private-non-enterprise-regulations", "foundations-regulations", "charity-law",
    "direct-registration-2013", "gb-32100-2015",
    # added for issue 15: the later national documents, the draft, and two provinces' filing rules
    "urban-rural-community-governance-2017", "grassroots-governance-2021", "social-organization-plan-2021",
    "charity-disclosure-measures", "registration-regulations-draft-2018", "henan-filing-2021", "sichuan-filing-2023",
]
GLOSSARY_ZH = [
    "社区社会组织", "社会组织", "社会团体", "社会服务机构", "民办非企业单位", "基金会", "登记", "备案",
    "直接登记", "业务主管单位", "登记管理机关", "民政部门", "街道办事处", "乡镇人民政府", "社区", "村",
    "居民委员会", "孵化基地", "孵化中心", "孵化培育资金", "综合服务平台", "政府购买服务", "公益创投",
    "福利彩票公益金", "统一社会信用代码", "行政区划代码", "三社联动", "社区治理", "志愿服务", "社区矫正",
    "慈善组织", "枢纽型社会组织", "社区社会组织联合会", "降低准入门槛", "分类管理", "安家工程",
]


# -- the shipped files ----------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> tuple[Policy, list]:
    return load_policy(Project.at(ROOT))


def test_shipped_policy_loads_without_problems(shipped):
    policy, problems = shipped
    assert [p.text() for p in problems] == []
    assert sorted(policy.documents) == sorted(REQUIRED_DOCUMENTS)


@pytest.mark.parametrize("full_id", REQUIRED_PROVISIONS)
def test_required_provisions_exist(shipped, full_id):
    policy, _ = shipped
    provision = policy.provision(full_id)
    assert isinstance(provision, Provision)
    assert provision.full_id == full_id
    assert set(provision.audiences) == {"organizers", "officials", "researchers"}
    assert all(a.en and a.zh for a in provision.audiences.values())


def test_charity_law_and_direct_registration_have_a_provision(shipped):
    policy, _ = shipped
    assert policy.documents["charity-law"].provisions
    assert policy.documents["direct-registration-2013"].provisions


def _vocabulary_terms():
    for path in sorted((ROOT / "datasets" / "vocabularies").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for term in data.get("terms", []):
            yield path.stem, term


def test_every_vocabulary_provision_resolves(shipped):
    policy, _ = shipped
    terms = list(_vocabulary_terms())
    assert terms, "no vocabulary terms found"
    missing = [(vocab, term.get("code"), term.get("provision")) for vocab, term in terms
               if policy.provision(str(term.get("provision"))) is None]
    assert missing == []


def test_every_vocabulary_term_is_a_measure_of_the_provision_it_cites(shipped):
    """The two directions agree: a term citing a provision is listed in that provision's measures.

    When a vocabulary gains a term, add it to the measures of the provision it cites.
    """
    policy, _ = shipped
    missing = []
    for vocab, term in _vocabulary_terms():
        provision = policy.provision(str(term.get("provision")))
        if provision is not None and f"{vocab}/{term['code']}" not in provision.measures:
            missing.append((provision.full_id, f"{vocab}/{term['code']}"))
    assert missing == []


def _dates(doc) -> dict[str, str]:
    return {d.kind: d.date.text for d in doc.dates}


def test_shipped_dates_and_numbers(shipped):
    """The facts issue 15 found wrong or missing, as the sources checked for it give them."""
    policy, _ = shipped
    docs = policy.documents
    plan = docs["action-plan-2021"]
    assert (plan.issuer_zh, plan.number) == ("民政部办公厅", "民办发〔2020〕36号")
    assert _dates(plan) == {"issued": "2020-12-07", "reported": "2020-12-08"}
    law = docs["charity-law"]
    assert law.number == "中华人民共和国主席令第四十三号" and law.status == "amended"
    assert _dates(law) == {"adopted": "2016-03-16", "in-force": "2016-09-01"}
    assert [(h.kind, h.date.text) for h in law.history] == [("amended", "2023-12-29"), ("in-force", "2024-09-05")]
    assert _dates(docs["foundations-regulations"]) == {"signed": "2004-03-08", "in-force": "2004-06-01"}
    gb = docs["gb-32100-2015"]
    assert gb.title_zh == "法人和其他组织统一社会信用代码编码规则"
    assert _dates(gb) == {"issued": "2015-09-17", "in-force": "2015-10-01"}
    # Civil affairs carried the code out from 2016 (plan of 2015-12-30, deadline notice of 2017-03-23).
    assert [(h.kind, h.date.text, h.number) for h in gb.history if h.kind == "implemented"] == [
        ("implemented", "2015-12-30", "民办函〔2015〕468号"), ("implemented", "2016-01-01", None),
        ("implemented", "2017-03-23", None)]
    assert _dates(docs["direct-registration-2013"]) == {"approved": "2013-03-14"}
    assert docs["registration-regulations-draft-2018"].status == "draft"
    assert docs["mca-2017"].number == "民发〔2017〕191号"
    assert docs["social-organization-plan-2021"].number == "民发〔2021〕78号"
    assert _dates(docs["social-organization-plan-2021"]) == {"signed": "2021-09-30"}
    assert docs["henan-filing-2021"].number == "豫民文〔2021〕235号"
    assert docs["charity-disclosure-measures"].number == "民政部令第81号"


def test_every_shipped_document_can_be_checked(shipped):
    """Issuer, status, at least one typed date and one source; every date and history entry
    cites a source of its document; a document with only copies says so."""
    policy, _ = shipped
    for doc in policy.documents.values():
        assert doc.issuer_zh and doc.issuer_en and doc.status and doc.dates and doc.sources, doc.id
        for entry in [*doc.dates, *doc.history]:
            assert doc.source(entry.source) is not None, (doc.id, entry)
        assert doc.official_sources or (doc.unconfirmed_en and doc.unconfirmed_zh), doc.id
        for source in doc.sources:
            assert source.url.startswith(("http://", "https://"))


def test_glossary_definition_counts_units_based_in_the_community(shipped):
    policy, _ = shipped
    term = policy.term("community-based-social-organization")
    assert "驻区单位" in term.definition_zh and "驻区单位" in term.definition_en


def test_uscc_structure_example_is_valid(shipped):
    from stdnum.cn import uscc as stdnum_uscc  # a dependency of the package: missing must fail
    policy, _ = shipped
    text = policy.provision("gb-32100-2015/structure").summary_en
    assert "CN-USCI-51100000500002862F" in text
    assert stdnum_uscc.is_valid("51100000500002862F")


def test_shipped_glossary(shipped):
    policy, _ = shipped
    assert len(policy.glossary) >= 35
    assert all(isinstance(t, GlossaryTerm) for t in policy.glossary)
    zh = {t.zh for t in policy.glossary}
    assert [w for w in GLOSSARY_ZH if w not in zh] == []
    assert policy.term("filing").zh == "备案"
    assert "mca-2017/tiered" in policy.term("filing").see


def test_policy_lookups(shipped):
    policy, _ = shipped
    assert policy.provision("opinions-2016/9.9") is None
    assert policy.provision("no-such-doc/3.1") is None
    assert policy.provision("") is None
    assert policy.suggest("opinion-2016/3.1") == "did you mean 'opinions-2016/3.1'?"
    assert "opinions-2016/3.2" in policy.provisions
    assert any(t.id == "incubation-base" for t in policy.citing("opinions-2016/3.2"))
    assert isinstance(policy.documents["opinions-2016"], Document)
    assert policy.provision("opinions-2016/3.2").measure_terms[0] == ("support_types", "operation-support")


def test_shipped_quotation_discipline(shipped):
    """House rule: at most one short quotation per provision (counting English double quotes)."""
    policy, _ = shipped
    for p in policy.provisions.values():
        texts = [p.summary_en] + [a.en for a in p.audiences.values()]
        quotes = [t.count('"') for t in texts]
        assert all(q % 2 == 0 for q in quotes), p.full_id


# -- a copy of the project to break ---------------------------------------------------


@pytest.fixture
def project(tmp_path) -> Project:
    datasets = tmp_path / "datasets"
    datasets.mkdir()
    shutil.copy(ROOT / "datasets" / "package.yaml", datasets / "package.yaml")
    shutil.copytree(ROOT / "datasets" / "policy", datasets / "policy")
    shutil.copytree(ROOT / "datasets" / "vocabularies", datasets / "vocabularies")
    return Project.at(tmp_path)


def _doc_path(project: Project, doc_id: str) -> Path:
    return project.policy / "documents" / f"{doc_id}.yaml"


def _read(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _write(path: Path, data) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def edit_doc(project: Project, doc_id: str, change) -> None:
    path = _doc_path(project, doc_id)
    data = _read(path)
    change(data)
    _write(path, data)


def edit_glossary(project: Project, change) -> None:
    path = project.policy / "glossary.yaml"
    data = _read(path)
    change(data)
    _write(path, data)


def problems_of(project: Project, vocabularies=None) -> list:
    _, problems = load_policy(project, vocabularies)
    LineFinder(project.root).fill(problems)
    return problems


def rules(problems) -> list[tuple[str, str]]:
    return [(p.rule, p.field) for p in problems]


def _prov(data, i=0):
    return data["provisions"][i]


def _set(mapping, key, value):
    mapping[key] = value


def _history(**changes) -> dict:
    """A valid history entry for opinions-2016, with changes."""
    return {"kind": "amended", "date": "2020-01", "summary_en": "Changed.", "summary_zh": "修改。",
            "source": "journal-article", **changes}


def _copy(mapping, **changes):
    """A deep copy (so that the YAML dumper writes no anchors), with changes."""
    return {**copy.deepcopy(mapping), **changes}


# Each case: (name, how to break a document, expected rule, expected field).
FAILING_DOCUMENT_CASES = [
    ("required: missing title", lambda d: d.pop("title_en"), "policy.required", ""),
    ("required: empty title", lambda d: _set(d, "title_en", "  "), "policy.required", "title_en"),
    ("required: provision summary", lambda d: _prov(d).pop("summary_zh"), "policy.required", "provisions[0]"),
    ("required: measures key", lambda d: _prov(d).pop("measures"), "policy.required", "provisions[0]"),
    ("required: audience", lambda d: _prov(d)["audiences"].pop("researchers"), "policy.required",
     "provisions[0].audiences"),
    ("required: audience text", lambda d: _prov(d)["audiences"]["officials"].pop("zh"), "policy.required",
     "provisions[0].audiences.officials"),
    ("required: issuer pair", lambda d: d.pop("issuer_zh"), "policy.required", "issuer_en"),
    ("required: status", lambda d: d.pop("status"), "policy.required", ""),
    ("required: dates", lambda d: d.pop("dates"), "policy.required", ""),
    ("required: sources", lambda d: d.pop("sources"), "policy.required", ""),
    ("required: date kind", lambda d: d["dates"][0].pop("kind"), "policy.required", "dates[0]"),
    ("required: unconfirmed pair", lambda d: d.pop("unconfirmed_zh"), "policy.required", "unconfirmed_en"),
    ("unknown-key: document", lambda d: _set(d, "titel_en", "x"), "policy.unknown-key", "titel_en"),
    ("unknown-key: provision", lambda d: _set(_prov(d), "measure", []), "policy.unknown-key",
     "provisions[0].measure"),
    ("unknown-key: audience", lambda d: _set(_prov(d)["audiences"], "donors", {"en": "x", "zh": "捐赠者"}),
     "policy.unknown-key", "provisions[0].audiences.donors"),
    ("type: provision id is a number", lambda d: _set(_prov(d), "id", 3.1), "policy.type", "provisions[0].id"),
    ("type: provisions not a list", lambda d: _set(d, "provisions", {"a": 1}), "policy.type", "provisions"),
    ("type: provision not a mapping", lambda d: d["provisions"].append("3.4"), "policy.type", "provisions[3]"),
    ("type: title is a number", lambda d: _set(d, "title_en", 2016), "policy.type", "title_en"),
    ("type: audiences a list", lambda d: _set(_prov(d), "audiences", ["en"]), "policy.type",
     "provisions[0].audiences"),
    ("id: differs from file name", lambda d: _set(d, "id", "opinions-2017"), "policy.id", "id"),
    ("id: not a slug", lambda d: _set(d, "id", "Opinions_2016"), "policy.id", "id"),
    ("id: provision not a slug", lambda d: _set(_prov(d), "id", "3 1"), "policy.id", "provisions[0].id"),
    ("duplicate-id: provisions", lambda d: _set(_prov(d, 1), "id", "3.1"), "policy.duplicate-id",
     "provisions[1].id"),
    ("measure: unknown code", lambda d: _prov(d, 1)["measures"].__setitem__(4, "support_types/goverment-procurement"),
     "policy.measure", "provisions[1].measures[4]"),
    ("measure: unknown vocabulary", lambda d: _prov(d)["measures"].append("support_type/incubation"),
     "policy.measure", "provisions[0].measures[11]"),
    ("measure: not a reference", lambda d: _prov(d)["measures"].append("incubation"), "policy.measure",
     "provisions[0].measures[11]"),
    ("measure: twice", lambda d: _prov(d)["measures"].append("management_tracks/filed"), "policy.measure",
     "provisions[0].measures[11]"),
    ("reference: related", lambda d: _prov(d)["related"].append("mca-2017/tierd"), "policy.reference",
     "provisions[0].related[2]"),
    ("date: not a date", lambda d: _set(d["dates"][0], "date", "2016-02-30"), "policy.date", "dates[0].date"),
    ("date: no such month", lambda d: _set(d["dates"][0], "date", "2016-13"), "policy.date", "dates[0].date"),
    ("date: datetime", lambda d: _set(d["dates"][0], "date", dt.datetime(2016, 8, 21, 9, 0)), "policy.date",
     "dates[0].date"),
    ("date: kind", lambda d: _set(d["dates"][0], "kind", "effective"), "policy.date", "dates[0].kind"),
    ("date: history kind", lambda d: _set(d, "history", [_history(kind="changed")]), "policy.date",
     "history[0].kind"),
    ("status: unknown", lambda d: _set(d, "status", "valid"), "policy.status", "status"),
    ("source: unknown id", lambda d: _set(d["dates"][0], "source", "journal"), "policy.source", "dates[0].source"),
    ("source: history cites none", lambda d: _set(d, "history", [_history(source="nowhere")]), "policy.source",
     "history[0].source"),
    ("source: id twice", lambda d: _set(d["sources"][1], "id", "journal-article"), "policy.source", "sources[1].id"),
    ("source: kind", lambda d: _set(d["sources"][0], "kind", "blog"), "policy.source", "sources[0].kind"),
    ("source: only copies, not said", lambda d: (d.pop("unconfirmed_en"), d.pop("unconfirmed_zh")),
     "policy.official-source", "sources"),
    ("url: javascript", lambda d: _set(d["sources"][0], "url", "javascript:alert(1)"), "policy.url", "sources[0].url"),
    ("url: relative", lambda d: _set(d["sources"][0], "url", "/policy/x"), "policy.url", "sources[0].url"),
    ("text: zh field in English", lambda d: _set(d, "title_zh", "Opinions"), "policy.text", "title_zh"),
    ("text: invisible", lambda d: _set(_prov(d), "title_en", "Lowering\u202ethresholds"), "policy.text",
     "provisions[0].title_en"),
    ("text: control", lambda d: _set(d, "summary_en", "bell \x07 here"), "policy.text", "summary_en"),
]


@pytest.mark.parametrize("name,change,rule,field", FAILING_DOCUMENT_CASES, ids=[c[0] for c in FAILING_DOCUMENT_CASES])
def test_rule_fails(project, name, change, rule, field):
    edit_doc(project, "opinions-2016", change)
    problems = problems_of(project)
    assert (rule, field) in rules(problems), [p.text() for p in problems]
    found = next(p for p in problems if (p.rule, p.field) == (rule, field))
    assert found.file == "datasets/policy/documents/opinions-2016.yaml"
    assert found.line is not None and found.line >= 1


# Each case: (name, a change that stays valid, the rule it exercises).
PASSING_DOCUMENT_CASES = [
    ("required: measures may be empty", lambda d: _set(_prov(d), "measures", []), "policy.required"),
    ("required: document number is optional", lambda d: d.pop("number"), "policy.required"),
    ("required: number is optional", lambda d: _prov(d).pop("number"), "policy.required"),
    ("unknown-key: optional keys are known", lambda d: _set(d, "history", [_history()]), "policy.unknown-key"),
    ("type: quoted provision id", lambda d: _set(_prov(d), "id", "3.1"), "policy.type"),
    ("id: slug with dots and hyphens", lambda d: d["provisions"].append(_copy(_prov(d), id="3.1-a")), "policy.id"),
    ("duplicate-id: distinct ids", lambda d: d["provisions"].append(_copy(_prov(d), id="3.4")),
     "policy.duplicate-id"),
    ("measure: known term", lambda d: _prov(d)["measures"].append("statuses/active"), "policy.measure"),
    ("reference: known provision", lambda d: _prov(d)["related"].append("gb-32100-2015/structure"),
     "policy.reference"),
    ("date: quoted ISO date", lambda d: _set(d["dates"][0], "date", "2016-08-21"), "policy.date"),
    ("date: only the year", lambda d: _set(d["dates"][0], "date", "2016"), "policy.date"),
    ("source: an official source needs no explanation",
     lambda d: (_set(d["sources"][0], "kind", "official"), d.pop("unconfirmed_en"), d.pop("unconfirmed_zh")),
     "policy.official-source"),
    ("url: https", lambda d: _set(d["sources"][0], "url", "https://example.org/a?b=c#d"), "policy.url"),
    ("text: Chinese with Latin letters", lambda d: _set(d, "title_zh", "GB 32100-2015 标准"), "policy.text"),
]


@pytest.mark.parametrize("name,change,rule", PASSING_DOCUMENT_CASES, ids=[c[0] for c in PASSING_DOCUMENT_CASES])
def test_rule_passes(project, name, change, rule):
    edit_doc(project, "opinions-2016", change)
    problems = problems_of(project)
    assert [p.text() for p in problems] == []


def test_references_to_a_renamed_provision_are_reported(project):
    """Renaming a provision breaks what cites it: the cross-file check finds it."""
    edit_doc(project, "mca-2017", lambda d: _set(_prov(d, 2), "id", "tiers"))
    problems = problems_of(project)
    refs = [p for p in problems if p.rule == "policy.reference"]
    assert refs and all("mca-2017/tiered" in p.message for p in refs)
    assert any(p.file == "datasets/policy/glossary.yaml" for p in refs)


def test_dates_keep_their_precision(project):
    edit_doc(project, "opinions-2016", lambda d: d["dates"].append({"kind": "in-force", "date": "2016",
                                                                    "source": "journal-article"}))
    policy, _ = load_policy(project)
    dates = policy.documents["opinions-2016"].dates
    assert [(d.date.text, d.date.precision) for d in dates] == [("2016-08", "month"), ("2016", "year")]
    assert policy.documents["opinions-2016"].first_date.text == "2016"  # the shorter sorts first


def test_unknown_key_hint(project):
    edit_doc(project, "opinions-2016", lambda d: _set(_prov(d), "titel_en", "x"))
    problem = next(p for p in problems_of(project) if p.rule == "policy.unknown-key")
    assert problem.hint == "did you mean 'title_en'?"
    assert problem.path == ("provisions", 0, "titel_en")


def test_measure_hint(project):
    edit_doc(project, "opinions-2016",
             lambda d: _prov(d, 1)["measures"].__setitem__(4, "support_types/goverment-procurement"))
    problem = next(p for p in problems_of(project) if p.rule == "policy.measure")
    assert problem.hint == "did you mean 'government-procurement'?"


def test_vocabularies_parameter_is_used(project):
    vocabularies = vocabulary_codes(project)
    assert "support_types" in vocabularies and "incubation" in vocabularies["support_types"]
    assert problems_of(project, vocabularies) == []
    smaller = {name: set(codes) for name, codes in vocabularies.items()}
    smaller["support_types"].discard("incubation")
    problems = problems_of(project, smaller)
    assert rules(problems) == [("policy.measure", "provisions[1].measures[7]")]
    assert problems[0].path == ("provisions", 1, "measures", 7)
    problems = problems_of(project, {})
    assert problems and {p.rule for p in problems} == {"policy.measure"}


def test_line_numbers_point_at_the_field(project):
    path = _doc_path(project, "opinions-2016")
    edit_doc(project, "opinions-2016", lambda d: _set(_prov(d, 1), "titel_en", "x"))
    problem = next(p for p in problems_of(project) if p.rule == "policy.unknown-key")
    line = path.read_text(encoding="utf-8").splitlines()[problem.line - 1]
    assert line.strip().startswith("titel_en:")


# -- the glossary ---------------------------------------------------------------------


def _term(data, i=0):
    return data["terms"][i]


FAILING_GLOSSARY_CASES = [
    ("required: definition", lambda g: _term(g).pop("definition_zh"), "policy.required", "terms[0]"),
    ("required: terms", lambda g: g.pop("terms"), "policy.required", ""),
    ("unknown-key", lambda g: _set(_term(g), "defintion_en", "x"), "policy.unknown-key", "terms[0].defintion_en"),
    ("type: terms", lambda g: _set(g, "terms", "many"), "policy.type", "terms"),
    ("type: term", lambda g: g["terms"].append(["x"]), "policy.type", None),
    ("type: see item", lambda g: _set(_term(g), "see", [3.1]), "policy.type", "terms[0].see[0]"),
    ("id", lambda g: _set(_term(g), "id", "Community Org"), "policy.id", "terms[0].id"),
    ("duplicate-id", lambda g: _set(_term(g, 1), "id", _term(g)["id"]), "policy.duplicate-id", "terms[1].id"),
    ("reference", lambda g: _set(_term(g), "see", ["opinions-2016/3.9"]), "policy.reference", "terms[0].see[0]"),
    ("text: pinyin numbers", lambda g: _set(_term(g), "pinyin", "she4qu1"), "policy.text", "terms[0].pinyin"),
    ("text: pinyin without tones", lambda g: _set(_term(g), "pinyin", "shequ"), "policy.text", "terms[0].pinyin"),
    ("text: zh in English", lambda g: _set(_term(g), "zh", "community"), "policy.text", "terms[0].zh"),
]


@pytest.mark.parametrize("name,change,rule,field", FAILING_GLOSSARY_CASES, ids=[c[0] for c in FAILING_GLOSSARY_CASES])
def test_glossary_rule_fails(project, name, change, rule, field):
    edit_glossary(project, change)
    problems = problems_of(project)
    if field is None:
        assert rule in [p.rule for p in problems]
    else:
        assert (rule, field) in rules(problems), [p.text() for p in problems]
    assert all(p.file == "datasets/policy/glossary.yaml" for p in problems if p.rule == rule)


PASSING_GLOSSARY_CASES = [
    ("required: see is optional", lambda g: _term(g).pop("see")),
    ("unknown-key: titles are allowed", lambda g: _set(g, "title_en", "Terms")),
    ("duplicate-id: same zh, different ids", lambda g: g["terms"].append(_copy(_term(g), id="another"))),
    ("reference: known provision", lambda g: _set(_term(g), "see", ["charity-law/charitable-organizations"])),
    ("text: pinyin with apostrophe and capitals", lambda g: _set(_term(g), "pinyin", "Bèi'àn")),
]


@pytest.mark.parametrize("name,change", PASSING_GLOSSARY_CASES, ids=[c[0] for c in PASSING_GLOSSARY_CASES])
def test_glossary_rule_passes(project, name, change):
    edit_glossary(project, change)
    assert [p.text() for p in problems_of(project)] == []


# -- files ----------------------------------------------------------------------------


def test_file_rule(project):
    documents = project.policy / "documents"
    (documents / ".gitkeep").write_text("")  # hidden files are ignored: passes
    assert problems_of(project) == []
    (documents / "notes.yml").write_text("id: notes\n")
    problems = problems_of(project)
    assert [(p.rule, p.file, p.hint) for p in problems] == [
        ("policy.file", "datasets/policy/documents/notes.yml", "rename it to end in .yaml")]


def test_missing_glossary_and_documents(project):
    (project.policy / "glossary.yaml").unlink()
    shutil.rmtree(project.policy / "documents")
    problems = problems_of(project)
    assert sorted((p.rule, p.file) for p in problems) == [
        ("policy.file", "datasets/policy/documents"), ("policy.file", "datasets/policy/glossary.yaml")]


def test_missing_policy_folder(project):
    shutil.rmtree(project.policy)
    policy, problems = load_policy(project)
    assert policy.documents == {} and [p.rule for p in problems] == ["policy.file"]


# -- bad input never crashes ----------------------------------------------------------

GARBAGE = [
    ("", "yaml.empty"),
    ("- a list\n", "yaml.not-a-mapping"),
    ("id: x\nid: y\n", "yaml.duplicate-key"),
    ("a: &x [1]\nb: *x\n", "yaml.alias"),
    ("id: [unclosed\n", "yaml.syntax"),
    ("id: !!python/object:os.system x\n", "yaml.tag"),
    ("id: opinions-2016\ndate: 2016-02-30\n", "yaml.value"),
    ("id: opinions-2016\nprovisions: [1, 'x', null, {id: [1]}, {audiences: {organizers: 5}}]\n", "policy.type"),
    ("id: opinions-2016\nprovisions:\n  - {id: a, measures: 5, related: {x: 1}, audiences: []}\n", "policy.type"),
    ("id: opinions-2016\nstatus: [1]\ndates: [{kind: 1, date: 5, source: []}]\nsources: 7\n", "policy.date"),
    ("id: opinions-2016\nsources: [5, {id: A, kind: [], url: 7, site_en: {}, site_zh: []}]\nhistory: x\n", "policy.type"),
    ("id: opinions-2016\n? [a, b]\n: 1\n", None),
]


@pytest.mark.parametrize("text,rule", GARBAGE)
def test_bad_input_becomes_problems(project, text, rule):
    path = _doc_path(project, "opinions-2016")
    path.write_bytes(text.encode("utf-8"))
    policy, problems = load_policy(project)
    LineFinder(project.root).fill(problems)
    assert problems
    if rule:
        assert rule in [p.rule for p in problems], [p.text() for p in problems]
    for p in problems:
        assert p.text()  # every problem prints


def test_not_utf8(project):
    _doc_path(project, "opinions-2016").write_bytes("id: 社区\n".encode("gbk"))
    _, problems = load_policy(project)
    assert "yaml.encoding" in [p.rule for p in problems]
