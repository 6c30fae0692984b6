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
- ``facets.json.gz``: one column per facet (county, track, legal form, status, fields
  and populations as bit sets, founding date), which the directory counts in the
  browser; only /organizations/ loads it.

Words are the bigram tokens of the Chinese text (as for Pagefind, plus every single
character, for one-character queries), and the English words, lower case, without a
plural "s".
"""

from __future__ import annotations

import base64
import gzip
import json
import shutil
from pathlib import Path

from shequ.render import language
from shequ.render.facets import FACET_VOCABULARIES, FACETS
from shequ.search.records import term_label, term_labels
from shequ.search.tokens import HAN, MARKER, char_code, cjk_tokens, english_words, fnv1a

DIRECTORY = "directory-index"
#: The version of this format, in the manifest: a script that reads another version ignores the index.
FORMAT = 1
DOCS_PER_CHUNK = 16
#: Characters of ids above which a word has a file of its own.
HEAVY_WORD = 2048


def directory_words(text: str) -> set[str]:
    """Every word the directory index holds for ``text``: bigrams, single characters, English words."""
    words = set(cjk_tokens(text))
    for run in HAN.findall(text or ""):
        words.update(MARKER + char_code(c) for c in run)
    words.update(english_words(text))
    return words



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
    other = " ".join([place, *extra, *(term_labels(t) for t in terms)])
    short = directory.short_place(values.get("division"))
    snippets = {}
    for lang in language.LANGUAGES:
        other_name = name_en if lang == language.DEFAULT else org.name if name_en else ""
        parts = [other_name, *alternate, short, *(term_label(t, lang) for t in terms)]
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
        pair = [encode_ids(names, len(orgs)), encode_ids(others, len(orgs))]
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

