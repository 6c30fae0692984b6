"""shequ new organization|incubator: a record that passes the checks, a free id never derived
from the name, today's date, values from flags or prompts, and never an overwritten file."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
import yaml
from click.testing import CliRunner

from conftest import make_uscc
from shequ.cli import main
from shequ.tools.jsonschemas import modeline
from shequ.project import Project
from shequ.tools.scaffold import (flag_fields, list_flags, AUTOMATIC, TOKEN_ALPHABET, Question, check_answer,
                            division_choices, dump_record, make_rng, new_id, taken_ids, write_new)
from shequ.sources.yamlfiles import parse_yaml
from shequ.sources.tables import LAYOUT, Schemas

ORG_FLAGS = [
    "--name", "建外街道社区志愿服务队", "--legal-form", "unregistered", "--management-track", "filed",
    "--registration-authority", "建外街道办事处", "--division", "110105001", "--founded", "2024-03-01",
    "--fields-of-activity", "serving-residents", "--fields-of-activity", "mutual-aid, culture",
    "--source-title", "建外街道 2026 年社区社会组织备案名单", "--source-url", "https://example.org/jianwai/2026",
]


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def new_files(mini, dataset: str, before: set[str]) -> list:
    return sorted(p for p in (mini.root / "datasets" / dataset).glob("*.yaml") if p.name not in before)


def names(mini, dataset: str) -> set[str]:
    return {p.name for p in (mini.root / "datasets" / dataset).glob("*.yaml")}


def test_new_organization_from_flags_passes_the_checks(mini):
    before = names(mini, "organizations")
    result = run("new", "organization", "--project", str(mini.root), "--no-interactive", *ORG_FLAGS)
    assert result.exit_code == 0, result.output
    [path] = new_files(mini, "organizations", before)
    assert result.stdout == f"created datasets/organizations/{path.name}\n"
    assert re.fullmatch(rf"org-[{TOKEN_ALPHABET}]{{8}}\.yaml", path.name)
    text = path.read_text("utf-8")
    assert text.splitlines()[0] == modeline("organizations")
    data = parse_yaml(text)
    assert data["id"] == path.stem
    assert data["last_verified"] == dt.date(2026, 11, 26)  # SHEQU_TODAY of the fixture
    assert data["sources"] == [{"title": "建外街道 2026 年社区社会组织备案名单",
                                "url": "https://example.org/jianwai/2026", "accessed": dt.date(2026, 11, 26)}]
    assert data["fields_of_activity"] == ["serving-residents", "mutual-aid", "culture"]
    assert data["status"] == "active"
    assert data["founded"] == dt.date(2024, 3, 1)
    assert data["division"] == "110105001"
    report = mini.report()
    assert report.valid and not report.warnings, report.format_text()


def test_new_registered_organization_and_incubator(mini):
    before = names(mini, "organizations")
    result = run("new", "organization", "--project", str(mini.root), "--no-interactive",
                 "--name", "朝阳区邻里互助协会", "--legal-form", "social-group", "--management-track", "registered",
                 "--uscc", make_uscc(subject="MJ0000002"), "--division", "110105002",
                 "--fields-of-activity", "mutual-aid", "--incubated-by", "inc-chaoyang-base",
                 "--phone", "010-6555 0199", "--source-title", "朝阳区民政局公告", "--source-url", "https://example.org/a")
    assert result.exit_code == 0, result.output
    [path] = new_files(mini, "organizations", before)
    assert parse_yaml(path.read_text("utf-8"))["incubated_by"] == "inc-chaoyang-base"

    before = names(mini, "incubators")
    result = run("new", "incubator", "--project", str(mini.root), "--no-interactive",
                 "--name", "建外街道社区社会组织服务站", "--kind", "service-platform", "--division", "110105001",
                 "--capacity", "12", "--support-types", "activity-sites,incubation",
                 "--source-title", "建外街道办事处通知", "--source-url", "https://example.org/b")
    assert result.exit_code == 0, result.output
    [path] = new_files(mini, "incubators", before)
    assert path.name.startswith("inc-")
    data = parse_yaml(path.read_text("utf-8"))
    assert data["capacity"] == 12 and data["support_types"] == ["activity-sites", "incubation"]
    assert path.read_text("utf-8").startswith(modeline("incubators") + "\n")
    assert mini.report().valid


def test_an_invalid_record_is_not_kept_and_every_problem_is_named(mini):
    before = names(mini, "organizations")
    result = run("new", "organization", "--project", str(mini.root), "--no-interactive",
                 "--name", "无效示例", "--management-track", "registered", "--division", "110105001",
                 "--fields-of-activity", "volunteering", "--founded", "2030-01-01")
    assert result.exit_code == 1
    assert new_files(mini, "organizations", before) == []
    err = result.stderr
    assert "legal_form: is required" in err
    assert "uscc: is required for organizations registered with civil affairs" in err
    assert "sources: is required" in err
    assert "'volunteering' is not a term of fields_of_activity" in err
    assert "founded: 2030-01-01 is in the future" in err
    assert "nothing was written" in err


def test_a_duplicate_code_is_refused_even_when_reported_on_the_other_record(mini):
    before = names(mini, "organizations")
    result = run("new", "organization", "--project", str(mini.root), "--no-interactive",
                 "--name", "另一个协会", "--legal-form", "social-group", "--management-track", "registered",
                 "--uscc", make_uscc(), "--division", "110105001", "--fields-of-activity", "culture",
                 "--source-title", "t", "--source-url", "https://example.org/c", "--seed", "0")
    assert result.exit_code == 1
    assert "uscc.duplicate" in result.stderr
    assert new_files(mini, "organizations", before) == []


def test_ids_are_random_but_reproducible_never_from_the_name_and_never_taken(mini):
    project = Project.at(mini.root)
    expected = new_id("organizations", set(), make_rng("42"))
    assert expected == new_id("organizations", set(), random.Random("42"))
    assert "silver" not in expected and "jianwai" not in expected
    # Take the id the seed gives first: the command must pick the next one.
    mini.write("organizations", expected, "placeholder: taken\n")
    second = new_id("organizations", {expected}, make_rng("42"))
    before = names(mini, "organizations")
    result = run("new", "organization", "--project", str(mini.root), "--no-interactive", "--seed", "42", *ORG_FLAGS)
    assert f"datasets/organizations/{second}.yaml" in result.stdout
    assert [p.stem for p in new_files(mini, "organizations", before)] == [second]
    assert mini.path("organizations", expected).read_text("utf-8") == "placeholder: taken\n"
    assert expected in taken_ids(project) and second in taken_ids(project)


def test_ids_differing_only_in_case_count_as_taken(mini):
    first = new_id("organizations", set(), make_rng("7"))
    mini.write("organizations", first.upper(), "x: 1\n")
    assert first in taken_ids(Project.at(mini.root))
    assert new_id("organizations", taken_ids(Project.at(mini.root)), make_rng("7")) != first


def test_write_new_never_replaces_a_file(tmp_path):
    path = tmp_path / "org-x.yaml"
    path.write_text("old\n", "utf-8")
    with pytest.raises(FileExistsError):
        write_new(path, "new\n")
    assert path.read_text("utf-8") == "old\n"


def test_prompts_ask_for_what_a_valid_record_needs(mini):
    before = names(mini, "organizations")
    answers = "\n".join([
        "朝阳区书香读书会",  # name
        "social-group",  # legal_form
        "registered",  # management_track
        make_uscc(subject="MJ0000003"),  # uscc, asked because registered
        "110105002",  # division
        "",  # status: default active
        "culture, recreation",  # fields_of_activity
        "朝阳区民政局 2026 年登记公告",  # source title
        "https://example.org/d",  # source url
    ]) + "\n"
    result = run("new", "organization", "--project", str(mini.root), "--interactive", input=answers)
    assert result.exit_code == 0, result.output
    assert "social-group" in result.output and "社会团体" in result.output  # the codes are listed with labels
    assert "uscc" in result.output and "[active]" in result.output
    [path] = new_files(mini, "organizations", before)
    data = parse_yaml(path.read_text("utf-8"))
    assert data["name"] == "朝阳区书香读书会" and data["status"] == "active"
    assert data["fields_of_activity"] == ["culture", "recreation"]
    assert mini.report().valid


def test_a_wrong_answer_is_explained_and_asked_again(mini):
    before = names(mini, "organizations")
    answers = "\n".join([
        "朝外志愿服务队",  # name
        "unregistered",  # legal_form
        "备按",  # management_track: a typo of a label: explained, asked again
        "向街道办事处或乡镇政府备案",  # the Chinese label is taken as its code, filed
        "110105999",  # division: not in the divisions table: explained, asked again
        "110105002",  # division
        "",  # status: default active
        "mutual-aid, senoir-care",  # fields_of_activity: one code wrong: asked again
        "Mutual aid",  # an English label is taken as its code
        "朝外街道备案名单",  # source title
        "https://example.org/f",  # source url
    ]) + "\n"
    result = run("new", "organization", "--project", str(mini.root), "--interactive", input=answers)
    assert result.exit_code == 0, result.output
    assert "'备按' is not one of the codes" in result.output
    assert "'110105999' is not a division code in the divisions table" in result.output
    assert "shequ divisions import" in result.output
    assert "'senoir-care' is not one of the codes" in result.output
    # The valid choices are listed, codes with their labels in both languages.
    assert re.search(r"filed\s+向街道办事处或乡镇政府备案 / Filed with a sub-district office", result.output)
    assert re.search(r"110105002\s+朝外街道 \(township\)", result.output)
    [path] = new_files(mini, "organizations", before)
    data = parse_yaml(path.read_text("utf-8"))
    assert data["management_track"] == "filed" and data["division"] == "110105002"
    assert data["fields_of_activity"] == ["mutual-aid"]
    assert mini.report().valid


def test_flags_cover_every_field_of_the_table_schemas(mini):
    schemas = Schemas(Project.at(mini.root))
    for dataset, layout in LAYOUT.items():
        columns = set(schemas.columns(layout.main)) - set(AUTOMATIC)
        assert set(flag_fields(schemas, dataset)) == columns, dataset
        scalar_lists = {c.key for c in layout.children if not c.is_mapping}
        assert set(list_flags(schemas, dataset)) == scalar_lists, dataset


TRICKY = ["yes", "no", "123", "0x1F", "1e3", "null", "~", "2020-01-01", "a: b", "a #b", "#x", "@x", "-x", "[x]",
          "{x}", "x,y", " lead", "trail ", "'q'", '"d"', "line\nbreak", "tab\tx", "para\u2028x", "中文，逗号",
          "100%", "!tag", "&anchor", "*alias", "|", ">", "?", "=1+1", "", "café"]


def test_written_yaml_reads_back_as_written(mini):
    schemas = Schemas(Project.at(mini.root))
    data = {"id": "org-abcdefgh", "name": "x", "alternate_names": [t for t in TRICKY if t],
            "division": "110105001", "description_en": None, "address": "yes",
            "sources": [{"title": t, "url": "https://example.org/", "accessed": dt.date(2026, 1, 2)}
                        for t in TRICKY if t],
            "support_received": [{"type": "incubation", "provider": "p", "year": 2020, "amount_cny": 1.5}]}
    text = dump_record(schemas, "organizations", data)
    back = parse_yaml(text)
    assert back == {k: v for k, v in data.items() if v is not None}
    assert yaml.safe_load(text) == back
    for value in TRICKY:
        if value:
            record = {"id": "org-abcdefgh", "name": value}
            assert parse_yaml(dump_record(schemas, "organizations", record)) == record, value


def test_every_command_contributing_shows_exists():
    from conftest import REPO

    text = (REPO / "CONTRIBUTING.md").read_text("utf-8")
    blocks = "\n".join(re.findall(r"```sh\n(.*?)```", text, re.S) + re.findall(r"`(shequ [^`]+)`", text))
    commands = re.findall(r"(?:^|&& )shequ ([a-z]+)(?: ([a-z]+))?", blocks, re.M)
    assert {c for c, _ in commands} >= {"new", "import", "diff", "release", "validate"}
    for command, sub in commands:
        assert command in main.commands, command
        group = main.commands[command]
        if hasattr(group, "commands") and sub:
            assert sub in group.commands, f"shequ {command} {sub}"


def test_division_choices_give_both_names_and_take_either(mini):
    table = mini.root / "datasets" / "reference" / "divisions.csv"
    table.write_text("code,name,level,parent,name_en\n11,北京市,province,,Beijing Municipality\n"
                     "1101,市辖区,prefecture,11,Municipal Districts\n110105,朝阳区,county,1101,Chaoyang District\n"
                     "110105002,朝外街道,township,110105,\n", encoding="utf-8")
    choices = dict(division_choices(Project.at(mini.root)))
    assert choices["110105"] == "朝阳区 / Chaoyang District (county)"
    assert choices["110105002"] == "朝外街道 (township)"  # no English name yet: the Chinese one alone
    question = Question("division", "Division")
    for answer in ("110105", "朝阳区", "Chaoyang District", "chaoyang district"):
        assert check_answer(question, answer, list(choices.items())) == "110105", answer
