"""Sharded builds (issue 17): shards of provinces render their record pages, the merge builds
the rest and takes each record page from its shard, and the merged site is the unsharded one.

One small project in two provinces (Beijing 11, Shanghai 31), with an organization in 31
incubated by an incubator in 11, so each shard's pages name a record of the other. It is
built four times in this process, once per module: whole, shard 11, shard 31, merged.
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
        build_shard(project, frozenset({"11"}), base / "shard-11", site_url=SITE_ADDRESS)
        build_shard(project, frozenset({"31"}), base / "shard-31", site_url=SITE_ADDRESS)
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
    assert sorted(p.name for p in base.iterdir()) == ["merged", "project", "shard-11", "shard-31", "whole"]
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
