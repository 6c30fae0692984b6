"""The organizations' own index, in ``directory-index/``: the project's format, version :data:`FORMAT`.

Pagefind lists every page in metadata that each visit loads (1.15 MB at 100,000
organizations), takes seconds for a query that matches tens of thousands of pages and
indexes 100,000 pages in minutes. So the organizations, the bulk of a large directory,
have an index of their own in ``directory-index/``, which the same script reads:

- ``manifest.json``: how many organizations, shards and records per chunk, the codes
  and labels of the facets;
- ``t/<shard>.json.gz``: the words, each with the organizations whose name holds it and
  those whose other text does (ids as base-64 varint deltas); a word's shard is the
  FNV-1a hash of the word modulo the number of shards, so a query loads one small file
  per word;
- ``d/<chunk>.json.gz``: 16 organizations a file, what a result shows; ids follow the
  names' order, so sorting by name is sorting by id;
- ``u/<first six characters>.json.gz``: the organizations whose credit code starts with
  those characters, as [the rest of the code, id]: a code or its first characters finds
  its organization with one small file;
- ``s/<first letter><length>.json.gz``: the Latin words the site knows, most used first,
  for "did you mean" when a query finds nothing;
- ``facets.json.gz``: one column per facet (county, track, legal form, status, fields
  and populations as bit sets, founding date), which the directory counts in the
  browser; only /organizations/ loads it.

Words are the bigram tokens of the Chinese text (as for Pagefind, plus every single
character, for one-character queries), the English words, lower case, without a
plural "s", and the pinyin words of the names (pairs of syllables, :func:`pinyin_words`).
"""

from __future__ import annotations

import base64
import gzip
import json
import shutil
from pathlib import Path

from shequ.render import language
from shequ.search.records import term_label, term_labels
from shequ.search.tokens import MARKER, PINYIN_MARKER, directory_words, english_words, fnv1a, pinyin_words

DIRECTORY = "directory-index"
#: The version of this format, in the manifest: a script that reads another version ignores the index.
FORMAT = 1
DOCS_PER_CHUNK = 16
#: Characters of a credit code that name its file in u/: registration type and prefecture.
USCC_PREFIX = 6
#: Characters of ids above which a word has a file of its own.
HEAVY_WORD = 2048


def encode_ids(ids: list[int], count: int) -> str:
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
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return gzip.compress(raw, compresslevel=9, mtime=0)


def _org_text(directory, org, searchable: list) -> tuple[str, str, str, str]:
    """(name text, other text, Chinese snippet, English snippet) of an organization.

    ``searchable``: the organizations' fields with the ``searchable`` role. The words are
    those of both languages (one index serves both); each snippet holds the labels of
    its codes in its own language and the name the result's title does not show."""
    values = org.values
    name_en = values.get("name_en") or ""
    alternate = org.lists.get("alternate_names", [])
    names = " ".join([org.name, name_en, *alternate])
    regions = directory.region_path(values.get("division"))
    place = " ".join([*(r.name for r in regions), *(r.name_en for r in regions if r.name_en)])
    terms, extra, told = [], [], []
    for f in searchable:
        found = org.lists.get(f.key, []) if f.is_list else [values.get(f.key)]
        found = [v for v in found if v not in (None, "")]
        if f.vocabulary:
            terms += [directory.term(f.vocabulary, code) for code in found]
            # The snippet leaves out the usual value ("Active" on every result), as listings do.
            told += [directory.term(f.vocabulary, code) for code in found if directory.unusual(f.key, code)]
        else:
            extra += [str(v) for v in found]
    other = " ".join([place, *extra, *(term_labels(t) for t in terms)])
    # Near terms (datasets/reference/synonyms.yaml): 长者关爱 is found by 老年人 and 关怀.
    other = f"{other} {directory.sources.synonyms.expand(f'{names} {other}')}"
    snippets = {}
    for lang in language.LANGUAGES:
        short = directory.short_place(values.get("division"), lang)
        other_name = name_en if lang == language.DEFAULT else org.name if name_en else ""
        parts = [other_name, *alternate, short, *(term_label(t, lang) for t in told)]
        snippets[lang] = ". ".join(p for p in parts if p)
    return names, other, snippets["zh"], snippets["en"]


def _shown(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _title(directory, facet) -> list[str]:
    """A filter's title, [Chinese, English]: its vocabulary's title for a list, else its field's."""
    if facet.is_list:
        vocab = directory.vocabularies.get(facet.vocabulary)
        if vocab is not None:
            return [vocab.title_zh, vocab.title_en]
    f = directory.fields["organizations"].get(facet.key)
    return [f.title_zh, f.title] if f else [facet.key, facet.key]


def spelling_key(word: str) -> str:
    """The file of ``s/`` that holds a word: its first letter and its length (``senior`` → ``s6``)."""
    return f"{word[0]}{len(word)}"


def _write_spelling(output: Path, directory, postings: dict) -> list[str]:
    """The Latin words search knows, for "did you mean": ``s/<first letter><length>.json.gz``,
    most used first. A word one edit from a query word has its first letter (unless the edit
    is there) and a length one less, equal or one more: three small files. Returns the files'
    keys, which the manifest lists so that the script never asks for a file that is not there."""
    counts: dict[str, int] = {}
    for word, (names, others) in postings.items():
        if not word.startswith((MARKER, PINYIN_MARKER)):
            counts[word] = len(names) + len(others)
    names = [r.name_en for r in directory.regions.values()]
    names += [i.values.get("name_en") or "" for i in directory.incubators]
    names += [t.label_en for terms in directory.terms.values() for t in terms.values()]
    for word in english_words(" ".join(names)):
        counts[word] = counts.get(word, 0) + 1
    files: dict[str, list[str]] = {}
    for word in sorted(counts, key=lambda w: (-counts[w], w)):
        if len(word) >= 3 and word.isascii() and word.isalpha():
            files.setdefault(spelling_key(word), []).append(word)
    (output / "s").mkdir()
    for key, words in sorted(files.items()):
        (output / "s" / f"{key}.json.gz").write_bytes(_gz(words))
    return sorted(files)


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
    schemas = directory.sources.schemas
    searchable = schemas.with_role("organizations", "searchable")
    facets = schemas.facets()
    results = schemas.with_role("organizations", "result")
    [sort] = [f for f in schemas.with_role("organizations", "sort") if f.type == "date"][:1] or [None]
    facet_codes = {f.facet: {code: i for i, code in enumerate(directory.terms.get(f.vocabulary, {}))} for f in facets}
    counties: dict[str, int] = {}
    columns: dict[str, list] = {"county": [], **{f.facet: [] for f in facets}, **({sort.sort: []} if sort else {})}
    by_code: dict[str, list] = {}
    for i, org in enumerate(orgs):
        uscc = org.values.get("uscc")
        if isinstance(uscc, str) and len(uscc) > USCC_PREFIX:
            by_code.setdefault(uscc[:USCC_PREFIX], []).append([uscc[USCC_PREFIX:], i])
        names, other, snippet_zh, snippet_en = _org_text(directory, org, searchable)
        in_name = directory_words(names) | pinyin_words(names)
        for word in in_name:
            postings.setdefault(word, ([], []))[0].append(i)
        for word in directory_words(other) - in_name:
            postings.setdefault(word, ([], []))[1].append(i)
        values = org.values
        shown = [_shown(values.get(f.key)) for f in results]
        docs.append([org.path, org.name, directory.short_place(values.get("division")), *shown,
                     snippet_zh, values.get("name_en") or "", snippet_en,
                     directory.short_place(values.get("division"), "en")])
        division = values.get("division") or ""
        county = division[:6] if len(division) >= 6 else ""
        columns["county"].append(counties.setdefault(county, len(counties)))
        for f in facets:
            codes = facet_codes[f.facet]
            if f.is_list:
                bits = 0
                for code in org.lists.get(f.key, []):
                    if code in codes:
                        bits |= 1 << codes[code]
                columns[f.facet].append(bits)
            else:
                code = values.get(f.key)
                columns[f.facet].append(codes.get(code, -1) if code else -1)
        if sort:
            day = values.get(sort.key)
            columns[sort.sort].append(int(day.strftime("%Y%m%d")) if day else 0)
    shards = 16
    while shards < 4096 and len(postings) / shards > 48:
        shards *= 2
    buckets: list[dict] = [{} for _ in range(shards)]
    (output / "t" / "w").mkdir()
    for word in sorted(postings):
        names, others = postings[word]
        pair = [encode_ids(names, len(orgs)), encode_ids(others, len(orgs))]
        if len(pair[0]) + len(pair[1]) > HEAVY_WORD:
            # A word many organizations hold gets a file of its own (words are [0-9a-z]),
            # so that a query for a rare word never loads it.
            (output / "t" / "w" / f"{word}.json.gz").write_bytes(_gz(pair))
            pair = 1
        buckets[fnv1a(word) % shards][word] = pair
    for n, bucket in enumerate(buckets):
        (output / "t" / f"{n}.json.gz").write_bytes(_gz(bucket))
    (output / "u").mkdir()
    for head, entries in sorted(by_code.items()):
        # Codes are [0-9A-Z] (their pattern in the schema): safe as file names.
        (output / "u" / f"{head}.json.gz").write_bytes(_gz(sorted(entries)))
    for start in range(0, len(docs), DOCS_PER_CHUNK):
        (output / "d" / f"{start // DOCS_PER_CHUNK}.json.gz").write_bytes(_gz(docs[start:start + DOCS_PER_CHUNK]))
    regions, regions_en = {}, {}
    for code in counties:
        for level_code in (code[:2], code[:4], code):
            region = directory.regions.get(level_code)
            if level_code and region is not None:
                regions[level_code] = region.name
                regions_en[level_code] = region.label("en")
    spelling = _write_spelling(output, directory, postings)
    (output / "facets.json.gz").write_bytes(_gz({"counties": list(counties), **columns}))
    # Each organization's place in English order, which only a sort by name on an English page loads.
    english = sorted(range(len(orgs)),
                     key=lambda i: (language.sort_key("en", orgs[i].name, orgs[i].values.get("name_en") or ""), i))
    rank = [0] * len(orgs)
    for n, i in enumerate(english):
        rank[i] = n
    (output / "order-en.json.gz").write_bytes(_gz(rank))
    manifest = {
        "format": FORMAT, "count": len(orgs), "shards": shards, "chunk": DOCS_PER_CHUNK, "regions": regions,
        "regions_en": regions_en, "uscc_prefix": USCC_PREFIX, "spelling": spelling,
        # What each result in d/ holds, by position; the script reads them by these names.
        "fields": ["path", "name", "place", *(f.key for f in results), "snippet_zh", "name_en", "snippet_en",
                   "place_en"],
        # The filters in their order: name, the record's field, a list of codes or one code, its title.
        "facets": [{"name": f.facet, "field": f.key, "list": f.is_list, "title": _title(directory, f)}
                   for f in facets],
        # What a result shows beside its place (a code is shown as its facet's label).
        "results": [{"field": f.key, **({"facet": f.facet} if f.facet else {}), **({"sort": f.sort} if f.sort else {})}
                    for f in results],
        "sort": sort.sort if sort else None,
        "codes": {facet: list(codes) for facet, codes in facet_codes.items()},
    }
    (output / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, separators=(",", ":")),
                                          encoding="utf-8")
    return shards + (len(docs) + DOCS_PER_CHUNK - 1) // DOCS_PER_CHUNK + 3

