"""The record JSON Schemas for editors: generated from the Table Schemas, committed up to date,
and faithful to the checks (what they accept the checks accept, and the other way round)."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from conftest import REPO
from shequ.cli import main
from shequ.tools.jsonschemas import modeline, plain
from shequ.project import Project
from shequ.sources.yamlfiles import parse_yaml, read_yaml_text, record_files

JSON_DIR = REPO / "datasets" / "schemas" / "json"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def validator(root, record_type: str) -> jsonschema.Draft7Validator:
    schema = json.loads((root / "datasets" / "schemas" / "json" / f"{record_type}.schema.json").read_text("utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


class _EditorLoader(yaml.SafeLoader):
    """YAML as the YAML language server reads it (YAML 1.2): dates stay text."""


_EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def editor_load(text: str):
    return yaml.load(text, Loader=_EditorLoader)


def errors(root, record_type: str, data: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(root, record_type).iter_errors(plain(data))]


def test_committed_json_schemas_are_up_to_date():
    result = run("schemas", "--check", "--project", str(REPO))
    assert result.exit_code == 0, result.output + "\n(run 'shequ schemas' and commit datasets/schemas/json/)"
    assert sorted(p.name for p in JSON_DIR.glob("*.json")) == ["incubator.schema.json", "organization.schema.json"]


@pytest.mark.parametrize("dataset,record_type", [("organizations", "organization"), ("incubators", "incubator")])
def test_every_shipped_record_is_valid_against_its_json_schema(dataset, record_type):
    project = Project.at(REPO)
    v = validator(REPO, record_type)
    found = {}
    paths = list(record_files(project, dataset))
    assert paths, f"no shipped {dataset}"
    for path in paths:
        data = parse_yaml(read_yaml_text(path))
        problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(plain(data))]
        if problems:
            found[path.name] = problems
    assert not found, found


def test_mini_records_are_valid_against_the_json_schemas(mini):
    for dataset, record_type in (("organizations", "organization"), ("incubators", "incubator")):
        for path in (mini.root / "datasets" / dataset).glob("*.yaml"):
            assert errors(REPO, record_type, yaml.safe_load(path.read_text("utf-8"))) == [], path.name
            assert errors(REPO, record_type, editor_load(path.read_text("utf-8"))) == [], path.name


def test_the_schemas_describe_fields_and_offer_vocabulary_codes():
    org = json.loads((JSON_DIR / "organization.schema.json").read_text("utf-8"))
    props = org["properties"]
    assert props["division"]["title"] == "Division · 行政区划"
    assert "social-group" in props["legal_form"]["enum"]
    assert "elderly-care" in props["fields_of_activity"]["items"]["enum"]
    assert props["sources"]["items"]["required"] == ["title", "url", "accessed"]
    assert org["additionalProperties"] is False
    assert {"id", "name", "fields_of_activity", "sources", "last_verified"} <= set(org["required"])
    inc = json.loads((JSON_DIR / "incubator.schema.json").read_text("utf-8"))
    assert "incubation" in inc["properties"]["support_types"]["items"]["enum"]


# What the checks reject, the JSON Schema rejects too (one mutation per kind of rule).
MUTATIONS = [
    ("divison: x", "division: \"110105001\"", "divison: \"110105001\"", "structure.unknown-key"),
    ("unquoted division", "division: \"110105001\"", "division: 110105001", "structure.type"),
    ("bad date", "founded: 2018-11-03", "founded: 2018-13-03", "yaml.value"),
    ("unknown code", "fields_of_activity: [elderly-care, mutual-aid]",
     "fields_of_activity: [elderly-care, mutual-aids]", "vocabularies.unknown-term"),
    ("no sources title", "  - title: Shequ demonstration record (fictional)\n", "  - titel: x\n",
     "structure.unknown-key"),
    ("negative amount", "amount_cny: 50000", "amount_cny: -5", "structure.minimum"),
    ("ftp url", "website: https://example.org/silver-age", "website: ftp://example.org/x", "urls.scheme"),
]


@pytest.mark.parametrize("label,old,new,rule", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_json_schema_and_checks_agree(mini, label, old, new, rule):
    mini.edit("organizations", "org-silver-age", old, new)
    rules = [p.rule for p in mini.report().errors]
    assert rule in rules, rules
    data = editor_load(mini.path("organizations", "org-silver-age").read_text("utf-8"))
    assert errors(REPO, "organization", data), f"the JSON Schema accepts {new!r}"


def test_schemas_command_regenerates_after_a_table_schema_changes(mini):
    root = mini.root
    assert run("schemas", "--project", str(root)).exit_code == 0
    assert run("schemas", "--check", "--project", str(root)).exit_code == 0
    table = root / "datasets" / "schemas" / "organizations.schema.json"
    descriptor = json.loads(table.read_text("utf-8"))
    descriptor["fields"].append({"name": "wechat", "type": "string", "title": "WeChat", "title_zh": "微信",
                                 "description": "Official account.", "constraints": {"maxLength": 40}})
    table.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), "utf-8")

    stale = run("schemas", "--check", "--project", str(root))
    assert stale.exit_code == 1
    assert "datasets/schemas/json/organization.schema.json: out of date" in stale.output
    assert "run 'shequ schemas'" in stale.output

    assert run("schemas", "--project", str(root)).exit_code == 0
    schema = json.loads((root / "datasets" / "schemas" / "json" / "organization.schema.json").read_text("utf-8"))
    assert schema["properties"]["wechat"]["maxLength"] == 40
    assert run("schemas", "--check", "--project", str(root)).exit_code == 0


def test_modeline_points_from_the_record_folder_to_the_schema():
    line = modeline("organizations")
    assert line == "# yaml-language-server: $schema=../schemas/json/organization.schema.json"
    target = (REPO / "datasets" / "organizations" / line.split("=", 1)[1]).resolve()
    assert target == (JSON_DIR / "organization.schema.json").resolve()
    assert (REPO / "datasets" / "incubators" / modeline("incubators").split("=", 1)[1]).resolve().is_file()


def test_a_record_with_the_modeline_is_checked_as_before(mini):
    path = mini.path("organizations", "org-silver-age")
    path.write_text(modeline("organizations") + "\n" + path.read_text("utf-8"), "utf-8")
    assert mini.report().valid
    mini.edit("organizations", "org-silver-age", "division: \"110105001\"", "divison: \"110105001\"")
    problem = next(p for p in mini.report().errors if p.rule == "structure.unknown-key")
    assert problem.line == 11  # line 10 of the record, one below because of the modeline


@pytest.mark.parametrize("dataset", ["organizations", "incubators"])
def test_every_shipped_record_starts_with_its_schema_line(dataset):
    missing = [p.name for p in record_files(Project.at(REPO), dataset)
               if p.read_text("utf-8").splitlines()[0] != modeline(dataset)]
    assert not missing, f"add '{modeline(dataset)}' as the first line of {missing}"
