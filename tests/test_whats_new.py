"""What's new: the release files of datasets/releases/ checked like every source, and the page and
Atom feed per language made from them: links to records that exist, removed ones named without a
link, everything from YAML escaped, valid Atom whose dates are the releases' and whose ids do not
depend on where the site is served."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import urljoin, urlsplit

import pytest

from conftest import line_of, problems_of
from site_project import RELEASE_FILES, SITE_ADDRESS, write_release_files

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def atom_problems(data: bytes) -> list[str]:
    """What breaks RFC 4287 in a feed (the rules a reader relies on), as sentences; [] when none."""
    try:
        feed = ET.fromstring(data)  # expat: well-formed XML, or an error
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    problems = []
    if feed.tag != ATOM + "feed":
        return [f"root element is {feed.tag}, not atom:feed"]

    def one(parent, name: str, where: str):
        found = parent.findall(ATOM + name)
        if len(found) != 1:
            problems.append(f"{where} has {len(found)} atom:{name}, not exactly one")
        return found[0] if found else None

    def check_common(element, where: str) -> None:
        ident = one(element, "id", where)
        if ident is not None and not urlsplit(ident.text or "").scheme:
            problems.append(f"{where}'s id {ident.text!r} is not an absolute IRI")
        title = one(element, "title", where)
        if title is not None and not (title.text or "").strip():
            problems.append(f"{where}'s title is empty")
        updated = one(element, "updated", where)
        if updated is not None and not RFC3339.match(updated.text or ""):
            problems.append(f"{where}'s updated {updated.text!r} is not an RFC 3339 date-time")
        alternates = set()
        for link in element.findall(ATOM + "link"):
            if not link.get("href"):
                problems.append(f"{where} has a link without href")
            if link.get("rel", "alternate") == "alternate":
                key = (link.get("type"), link.get("hreflang"))
                if key in alternates:
                    problems.append(f"{where} has two alternate links of type {key[0]}")
                alternates.add(key)

    check_common(feed, "feed")
    feed_author = feed.find(ATOM + "author") is not None
    ids = set()
    for i, entry in enumerate(feed.findall(ATOM + "entry")):
        where = f"entry {i + 1}"
        check_common(entry, where)
        if not feed_author and entry.find(ATOM + "author") is None:
            problems.append(f"{where} has no author, and the feed has none")
        if entry.find(ATOM + "content") is None and not any(
                link.get("rel", "alternate") == "alternate" for link in entry.findall(ATOM + "link")):
            problems.append(f"{where} has neither content nor an alternate link")
        ident = entry.findtext(ATOM + "id")
        if ident in ids:
            problems.append(f"{where} repeats the id {ident}")
        ids.add(ident)
    for author in feed.iter(ATOM + "author"):
        if not (author.findtext(ATOM + "name") or "").strip():
            problems.append("an author has no name")
    return problems


def test_the_atom_check_finds_what_breaks_the_rules():
    broken = (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><updated>2026-11-20</updated>'
              b'<entry><id>relative</id><title>a</title><updated>2026-11-20T00:00:00Z</updated></entry></feed>')
    found = atom_problems(broken)
    assert "feed has 0 atom:id, not exactly one" in found
    assert "feed's updated '2026-11-20' is not an RFC 3339 date-time" in found
    assert "entry 1's id 'relative' is not an absolute IRI" in found
    assert "entry 1 has no author, and the feed has none" in found
    assert "entry 1 has neither content nor an alternate link" in found
    assert atom_problems(b"<feed>") and atom_problems(b"<feed/>") == ["root element is feed, not atom:feed"]


# --- the release files, checked ------------------------------------------------------------------


def test_a_malformed_release_file_is_reported_with_its_line_and_field(mini):
    folder = mini.root / "datasets" / "releases"
    folder.mkdir()
    path = folder / "0.2.0.yaml"
    path.write_text("version: 0.2.0\ndate: 2026-11\nadded:\n  - dataset: people\n    id: org-x\n"
                    "    name: 某组织\nremoved:\n  - dataset: organizations\n    id: org-y\n", encoding="utf-8")
    (folder / "0.3.0.yaml").write_text("version: 0.3.1\ndate: 2026-11-01\nsince: 0.4.0\n", encoding="utf-8")
    report = mini.report()
    assert not report.valid
    found = {(p.file, p.field, p.line): p.message for p in problems_of(report, "releases.format")}
    assert found[("datasets/releases/0.2.0.yaml", "date", 2)] == "must be the release's date, YYYY-MM-DD"
    assert found[("datasets/releases/0.2.0.yaml", "added[0].dataset", line_of(path, "dataset: people"))] \
        == "must be one of organizations, incubators"
    assert found[("datasets/releases/0.2.0.yaml", "removed[0].name", line_of(path, "dataset: organizations"))] \
        == "is required"
    assert found[("datasets/releases/0.3.0.yaml", "version", 1)] == "is 0.3.1, but the file is named 0.3.0.yaml"
    assert found[("datasets/releases/0.3.0.yaml", "since", 3)] == "must be a release before 0.3.1"


def test_release_files_load_newest_first_with_their_entries(mini):
    from shequ.project import Project
    from shequ.sources.releases import load_release_changes

    write_release_files(mini.root)
    releases, problems = load_release_changes(Project.at(mini.root))
    assert problems == []
    assert [(r.version, r.date, r.since) for r in releases] == [("0.2.0", "2026-11-20", "0.1.0"),
                                                                ("0.1.0", "2026-10-15", None)]
    changed = releases[0].of("changed")
    assert [(e.id, e.fields) for e in changed] == [("org-silver-age", ("address", "fields_of_activity"))]
    assert [e.name_en for e in releases[0].of("removed")] == ["Gone <b>Club</b> & Co"]


# --- the page and the feed, rendered in this process ----------------------------------------------


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """The small project with two releases' files, loaded and checked once for the module's tests."""
    import datetime as dt

    from conftest import MiniProject
    from shequ.build.pipeline import validate
    from shequ.project import Project

    project = MiniProject(tmp_path_factory.mktemp("whats-new") / "project")
    write_release_files(project.root)
    sources, report = validate(Project.at(project.root), dt.date(2026, 11, 26))
    assert report.valid, report.format_text()
    return sources


def renderer_for(sources, lang: str, site_url: str | None = None):
    from shequ.render import Directory, Renderer, Settings

    return Renderer(Directory(sources), Settings(site_url=site_url), lang=lang)


def test_the_page_links_records_that_exist_and_names_removed_ones_escaped(checked):
    from shequ.render.whatsnew import whats_new

    zh = whats_new(renderer_for(checked, "zh"))
    assert zh.path == "whats-new/" and zh.title == "最近更新" and zh.in_nav
    assert not zh.search  # a query for a record's name finds the record, not this list
    assert [anchor for anchor, _ in zh.toc] == ["release-0-2-0", "release-0-1-0"]
    body = zh.body
    assert body.index('id="release-0-2-0"') < body.index('id="release-0-1-0"')
    assert '<a href="../organizations/org-silver-age/">朝阳区银龄互助会</a>' in body
    assert '<a href="../incubators/inc-chaoyang-base/">朝阳区社区社会组织孵化基地</a>' in body
    assert "自 0.1.0 版以来：新增 2 条记录，更新 1 条记录，移除 1 条记录。" in body
    assert "（更新了地址、活动领域）" in body  # the schema's and the vocabulary's titles
    # Removed (and added-then-removed) records are named, escaped, and never linked.
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 读书会" in body
    assert "<script>" not in body and "org-gone-club" not in body
    assert '<a href="../feed.xml" type="application/atom+xml">' in body

    en = whats_new(renderer_for(checked, "en")).body
    assert '<a href="../organizations/org-silver-age/">Chaoyang Silver Age Mutual Aid Association</a>' in en
    assert 'Gone &lt;b&gt;Club&lt;/b&gt; &amp; Co' in en and "<b>Club" not in en
    # A record without an English name keeps its Chinese one, marked as Chinese.
    assert '<a href="../organizations/org-harmony-mediators/"><span lang="zh">朝外调解志愿队</span></a>' in en
    assert "Since release 0.1.0: 2 records added, 1 record changed, 1 record removed." in en
    assert "Demonstration: a fictional release." in en


def test_each_language_has_a_valid_atom_feed_dated_by_its_releases(checked):
    from shequ.render.whatsnew import whats_new_feed

    for lang, path in (("zh", "feed.xml"), ("en", "en/feed.xml")):
        feed = whats_new_feed(renderer_for(checked, lang))
        assert feed.path == path
        assert atom_problems(feed.data) == []
        assert feed.data == whats_new_feed(renderer_for(checked, lang)).data  # the same bytes again
        root = ET.fromstring(feed.data)
        assert root.findtext(ATOM + "updated") == "2026-11-20T00:00:00Z"  # the newest release, not the clock
        entries = root.findall(ATOM + "entry")
        assert [e.findtext(ATOM + "updated") for e in entries] == ["2026-11-20T00:00:00Z", "2026-10-15T00:00:00Z"]
        ids = [root.findtext(ATOM + "id")] + [e.findtext(ATOM + "id") for e in entries]
        assert ids == [f"tag:github.com,2026-10-15:shequ-project/shequ/whats-new/{lang}",
                       f"tag:github.com,2026-11-20:shequ-project/shequ/whats-new/{lang}/0.2.0",
                       f"tag:github.com,2026-10-15:shequ-project/shequ/whats-new/{lang}/0.1.0"]
        # Without a site_url, links are relative to the feed, in its language's folder.
        assert entries[0].find(ATOM + "link").get("href") == "whats-new/#release-0-2-0"
        content = entries[0].findtext(ATOM + "content")
        assert 'href="organizations/org-silver-age/"' in content
        hostile = {"zh": ("&lt;script&gt;alert(1)", "<script>"), "en": ("Gone &lt;b&gt;Club&lt;/b&gt;", "<b>")}[lang]
        assert hostile[0] in content and hostile[1] not in content  # the HTML is text, its names escaped
    zh = ET.fromstring(whats_new_feed(renderer_for(checked, "zh")).data)
    assert zh.findtext(ATOM + "entry/" + ATOM + "title") == "0.2.0 版"


def test_with_a_site_url_feed_links_are_absolute_and_ids_stay_the_same(checked):
    from shequ.render.whatsnew import whats_new_feed

    plain = ET.fromstring(whats_new_feed(renderer_for(checked, "en")).data)
    served = ET.fromstring(whats_new_feed(renderer_for(checked, "en", SITE_ADDRESS)).data)
    assert served.get("{http://www.w3.org/XML/1998/namespace}base") == SITE_ADDRESS + "en/"
    assert [link.get("href") for link in served.findall(ATOM + "link")] == [
        SITE_ADDRESS + "en/feed.xml", SITE_ADDRESS + "en/whats-new/"]
    assert [e.text for e in served.iter(ATOM + "id")] == [e.text for e in plain.iter(ATOM + "id")]


def test_no_release_file_means_no_feed_and_a_page_that_says_so(mini):
    from shequ.build.pipeline import validate
    from shequ.project import Project
    from shequ.render.whatsnew import whats_new, whats_new_feed

    sources, _ = validate(Project.at(mini.root))
    renderer = renderer_for(sources, "en")
    assert whats_new_feed(renderer) is None
    assert "No release has recorded its changes yet." in whats_new(renderer).body


# --- the built site (the session's shared build) --------------------------------------------------


def test_the_built_site_has_both_feeds_and_every_page_points_to_its_language_s(addressed_site):
    site = addressed_site / "site"
    for lang, prefix in (("zh", ""), ("en", "en/")):
        data = (site / prefix / "feed.xml").read_bytes()
        assert atom_problems(data) == []
        feed = ET.fromstring(data)
        hrefs = [link.get("href") for link in feed.iter(ATOM + "link")]
        assert hrefs and all(h.startswith(SITE_ADDRESS + prefix) for h in hrefs)
        for href in hrefs:  # every link of the feed reaches a file of the site
            target = href[len(SITE_ADDRESS):].split("#")[0]
            assert (site / target / "index.html").is_file() or (site / target).is_file(), href
        for page in ("", "whats-new/", "organizations/org-silver-age/", "guides/find-support/"):
            html = (site / prefix / page / "index.html").read_text(encoding="utf-8")
            links = re.findall(r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"', html)
            assert len(links) == 1, (prefix + page, links)
            assert urljoin(SITE_ADDRESS + prefix + page, links[0]) == SITE_ADDRESS + prefix + "feed.xml"
    page = (site / "whats-new" / "index.html").read_text(encoding="utf-8")
    assert "<h1" in page and "最近更新" in page and 'href="../organizations/org-silver-age/"' in page
