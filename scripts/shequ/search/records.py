"""What Pagefind indexes: records made from the render model, and the built pages.

Pagefind keeps one index per ``<html lang>`` and its script loads the index of the
page's own language, so each record and page goes in twice: as a Chinese page at its
address from the site root and as an English page under ``en/`` (see
:mod:`shequ.render.language`). Both carry the bigram tokens of the record's Chinese
text, so that a Chinese query finds it on an English page too; the Chinese page keeps
the English name below its title, so that an English name finds it on a Chinese page.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from shequ.render import language, messages
from shequ.render.messages import N_
from shequ.render.facets import REGION_FACETS
from shequ.search.tokens import HAN, cjk_tokens
from shequ.sources.romanize import plain_pinyin

#: What a result is, shown beside it in the page's language: kind → (Chinese, English).
KINDS = {
    "organization": N_("Organization"),
    "incubator": N_("Incubator"),
    "region": N_("Region"),
    "topic": N_("Topic"),
    "glossary": N_("Glossary term"),
    "provision": N_("Provision"),
    "document": N_("Policy document"),
    "guide": N_("Guide"),
    "page": N_("Page"),
}


#: How many times each bigram token is written for Pagefind. Pagefind cuts its word index
#: into chunks of 20,000 positions (not bytes), and a query loads every chunk that holds one
#: of its tokens: a repeated token costs four positions but few more bytes (the repeats sit
#: side by side, one byte apart), so the tokens fill four times as many chunks, each about
#: half the bytes. Measured on the demo site, the whole name 朝阳区银龄互助会 loads three
#: chunks of 59 KB in all instead of 90 KB; every query's share falls by a quarter.
TOKEN_REPEATS = 4


def token_text(tokens: Iterable[str]) -> str:
    """Bigram tokens as the hidden text Pagefind reads, each :data:`TOKEN_REPEATS` times.

    >>> token_text(["zqtfavic"])
    'zqtfavic zqtfavic zqtfavic zqtfavic'
    """
    return " ".join(" ".join([token] * TOKEN_REPEATS) for token in tokens)


def kind_label(kind: str, lang: str) -> str:
    """What a result of ``kind`` is called on a page in ``lang``."""
    return messages.of(lang).t(KINDS[kind])


@dataclass
class Record:
    """One search result that is not read from HTML, in one language: an incubator, a region,
    a topic or a glossary term as a Chinese page (``lang="zh"``) or an English one (``"en"``)."""

    url: str  # site path without the language folder, "incubators/inc-x/"; may end in "#anchor"
    title: str
    kind: str
    content: str
    region: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: dict[str, str] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)  # more to show beside the result
    subtitle: str = ""  # the name in the other language: weighed with the kind of item, below the title
    lang: str = language.DEFAULT
    hidden: str = ""  # text that goes in only as bigram tokens (an English record: its Chinese text)

    @property
    def address(self) -> str:
        """The record's address in its language's tree, from the site root."""
        return "/" + language.prefix(self.lang) + self.url

    def html(self) -> str:
        """The record as a small page for Pagefind: its title as the heading (which Pagefind
        weighs more), its text, the bigram tokens (the names' weighed like a heading),
        and its kind, region, filters and sort keys as ``data-pagefind-*`` elements."""
        e = html.escape
        label = kind_label(self.kind, self.lang)
        title_tokens = cjk_tokens(f"{self.title} {self.subtitle}")
        held = set(title_tokens)
        content_tokens = [t for t in cjk_tokens(f"{self.content} {self.hidden}") if t not in held]
        tags = [f'<span data-pagefind-meta="kind">{e(label)}</span>']
        if self.region:
            tags.append(f'<span data-pagefind-meta="region">{e(self.region)}</span>')
        tags += [f'<span data-pagefind-meta="{name}">{e(v)}</span>' for name, v in self.meta.items()]
        for name, values in {"kind": [self.kind], **self.filters}.items():
            tags += [f'<span data-pagefind-filter="{name}">{e(v)}</span>' for v in values]
        tags += [f'<span data-pagefind-sort="{name}">{e(v)}</span>' for name, v in self.sort.items()]
        return (f'<html lang="{language.TAGS[self.lang]}"><body><main data-pagefind-body><h1>{e(self.title)}</h1>'
                f'<p data-pagefind-weight="5">{e(label)}{". " + e(self.subtitle) if self.subtitle else ""}</p>'
                f'<p>{e(self.content)} '
                f'<span data-pagefind-weight="7">{token_text(title_tokens)}</span> {token_text(content_tokens)}</p>'
                f'<div data-pagefind-ignore>{"".join(tags)}</div></main></body></html>')

    def message(self, index_id: int) -> dict:
        return {"type": "AddFile", "index_id": index_id, "url": self.address, "file_contents": self.html()}


def term_label(term, lang: str) -> str:
    """A vocabulary term's label in ``lang`` (the Chinese one where it has no English)."""
    return language.pick(lang, term.label_zh, term.label_en)


def term_labels(term) -> str:
    """Both labels of a term, for the directory index, which serves both languages."""
    return f"{term.label_zh} {term.label_en}" if term.label_en != term.label_zh else term.label_zh


def _region_filters(directory, code: str | None) -> dict[str, list[str]]:
    """Province, prefecture and county of a division, each as "code name"."""
    out = {}
    for region in directory.region_path(code):
        if region.level in REGION_FACETS:
            out[region.level] = [f"{region.code} {region.name}"]
    return out


def _entry_text(directory, entry, lang: str) -> list[str]:
    """The searchable text of a record in ``lang`` besides its names and place: alternate
    names, then the fields and lists with the ``searchable`` role (codes as their labels)."""
    parts = list(entry.lists.get("alternate_names", []))
    for f in directory.sources.schemas.with_role(entry.dataset, "searchable"):
        found = entry.lists.get(f.key, []) if f.is_list else [entry.values.get(f.key)]
        for value in found:
            if value is None:
                continue
            parts.append(term_label(directory.term(f.vocabulary, value), lang) if f.vocabulary else str(value))
    return [p for p in parts if p]


def _named(zh: str, en: str | None, lang: str) -> tuple[str, str]:
    """(title, subtitle) of a record named ``zh`` and ``en`` on a page in ``lang``: the
    page language's name first, the other below it."""
    title = language.pick(lang, zh, en)
    other = en if lang == language.DEFAULT else zh
    return title, (other or "") if other != title else ""


def incubator_records(directory, inc) -> list[Record]:
    values = inc.values
    filters = _region_filters(directory, values.get("division"))
    sort = {"name": inc.name}
    if values.get("opened"):
        sort["founded"] = values["opened"].isoformat()
    out = []
    for lang in language.LANGUAGES:
        place = directory.short_place(values.get("division"), lang)
        text = _entry_text(directory, inc, lang)
        title, subtitle = _named(inc.name, values.get("name_en"), lang)
        sort = {**sort, "name": title}
        out.append(Record(inc.path, title, "incubator", f"{place}. " + ". ".join(text), place, filters, sort,
                          subtitle=subtitle, lang=lang))
    _hide_chinese(out)
    return out


def _hide_chinese(records: list[Record]) -> None:
    """The English records get the Chinese record's text as tokens (a Chinese query finds them)."""
    chinese = next(r for r in records if r.lang == language.DEFAULT)
    for record in records:
        if record is not chinese:
            record.hidden = f"{chinese.title} {chinese.content}"


def place_words(region) -> str:
    """What finds a region besides its names: the pinyin of its Chinese name as one word
    (浦东新区 → pudongxinqu), so that pinyin typed with or without spaces finds it."""
    return plain_pinyin(region.name) if HAN.search(region.name or "") else ""


def region_records(directory, region) -> list[Record]:
    from shequ.render.model import LEVEL_LABELS

    path = directory.region_path(region.code)[:-1]
    level = LEVEL_LABELS.get(region.level, region.level)
    filters = _region_filters(directory, region.code)
    out = []
    # Both records hold both names and the pinyin: "Pudong" finds 浦东新区 on the Chinese site too.
    for lang in language.LANGUAGES:
        # Where the region lies, as cards write a place (上海市; Pudong New Area, Shanghai
        # Municipality): groupings such as 市辖区 left out, English smallest first.
        trail = directory.short_place(path[-1].code, lang) if path else ""
        title, subtitle = _named(region.name, region.name_en, lang)
        level_text = messages.of(lang).t(level)
        out.append(Record(region.path, title, "region",
                          f"{trail} {title} {region.code}. {level_text}. {place_words(region)}", trail, filters,
                          meta={"names": " ".join(n for n in (region.name, region.name_en, place_words(region)) if n)},
                          subtitle=subtitle, lang=lang))
    _hide_chinese(out)
    return out


def topic_records(directory) -> Iterator[Record]:
    for name in directory.topic_vocabularies:
        vocab = directory.vocabularies.get(name)
        for term in directory.terms.get(name, {}).values():
            pair = []
            for lang in language.LANGUAGES:
                title, subtitle = _named(term.label_zh, term.label_en, lang)
                heading = language.pick(lang, vocab.title_zh, vocab.title_en) if vocab else name
                pair.append(Record(term.path, title, "topic", f"{heading}.", subtitle=subtitle, lang=lang))
            _hide_chinese(pair)
            yield from pair


def glossary_records(directory) -> Iterator[Record]:
    policy = directory.policy
    if policy is None:
        return
    for term in policy.glossary:
        url = f"policy/glossary/#{term.id}"
        zh = Record(url, term.zh, "glossary", f"{term.pinyin}. {term.definition_zh}", subtitle=term.en)
        en = Record(url, term.en or term.zh, "glossary", f"{term.pinyin}. {term.definition_en}",
                    subtitle=term.zh if term.en else "", lang="en")
        _hide_chinese([zh, en])
        yield zh
        yield en


def model_records(directory) -> Iterator[Record]:
    """What Pagefind indexes from the model rather than from HTML, in both languages. The
    organizations have an index of their own (:func:`write_directory_index`). A record that
    uses a term of a synonym group also carries the tokens of the group's other terms."""
    synonyms = directory.sources.synonyms
    for record in _model_records(directory):
        extra = synonyms.expand(f"{record.title} {record.subtitle} {record.content} {record.hidden}")
        if extra:
            record.hidden = f"{record.hidden} {extra}".strip()
        yield record


def _model_records(directory) -> Iterator[Record]:
    for inc in directory.incubators:
        yield from incubator_records(directory, inc)
    for region in directory.regions.values():
        yield from region_records(directory, region)
    yield from topic_records(directory)
    yield from glossary_records(directory)


#: Site paths whose pages are covered by records, so their HTML is not indexed again.
RECORD_PREFIXES = ("organizations/", "incubators/", "regions/", "topics/")
RECORD_INDEXES = {"incubators/", "regions/", "topics/"}  # listing pages still indexed as pages


def page_kind(path: str) -> str:
    """What a page is, from its site path (in either language's tree)."""
    path = language.neutral(path)
    if path.startswith("guides/"):
        return "guide"
    if path.startswith("policy/glossary/"):
        return "glossary"
    if path.startswith("policy/"):
        depth = path.strip("/").count("/")
        return "provision" if depth == 2 else "document" if depth == 1 else "page"
    return "page"


_BODY = re.compile(r"<[a-z]+[^>]*\sdata-pagefind-body[\s>=]", re.I)
_IGNORED = re.compile(r"<(\w+)[^>]*\sdata-pagefind-ignore[^>]*>.*?</\1>", re.S | re.I)
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S | re.I)
_HTML = re.compile(r"<html\b[^>]*>", re.I)
_LANG = re.compile(r"""\slang\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.I)


def page_tokens(text: str) -> tuple[list[str], list[str]] | None:
    """The bigram tokens of a built page's heading and of the rest of its indexed body.
    None: the page has no body to index."""
    match = _BODY.search(text)
    if match is None:
        return None
    start = text.index(">", match.start()) + 1
    body = _TAG.sub(" ", _IGNORED.sub(" ", _SCRIPT.sub(" ", text[start:])))
    heading = _H1.search(text, start)
    title = cjk_tokens(html.unescape(_TAG.sub(" ", heading.group(1)))) if heading else []
    held = set(title)
    return title, [t for t in cjk_tokens(html.unescape(body)) if t not in held]


def page_html(text: str, kind: str, lang: str = language.DEFAULT, extra: Iterable[str] = ()) -> str | None:
    """A built page as Pagefind gets it: ``<html lang>`` set to ``lang`` (Pagefind files it
    in that language's index), its body marked with the kind of page and followed by the
    bigram tokens of its text and the ``extra`` tokens (an English page: its Chinese
    page's). None: the page has no body to index."""
    tokens = page_tokens(text)
    if tokens is None:
        return None
    title, rest = tokens
    held = set(title) | set(rest)
    rest = rest + [t for t in extra if t not in held]
    match = _BODY.search(text)
    start = text.index(">", match.start()) + 1
    tag = text[match.start():start]
    marked = tag[:-1] + f' data-pagefind-meta="kind:{kind_label(kind, lang)}">'
    hidden = (f'<span hidden><span data-pagefind-weight="7">{token_text(title)}</span> {token_text(rest)} </span>')
    out = text[:match.start()] + marked + hidden + text[start:]
    root = _HTML.search(out, 0, match.start())
    opening = f'<html lang="{language.TAGS[lang]}">'
    if root is None:
        return opening + out
    tag = root.group(0)
    tag = _LANG.sub("", tag)
    tag = tag[:-1].rstrip() + f' lang="{language.TAGS[lang]}">'
    return out[:root.start()] + tag + out[root.end():]


def html_pages(site: Path, files) -> Iterator[tuple[str, str, str, str]]:
    """(url, html, kind, language) of every MkDocs page that search covers, from the built site.

    Each page is indexed in both languages: the Chinese page at its address, the English one
    under ``en/``, whichever of the two MkDocs lists (the other is found in the site folder).
    An English page also carries the tokens of its Chinese page's text.
    """
    pages: dict[str, tuple[str, str]] = {}  # neutral path -> (dest_uri without the language folder, kind)
    for file in files.documentation_pages():
        path = file.url if file.url != "./" else ""
        neutral = language.neutral(path)
        meta = getattr(file.page, "meta", None) or {}
        search = meta.get("search")
        if isinstance(search, dict) and search.get("exclude"):
            continue
        if neutral.startswith(RECORD_PREFIXES) and neutral not in RECORD_INDEXES:
            continue
        dest = language.neutral(file.dest_uri.replace("\\", "/"))
        pages.setdefault(neutral, (dest, page_kind(neutral)))
    chinese: dict[str, list[str]] = {}
    for lang in language.LANGUAGES:
        for neutral, (dest, kind) in pages.items():
            out = site / (language.prefix(lang) + dest)
            if not out.is_file():
                continue
            text = out.read_text(encoding="utf-8")
            if lang == language.DEFAULT:
                tokens = page_tokens(text)
                if tokens is not None:
                    chinese[neutral] = tokens[0] + tokens[1]
            text = page_html(text, kind, lang, chinese.get(neutral, ()) if lang != language.DEFAULT else ())
            if text is not None:
                yield "/" + language.prefix(lang) + neutral, text, kind, lang

