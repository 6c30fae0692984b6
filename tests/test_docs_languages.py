"""The hand-written pages exist in both languages: Chinese at docs/X.md, English at docs/en/X.md.

The site serves Simplified Chinese at its root and English under ``en/``. The Markdown pages in
``docs/`` (home page and guides) are written twice, once in each language; the pages the
``shequ`` plugin generates (directory, policy, statistics, data) are not in ``docs/``. These
tests hold the two trees together without building the site:

- every page in the site has its other-language page, and the navigation's two sections have
  the same shape, English paths being the Chinese ones under ``en/``;
- a Chinese page reads in Chinese, and an English page has no Chinese outside code and
  elements marked ``lang="zh"`` (``<span lang="zh">备案</span>``), the way a reader abroad
  is shown the term to ask for;
- the two versions of a page link the same places: the same page in each reader's language,
  and the same shared file (``data/…`` downloads live once, at the site's root).
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pathspec
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
EN = "en/"
ZH_SECTION, EN_SECTION = "简体中文", "English"

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN = re.compile(r"[A-Za-z]")
# Text a page may hold in the other language: code, and elements marked with their language.
FENCE = re.compile(r"^(?P<fence>```|~~~).*?^(?P=fence)\s*$", re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]+`")
MARKED = {lang: re.compile(rf'<(?P<tag>\w+)[^>]*\blang="{lang}"[^>]*>.*?</(?P=tag)>', re.S) for lang in ("zh", "en")}
MD_LINK = re.compile(r"\[(?:[^\[\]]|\[[^\]]*\])*\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
HTML_LINK = re.compile(r'\bhref="(?P<target>[^"]+)"')
# What is not prose: link targets, HTML tags, admonition keywords (`!!! warning "…"`).
NOT_PROSE = re.compile(r"\]\([^)]*\)|<[^>]+>|^\s*(?:!!!|\?\?\?\+?)\s*\w+", re.M)


class _Loader(yaml.SafeLoader):
    """mkdocs.yml may use MkDocs' own tags (``!ENV``, ``!relative``); their values do not matter here."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def _config() -> dict:
    return yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)


def _excluded():
    return pathspec.GitIgnoreSpec.from_lines((_config().get("exclude_docs") or "").splitlines())


def _site_pages() -> list[str]:
    """Markdown pages of docs/ that are in the site, relative to docs/ (``guides/x.md``)."""
    excluded = _excluded()
    pages = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
    return [p for p in pages if not excluded.match_file(p)]


def _counterpart(page: str) -> str:
    return page[len(EN):] if page.startswith(EN) else EN + page


def _text(page: str) -> str:
    return (DOCS / page).read_text(encoding="utf-8")


def _prose(text: str, other_language: str) -> str:
    """The page's running text: without code, without elements marked as `other_language`."""
    text = FENCE.sub("", text)
    text = MARKED[other_language].sub("", text)
    text = INLINE_CODE.sub("", text)
    return NOT_PROSE.sub("", text)


def _nav_sections() -> dict:
    nav = _config()["nav"]
    assert [next(iter(item)) for item in nav] == [ZH_SECTION, EN_SECTION], \
        "mkdocs.yml nav: two sections, '简体中文:' first, then 'English:'"
    return {next(iter(item)): next(iter(item.values())) for item in nav}


def _shape(items) -> list:
    """A nav section as nested (title, path or children) pairs."""
    shaped = []
    for item in items:
        if isinstance(item, str):
            shaped.append((None, item))
            continue
        (title, value), = item.items()
        shaped.append((title, _shape(value) if isinstance(value, list) else value))
    return shaped


def _flatten(shaped) -> list[tuple[str | None, str | None]]:
    """(title, path) of every entry, sections included with a path of None, in order."""
    flat = []
    for title, value in shaped:
        if isinstance(value, list):
            flat.append((title, None))
            flat.extend(_flatten(value))
        else:
            flat.append((title, value))
    return flat


def _links(page: str) -> set[str]:
    """Where the page's relative links lead, as docs-relative targets (``guides/x.md#part``)."""
    text = FENCE.sub("", _text(page))
    text = INLINE_CODE.sub("", text)
    folder = posixpath.dirname(page)
    targets = set()
    for match in [*MD_LINK.finditer(text), *HTML_LINK.finditer(text)]:
        target = match.group("target")
        if re.match(r"^[a-z][a-z0-9+.-]*:|^#|^/", target, re.I):
            continue  # another site, a place on this page, or an absolute path (not portable)
        path, _, fragment = target.partition("#")
        resolved = posixpath.normpath(posixpath.join(folder, path))
        targets.add(resolved + (f"#{fragment}" if fragment else ""))
    return targets


def _is_page(target: str) -> bool:
    """A page has a version per language; other files (the data package's) exist once."""
    path = target.partition("#")[0]
    return path.endswith(".md") or path.endswith("/") or "." not in posixpath.basename(path)


PAGES = _site_pages()
ZH_PAGES = [p for p in PAGES if not p.startswith(EN)]
EN_PAGES = [p for p in PAGES if p.startswith(EN)]


def test_there_are_pages_in_both_languages():
    assert "index.md" in ZH_PAGES and "en/index.md" in EN_PAGES
    assert len(ZH_PAGES) == len(EN_PAGES) >= 5


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_its_other_language_version(page):
    other = _counterpart(page)
    assert other in PAGES, f"docs/{page}: no docs/{other}; write it, or exclude both in mkdocs.yml exclude_docs"


def test_maintainers_documents_stay_out_of_the_site():
    excluded = _excluded()
    for name in ("performance.md", "quality.md"):
        assert excluded.match_file(name), f"docs/{name}: add it to exclude_docs in mkdocs.yml"
        for page in PAGES:
            assert name not in _links(page), f"docs/{page} links docs/{name}, which is not in the site"


def test_nav_sections_have_the_same_shape_with_english_under_en():
    sections = _nav_sections()
    zh, en = _flatten(_shape(sections[ZH_SECTION])), _flatten(_shape(sections[EN_SECTION]))
    assert len(zh) == len(en), "the English nav section has a different number of entries"
    for (zh_title, zh_path), (en_title, en_path) in zip(zh, en):
        where = f"nav: {zh_title!r} ↔ {en_title!r}"
        if zh_path is None:
            assert en_path is None, f"{where}: a section in Chinese, a page in English"
        else:
            assert not zh_path.startswith(EN), f"{where}: Chinese paths stay at the site's root"
            assert en_path == EN + zh_path, f"{where}: expected English path {EN + zh_path!r}, got {en_path!r}"
        assert zh_title and HAN.search(zh_title) and not LATIN.search(zh_title), f"{where}: Chinese titles only"
        assert en_title and not HAN.search(en_title), f"{where}: English titles have no Chinese"


def test_every_page_in_the_site_is_in_the_nav():
    paths = {path for section in _nav_sections().values() for _, path in _flatten(_shape(section)) if path}
    missing = [p for p in PAGES if p not in paths]
    assert not missing, f"pages missing from mkdocs.yml nav: {missing}"


@pytest.mark.parametrize("page", ZH_PAGES)
def test_a_chinese_page_reads_in_chinese(page):
    prose = _prose(_text(page), other_language="en")
    han, latin = len(HAN.findall(prose)), len(LATIN.findall(prose))
    # Names such as CSV, Excel or Python stay in Latin letters; the running text is Chinese.
    assert han >= 3 * latin, f"docs/{page}: {han} Han characters, {latin} Latin letters outside code"
    for heading in re.findall(r"^#{1,6} (.+)$", FENCE.sub("", _text(page)), re.M):
        assert HAN.search(heading), f"docs/{page}: heading {heading!r} is not in Chinese"


@pytest.mark.parametrize("page", EN_PAGES)
def test_an_english_page_has_chinese_only_where_marked(page):
    prose = _prose(_text(page), other_language="zh")
    stray = sorted({line.strip() for line in prose.splitlines() if HAN.search(line)})
    assert not stray, (f"docs/{page}: Chinese outside code and <span lang=\"zh\">…</span>: {stray[:3]}")


@pytest.mark.parametrize("page", ZH_PAGES)
def test_both_versions_of_a_page_link_the_same_places(page):
    zh_links = _links(page)
    for target in zh_links:
        assert not target.startswith(("..", EN)), f"docs/{page}: link {target!r} leaves the Chinese pages"
    expected = {EN + t if _is_page(t) else t for t in zh_links}
    en_links = _links(EN + page)
    assert en_links == expected, (
        f"docs/{page} and docs/{EN}{page} link different places: "
        f"only in Chinese {sorted(expected - en_links)}, only in English {sorted(en_links - expected)}")


def test_links_to_hand_written_pages_lead_to_pages_that_exist():
    for page in PAGES:
        for target in _links(page):
            path = target.partition("#")[0]
            if path.startswith(("guides/", f"{EN}guides/")) or path in ("index.md", f"{EN}index.md"):
                assert (DOCS / path).is_file(), f"docs/{page}: link to docs/{path}, which does not exist"
