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
- ``policy.date``: a date that is not an ISO date, a bad ``date_kind``, or a
  ``year`` that disagrees with the date.
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

#: What a date on a document means: the sources do not always give the issue date.
DATE_KINDS = ("issued", "made-public", "effective", "reported")

AUDIENCES = ("organizers", "officials", "researchers")

# key -> (required, kind). Kinds: text, zh (text with Chinese), list, mapping, date, year, url, ...
DOCUMENT_KEYS: dict[str, tuple[bool, str]] = {
    "id": (True, "id"),
    "title_zh": (True, "zh"),
    "title_en": (True, "text"),
    "issuer_zh": (False, "zh"),
    "issuer_en": (False, "text"),
    "date": (False, "date"),
    "date_kind": (False, "date_kind"),
    "year": (False, "year"),
    "number": (False, "text"),
    "url": (False, "url"),
    "summary_en": (True, "text"),
    "summary_zh": (True, "zh"),
    "provisions": (True, "list"),
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
PAIRS = (("issuer_en", "issuer_zh"),)


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


@dataclass
class Document:
    id: str
    title_zh: str
    title_en: str
    summary_en: str
    summary_zh: str
    issuer_zh: str | None = None
    issuer_en: str | None = None
    date: dt.date | None = None
    date_kind: str | None = None
    year: int | None = None
    number: str | None = None
    url: str | None = None
    provisions: list[Provision] = field(default_factory=list)
    file: str = ""


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


def _date(check: _Checker, value: Any, path: tuple) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        check.add(rules.POLICY_DATE, "must be a date without a time", path, hint="write YYYY-MM-DD")
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                return dt.date.fromisoformat(value)
        except ValueError:
            pass
    check.add(rules.POLICY_DATE, f"{value!r} is not a date", path, hint="write an ISO date, YYYY-MM-DD")
    return None


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
        date = _date(check, data.get("date"), ("date",))
        date_kind = data.get("date_kind")
        if date_kind is not None and date_kind not in DATE_KINDS:
            check.add(rules.POLICY_DATE, f"date_kind {date_kind!r} is not known", ("date_kind",),
                      hint=did_you_mean(str(date_kind), list(DATE_KINDS)) or f"use one of: {', '.join(DATE_KINDS)}")
            date_kind = None
        if data.get("date") is not None and data.get("date_kind") is None:
            check.add(rules.POLICY_REQUIRED, "a document with a date needs 'date_kind'", ("date",),
                      hint=f"say what the date is: {', '.join(DATE_KINDS)}")
        if data.get("date_kind") is not None and data.get("date") is None:
            check.add(rules.POLICY_DATE, "'date_kind' is given without a date", ("date_kind",))
        year = data.get("year")
        if year is not None:
            if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100:
                check.add(rules.POLICY_DATE, f"year {year!r} is not a year", ("year",), hint="write four digits, e.g. 1998")
                year = None
            elif date is not None and date.year != year:
                check.add(rules.POLICY_DATE, f"year {year} differs from the date's year {date.year}", ("year",))
        if year is None and date is not None:
            year = date.year
        url = data.get("url")
        if url is not None:
            if not isinstance(url, str) or not URL.fullmatch(url):
                check.add(rules.POLICY_URL, f"{url!r} is not an http(s) URL", ("url",),
                          hint="write a full address starting with https://, or leave the url out")
                url = None
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
            issuer_zh=texts["issuer_zh"], issuer_en=texts["issuer_en"],
            date=date, date_kind=date_kind, year=year, number=texts["number"], url=url, file=file,
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


