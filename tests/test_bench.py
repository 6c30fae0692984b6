"""``shequ bench``: the full build by stage, the naive baseline and the figures it reports."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from shequ.bench import site as bench
from shequ.bench.site import BuildFigure, format_table, measure_site, naive_markdown, summarize

from conftest import REPO


def _figure(records, variant, seconds, site_bytes, run=1, **stages):
    f = BuildFigure(records, 8, variant, run, seconds, 100.0, 0, site_bytes=site_bytes,
                    record_page_bytes_mean=1000, record_page_bytes_max=2000)
    f.stages = {name: {"seconds": s, "peak_rss_mb": 50.0} for name, s in stages.items()}
    return f


def test_mkdocs_stage_is_the_rest_of_the_wall_time(tmp_path):
    timings = tmp_path / "t.json"
    timings.write_text(json.dumps({"stages": [
        {"name": "load", "seconds": 1.0, "peak_rss_mb": 10, "count": 5, "unit": "records"},
        {"name": "render", "seconds": 2.0, "peak_rss_mb": 20},
        {"name": "check", "seconds": 0.5, "peak_rss_mb": 12},
    ], "peak_rss_mb": 30}))
    stages = bench._stages_from_timings(timings, wall=10.0)
    assert list(stages) == ["load", "check", "render", "mkdocs"]  # in build order
    assert stages["mkdocs"]["seconds"] == 6.5
    assert stages["load"]["count"] == 5


def _write(path, size):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)


def test_site_measures_record_pages_of_both_languages_and_both_search_indexes(tmp_path):
    site = tmp_path / "site"
    for rid, size in (("org-a", 100), ("org-b", 300)):
        _write(site / "organizations" / rid / "index.html", size)  # Chinese, at the root
        _write(site / "en" / "organizations" / rid / "index.html", size + 500)  # English, under en/
        _write(site / "organizations" / f"{rid}.json", 7)  # once, outside en/
    _write(site / "incubators" / "inc-a" / "index.html", 200)
    _write(site / "en" / "incubators" / "inc-a" / "index.html", 400)
    _write(site / "organizations" / "index.html", 40)  # listings, both languages
    _write(site / "en" / "organizations" / "page" / "2" / "index.html", 60)
    _write(site / "regions" / "110000" / "index.html", 30)
    _write(site / "data" / "organizations.csv", 1000)  # the data package, but its download pages
    _write(site / "data" / "index.html", 11)
    _write(site / "en" / "data" / "index.html", 13)
    _write(site / "pagefind" / "pagefind.js", 50)
    _write(site / "pagefind" / "fragment" / "a.pf_fragment", 5)
    _write(site / "directory-index" / "t" / "0.json.gz", 20)
    _write(site / "assets" / "shequ.css", 3)
    _write(site / "index.html", 9)
    figure = BuildFigure(2, 1, "shequ", 1, 1.0, 1.0, 0)
    measure_site(site, figure, {"organizations": ["org-a", "org-b", "org-missing"], "incubators": ["inc-a"]})

    assert figure.record_pages == 6
    assert figure.record_page_bytes_max == 800
    assert figure.record_page_bytes_mean == (100 + 300 + 600 + 800 + 200 + 400) / 6
    assert figure.record_pages_by_language == {
        "zh": {"pages": 3, "bytes_mean": 200, "bytes_max": 300},
        "en": {"pages": 3, "bytes_mean": 600, "bytes_max": 800}}
    assert figure.search_indexes == {"pagefind/": 55, "directory-index/": 20}
    assert (figure.search_index, figure.search_index_bytes) == ("pagefind/ + directory-index/", 75)
    assert figure.site_parts == {"record pages": 2400, "record JSON": 14, "listings": 130, "data package": 1000,
                                 "search indexes": 75, "other": 11 + 13 + 3 + 9}
    assert figure.listing_parts == {"organizations": 100, "incubators": 0, "regions": 30, "topics": 0}
    assert sum(figure.site_parts.values()) == figure.site_bytes
    assert figure.site_files == 19


def test_site_measures_the_naive_search_index_of_each_language(tmp_path):
    site = tmp_path / "site"
    _write(site / "organizations" / "org-a" / "index.html", 100)
    _write(site / "en" / "organizations" / "org-a" / "index.html", 100)
    _write(site / "search" / "search_index.json", 50)
    _write(site / "en" / "search" / "search_index.json", 30)
    _write(site / "en" / "assets" / "javascripts" / "workers" / "search.js", 9)  # the theme's, not an index
    figure = BuildFigure(1, 0, "naive", 1, 1.0, 1.0, 0)
    measure_site(site, figure, {"organizations": ["org-a"], "incubators": []})
    assert figure.record_pages == 2
    assert figure.search_indexes == {"search/": 50, "en/search/": 30}
    assert (figure.search_index, figure.search_index_bytes) == ("search/ + en/search/", 80)
    assert figure.site_parts["other"] == 9


def test_medians_and_ratios():
    figures = [
        _figure(1000, "shequ", 10.0, 1_000_000, 1, load=1.0, render=3.0),
        _figure(1000, "shequ", 12.0, 1_000_000, 2, load=3.0, render=5.0),
        _figure(1000, "shequ", 30.0, 1_000_000, 3, load=2.0, render=4.0),
        _figure(1000, "naive", 240.0, 60_000_000, 1, load=0.1, mkdocs=1.0, **{"mkdocs zh": 130.0, "mkdocs en": 108.9}),
        _figure(10000, "shequ", 110.0, 10_000_000, 1, load=20.0),
    ]
    parts = [{"record pages": 400_000, "search indexes": 100_000, "other": 500_000},
             {"record pages": 600_000, "search indexes": 100_000, "other": 300_000},
             {"record pages": 500_000, "search indexes": 100_000, "other": 400_000}]
    for f, p in zip(figures, parts):
        f.site_parts, f.record_pages = p, 2000
    figures[3].site_parts, figures[3].record_pages = {"record pages": 58_000_000, "other": 2_000_000}, 2000
    summaries = summarize(figures)
    small = summaries[0]
    assert (small.records, small.variant, small.runs, small.seconds) == (1000, "shequ", 3, 12.0)
    assert small.stages["load"]["seconds"] == 2.0 and small.stages["render"]["seconds"] == 4.0
    assert small.site_parts == {"record pages": 500_000, "search indexes": 100_000, "other": 400_000}
    # The naive baseline's two builds, one per language, in the order they ran.
    assert list(summaries[1].stages) == ["load", "mkdocs", "mkdocs zh", "mkdocs en"]
    table = format_table(figures)
    assert "naive baseline / shequ at 1,000 records: 20.0x the time, 60.0x the site size" in table
    assert "shequ 10,000/1,000 records: 9.2x the time for 10x the records" in table
    assert "median of 3 runs" in table
    assert "Site by part" in table
    assert "record pages at 1,000 records, every language: naive 58.0 MB in 2,000 pages" in table
    assert "116.0x the bytes" in table
    # 60 MB / 50 = 1.2 MB: the site is smaller than that, so no line says how far it is.
    assert "50x smaller than the naive one" not in table
    figures[3].site_bytes = 40_000_000
    assert ("a site 50x smaller than the naive one at 1,000 records is at most 0.8 MB: 0.2 MB less, "
            "0.2 KB per organization") in format_table(figures)


def test_naive_markdown_keeps_table_cells_whole():
    text = naive_markdown({"name": "A|B", "fields": ["x", "y"], "note": "one\ntwo"}, "org-x")
    assert text.startswith("# A\\|B\n")
    assert "| fields | x; y |" in text
    assert "| note | one two |" in text


def test_the_naive_page_in_each_language():
    record = {"name": "红星互助会", "name_en": "Hongxing Mutual Aid", "status": "active"}
    zh = naive_markdown(record, "org-x", "zh", {"name": "名称", "status": "状态"})
    en = naive_markdown(record, "org-x", "en", {"name": "Name (Chinese)", "status": "Status"})
    assert zh.startswith("# 红星互助会\n") and "| 字段 | 值 |" in zh and "| 状态 | active |" in zh
    assert en.startswith("# Hongxing Mutual Aid\n") and "| Field | Value |" in en and "| Status | active |" in en
    assert "| name_en | Hongxing Mutual Aid |" in zh  # a field without a label keeps its key
    assert naive_markdown({"name": "红星"}, "org-x", "en").startswith("# 红星\n")  # no English name


def test_a_failed_search_measurement_is_a_reported_gap(tmp_path, monkeypatch):
    from shequ.bench import search as search_bench

    def fails(site, queries):
        raise RuntimeError("no browser here")

    figure = BuildFigure(1, 0, "shequ", 1, 1.0, 1.0, 0)
    monkeypatch.setattr(search_bench, "measure_query_payload", fails)
    bench.measure_search_payload(tmp_path, figure, ["互助"])
    assert figure.search_payload is None and figure.search_payload_gap == "not measured: RuntimeError: no browser here"

    monkeypatch.setattr(search_bench, "measure_query_payload", lambda site, queries: {q: 1234 for q in queries})
    bench.measure_search_payload(tmp_path, figure, ["互助"])
    assert figure.search_payload == {"互助": 1234}


def test_bench_builds_the_site_and_the_naive_baseline(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, "-m", "shequ", "bench", "--project", str(REPO), "--orgs", "12", "--incubators", "2",
         "--baseline", "--json", str(out)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    for stage in ("load", "check", "publish", "render", "mkdocs", "search", "total"):
        assert f"shequ   {stage}" in result.stdout
    assert "naive baseline / shequ at 12 records:" in result.stdout
    assert "Site by part" in result.stdout
    data = json.loads(out.read_text())
    builds = {b["variant"]: b for b in data["builds"]}
    shequ_build, naive = builds["shequ"], builds["naive"]
    # Both sites are bilingual: a page per record in Chinese and one in English.
    assert shequ_build["record_pages"] == naive["record_pages"] == 2 * 14
    for build in (shequ_build, naive):
        assert {lang: v["pages"] for lang, v in build["record_pages_by_language"].items()} == {"zh": 14, "en": 14}
        assert sum(build["site_parts"].values()) == build["site_bytes"] > 0
    assert list(shequ_build["search_indexes"]) == ["pagefind/", "directory-index/"]
    assert shequ_build["search_index_bytes"] == sum(shequ_build["search_indexes"].values()) > 0
    assert shequ_build["site_parts"]["data package"] > 0 and shequ_build["site_parts"]["listings"] > 0
    assert list(naive["search_indexes"]) == ["search/", "en/search/"]
    assert {"mkdocs zh", "mkdocs en"} <= set(naive["stages"]) and naive["cpu_seconds"] > 0
    assert shequ_build["peak_rss_mb"] > 0 and shequ_build["stages"]["render"]["seconds"] > 0
    assert shequ_build["search_payload"] is not None or shequ_build["search_payload_gap"]
    assert data["machine"]["cpus"] and data["command"].startswith("shequ bench")
    # The Hugo reference ran in the same command, on the same record pages, where Hugo is installed.
    if bench.hugo_executable():
        assert builds["hugo"]["record_pages"] == shequ_build["record_pages"]
        assert "shequ / Hugo at 12 records (28 and 28 record pages)" in result.stdout
    else:
        assert "Hugo reference: not measured: Hugo is not installed" in result.stdout
    # The project itself was not touched.
    assert not (REPO / "datasets" / "organizations" / ".bench-timings.json").exists()


# The targets of issue 6, opt-in (pytest -m scale): minutes each, and timing on a shared machine
# is noisy. docs/performance.md has the figures and the commands behind them.

def _build(figures, records, variant="shequ"):
    return next(f for f in figures if f.records == records and f.variant == variant)


@pytest.mark.scale
def test_ten_thousand_organizations_build_in_a_minute_and_preview_in_ten_seconds():
    from shequ.project import Project

    figures = bench.bench(Project.at(REPO), [10_000], None, preview=True, queries=())
    build = _build(figures, 10_000)
    print("\n" + format_table(figures))
    assert build.exit_code == 0, build.error
    assert build.seconds <= 60
    assert build.record_page_bytes_max <= 50 * 1024
    assert all(e["seconds"] is not None and e["seconds"] <= 10 for e in build.preview["edits"])


@pytest.mark.scale
def test_a_hundred_thousand_organizations_build_in_ten_minutes_and_four_gigabytes():
    from shequ.project import Project

    figures = bench.bench(Project.at(REPO), [10_000, 100_000], None, queries=())
    small, large = _build(figures, 10_000), _build(figures, 100_000)
    print("\n" + format_table(figures))
    assert small.exit_code == 0 and large.exit_code == 0, small.error + large.error
    assert large.seconds <= 600 and large.peak_rss_mb <= 4096
    assert large.seconds / small.seconds <= 11
    assert large.record_page_bytes_max <= 50 * 1024


@pytest.mark.scale
def test_five_thousand_organizations_against_the_naive_baseline():
    from shequ.project import Project

    figures = bench.bench(Project.at(REPO), [5_000], None, baseline=True, queries=())
    ours, naive = _build(figures, 5_000), _build(figures, 5_000, "naive")
    print("\n" + format_table(figures))
    assert ours.exit_code == 0 and naive.exit_code == 0, ours.error + naive.error
    assert naive.seconds / ours.seconds >= 20
    assert naive.site_bytes / ours.site_bytes >= 50


# The Hugo reference (issue 17): the same record pages, both languages, built by Hugo.

HOSTILE = '<script>alert(1)</script>{{ .Site.Title }}{{< param "title" >}}'


def test_hugo_builds_every_record_page_and_a_hostile_name_stays_text(tmp_path):
    import yaml

    from shequ.project import Project

    hugo = bench.hugo_executable()
    if not hugo:
        pytest.skip("Hugo is not installed")
    work = tmp_path / "work"
    bench._generate(Project.at(REPO), work, 20, 2, None, (), 2016, site=False)
    ids = bench._record_ids(work)
    target = ids["organizations"][0]
    path = work / "datasets" / "organizations" / f"{target}.yaml"
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    record["name"] = record["name_en"] = HOSTILE
    path.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")

    figure = bench.build_hugo(work, BuildFigure(20, 2, "hugo", 1, 0.0, 0.0, 0), ids, hugo, keep=True)
    assert figure.exit_code == 0 and not figure.error, figure.error
    assert figure.record_pages == 2 * (20 + 2)
    assert {lang: v["pages"] for lang, v in figure.record_pages_by_language.items()} == {"zh": 22, "en": 22}
    assert figure.stages["hugo"]["count"] == 44 and figure.cpu_seconds > 0
    for prefix in ("", "en/"):
        page = (work / "hugo" / "public" / f"{prefix}organizations" / target / "index.html").read_text(encoding="utf-8")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
        assert "{{ .Site.Title }}" in page  # printed, not run: the site's title is nowhere in the page
        assert bench.HUGO_CONFIG["title"] not in page
    # The fields are labelled in each page's language, from the Table Schema.
    zh = (work / "hugo" / "public" / "organizations" / ids["organizations"][1] / "index.html").read_text(encoding="utf-8")
    en = (work / "hugo" / "public" / "en" / "organizations" / ids["organizations"][1] / "index.html").read_text(
        encoding="utf-8")
    assert '<html lang="zh">' in zh and '<html lang="en">' in en
    labels = bench._naive_labels(work, "organizations")
    assert f"<dt>{labels['zh']['status']}</dt>" in zh and f"<dt>{labels['en']['status']}</dt>" in en


def test_hugo_content_is_front_matter_data_and_ids_must_be_file_names(tmp_path):
    text = bench.hugo_front_matter({"name": HOSTILE, "fields_of_activity": ["a", "b"]}, "org-x", "zh", {"name": "名称"})
    data = json.loads(text)  # the whole file is JSON front matter, no Markdown body
    assert data == {"title": HOSTILE, "fields": [["名称", HOSTILE], ["fields_of_activity", "a; b"]]}
    bad = tmp_path / "datasets" / "organizations"
    bad.mkdir(parents=True)
    (bad / "..%2Fx.yaml").write_text("name: x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a safe file name"):
        bench.write_hugo_project(tmp_path, tmp_path / "hugo")


def test_without_hugo_the_bench_says_so_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(bench.shutil, "which", lambda name: None)
    figure = bench.build_hugo(tmp_path, BuildFigure(12, 2, "hugo", 1, 0.0, 0.0, 0), {})
    assert figure.exit_code == 0 and "Hugo is not installed" in figure.error
    ours = _figure(12, "shequ", 10.0, 1_000_000, load=1.0)
    table = format_table([ours, figure, BuildFigure(12, 2, "hugo", 2, 0.0, 0.0, 0, error=figure.error)])
    assert table.count("Hugo is not installed") == 1
    assert "shequ / Hugo" not in table and "failed" not in table


def test_the_ratio_to_hugo_is_wall_and_cpu_time_on_the_same_pages():
    ours = _figure(2000, "shequ", 30.0, 100_000_000, load=1.0)
    theirs = _figure(2000, "hugo", 4.0, 10_000_000, hugo=4.0)
    ours.cpu_seconds, theirs.cpu_seconds = 27.0, 6.0
    ours.record_pages = theirs.record_pages = 4020
    assert ("shequ / Hugo at 2,000 records (4,020 and 4,020 record pages): 7.5x the wall time "
            "(30.0 s against 4.0 s), 4.5x the CPU (27.0 s against 6.0 s)") in format_table([ours, theirs])
