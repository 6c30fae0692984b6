"""The search stage: the site's search, in Chinese and English, in two static indexes.

After the record pages are written, :func:`build_index` writes

- a Pagefind index into ``<site>/pagefind/``: the pages (home, guides, policy documents
  and provisions, statistics, data), and from the render model
  (:class:`~shequ.render.model.Directory`) every incubator, region, topic term and
  glossary term;
- the organizations' own index into ``<site>/directory-index/``
  (:func:`write_directory_index`): words in shards, results in small chunks and the
  facets as columns. Organizations are most of a large directory, and Pagefind does
  not scale to 100,000 of them (see Scale below).

The header search box and the faceted directory at ``/organizations/``
(``assets/shequ-search.js``) load only the files a query needs, from the site itself:
no other host, no CDN, and it works on a machine with no internet.

Two languages
    Every page exists in Chinese at the site root and in English under ``en/``
    (:mod:`shequ.render.language`). Pagefind keeps one index per ``<html lang>`` and its
    script loads the one of the page's language (the tag, or its first part: ``zh-CN``
    reads ``zh``), so each record goes in twice (:meth:`Record.html`): on the Chinese
    index at its address, with its Chinese name, labels and text, and its English name
    below the title (an English name typed on a Chinese page finds it); on the English
    index under ``en/``, with its English name (the Chinese one where it has none) and
    English labels, the Chinese name below the title, and the bigram tokens of its
    Chinese text (a Chinese query on an English page finds it; regions, which have only
    Chinese names, also carry their pinyin). Pages are read from the built site in both
    trees (:func:`html_pages`); an English page is filed by its address whatever its
    ``<html lang>`` says, and carries its Chinese page's tokens. The organizations'
    index is one for both languages: it holds the words and names of both, a snippet
    per language, ids in pinyin order and a rank per id in English order; the script
    shows the page's language and links into its tree. On the demo site the second
    language took the Pagefind index from 134 to 268 records, 694 to 782 KB and about
    0.55 to 0.75 s.

What goes in
    - Pagefind: each page's ``data-pagefind-body`` (the article; ``main.html`` marks it)
      without the parts marked ``data-pagefind-ignore``; each record as a small page
      made here (:meth:`Record.html`) with its kind and region as metadata, once per language;
    - the directory index: each organization's names, place, community, registration
      authority, address and the labels of its legal form, track, status, fields,
      populations and functions; its province, prefecture, county, track, legal form,
      fields, populations, status and founding date as facets.

Why records and not the record pages' HTML
    Measured with 10,000 synthetic organizations: Pagefind reading the built record
    pages took 31–47 s (about 3 ms a page, most of it parsing and writing 45 MB of
    fragments with the whole article in each). Each record goes in instead as a small
    page made here (:meth:`Record.html`): its name as the heading, the text worth
    searching, and its kind, region, facets and sort keys as ``data-pagefind-*``
    elements. Pagefind's service is driven directly (:class:`Pagefind`): the Python
    package's client waits 0.1 s per answer, 17 minutes for 10,000 records.

Chinese substrings
    Pagefind 1.5's extended binary segments Chinese on ``lang="zh"`` pages with a
    dictionary segmenter when indexing, but the browser segments the query with
    ``Intl.Segmenter``; the two disagree. Measured on the demo site: 互助, 朝阳, 备案
    and 直接登记 were found, but the whole name 石桥村银龄互助会 did not find its own
    page, and 新区 did not find 浦东新区益民社区老年协会 (the index only holds the word
    浦东新区, and Pagefind matches a query word against the start of indexed words).
    So each record and page also carries *bigram tokens* of its Chinese text: each
    pair of neighbouring Han characters written as one ASCII word, ``zq`` and the two
    characters' code points in base 36, three digits each (银龄 → ``zqtfavic``), plus
    the last character of each run on its own. The search script turns the Chinese
    in a query into the same tokens (see ``cjkTokens`` in ``shequ-search.js``), so a
    query matches every record that holds all of its character pairs: any substring
    of a name, a place or a policy term of two or more characters; one character
    matches the pairs that start with it. The tokens sit in hidden text that only
    Pagefind reads; the result snippets leave them out.

Scale (``python -m shequ.bench.search 10000 100000``; a shared 2-core machine under load)
    Pagefind alone, organizations included: at 10,000 organizations it indexed in
    21–23 s and a first query downloaded 241–299 KB; at 100,000 it missed every
    target. Its metadata lists every page and every sort order, 1.15 MB that each visit
    loads before its first result; queries that match tens of thousands of pages took
    seconds (互助: 16 s; a word in all of 100,000 lean test records: 46–104 s); and
    indexing took 8.5 minutes. Hence the organizations' own index. With it:

    ============  ========  ==========  =================  ===============  =========
    organizations index     index size  first query total  of which loader  results
    ============  ========  ==========  =================  ===============  =========
    10,000        3.4 s     1.9 MB      152–217 KB         113 KB           0.25–0.8 s
    100,000       39 s      14.0 MB     142–205 KB         118 KB           0.3–0.54 s
    ============  ========  ==========  =================  ===============  =========

    "Loader" is what a visit loads once (pagefind.js 45 KB, its WebAssembly 67 KB, the
    metadata and the manifest); the rest is the query's own word files and the first
    ten results. Results are timed from the keystroke, loader included; a second query
    takes 0.12–0.14 s.

Example::

    from shequ.search import build_index
    stats = build_index(Path("site"), renderer.directory, files)
    print(stats.records, stats.pages, f"{stats.seconds:.1f} s", stats.bytes)
"""

from __future__ import annotations

import base64
import html
import json
import logging
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from shequ.render import language, messages
from shequ.render.messages import N_
from shequ.render.facets import FACET_VOCABULARIES, FACETS, REGION_FACETS

log = logging.getLogger("mkdocs.plugins.shequ")

#: Where the index goes in the site.
OUTPUT = "pagefind"
#: The script and stylesheet of the search box and the directory facets.
ASSETS = ("assets/shequ-search.js", "assets/shequ-search.css")
ASSETS_DIR = Path(__file__).parent / "assets"

#: Every bigram token starts with this; no English or pinyin word does.
MARKER = "zq"
#: Han characters the tokens cover: CJK Unified Ideographs and Extension A. Their code
#: points are below 36**3, so three base-36 digits hold each one.
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


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


def kind_label(kind: str, lang: str) -> str:
    """What a result of ``kind`` is called on a page in ``lang``."""
    return messages.of(lang).t(KINDS[kind])


class SearchIndexError(Exception):
    """The search index could not be written; the message says why."""


# Tokens -----------------------------------------------------------------------------------------

def _code(char: str) -> str:
    n = ord(char)
    return DIGITS[n // 1296] + DIGITS[n // 36 % 36] + DIGITS[n % 36]


def cjk_tokens(text: str) -> list[str]:
    """The bigram tokens of the Han characters in ``text``, each once, in order.

    >>> cjk_tokens("银龄")
    ['zqtfavic', 'zqvic']
    >>> cjk_tokens("a 互助 b")
    ['zqfiqgbt', 'zqgbt']
    """
    seen: dict[str, None] = {}
    for run in HAN.findall(text or ""):
        codes = [_code(c) for c in run]
        for a, b in zip(codes, codes[1:]):
            seen.setdefault(MARKER + a + b)
        seen.setdefault(MARKER + codes[-1])
    return list(seen)


def query_tokens(query: str) -> str:
    """A query as the search script sends it to Pagefind: Chinese runs as bigram tokens.

    The same rule as ``cjkTokens`` in ``shequ-search.js`` (the tests check they agree):
    a run of one character is its own token, which matches the pairs it starts;
    a longer run is every other pair, and the last: pairs that cover each character,
    so that a long name loads half as many index chunks (互助会 → 互助 助会,
    银龄互助 → 银龄 互助).

    >>> query_tokens("银龄 care")
    'zqtfavic care'
    """
    def run(match: re.Match) -> str:
        codes = [_code(c) for c in match.group(0)]
        if len(codes) == 1:
            return " " + MARKER + codes[0] + " "
        starts = list(range(0, len(codes) - 1, 2))
        if starts[-1] != len(codes) - 2:
            starts.append(len(codes) - 2)
        return " " + " ".join(MARKER + codes[i] + codes[i + 1] for i in starts) + " "

    return " ".join(HAN.sub(run, query).split())


# What is indexed ---------------------------------------------------------------------------------
#
# Pagefind keeps one index per ``<html lang>`` and its script loads the index of the
# page's own language, so each record and page goes in twice: as a Chinese page at its
# address from the site root and as an English page under ``en/`` (see
# :mod:`shequ.render.language`). Both carry the bigram tokens of the record's Chinese
# text, so that a Chinese query finds it on an English page too; the Chinese page keeps
# the English name below its title, so that an English name finds it on a Chinese page.

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
                f'<span data-pagefind-weight="7">{" ".join(title_tokens)}</span> {" ".join(content_tokens)}</p>'
                f'<div data-pagefind-ignore>{"".join(tags)}</div></main></body></html>')

    def message(self, index_id: int) -> dict:
        return {"type": "AddFile", "index_id": index_id, "url": self.address, "file_contents": self.html()}


def _label(term, lang: str) -> str:
    """A vocabulary term's label in ``lang`` (the Chinese one where it has no English)."""
    return language.pick(lang, term.label_zh, term.label_en)


def _labels(term) -> str:
    """Both labels of a term, for the directory index, which serves both languages."""
    return f"{term.label_zh} {term.label_en}" if term.label_en != term.label_zh else term.label_zh


def _region_filters(directory, code: str | None) -> dict[str, list[str]]:
    """Province, prefecture and county of a division, each as "code name"."""
    out = {}
    for region in directory.region_path(code):
        if region.level in REGION_FACETS:
            out[region.level] = [f"{region.code} {region.name}"]
    return out


def _entry_text(directory, entry, fields: Iterable[str], lang: str) -> list[str]:
    """The searchable text of a record in ``lang`` besides its names and place: alternate
    names, the named fields (vocabulary codes as their labels) and the topic lists.
    Descriptions are left out: with 10,000 synthetic records they made writing the
    index half as slow again, and what they say is in these fields."""
    values = entry.values
    parts = list(entry.lists.get("alternate_names", []))
    table = directory.fields["organizations" if entry.dataset == "organizations" else "incubators"]
    for name in fields:
        value = values.get(name)
        if value is None:
            continue
        vocabulary = table[name].vocabulary if name in table else None
        parts.append(_label(directory.term(vocabulary, value), lang) if vocabulary else str(value))
    for key in ("fields_of_activity", "service_populations", "service_functions", "support_types"):
        parts += [_label(directory.term(key, c), lang) for c in entry.lists.get(key, [])]
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
    place = directory.short_place(values.get("division"))
    out = []
    for lang in language.LANGUAGES:
        text = _entry_text(directory, inc, ("kind", "operator", "host_body", "address"), lang)
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


def _romanized(name: str) -> str:
    """A Chinese place name in pinyin, one word (朝阳区 → Chaoyangqu), for English readers."""
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(name)).capitalize() if HAN.search(name or "") else ""


def region_records(directory, region) -> list[Record]:
    from shequ.render.model import LEVEL_LABELS

    trail = [r.name for r in directory.region_path(region.code)[:-1]]
    level = LEVEL_LABELS.get(region.level, region.level)
    level_zh, level_en = messages.of("zh").t(level), messages.of("en").t(level)
    filters = _region_filters(directory, region.code)
    zh = Record(region.path, region.name, "region", f"{' '.join(trail)} {region.name} {region.code}. {level_zh}.",
                " ".join(trail), filters)
    # Regions have only their Chinese names; an English reader may type their pinyin.
    en = Record(region.path, region.name, "region",
                f"{' '.join(trail)} {region.name} {region.code}. {level_en}.", " ".join(trail), filters,
                subtitle=_romanized(region.name), lang="en")
    _hide_chinese([zh, en])
    return [zh, en]


def topic_records(directory) -> Iterator[Record]:
    from shequ.render.model import TOPIC_VOCABULARIES

    for name in TOPIC_VOCABULARIES:
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


def records(directory) -> Iterator[Record]:
    """What Pagefind indexes from the model rather than from HTML, in both languages. The
    organizations have an index of their own (:func:`write_directory_index`)."""
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
    hidden = (f'<span hidden><span data-pagefind-weight="7">{" ".join(title)}</span> {" ".join(rest)} </span>')
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


# Pagefind's service ------------------------------------------------------------------------------

def executable() -> Path:
    """The Pagefind binary of the ``pagefind[extended]`` package."""
    try:
        from pagefind_bin_extended import get_executable  # type: ignore
    except ImportError:
        get_executable = None
    if get_executable is not None:
        path = Path(get_executable())
        if path.is_file():
            return path
    try:
        from pagefind.service import get_executable as find  # type: ignore
        path = find()
    except ImportError:
        path = None
    if path is None:
        raise SearchIndexError("the search index needs Pagefind's extended binary: pip install 'pagefind[extended]'")
    return Path(path)


class Pagefind:
    """Pagefind's ``--service`` protocol: base64 JSON messages, each ended by a comma.

    The ``pagefind`` Python package speaks the same protocol, but it waits 0.1 s
    between two responses, so 10,000 records would take 17 minutes; here a thread
    writes the requests while the caller reads the responses as they come.
    """

    def __init__(self):
        self.process = subprocess.Popen([str(executable()), "--service"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._buffer = bytearray()
        self._next_id = 0

    def _write(self, payload: dict) -> None:
        self._next_id += 1
        message = {"message_id": self._next_id, "payload": payload}
        self.process.stdin.write(base64.b64encode(json.dumps(message, ensure_ascii=False).encode("utf-8")) + b",")

    def _read(self) -> dict:
        while b"," not in self._buffer:
            chunk = self.process.stdout.read1(1 << 16)
            if not chunk:
                raise SearchIndexError("Pagefind stopped before it answered")
            self._buffer += chunk
        end = self._buffer.index(b",")
        raw, self._buffer = bytes(self._buffer[:end]), self._buffer[end + 1:]
        payload = json.loads(base64.b64decode(raw))["payload"]
        if payload.get("type") == "Error":
            raise SearchIndexError(f"Pagefind: {payload.get('message')}")
        return payload

    def call(self, payload: dict) -> dict:
        self._write(payload)
        self.process.stdin.flush()
        return self._read()

    def stream(self, payloads: Iterable[dict], advance=None) -> int:
        """Send every payload while reading the answers; the number sent."""
        sent = [0]
        failure: list[BaseException] = []

        def writer():
            try:
                for payload in payloads:
                    self._write(payload)
                    sent[0] += 1
                self.process.stdin.flush()
            except BaseException as exc:  # noqa: BLE001  (reported by the reader)
                failure.append(exc)
            finally:
                done.set()

        done = threading.Event()
        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        answered = 0
        while not (done.is_set() and answered >= sent[0]):
            if done.is_set() and failure:
                break
            if answered >= sent[0]:
                time.sleep(0.001)
                continue
            self._read()
            answered += 1
            if advance is not None:
                advance()
        thread.join()
        if failure:
            raise SearchIndexError(f"Pagefind: {failure[0]}")
        return answered

    def close(self) -> None:
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@dataclass
class IndexStats:
    records: int = 0  # from the model
    pages: int = 0  # from HTML
    seconds: float = 0.0
    bytes: int = 0  # the whole pagefind/ folder
    files: int = 0


#: The figures of the last index written in this process (for ``shequ bench``).
LAST: IndexStats | None = None


def build_index(site: Path, directory, files=None) -> IndexStats:
    """Write the search index of the site in ``site`` into ``site/pagefind/`` (one index
    per language, which Pagefind's script picks by the page's ``<html lang>``) and the
    organizations' index into ``site/directory-index/`` (one for both languages).

    ``directory`` is the render model; ``files`` are MkDocs' files (None: records only).
    Pages under ``en/`` are English; an English page MkDocs does not list is found
    beside its Chinese page in ``site`` (see :func:`html_pages`).
    """
    global LAST
    from shequ.progress import current

    site = Path(site)
    output = site / OUTPUT
    if output.exists():
        shutil.rmtree(output)
    start = time.perf_counter()
    stats = IndexStats()
    items = list(records(directory))
    with current().stage("search", total=len(items) + len(directory.organizations), unit="records") as stage:
        service = Pagefind()
        try:
            index_id = service.call({"type": "NewIndex", "config": {"output_path": str(output)}})["index_id"]
            stats.records = service.stream((r.message(index_id) for r in items), stage.advance)
            if files is not None:
                stats.pages = service.stream(
                    {"type": "AddFile", "index_id": index_id, "url": url, "file_contents": text}
                    for url, text, _, _ in html_pages(site, files))
            # Pagefind's own WriteFiles answers before its writes are done, and one run in
            # fifteen left pagefind-entry.json empty; so the files come back here and are
            # written by this process.
            written = service.call({"type": "GetFiles", "index_id": index_id})["files"]
        finally:
            service.close()
        _write_files(output, written)
        canonical_filters(output)
        write_directory_index(site, directory)
        stage.advance(len(directory.organizations))
    stats.records += len(directory.organizations)
    stats.seconds = time.perf_counter() - start
    sizes = [p.stat().st_size for folder in (output, site / DIRECTORY) for p in folder.rglob("*") if p.is_file()]
    stats.bytes, stats.files = sum(sizes), len(sizes)
    log.info(f"shequ: search index of {stats.records} records and {stats.pages} pages in {stats.seconds:.1f} s, "
             f"{stats.bytes / 1024:,.0f} KB in {stats.files} files")
    LAST = stats
    return stats


# The organizations' own index ----------------------------------------------------------------------
#
# Pagefind lists every page in metadata that each visit loads (1.15 MB at 100,000
# organizations), takes seconds for a query that matches tens of thousands of pages and
# indexes 100,000 pages in minutes. So the organizations, the bulk of a large directory,
# have an index of their own in ``directory-index/``, which the same script reads:
#
# - ``manifest.json``: how many organizations, shards and records per chunk, the codes
#   and labels of the facets;
# - ``t/<shard>.json.gz``: the words, each with the organizations whose name holds it and
#   those whose other text does (ids as base-64 varint deltas); a word's shard is the
#   FNV-1a hash of the word modulo the number of shards, so a query loads one small file
#   per word;
# - ``d/<chunk>.json.gz``: 16 organizations a file, what a result shows; ids follow the
#   names' order, so sorting by name is sorting by id;
# - ``facets.json.gz``: one column per facet (county, track, legal form, status, fields
#   and populations as bit sets, founding date), which the directory counts in the
#   browser; only /organizations/ loads it.
#
# Words are the bigram tokens of the Chinese text (as for Pagefind, plus every single
# character, for one-character queries), and the English words, lower case, without a
# plural "s".

DIRECTORY = "directory-index"
DOCS_PER_CHUNK = 16
#: Characters of ids above which a word has a file of its own.
HEAVY_WORD = 2048
_WORD = re.compile(r"[a-z0-9]+")


def english_words(text: str) -> list[str]:
    """Lower-case words of ``text``, a plural "s" dropped (the script does the same).

    >>> english_words("Elderly Care Centres, 2nd")
    ['elderly', 'care', 'centre', '2nd']
    """
    out = []
    for word in _WORD.findall((text or "").lower()):
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.append(word)
    return out


def directory_words(text: str) -> set[str]:
    """Every word the directory index holds for ``text``: bigrams, single characters, English words."""
    words = set(cjk_tokens(text))
    for run in HAN.findall(text or ""):
        words.update(MARKER + _code(c) for c in run)
    words.update(english_words(text))
    return words


def fnv1a(text: str) -> int:
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def _ids(ids: list[int], count: int) -> str:
    """Sorted ids as text: base-64 varint gaps, or "b" and a base-64 bit set when that is
    shorter (a word that more than one organization in eight holds)."""
    if len(ids) * 8 > count:
        bits = bytearray((count + 7) // 8)
        for i in ids:
            bits[i >> 3] |= 1 << (i & 7)
        return "b" + base64.b64encode(bytes(bits)).decode("ascii")
    return _varints(ids)


def _varints(ids: list[int]) -> str:
    out = bytearray()
    last = -1
    for i in ids:
        n = i - last - 1
        last = i
        while n >= 0x80:
            out.append(n & 0x7F | 0x80)
            n >>= 7
        out.append(n)
    return base64.b64encode(bytes(out)).decode("ascii")


def _gz(data) -> bytes:
    import gzip

    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return gzip.compress(raw, compresslevel=9, mtime=0)


def _org_text(directory, org) -> tuple[str, str, str, str]:
    """(name text, other text, Chinese snippet, English snippet) of an organization.

    The words are those of both languages (one index serves both); each snippet holds
    the labels in its own language and the name the result's title does not show."""
    values = org.values
    name_en = values.get("name_en") or ""
    alternate = org.lists.get("alternate_names", [])
    names = " ".join([org.name, name_en, *alternate])
    place = " ".join(r.name for r in directory.region_path(values.get("division")))
    terms = []
    for name in ("legal_form", "management_track", "status"):
        vocabulary = directory.fields["organizations"][name].vocabulary
        if values.get(name):
            terms.append(directory.term(vocabulary, values[name]))
    for key in ("fields_of_activity", "service_populations", "service_functions"):
        terms += [directory.term(key, c) for c in org.lists.get(key, [])]
    extra = [values.get(k) or "" for k in ("community", "registration_authority", "address")]
    other = " ".join([place, *extra, *(_labels(t) for t in terms)])
    short = directory.short_place(values.get("division"))
    snippets = {}
    for lang in language.LANGUAGES:
        other_name = name_en if lang == language.DEFAULT else org.name if name_en else ""
        parts = [other_name, *alternate, short, *(_label(t, lang) for t in terms)]
        snippets[lang] = ". ".join(p for p in parts if p)
    return names, other, snippets["zh"], snippets["en"]


def write_directory_index(site: Path, directory) -> int:
    """Write the organizations' index into ``site/directory-index/``; the number of files."""
    output = Path(site) / DIRECTORY
    if output.exists():
        shutil.rmtree(output)
    (output / "t").mkdir(parents=True)
    (output / "d").mkdir()
    # Ids follow the names in Chinese order (pinyin), so sorting by name on a Chinese page
    # is sorting by id; English pages sort by the ranks in order-en.json.gz.
    orgs = sorted(directory.organizations, key=lambda o: (language.sort_key("zh", o.name), o.id))
    postings: dict[str, tuple[list[int], list[int]]] = {}
    docs = []
    facet_codes = {facet: {code: i for i, code in enumerate(directory.terms.get(vocabulary, {}))}
                   for facet, vocabulary in FACET_VOCABULARIES.items()}
    counties: dict[str, int] = {}
    columns: dict[str, list] = {name: [] for name in ("county", "track", "form", "status", "field", "population",
                                                      "founded")}
    for i, org in enumerate(orgs):
        names, other, snippet_zh, snippet_en = _org_text(directory, org)
        in_name = directory_words(names)
        for word in in_name:
            postings.setdefault(word, ([], []))[0].append(i)
        for word in directory_words(other) - in_name:
            postings.setdefault(word, ([], []))[1].append(i)
        values = org.values
        founded = values.get("founded")
        docs.append([org.path, org.name, directory.short_place(values.get("division")),
                     values.get("management_track") or "", values.get("status") or "",
                     founded.isoformat() if founded else "", snippet_zh, values.get("name_en") or "", snippet_en])
        division = values.get("division") or ""
        county = division[:6] if len(division) >= 6 else ""
        columns["county"].append(counties.setdefault(county, len(counties)))
        for facet in ("track", "form", "status"):
            code = values.get(FACETS[facet])
            columns[facet].append(facet_codes[facet].get(code, -1) if code else -1)
        for facet in ("field", "population"):
            bits = 0
            for code in org.lists.get(FACETS[facet], []):
                if code in facet_codes[facet]:
                    bits |= 1 << facet_codes[facet][code]
            columns[facet].append(bits)
        columns["founded"].append(int(founded.strftime("%Y%m%d")) if founded else 0)
    shards = 16
    while shards < 4096 and len(postings) / shards > 48:
        shards *= 2
    buckets: list[dict] = [{} for _ in range(shards)]
    (output / "t" / "w").mkdir()
    for word in sorted(postings):
        names, others = postings[word]
        pair = [_ids(names, len(orgs)), _ids(others, len(orgs))]
        if len(pair[0]) + len(pair[1]) > HEAVY_WORD:
            # A word many organizations hold gets a file of its own (words are [0-9a-z]),
            # so that a query for a rare word never loads it.
            (output / "t" / "w" / f"{word}.json.gz").write_bytes(_gz(pair))
            pair = 1
        buckets[fnv1a(word) % shards][word] = pair
    for n, bucket in enumerate(buckets):
        (output / "t" / f"{n}.json.gz").write_bytes(_gz(bucket))
    for start in range(0, len(docs), DOCS_PER_CHUNK):
        (output / "d" / f"{start // DOCS_PER_CHUNK}.json.gz").write_bytes(_gz(docs[start:start + DOCS_PER_CHUNK]))
    regions = {}
    for code in counties:
        for level_code in (code[:2], code[:4], code):
            region = directory.regions.get(level_code)
            if level_code and region is not None:
                regions[level_code] = region.name
    (output / "facets.json.gz").write_bytes(_gz({"counties": list(counties), **columns}))
    # Each organization's place in English order, which only a sort by name on an English page loads.
    english = sorted(range(len(orgs)), key=lambda i: (language.sort_key("en", orgs[i].name, docs[i][7]), i))
    rank = [0] * len(orgs)
    for n, i in enumerate(english):
        rank[i] = n
    (output / "order-en.json.gz").write_bytes(_gz(rank))
    manifest = {
        "count": len(orgs), "shards": shards, "chunk": DOCS_PER_CHUNK, "regions": regions,
        "codes": {facet: list(codes) for facet, codes in facet_codes.items()},
    }
    (output / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, separators=(",", ":")),
                                          encoding="utf-8")
    return shards + (len(docs) + DOCS_PER_CHUNK - 1) // DOCS_PER_CHUNK + 3


# The same sources, the same index files ------------------------------------------------------------
#
# Pagefind 1.5 writes the values of each filter in hash-map order, which changes from run
# to run; the filter files' names are hashes of their contents, the metadata names them,
# and pagefind-entry.json names the metadata. So two builds of the same sources would
# differ in those files. canonical_filters() rewrites them with the values in sorted
# order: the same sources then give byte-identical index files. The files are Pagefind's
# own format: gzip of "pagefind_dcd" and CBOR (integers, text and arrays only).

_SIGNATURE = b"pagefind_dcd"


def _cbor_decode(data: bytes, i: int = 0):
    head = data[i]
    major, info = head >> 5, head & 31
    i += 1
    if info < 24:
        n = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        n = int.from_bytes(data[i:i + size], "big")
        i += size
    else:
        raise SearchIndexError(f"unexpected CBOR item {head:#x} in a Pagefind file")
    if major == 0:
        return n, i
    if major == 3:
        return data[i:i + n].decode("utf-8"), i + n
    if major == 4:
        items = []
        for _ in range(n):
            item, i = _cbor_decode(data, i)
            items.append(item)
        return items, i
    raise SearchIndexError(f"unexpected CBOR type {major} in a Pagefind file")


def _cbor_head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise ValueError(n)


def _cbor_encode(value) -> bytes:
    if isinstance(value, bool) or value is None:
        raise TypeError(value)
    if isinstance(value, int):
        return _cbor_head(0, value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(_cbor_encode(v) for v in value)
    raise TypeError(type(value).__name__)


def _read_pagefind(path: Path):
    import gzip

    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_SIGNATURE):
        raise SearchIndexError(f"{path.name} is not a Pagefind file")
    value, _ = _cbor_decode(data, len(_SIGNATURE))
    return value


def _pagefind_bytes(value) -> bytes:
    import gzip

    return gzip.compress(_SIGNATURE + _cbor_encode(value), compresslevel=9, mtime=0)


def canonical_filters(output: Path) -> None:
    """Rewrite the filter files, the metadata and the entry file of the index in ``output``
    so that they depend only on what was indexed."""
    import hashlib

    entry_path = output / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for lang, info in entry["languages"].items():
        meta_path = output / f"pagefind.{info['hash']}.pf_meta"
        meta = _read_pagefind(meta_path)
        filters = meta[3]
        renamed = []
        for name, old in filters:
            path = output / "filter" / f"{old}.pf_filter"
            filter_name, values = _read_pagefind(path)
            data = _pagefind_bytes([filter_name, sorted(values, key=lambda v: v[0])])
            new = f"{lang}_{hashlib.sha256(data).hexdigest()[:7]}"
            path.unlink()
            (output / "filter" / f"{new}.pf_filter").write_bytes(data)
            renamed.append([name, new])
        meta[3] = sorted(renamed)
        meta[4] = sorted(meta[4], key=lambda s: s[0])
        data = _pagefind_bytes(meta)
        new = f"{lang}_{hashlib.sha256(data).hexdigest()[:10]}"
        meta_path.unlink()
        (output / f"pagefind.{new}.pf_meta").write_bytes(data)
        info["hash"] = new
    # Languages in a fixed order too (Pagefind's is its hash map's): the site's default first,
    # which Pagefind's script falls back to, of indexes as large, for a page of another language.
    entry["languages"] = dict(sorted(entry["languages"].items(),
                                     key=lambda item: (not item[0].startswith(language.DEFAULT), item[0])))
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")



#: Files of Pagefind's bundle the site does not use: its own script shows the results.
UNUSED = {"pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js"}


def _write_files(output: Path, files: list[dict]) -> None:
    root = output.resolve()
    for item in sorted(files, key=lambda f: f["path"]):
        relative = item["path"]
        if relative in UNUSED:
            continue
        target = (root / relative).resolve()
        if root not in target.parents:
            raise SearchIndexError(f"Pagefind named a file outside its folder: {relative!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(item["content"]))


def asset_files(config) -> list:
    """The search script and stylesheet, as MkDocs files of the site."""
    from mkdocs.structure.files import File

    return [File.generated(config, uri, content=asset_content(uri)) for uri in ASSETS]


#: Where the search script takes the interface text of every language.
SCRIPT_MESSAGES = "{/* shequ:messages */}"


def asset_content(uri: str) -> bytes:
    """An asset as the site serves it: the script with the message catalogues' text in it."""
    data = (ASSETS_DIR / Path(uri).name).read_bytes()
    if uri.endswith(".js"):
        source = data.decode("utf-8")
        data = source.replace(SCRIPT_MESSAGES, messages.script_messages(source), 1).encode("utf-8")
    return data
