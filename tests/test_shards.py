"""Sharded builds (issue 17): shards of provinces render their record pages, the merge builds
the rest and takes each record page from its shard, and the merged site is the unsharded one.

One small project in two provinces (Beijing 11, Shanghai 31), with an organization in 31
incubated by an incubator in 11, so each shard's pages name a record of the other. It is
built in this process, once per module: whole; shards 11 and 31 from the record index that
the plan writes (each parses only its own record files); shard 31 again from every source, as
without an index; and the merge of the two indexed shards.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import make_uscc
from shequ.atomic import MARKER
from shequ.build.shards import (SHARD_FILE, ShardError, ShardFile, balanced, by_province, parse_provinces,
                                read_shard)
from site_project import SITE_ADDRESS, invoke, make_site_project, write_release_files

SHANGHAI_DIVISIONS = """31,上海市,province,
3101,市辖区,prefecture,31
310115,浦东新区,county,3101
310115001,潍坊新村街道,township,310115
"""

#: In Shanghai, incubated by the Beijing incubator: its page and the incubator's name each other.
PUDONG_ORGANIZATION = """\
id: org-pudong-readers
name: 浦东读书会
legal_form: social-group
management_track: registered
uscc: {uscc}
registration_authority: 上海市浦东新区民政局
registration_date: 2021-04-01
division: "310115001"
founded: 2021-03-01
status: active
incubated_by: inc-chaoyang-base
incubated_from: 2021-01-10
fields_of_activity: [promoting-harmony]
sources:
  - title: Shequ demonstration record (fictional)
    url: https://example.org/shequ-demo/org-pudong-readers
    accessed: 2026-11-01
last_verified: 2026-11-01
"""


def _files(site: Path) -> dict[str, bytes]:
    found = {}
    for folder, _, names in os.walk(site):
        for name in names:
            path = Path(folder, name)
            found[path.relative_to(site).as_posix()] = path.read_bytes()
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from shequ.generator.commands import build, build_shard, merge_shards
    from shequ.project import Project

    base = tmp_path_factory.mktemp("shards")
    # No site_url in mkdocs.yml: every build is given it with --site-url, as the deploy workflow does.
    root = make_site_project(base / "project")
    write_release_files(root)
    divisions = root / "datasets" / "reference" / "divisions.csv"
    divisions.write_text(divisions.read_text(encoding="utf-8") + SHANGHAI_DIVISIONS, encoding="utf-8")
    (root / "datasets" / "organizations" / "org-pudong-readers.yaml").write_text(
        PUDONG_ORGANIZATION.format(uscc=make_uscc(area="310115", subject="MJ0000002")), encoding="utf-8")
    project = Project.at(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SHEQU_TODAY", "2026-11-26")
        patch.setenv("NO_MKDOCS_2_WARNING", "1")
        whole = invoke("build", "--project", str(root), "--site-dir", str(base / "whole"), "--site-url", SITE_ADDRESS)
        assert whole.exit_code == 0, whole.output
        plan = invoke("shard", "plan", "--project", str(root), "2", "--index", str(base / "index.jsonl"))
        assert plan.exit_code == 0, plan.output
        build_shard(project, frozenset({"11"}), base / "shard-11", site_url=SITE_ADDRESS, index=base / "index.jsonl")
        build_shard(project, frozenset({"31"}), base / "shard-31", site_url=SITE_ADDRESS, index=base / "index.jsonl")
        build_shard(project, frozenset({"31"}), base / "shard-31-whole", site_url=SITE_ADDRESS)
        merge_shards(project, [base / "shard-11", base / "shard-31"], base / "merged", site_url=SITE_ADDRESS)
    return base, project


def test_merged_shards_are_the_unsharded_site_byte_for_byte(built):
    base, _ = built
    whole, merged = _files(base / "whole"), _files(base / "merged")
    assert "organizations/org-pudong-readers/index.html" in whole
    assert f"<loc>{SITE_ADDRESS}en/organizations/org-pudong-readers/</loc>".encode() in whole["sitemap.xml"]
    assert sorted(merged) == sorted(whole)
    assert [name for name in whole if whole[name] != merged[name]] == []


def test_each_shard_holds_its_provinces_record_pages_and_nothing_else(built):
    base, _ = built
    beijing, shanghai = read_shard(base / "shard-11"), read_shard(base / "shard-31")
    assert beijing.provinces == {"11"} and shanghai.provinces == {"31"}
    assert sorted(shanghai.files) == ["en/organizations/org-pudong-readers/index.html",
                                      "organizations/org-pudong-readers.json",
                                      "organizations/org-pudong-readers/index.html"]
    assert "incubators/inc-chaoyang-base/index.html" in beijing.files
    assert not set(beijing.files) & set(shanghai.files)
    on_disk = {name for name in _files(base / "shard-11") if name not in (SHARD_FILE, MARKER)}
    assert on_disk == set(beijing.files)  # no listing, no data package, no search index
    assert sorted(p.name for p in base.iterdir()) == ["index.jsonl", "merged", "project", "shard-11", "shard-31",
                                                      "shard-31-whole", "whole"]
    # The Shanghai page, rendered in its own shard, names the incubator of the Beijing shard.
    page = (base / "shard-31" / "organizations" / "org-pudong-readers" / "index.html").read_text(encoding="utf-8")
    assert "朝阳区社区社会组织孵化基地" in page


def test_merge_refuses_a_record_whose_province_no_shard_holds_and_keeps_the_site(built, tmp_path):
    base, project = built
    site = tmp_path / "site"
    shutil.copytree(base / "merged", site)
    result = invoke("shard", "merge", "--project", str(project.root), str(base / "shard-11"),
                    "--site-dir", str(site), "--site-url", SITE_ADDRESS)
    assert result.exit_code == 1
    assert "org-pudong-readers.yaml: division: province 31 is in no shard" in result.output
    assert "the previous site was left as it was" in result.output
    assert _files(site) == _files(base / "merged")


def test_merge_refuses_shards_rendered_for_another_site_address(built, tmp_path):
    base, project = built
    result = invoke("shard", "merge", "--project", str(project.root), str(base / "shard-11"), str(base / "shard-31"),
                    "--site-dir", str(tmp_path / "site"), "--site-url", "https://example.net/other/")
    assert result.exit_code == 1
    assert "shard-11/shard.json: sources: built from other sources or another site address" in result.output
    assert not (tmp_path / "site").exists()


def test_merge_refuses_a_shard_file_that_is_a_link_out_of_the_shard(built, tmp_path):
    base, project = built
    shard = tmp_path / "shard-31"
    shutil.copytree(base / "shard-31", shard)
    page = shard / "organizations" / "org-pudong-readers.json"
    outside = tmp_path / "outside.json"
    outside.write_bytes(page.read_bytes())
    page.unlink()
    page.symlink_to(outside)
    result = invoke("shard", "merge", "--project", str(project.root), str(base / "shard-11"), str(shard),
                    "--site-dir", str(tmp_path / "site"), "--site-url", SITE_ADDRESS)
    assert result.exit_code == 1
    assert "org-pudong-readers.json: a symbolic link" in result.output


def test_shard_build_refuses_a_province_that_is_not_two_digits(built, tmp_path):
    _, project = built
    result = invoke("shard", "build", "--project", str(project.root), "11,3101", "--out", str(tmp_path / "s"))
    assert result.exit_code == 2
    assert "not a province code: 3101" in result.output
    assert not (tmp_path / "s").exists()


def test_provinces_parse_from_two_digit_codes():
    assert parse_provinces(" 11, 31 ,44") == {"11", "31", "44"}
    for bad in ("", "1", "110", "11;12", "ab"):
        with pytest.raises(ShardError, match="two digits"):
            parse_provinces(bad)


def test_shards_of_other_sources_or_sharing_a_province_are_refused(tmp_path):
    a = ShardFile(tmp_path / "a", frozenset({"11", "12"}), "a" * 64, {})
    b = ShardFile(tmp_path / "b", frozenset({"12"}), "a" * 64, {})
    stale = ShardFile(tmp_path / "c", frozenset({"31"}), "b" * 64, {})
    assert by_province([a], "a" * 64) == {"11": a, "12": a}
    with pytest.raises(ShardError, match="province 12 is in two shards"):
        by_province([a, b], "a" * 64)
    with pytest.raises(ShardError, match="built from other sources"):
        by_province([a, stale], "a" * 64)


@pytest.mark.parametrize("text, field", [
    ("{", "not a shard file"),
    ('{"format": 2}', "format"),
    ('{"format": 1, "provinces": ["110"], "sources": "", "files": {}}', "provinces"),
    ('{"format": 1, "provinces": ["11"], "sources": "x", "files": {}}', "sources"),
    ('{"format": 1, "provinces": ["11"], "sources": "' + "0" * 64 + '", "files": {"../x": 1}}', "files"),
])
def test_a_shard_file_that_is_not_one_is_named_with_its_field(tmp_path, text, field):
    (tmp_path / SHARD_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(ShardError, match=f"shard.json: {field}"):
        read_shard(tmp_path)


def test_balanced_shards_put_the_largest_provinces_apart():
    counts = [("11", 900), ("31", 400), ("44", 700), ("51", 300)]
    assert balanced(counts, 2) == [["11", "51"], ["31", "44"]]
    assert balanced(counts, 1) == [["11", "31", "44", "51"]]
    assert balanced(counts[:1], 3) == [["11"]]


def test_plan_puts_every_province_with_a_record_in_one_shard(built):
    import json

    _, project = built
    result = invoke("shard", "plan", "--project", str(project.root), "2", "--format", "json")
    assert result.exit_code == 0, result.output
    assert sorted(json.loads(result.output)) == ["11", "31"]
    one = invoke("shard", "plan", "--project", str(project.root), "1")
    assert one.output.strip() == "11,31"


def test_a_failed_shard_process_stops_the_others_and_says_why(tmp_path):
    import sys

    from shequ.build.core import SiteBuildError
    from shequ.generator.commands import run_processes

    fail = [sys.executable, "-c", "import sys; sys.exit('shard 31: the sources have errors')"]
    slow = [sys.executable, "-c", "import time; time.sleep(60)"]
    with pytest.raises(SiteBuildError, match="shard 31: the sources have errors"):
        run_processes([fail, slow], 2, tmp_path)


@pytest.mark.scale
def test_build_in_shards_on_one_machine_is_the_unsharded_site(built, tmp_path, monkeypatch):
    base, project = built
    monkeypatch.setenv("SHEQU_TODAY", "2026-11-26")
    result = invoke("build", "--project", str(project.root), "--shards", "2", "--jobs", "2",
                    "--site-dir", str(tmp_path / "site"), "--site-url", SITE_ADDRESS)
    assert result.exit_code == 0, result.output
    assert _files(tmp_path / "site") == _files(base / "whole")
    assert not list(project.root.glob(".shequ-shards-*"))  # the shards are removed after the merge


# The record index (shequ shard plan --index; shequ shard build --index) -----------------------

def test_a_shard_built_from_the_index_is_the_shard_built_from_every_source(built):
    base, _ = built
    # shard.json included: its digest covers the index's lines, which the sources give alike.
    assert _files(base / "shard-31") == _files(base / "shard-31-whole")


def test_the_index_gives_a_shard_its_own_files_and_only_the_records_elsewhere_it_names(built):
    from shequ.build.record_index import datasets_digest, read_index

    base, project = built
    digest = datasets_digest(project)
    shanghai = read_index(base / "index.jsonl", frozenset({"31"}), digest)
    assert shanghai.files == {"organizations": ["org-pudong-readers"], "incubators": []}
    # Its organization's incubator, in Beijing, with the fields its page shows; no other record of Beijing.
    assert [(r.dataset, r.id) for r in shanghai.elsewhere] == [("incubators", "inc-chaoyang-base")]
    assert shanghai.elsewhere[0].data["name"] == "朝阳区社区社会组织孵化基地"
    beijing = read_index(base / "index.jsonl", frozenset({"11"}), digest)
    assert "org-pudong-readers" not in beijing.files["organizations"]
    assert "inc-chaoyang-base" in beijing.files["incubators"]
    assert [(r.id, r.data["incubated_by"], r.data["incubated_from"]) for r in beijing.elsewhere] == [
        ("org-pudong-readers", "inc-chaoyang-base", "2021-01-10")]


def test_an_index_edited_by_hand_does_not_give_the_digest_the_merge_computes(built, tmp_path):
    from shequ.build.pipeline import load_sources
    from shequ.build.record_index import datasets_digest, lines_digest, read_index

    base, project = built
    computed = lines_digest(load_sources(project))
    honest = read_index(base / "index.jsonl", frozenset({"31"}), datasets_digest(project))
    assert honest.lines == computed
    forged = tmp_path / "index.jsonl"
    text = (base / "index.jsonl").read_text(encoding="ascii")
    name = "\\u671d\\u9633\\u533a"  # 朝阳区, as the index writes it
    assert name in text
    forged.write_text(text.replace(name, "X", 1), encoding="ascii")
    shard = read_index(forged, frozenset({"31"}), datasets_digest(project))
    assert shard.elsewhere[0].data["name"].startswith("X")  # the header still matches the sources
    assert shard.lines != computed  # so the shard's digest is not the merge's: the merge refuses it


def test_a_stale_or_missing_index_is_refused_and_the_previous_shard_stays(built, tmp_path):
    base, project = built
    out = tmp_path / "shard"
    shutil.copytree(base / "shard-31", out)
    stale = tmp_path / "stale.jsonl"
    lines = (base / "index.jsonl").read_text(encoding="ascii").splitlines(keepends=True)
    stale.write_text('{"format": 1, "records": %d, "sources": "%s"}\n' % (len(lines) - 1, "0" * 64)
                     + "".join(lines[1:]), encoding="ascii")
    for index, said in ((stale, "stale.jsonl: line 1: sources: written for other sources than these"),
                        (tmp_path / "none.jsonl", "none.jsonl: missing; write it with shequ shard plan")):
        result = invoke("shard", "build", "--project", str(project.root), "31", "--out", str(out),
                        "--index", str(index), "--site-url", SITE_ADDRESS)
        assert result.exit_code == 1
        assert said in result.output
        assert "the previous shard was left as it was" in result.output
        assert _files(out) == _files(base / "shard-31")


@pytest.mark.parametrize("line, field", [
    ("{", "line 2: not a line of a record index"),
    ("[]", "line 2: not a line of a record index"),
    ('{"dataset": "people", "id": "x", "values": {}, "lists": {}}', "line 2: dataset"),
    ('{"dataset": "incubators", "id": "../x", "values": {}, "lists": {}}', "line 2: id"),
    ('{"dataset": "incubators", "id": "x", "values": {"uscc": "1"}, "lists": {}}', "line 2: values"),
    ('{"dataset": "incubators", "id": "x", "values": {"name": 1}, "lists": {}}', "line 2: values"),
    ('{"dataset": "incubators", "id": "x", "values": {}, "lists": {"fields_of_activity": "a"}}', "line 2: lists"),
])
def test_an_index_line_that_is_not_one_is_named_with_its_line_and_field(tmp_path, line, field):
    from shequ.build.record_index import RecordIndexError, read_index

    index = tmp_path / "index.jsonl"
    index.write_text('{"format": 1, "records": 1, "sources": "%s"}\n%s\n' % ("a" * 64, line), encoding="utf-8")
    with pytest.raises(RecordIndexError, match=f"index.jsonl: {field}"):
        read_index(index, frozenset({"11"}), "a" * 64)


def test_an_index_cut_short_or_of_another_format_is_refused(tmp_path):
    from shequ.build.record_index import RecordIndexError, read_index

    index = tmp_path / "index.jsonl"
    record = '{"dataset": "incubators", "id": "x", "values": {"division": "11"}, "lists": {}}\n'
    index.write_text('{"format": 1, "records": 2, "sources": "%s"}\n%s' % ("a" * 64, record), encoding="utf-8")
    with pytest.raises(RecordIndexError, match="records: line 1 says 2, the file holds 1"):
        read_index(index, frozenset({"11"}), "a" * 64)
    index.write_text('{"format": 2}\n', encoding="utf-8")
    with pytest.raises(RecordIndexError, match="line 1: format"):
        read_index(index, frozenset({"11"}), "a" * 64)


def test_plan_refuses_to_write_the_index_into_the_sources_it_describes(built):
    _, project = built
    inside = project.datasets / "index.jsonl"
    result = invoke("shard", "plan", "--project", str(project.root), "2", "--index", str(inside))
    assert result.exit_code == 1
    assert "index.jsonl: inside datasets/" in result.output
    assert not inside.exists()
