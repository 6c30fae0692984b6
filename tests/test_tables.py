"""The Table Schemas are read with the same care as the YAML: a broken one is a problem, not a crash."""

import pytest

from shequ.build.pipeline import validate
from shequ.project import Project

SCHEMA = "datasets/schemas/organization_sources.schema.json"


def _only(report):
    assert len(report.problems) == 1, report.format_text()
    return report.problems[0]


def test_missing_schema_is_named(mini):
    (mini.root / SCHEMA).unlink()
    sources, report = validate(Project.at(mini.root))
    problem = _only(report)
    assert sources is None
    assert (problem.rule, problem.file) == ("schemas.missing", SCHEMA)


def test_invalid_json_names_its_line(mini):
    (mini.root / SCHEMA).write_text('{\n  "fields": [\n    {"name": "x",}\n  ]\n}\n', encoding="utf-8")
    problem = _only(validate(Project.at(mini.root))[1])
    assert (problem.rule, problem.line) == ("schemas.json", 3)


@pytest.mark.parametrize("text", ['{"fields": "none", "primaryKey": []}', '{"fields": [{"type": "string"}]}',
                                  '[1, 2]', '{"fields": [{"name": "x"}]}'])
def test_schema_without_named_fields_or_primary_key_is_refused(mini, text):
    (mini.root / SCHEMA).write_text(text, encoding="utf-8")
    assert _only(validate(Project.at(mini.root))[1]).rule == "schemas.fields"


def test_symlinked_schema_is_never_followed(mini, tmp_path):
    outside = tmp_path / "outside.json"
    outside.write_text((mini.root / SCHEMA).read_text(encoding="utf-8"), encoding="utf-8")
    (mini.root / SCHEMA).unlink()
    (mini.root / SCHEMA).symlink_to(outside)
    assert _only(validate(Project.at(mini.root))[1]).rule == "files.symlink"


def test_every_broken_schema_is_reported_at_once(mini):
    (mini.root / SCHEMA).unlink()
    (mini.root / "datasets/schemas/divisions.schema.json").write_text("{", encoding="utf-8")
    report = validate(Project.at(mini.root))[1]
    assert {p.rule for p in report.errors} == {"schemas.missing", "schemas.json"}
