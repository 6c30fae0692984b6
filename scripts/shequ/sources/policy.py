"""Policy documents, their provisions, and the glossary: loaded and checked for shape.

The sources live in ``datasets/policy/``::

    documents/<doc-id>.yaml   one policy document per file, with its provisions
    glossary.yaml             a mapping with ``terms``: the bilingual glossary

A provision's full id is ``<doc-id>/<provision-id>``, e.g. ``opinions-2016/3.1``.
Vocabulary terms cite provisions by full id; provisions cite vocabulary terms
as ``<vocabulary>/<code>`` in their ``measures``.

``load_policy(project, vocabularies)`` returns a :class:`Policy` and a list of
:class:`~shequ.report.Problem`. It never raises on bad input: every fault in the
files becomes a problem with the file and the field path. Lines are left for
:class:`shequ.sources.yamlfiles.LineFinder` to fill in, except for YAML faults, whose
line the parser already knows.

Rules:

- ``policy.file``: a file or folder that should be there is missing, or one
  that should not be there is present.
- ``policy.required``: a required key is missing or empty (also: one half of a
  pair such as ``issuer_en``/``issuer_zh`` without the other).
- ``policy.unknown-key``: a key the format does not have (hint: the closest key).
- ``policy.type``: a value of the wrong kind (a number where text belongs, ...).
- ``policy.id``: an id that is not a slug, or a document id that differs from
  its file name.
- ``policy.duplicate-id``: two documents, two provisions of one document, or
  two glossary terms with the same id.
- ``policy.measure``: a measure that is not ``<vocabulary>/<code>`` of an
  existing vocabulary term.
- ``policy.reference``: a provision id (in ``related`` or a glossary term's
  ``see``) that does not exist.
- ``policy.date``: a date that is not an ISO date (``2016-03-16``, or ``2017-06`` or
  ``2017`` when only the month or year is known), or a date kind or history kind that
  is not known.
- ``policy.status``: a status that is not one of :data:`STATUSES`.
- ``policy.source``: a date or history entry that cites no source or an unknown one,
  two sources with one id, or a document with no official source (on gov.cn,
  npc.gov.cn, a ministry's or a province's site) that does not say so in
  ``unconfirmed_en``/``unconfirmed_zh``: the reader must see that only a copy was found.
- ``policy.url``: a URL that is not http(s).
- ``policy.text``: text with invisible or control characters, a Chinese field
  with no Chinese in it, or pinyin without tone marks.

Faults in the YAML itself keep the ``yaml.*`` and ``files.*`` rules of
:mod:`shequ.sources.yamlfiles`, plus ``yaml.value`` for a value libyaml cannot build
(an impossible date such as ``2016-02-30``).

Summaries and audience texts are plain text, never Markdown or HTML:
paragraphs are separated by a blank line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from shequ import rules
from shequ.project import Project
from shequ.report import Problem, did_you_mean
from shequ.sources.tables import Origin, Schemas, Table
from shequ.sources.yamlfiles import INVISIBLE, load_mapping

DOCUMENTS = "documents"
GLOSSARY = "glossary.yaml"

#: Document ids and glossary ids: lower-case slugs. Provision ids may also hold dots ("3.1").
ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
PROVISION_ID = re.compile(r"^[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?$")
MEASURE = re.compile(r"^([a-z0-9_]+)/([a-z0-9][a-z0-9-]*)$")
URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
TONE_MARKS = re.compile("[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]", re.IGNORECASE)
PINYIN = re.compile(r"^[a-zA-ZāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüĀÁǍÀĒÉĚÈĪÍǏÌŌÓǑÒŪÚǓÙ' \-]+$")

#: What a date on a document means. A law is adopted, then signed into force by an order;
#: a Party or government document is signed (成文) and issued (印发), then published (公布);
#: some are known only from a news report.
DATE_KINDS = ("adopted", "approved", "signed", "issued", "published", "in-force", "reported")
#: What happened to a document later: amended by a decision, replaced by a revised
#: version (or replacing an earlier one), carried out by a later document, listed in a
#: legislative plan, repealed.
HISTORY_KINDS = ("amended", "revised", "previous-version", "in-force", "implemented", "legislative-plan", "repealed")
#: Where a document stands today. ``expired``: a plan whose period has ended, not repealed.
STATUSES = ("in-force", "amended", "repealed", "draft", "expired")
#: Where a source comes from: the issuer's or another official site, a copy elsewhere, a news report.
SOURCE_KINDS = ("official", "copy", "report")
#: A partial ISO date: the day, or only the month or year when no source gives more.
PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

AUDIENCES = ("organizers", "officials", "researchers")

# key -> (required, kind). Kinds: text, zh (text with Chinese), list, mapping, date, year, url, ...
DOCUMENT_KEYS: dict[str, tuple[bool, str]] = {
    "id": (True, "id"),
    "title_zh": (True, "zh"),
    "title_en": (True, "text"),
    "issuer_zh": (True, "zh"),
    "issuer_en": (True, "text"),
    "number": (False, "text"),
    "status": (True, "status"),
    "dates": (True, "list"),
    "history": (False, "list"),
    "sources": (True, "list"),
    "unconfirmed_en": (False, "text"),
    "unconfirmed_zh": (False, "zh"),
    "summary_en": (True, "text"),
    "summary_zh": (True, "zh"),
    "provisions": (True, "list"),
}
DATE_KEYS: dict[str, tuple[bool, str]] = {
    "kind": (True, "date_kind"),
    "date": (True, "date"),
    "source": (True, "source_id"),
}
HISTORY_KEYS: dict[str, tuple[bool, str]] = {
    "kind": (True, "history_kind"),
    "date": (True, "date"),
    "number": (False, "text"),
    "summary_en": (True, "text"),
    "summary_zh": (True, "zh"),
    "source": (True, "source_id"),
}
SOURCE_KEYS: dict[str, tuple[bool, str]] = {
    "id": (True, "id"),
    "kind": (True, "source_kind"),
    "url": (True, "url"),
    "site_en": (True, "text"),
    "site_zh": (True, "zh"),
    "note_en": (False, "text"),
    "note_zh": (False, "zh"),
}
PROVISION_KEYS: dict[str, tuple[bool, str]] = {
    "id": (True, "provision_id"),
    "number": (False, "text"),
    "title_en": (True, "text"),
    "title_zh": (True, "zh"),
    "summary_en": (True, "text"),
    "summary_zh": (True, "zh"),
    "measures": (True, "measures"),
    "related": (False, "references"),
    "audiences": (True, "audiences"),
}
AUDIENCE_KEYS: dict[str, tuple[bool, str]] = {"en": (True, "text"), "zh": (True, "zh")}
GLOSSARY_KEYS: dict[str, tuple[bool, str]] = {
    "title_en": (False, "text"),
    "title_zh": (False, "zh"),
    "terms": (True, "list"),
}
TERM_KEYS: dict[str, tuple[bool, str]] = {
    "id": (True, "id"),
    "zh": (True, "zh"),
    "pinyin": (True, "pinyin"),
    "en": (True, "text"),
    "definition_en": (True, "text"),
    "definition_zh": (True, "zh"),
    "see": (False, "references"),
}
#: Kinds of required value that may be empty: a provision may have no measures ("measures: []").
MAY_BE_EMPTY = {"measures"}
#: Keys that come in pairs: one without the other is a problem.
PAIRS = (("issuer_en", "issuer_zh"), ("unconfirmed_en", "unconfirmed_zh"), ("note_en", "note_zh"))


@dataclass(frozen=True)
class Audience:
    en: str
    zh: str


@dataclass
class Provision:
    document: str  # the document id
    id: str  # unique within the document
    title_en: str
    title_zh: str
    summary_en: str
    summary_zh: str
    number: str | None = None
    measures: tuple[str, ...] = ()  # "<vocabulary>/<code>"
    related: tuple[str, ...] = ()  # full provision ids
    audiences: dict[str, Audience] = field(default_factory=dict)  # organizers, officials, researchers
    file: str = ""
    path: tuple = ()  # where the provision is in its file: ("provisions", i)

    @property
    def full_id(self) -> str:
        return f"{self.document}/{self.id}"

    @property
    def measure_terms(self) -> list[tuple[str, str]]:
        """The measures as (vocabulary, code) pairs."""
        return [tuple(m.split("/", 1)) for m in self.measures]


@dataclass(frozen=True)
class PartialDate:
    """A date as precise as its source: ``2016-03-16``, ``2017-06`` or ``2021``."""

    text: str

    @property
    def year(self) -> int:
        return int(self.text[:4])

    @property
    def precision(self) -> str:
        return {4: "year", 7: "month"}.get(len(self.text), "day")

    def __lt__(self, other: "PartialDate") -> bool:
        return self.text < other.text

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Source:
    id: str
    kind: str  # official | copy | report
    url: str
    site_en: str  # who publishes the page, in English
    site_zh: str
    note_en: str | None = None
    note_zh: str | None = None

    @property
    def is_official(self) -> bool:
        return self.kind == "official"


@dataclass(frozen=True)
class DocumentDate:
    kind: str  # one of DATE_KINDS
    date: PartialDate
    source: str  # a source id of the document


@dataclass(frozen=True)
class HistoryEntry:
    kind: str  # one of HISTORY_KINDS
    date: PartialDate
    summary_en: str
    summary_zh: str
    source: str
    number: str | None = None


@dataclass
class Document:
    id: str
    title_zh: str
    title_en: str
    summary_en: str
    summary_zh: str
    issuer_zh: str | None = None
    issuer_en: str | None = None
    number: str | None = None
    status: str | None = None
    dates: list[DocumentDate] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    unconfirmed_en: str | None = None
    unconfirmed_zh: str | None = None
    provisions: list[Provision] = field(default_factory=list)
    file: str = ""

    @property
    def first_date(self) -> PartialDate | None:
        """The earliest of the document's own dates (signed, issued, ...)."""
        return min((d.date for d in self.dates), default=None)

    @property
    def year(self) -> int | None:
        first = self.first_date
        return first.year if first else None

    @property
    def official_sources(self) -> list[Source]:
        return [s for s in self.sources if s.is_official]

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)


@dataclass
class GlossaryTerm:
    id: str
    zh: str
    pinyin: str
    en: str
    definition_en: str
    definition_zh: str
    see: tuple[str, ...] = ()  # full provision ids
    file: str = ""
    path: tuple = ()


@dataclass
class Policy:
    documents: dict[str, Document] = field(default_factory=dict)  # by id, in file-name order
    glossary: list[GlossaryTerm] = field(default_factory=list)
    #: Each file read, as written (file -> mapping): the text and privacy rules look at every value.
    files: dict[str, dict] = field(default_factory=dict)

    @property
    def provisions(self) -> dict[str, Provision]:
        """Every provision by full id, document by document."""
        return {p.full_id: p for d in self.documents.values() for p in d.provisions}

    def provision(self, full_id: str) -> Provision | None:
        document, _, pid = full_id.partition("/")
        doc = self.documents.get(document)
        if doc is None:
            return None
        return next((p for p in doc.provisions if p.id == pid), None)

    def suggest(self, full_id: str) -> str | None:
        """A did-you-mean hint for an unknown full provision id."""
        return did_you_mean(full_id, list(self.provisions))

    def term(self, term_id: str) -> GlossaryTerm | None:
        return next((t for t in self.glossary if t.id == term_id), None)

    def citing(self, full_id: str) -> list[GlossaryTerm]:
        """Glossary terms that point to a provision."""
        return [t for t in self.glossary if full_id in t.see]


def vocabulary_codes(project: Project) -> dict[str, set[str]]:
    """Vocabulary name → its codes, read from ``datasets/vocabularies``.

    Faults in those files are not reported here; loading the vocabularies
    (``shequ.sources.load``) reports them.
    """
    out: dict[str, set[str]] = {}
    folder = project.vocabularies
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
        data, _ = load_mapping(project, path)
        terms = data.get("terms") if data else None
        out[path.stem] = {
            t["code"] for t in (terms if isinstance(terms, list) else ())
            if isinstance(t, dict) and isinstance(t.get("code"), str)
        }
    return out


class _Checker:
    """Collects problems for one file, with field paths."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = problems

    def add(self, rule: str, message: str, path: tuple = (), hint: str | None = None) -> None:
        self.problems.append(Problem(rule, message, self.file, path, hint=hint))

    def mapping(self, value: Any, spec: dict[str, tuple[bool, str]], path: tuple, what: str) -> dict | None:
        """Check a mapping's keys against its spec; return the mapping, or None if it is not one."""
        if not isinstance(value, dict):
            self.add(rules.POLICY_TYPE, f"{what} must be a mapping of keys, not {_kind(value)}", path)
            return None
        allowed = list(spec)
        for key in value:
            if not isinstance(key, str):
                self.add(rules.POLICY_TYPE, f"key {key!r} is not text", path)
            elif key not in spec:
                self.add(rules.POLICY_UNKNOWN_KEY, f"unknown key '{key}' in {what}", path + (key,),
                         hint=did_you_mean(key, allowed) or f"allowed keys: {', '.join(allowed)}")
        for key, (required, kind) in spec.items():
            present = value.get(key)
            if required and (present is None if kind in MAY_BE_EMPTY else _empty(present)):
                if key in value:
                    self.add(rules.POLICY_REQUIRED, f"'{key}' is empty", path + (key,))
                else:
                    self.add(rules.POLICY_REQUIRED, f"{what} has no '{key}'", path)
        for a, b in PAIRS:
            if a in spec and b in spec and _empty(value.get(a)) != _empty(value.get(b)):
                have, missing = (a, b) if _empty(value.get(b)) else (b, a)
                self.add(rules.POLICY_REQUIRED, f"'{have}' is given but '{missing}' is not", path + (have,),
                         hint="give both, or leave both out")
        return value

    def text(self, value: Any, path: tuple, kind: str = "text") -> str | None:
        """A text value, checked; None (with a problem) if it is not text."""
        if value is None:
            return None
        if not isinstance(value, str):
            hint = "put it in quotes" if isinstance(value, (int, float, dt.date)) else None
            self.add(rules.POLICY_TYPE, f"must be text, not {_kind(value)}", path, hint=hint)
            return None
        found = INVISIBLE.search(value)
        if found:
            self.add(rules.POLICY_TEXT, f"contains an invisible or direction-changing character "
                     f"(U+{ord(found.group()):04X})", path, hint="retype the text without it")
        if CONTROL.search(value):
            self.add(rules.POLICY_TEXT, "contains a control character", path, hint="retype the text without it")
        if kind == "zh" and value.strip() and not CJK.search(value):
            self.add(rules.POLICY_TEXT, "has no Chinese characters, but this is a Chinese field", path,
                     hint="write the Chinese text here, and English in the _en field")
        if kind == "pinyin" and value.strip():
            if not PINYIN.fullmatch(value):
                self.add(rules.POLICY_TEXT, "pinyin may hold only Latin letters with tone marks, spaces, "
                         "hyphens and apostrophes", path, hint="write tone marks (shèqū), not numbers (she4qu1)")
            elif not TONE_MARKS.search(value):
                self.add(rules.POLICY_TEXT, "pinyin has no tone marks", path, hint="write e.g. 'shèqū', not 'shequ'")
        return value

    def identifier(self, value: Any, path: tuple, pattern: re.Pattern) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self.add(rules.POLICY_TYPE, f"id must be text, not {_kind(value)}", path, hint="put it in quotes")
            return None
        if not pattern.fullmatch(value):
            allowed = "lower-case letters, digits, hyphens" + (" and dots" if pattern is PROVISION_ID else "")
            self.add(rules.POLICY_ID, f"id '{value}' is not valid", path,
                     hint=f"use {allowed}, starting and ending with a letter or digit, at most 64 characters")
            return None
        return value

    def string_list(self, value: Any, path: tuple) -> list[tuple[int, str]]:
        """(index, text) for each text item of a list; problems for the rest."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(rules.POLICY_TYPE, f"must be a list, not {_kind(value)}", path)
            return []
        out = []
        for i, item in enumerate(value):
            if isinstance(item, str):
                out.append((i, item))
            else:
                self.add(rules.POLICY_TYPE, f"each item must be text, not {_kind(item)}", path + (i,))
        return out


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and not (
        value.strip() if isinstance(value, str) else value))


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a true/false value"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dt.datetime):
        return "a date and time"
    if isinstance(value, dt.date):
        return "a date"
    return {str: "text", list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)


def _date(check: _Checker, value: Any, path: tuple) -> PartialDate | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        check.add(rules.POLICY_DATE, "must be a date without a time", path, hint="write YYYY-MM-DD")
        return None
    if isinstance(value, dt.date):
        return PartialDate(value.isoformat())
    if isinstance(value, str):
        match = PARTIAL_DATE.fullmatch(value)
        if match:
            year, month, day = match.groups()
            try:
                dt.date(int(year), int(month or 1), int(day or 1))
                return PartialDate(value)
            except ValueError:
                pass
    check.add(rules.POLICY_DATE, f"{value!r} is not a date", path,
              hint="write an ISO date, YYYY-MM-DD; or YYYY-MM or YYYY, quoted, when no source gives the day")
    return None


def _choice(check: _Checker, value: Any, path: tuple, allowed: tuple[str, ...], rule: rules.Rule, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in allowed:
        check.add(rule, f"{what} {value!r} is not known", path,
                  hint=did_you_mean(str(value), list(allowed)) or f"use one of: {', '.join(allowed)}")
        return None
    return value


class _Loader:
    def __init__(self, project: Project, vocabularies: dict[str, set[str]]):
        self.project = project
        self.vocabularies = vocabularies
        self.problems: list[Problem] = []
        self.policy = Policy()
        # (checker, path, full id) of every provision reference, resolved once all documents are read
        self.references: list[tuple[_Checker, tuple, str]] = []

    # -- documents ---------------------------------------------------------------

    def documents(self) -> None:
        folder = self.project.policy / DOCUMENTS
        rel = self.project.relative(folder)
        if not folder.is_dir() or folder.is_symlink():
            self.problems.append(Problem(rules.POLICY_FILE, "the folder of policy documents is missing", rel,
                                         hint="create it, with one <doc-id>.yaml per document"))
            return
        for path in sorted(folder.iterdir()):
            if path.name.startswith("."):
                continue
            file = self.project.relative(path)
            if not path.name.endswith(".yaml") or path.name == ".yaml":
                hint = "rename it to end in .yaml" if path.name.endswith(".yml") else \
                    "this folder holds only <doc-id>.yaml files"
                self.problems.append(Problem(rules.POLICY_FILE, "is not a policy document file", file, hint=hint))
                continue
            data, found = load_mapping(self.project, path)
            self.problems.extend(found)
            if data is not None:
                self.policy.files[file] = data
                self.document(path.name[: -len(".yaml")], file, data)

    def document(self, stem: str, file: str, data: dict) -> None:
        check = _Checker(file, self.problems)
        check.mapping(data, DOCUMENT_KEYS, (), "the document")
        doc_id = check.identifier(data.get("id"), ("id",), ID)
        if doc_id is not None and doc_id != stem:
            check.add(rules.POLICY_ID, f"id '{doc_id}' differs from the file name '{stem}.yaml'", ("id",),
                      hint=f"rename the file to {doc_id}.yaml, or set id: {stem}")
        if doc_id is None:
            doc_id = stem if ID.fullmatch(stem) else None
        texts = {k: check.text(data.get(k), (k,), kind) for k, (_, kind) in DOCUMENT_KEYS.items()
                 if kind in ("text", "zh")}
        status = _choice(check, data.get("status"), ("status",), STATUSES, rules.POLICY_STATUS, "status")
        sources, known_sources = self.sources(check, data.get("sources"))
        dates = []
        for i, item in self.items(check, data.get("dates"), ("dates",), DATE_KEYS, "the date"):
            where = ("dates", i)
            kind = _choice(check, item.get("kind"), where + ("kind",), DATE_KINDS, rules.POLICY_DATE, "date kind")
            date = _date(check, item.get("date"), where + ("date",))
            source = self.cited_source(check, item.get("source"), where + ("source",), known_sources)
            if kind and date and source:
                dates.append(DocumentDate(kind, date, source))
        history = []
        for i, item in self.items(check, data.get("history"), ("history",), HISTORY_KEYS, "the history entry"):
            where = ("history", i)
            kind = _choice(check, item.get("kind"), where + ("kind",), HISTORY_KINDS, rules.POLICY_DATE, "history kind")
            date = _date(check, item.get("date"), where + ("date",))
            source = self.cited_source(check, item.get("source"), where + ("source",), known_sources)
            texts_h = {k: check.text(item.get(k), where + (k,), kind_) for k, (_, kind_) in HISTORY_KEYS.items()
                       if kind_ in ("text", "zh")}
            if kind and date and source:
                history.append(HistoryEntry(kind, date, texts_h["summary_en"] or "", texts_h["summary_zh"] or "",
                                            source, texts_h["number"]))
        if sources and not any(s.is_official for s in sources) and _empty(data.get("unconfirmed_en")):
            check.add(rules.POLICY_OFFICIAL_SOURCE, "no source is official, and the document does not say so",
                      ("sources",), hint="add the issuer's page (kind: official), or say in unconfirmed_en and "
                      "unconfirmed_zh that only copies were found")
        if doc_id is None:
            return
        if doc_id in self.policy.documents:
            check.add(rules.POLICY_DUPLICATE_ID, f"document id '{doc_id}' is also used in "
                      f"{self.policy.documents[doc_id].file}", ("id",))
            return
        doc = Document(
            id=doc_id,
            title_zh=texts["title_zh"] or "", title_en=texts["title_en"] or "",
            summary_en=texts["summary_en"] or "", summary_zh=texts["summary_zh"] or "",
            issuer_zh=texts["issuer_zh"], issuer_en=texts["issuer_en"], number=texts["number"],
            status=status, dates=dates, history=history, sources=sources,
            unconfirmed_en=texts["unconfirmed_en"], unconfirmed_zh=texts["unconfirmed_zh"], file=file,
        )
        self.policy.documents[doc_id] = doc
        provisions = data.get("provisions")
        if provisions is None:
            return
        if not isinstance(provisions, list):
            check.add(rules.POLICY_TYPE, f"'provisions' must be a list, not {_kind(provisions)}", ("provisions",))
            return
        for i, item in enumerate(provisions):
            provision = self.provision(check, doc, item, ("provisions", i))
            if provision is None:
                continue
            if any(p.id == provision.id for p in doc.provisions):
                check.add(rules.POLICY_DUPLICATE_ID, f"provision id '{provision.id}' is used twice in this document",
                          ("provisions", i, "id"))
                continue
            doc.provisions.append(provision)

    def items(self, check: _Checker, value: Any, path: tuple, spec: dict, what: str):
        """(index, mapping) for each item of a list of mappings, each checked against its spec."""
        if value is None:
            return
        if not isinstance(value, list):
            check.add(rules.POLICY_TYPE, f"must be a list, not {_kind(value)}", path)
            return
        for i, item in enumerate(value):
            if check.mapping(item, spec, path + (i,), what) is not None:
                yield i, item

    def sources(self, check: _Checker, value: Any) -> tuple[list[Source], set[str]]:
        """The document's sources, and the ids a date may cite: those of the malformed sources
        too, whose fault is reported once, where it is, not again at every citation."""
        out: list[Source] = []
        ids: set[str] = set()
        for i, item in self.items(check, value, ("sources",), SOURCE_KEYS, "the source"):
            where = ("sources", i)
            sid = check.identifier(item.get("id"), where + ("id",), ID)
            kind = _choice(check, item.get("kind"), where + ("kind",), SOURCE_KINDS, rules.POLICY_SOURCE, "source kind")
            url = item.get("url")
            if url is not None and (not isinstance(url, str) or not URL.fullmatch(url)):
                check.add(rules.POLICY_URL, f"{url!r} is not an http(s) URL", where + ("url",),
                          hint="write a full address starting with https://")
                url = None
            texts = {k: check.text(item.get(k), where + (k,), kind_) for k, (_, kind_) in SOURCE_KEYS.items()
                     if kind_ in ("text", "zh")}
            if sid and any(s.id == sid for s in out):
                check.add(rules.POLICY_SOURCE, f"source id '{sid}' is used twice in this document", where + ("id",))
                continue
            if sid:
                ids.add(sid)
            if sid and kind and url and texts["site_en"] and texts["site_zh"]:
                out.append(Source(sid, kind, url, texts["site_en"], texts["site_zh"], texts["note_en"],
                                  texts["note_zh"]))
        return out, ids

    def cited_source(self, check: _Checker, value: Any, path: tuple, known: set[str]) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or value not in known:
            check.add(rules.POLICY_SOURCE, f"{value!r} is not a source of this document", path,
                      hint=did_you_mean(str(value), sorted(known)) or "cite the id of one of its sources")
            return None
        return value

    def provision(self, check: _Checker, doc: Document, item: Any, path: tuple) -> Provision | None:
        if check.mapping(item, PROVISION_KEYS, path, "the provision") is None:
            return None
        pid = check.identifier(item.get("id"), path + ("id",), PROVISION_ID)
        texts = {k: check.text(item.get(k), path + (k,), kind) for k, (_, kind) in PROVISION_KEYS.items()
                 if kind in ("text", "zh")}
        measures = []
        for i, measure in check.string_list(item.get("measures"), path + ("measures",)):
            if measure in measures:
                check.add(rules.POLICY_MEASURE, f"'{measure}' is listed twice", path + ("measures", i),
                          hint="remove one of them")
            elif self.measure(check, measure, path + ("measures", i)):
                measures.append(measure)
        related = []
        for i, ref in check.string_list(item.get("related"), path + ("related",)):
            self.references.append((check, path + ("related", i), ref))
            related.append(ref)
        audiences = {}
        value = item.get("audiences")
        if value is not None and check.mapping(value, {a: (True, "audience") for a in AUDIENCES},
                                               path + ("audiences",), "audiences") is not None:
            for name in AUDIENCES:
                audience = value.get(name)
                where = path + ("audiences", name)
                if audience is None or check.mapping(audience, AUDIENCE_KEYS, where, f"audience '{name}'") is None:
                    continue
                en = check.text(audience.get("en"), where + ("en",))
                zh = check.text(audience.get("zh"), where + ("zh",), "zh")
                audiences[name] = Audience(en or "", zh or "")
        if pid is None:
            return None
        return Provision(
            document=doc.id, id=pid, number=texts["number"],
            title_en=texts["title_en"] or "", title_zh=texts["title_zh"] or "",
            summary_en=texts["summary_en"] or "", summary_zh=texts["summary_zh"] or "",
            measures=tuple(measures), related=tuple(related), audiences=audiences,
            file=check.file, path=path,
        )

    def measure(self, check: _Checker, measure: str, path: tuple) -> bool:
        match = MEASURE.fullmatch(measure)
        if not match:
            check.add(rules.POLICY_MEASURE, f"'{measure}' is not a vocabulary term reference", path,
                      hint="write <vocabulary>/<code>, e.g. support_types/government-procurement")
            return False
        vocabulary, code = match.groups()
        codes = self.vocabularies.get(vocabulary)
        if codes is None:
            check.add(rules.POLICY_MEASURE, f"there is no vocabulary '{vocabulary}'", path,
                      hint=did_you_mean(vocabulary, sorted(self.vocabularies))
                      or f"vocabularies: {', '.join(sorted(self.vocabularies)) or 'none'}")
            return False
        if code not in codes:
            check.add(rules.POLICY_MEASURE, f"'{code}' is not a term of {vocabulary}", path,
                      hint=did_you_mean(code, sorted(codes)) or f"known terms: {', '.join(sorted(codes))}")
            return False
        return True

    # -- glossary ----------------------------------------------------------------

    def glossary(self) -> None:
        path = self.project.policy / GLOSSARY
        file = self.project.relative(path)
        if not path.exists() and not path.is_symlink():
            self.problems.append(Problem(rules.POLICY_FILE, "the glossary is missing", file,
                                         hint="create it: a mapping with 'terms'"))
            return
        data, found = load_mapping(self.project, path)
        self.problems.extend(found)
        if data is None:
            return
        self.policy.files[file] = data
        check = _Checker(file, self.problems)
        check.mapping(data, GLOSSARY_KEYS, (), "the glossary")
        for key in ("title_en", "title_zh"):
            check.text(data.get(key), (key,), GLOSSARY_KEYS[key][1])
        terms = data.get("terms")
        if terms is None:
            return
        if not isinstance(terms, list):
            check.add(rules.POLICY_TYPE, f"'terms' must be a list, not {_kind(terms)}", ("terms",))
            return
        seen: dict[str, int] = {}
        for i, item in enumerate(terms):
            path = ("terms", i)
            if check.mapping(item, TERM_KEYS, path, "the glossary term") is None:
                continue
            tid = check.identifier(item.get("id"), path + ("id",), ID)
            texts = {k: check.text(item.get(k), path + (k,), kind) for k, (_, kind) in TERM_KEYS.items()
                     if kind in ("text", "zh", "pinyin")}
            see = []
            for j, ref in check.string_list(item.get("see"), path + ("see",)):
                self.references.append((check, path + ("see", j), ref))
                see.append(ref)
            if tid is None:
                continue
            if tid in seen:
                check.add(rules.POLICY_DUPLICATE_ID, f"term id '{tid}' is also used by terms[{seen[tid]}]",
                          path + ("id",))
                continue
            seen[tid] = i
            self.policy.glossary.append(GlossaryTerm(
                id=tid, zh=texts["zh"] or "", pinyin=texts["pinyin"] or "", en=texts["en"] or "",
                definition_en=texts["definition_en"] or "", definition_zh=texts["definition_zh"] or "",
                see=tuple(see), file=file, path=path,
            ))

    # -- references --------------------------------------------------------------

    def resolve_references(self) -> None:
        known = list(self.policy.provisions)
        for check, path, ref in self.references:
            if self.policy.provision(ref) is None:
                check.add(rules.POLICY_REFERENCE, f"'{ref}' is not a provision", path,
                          hint=did_you_mean(ref, known) or "write <doc-id>/<provision-id>, e.g. opinions-2016/3.1")


def load_policy(project: Project, vocabularies: dict[str, set[str]] | None = None) -> tuple[Policy, list[Problem]]:
    """Load ``datasets/policy``: documents with their provisions, and the glossary.

    ``vocabularies`` maps each vocabulary name to its codes; measures are checked
    against it. Left out, the vocabularies are read from the project.
    """
    if vocabularies is None:
        vocabularies = vocabulary_codes(project)
    loader = _Loader(project, vocabularies)
    if not project.policy.is_dir():
        loader.problems.append(Problem(rules.POLICY_FILE, "the policy folder is missing",
                                       project.relative(project.policy),
                                       hint="create datasets/policy/ with documents/ and glossary.yaml"))
        return loader.policy, loader.problems
    loader.documents()
    loader.glossary()
    loader.resolve_references()
    return loader.policy, loader.problems




#: The published tables the policy fills, in the order of :data:`shequ.sources.tables.TABLE_ORDER`.
POLICY_TABLES = ("policy_documents", "policy_dates", "policy_history", "policy_sources", "policy_provisions")


def policy_tables(schemas: Schemas, policy: Policy, problems: list[Problem] = ()) -> dict[str, Table]:
    """The policy as rows of the published tables, each row remembering its file and field.

    A document with an error among ``problems`` (the loader's) is left out: the loader has
    reported what is wrong with it, and the tables' own checks would report it again."""
    tables = {name: Table(name, schemas.columns(name)) for name in POLICY_TABLES}
    wrong = {p.file for p in problems if p.severity == rules.ERROR}

    def add(name: str, values: dict, origin: Origin) -> None:
        table = tables[name]
        table.add([values.get(c) for c in table.columns], origin)

    for doc in policy.documents.values():
        if doc.file in wrong:
            continue
        official = doc.official_sources
        add("policy_documents", {
            "id": doc.id, "title_zh": doc.title_zh, "title_en": doc.title_en,
            "issuer_zh": doc.issuer_zh, "issuer_en": doc.issuer_en, "number": doc.number, "status": doc.status,
            "official_url": official[0].url if official else None,
            "unconfirmed_en": doc.unconfirmed_en, "unconfirmed_zh": doc.unconfirmed_zh,
            "summary_en": doc.summary_en, "summary_zh": doc.summary_zh,
        }, Origin(doc.file))
        for i, date in enumerate(doc.dates):
            add("policy_dates", {"document_id": doc.id, "position": i + 1, "kind": date.kind,
                                 "date": date.date.text, "source_id": date.source},
                Origin(doc.file, ("dates", i), "mapping"))
        for i, entry in enumerate(doc.history):
            add("policy_history", {"document_id": doc.id, "position": i + 1, "kind": entry.kind,
                                   "date": entry.date.text, "number": entry.number, "summary_en": entry.summary_en,
                                   "summary_zh": entry.summary_zh, "source_id": entry.source},
                Origin(doc.file, ("history", i), "mapping"))
        for i, source in enumerate(doc.sources):
            add("policy_sources", {"document_id": doc.id, "source_id": source.id, "kind": source.kind,
                                   "url": source.url, "site_en": source.site_en, "site_zh": source.site_zh, "note_en": source.note_en,
                                   "note_zh": source.note_zh},
                Origin(doc.file, ("sources", i), "mapping"))
        for provision in doc.provisions:
            add("policy_provisions", {"document_id": doc.id, "provision_id": provision.id,
                                      "number": provision.number, "title_en": provision.title_en,
                                      "title_zh": provision.title_zh, "summary_en": provision.summary_en,
                                      "summary_zh": provision.summary_zh,
                                      "measures": "; ".join(provision.measures) or None},
                Origin(doc.file, provision.path, "mapping"))
    return tables
