"""New records: a free id, today's date, values from flags or prompts, checked before they stay.

``shequ new organization`` and ``shequ new incubator`` call :func:`create_record`.
The importer shares the pieces: :func:`new_id`, :func:`coerce` and :func:`dump_record`.

- Ids are ``org-`` / ``inc-`` plus eight characters drawn at random (reproducibly,
  with a seed), never derived from the name, and never one a file already has.
- A record file is created with exclusive create: an existing file is never replaced.
- The record is checked with the whole project; if it has an error it is removed
  again and the problems are returned, so what stays always passes the checks.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable


from shequ.tools.jsonschemas import modeline
from shequ.project import RECORD_DATASETS, Project
from shequ.report import Problem, did_you_mean
from shequ.sources.tables import LAYOUT, Schemas
from shequ.tools.yamlwriter import record_yaml

#: Characters of generated ids: lowercase letters and digits, without look-alikes (i l o 0 1).
TOKEN_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TOKEN_LENGTH = 8
PREFIX = {"organizations": "org-", "incubators": "inc-"}
DATASET_OF_TYPE = {"organization": "organizations", "incubator": "incubators"}

#: Fields filled for the user, never asked for.
AUTOMATIC = ("id", "last_verified")



def flag_fields(schemas: Schemas, dataset: str) -> tuple[str, ...]:
    """Every field ``shequ new`` takes as a flag (flag = field with '-' for '_'): the main
    table's fields with the ``asked`` role. Sources come from --source-title / --source-url."""
    return tuple(f.key for f in schemas.with_role(dataset, "asked") if not f.is_list)


def list_flags(schemas: Schemas, dataset: str) -> tuple[str, ...]:
    """The lists ``shequ new`` takes as repeatable flags: lists of codes or names with the ``asked`` role."""
    return tuple(f.key for f in schemas.with_role(dataset, "asked") if f.is_list)


DEFAULTS = {"organizations": {"status": "active"}, "incubators": {}}

#: Separators accepted inside one list value: "a, b", "a，b", "a、b", "a; b".
LIST_SPLIT = re.compile(r"\s*[,，、;；\n]\s*")


# --- ids ---------------------------------------------------------------------------------------


def taken_ids(project: Project) -> set[str]:
    """Every id a record file has, lowercased (ids differing only in case collide on macOS and Windows)."""
    out = set()
    for dataset in RECORD_DATASETS:
        folder = project.datasets / dataset
        if folder.is_dir():
            out.update(p.name.rsplit(".", 1)[0].lower() for p in folder.iterdir())
    return out


def make_rng(seed: int | str | None = None) -> random.Random:
    """A seeded generator (the same seed gives the same ids; ``Settings.seed`` for tests); else random."""
    return random.Random(seed if seed is not None else os.urandom(16))


def new_id(dataset: str, taken: set[str], rng: random.Random) -> str:
    """A free id for a new record of ``dataset``; it is added to ``taken``."""
    while True:
        value = PREFIX[dataset] + "".join(rng.choices(TOKEN_ALPHABET, k=TOKEN_LENGTH))
        if value not in taken:
            taken.add(value)
            return value


# --- values ------------------------------------------------------------------------------------


def coerce(value: Any, field: dict) -> Any:
    """A value typed in or read from a file, in the type its Table Schema field has.

    A value that cannot be converted is returned as it is: the checks then say
    what is wrong with it, in their words.
    """
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            return None
    if value is None:
        return None
    type_ = field.get("type", "string")
    if type_ == "string":
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a spreadsheet's 110105001.0
        return value if isinstance(value, str) else str(value)
    if type_ == "integer":
        try:
            number = float(value) if isinstance(value, str) else value
            if isinstance(number, (int, float)) and not isinstance(number, bool) and float(number).is_integer():
                return int(number)
        except ValueError:
            pass
        return value
    if type_ == "number":
        try:
            number = float(value.replace(",", "")) if isinstance(value, str) else float(value)
        except (TypeError, ValueError):
            return value
        return int(number) if number.is_integer() else number
    if type_ == "date":
        return parse_date(value)
    return value


_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value: Any) -> Any:
    """A date from 2019-05-12, 2019/5/12, 2019.5.12, 2019年5月12日, 20190512 or a spreadsheet date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if " " in text and re.match(r"^\d{4}-\d{2}-\d{2} 00:00(:00)?$", text):
        text = text.split(" ", 1)[0]
    for form in _DATE_FORMS:
        match = form.match(text)
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                return text
    return text


def split_list(values: Iterable[Any]) -> list:
    """Items of a list field from repeated flags or one cell: "a, b" and "a、b" are two items."""
    out = []
    for value in values:
        if value is None:
            continue
        if isinstance(value, str):
            out.extend(v for v in LIST_SPLIT.split(value.strip()) if v)
        else:
            out.append(value)
    return out


# --- YAML --------------------------------------------------------------------------------------

_FLOW_UNSAFE = set(",[]{}#")


def key_order(schemas: Schemas, dataset: str) -> list[str]:
    """Keys in the order records are written: main fields, the lists, then last_verified and descriptions."""
    layout = LAYOUT[dataset]
    columns = schemas.columns(layout.main)
    cut = columns.index("last_verified") if "last_verified" in columns else len(columns)
    return columns[:cut] + [c.key for c in layout.children] + columns[cut:]


def dump_record(schemas: Schemas, dataset: str, data: dict) -> str:
    """A record as block YAML, starting with the editor's schema line; empty values are left out."""
    order = key_order(schemas, dataset)
    keys = [k for k in order if k in data] + [k for k in data if k not in order]
    return modeline(dataset) + "\n" + record_yaml({k: data[k] for k in keys})


# --- creating records --------------------------------------------------------------------------


@dataclass
class Created:
    path: Path | None  # None when nothing was kept
    problems: list[Problem] = field(default_factory=list)  # of the new record: errors and warnings

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def build_record(project: Project, dataset: str, values: dict[str, Any], record_id: str,
                 today: dt.date | None = None, schemas: Schemas | None = None) -> dict:
    """A record mapping from field values (text from flags or cells, or typed values).

    ``values`` may hold any field of the record, lists as lists or as "a, b" text,
    and ``source_title``, ``source_url`` and ``source_accessed`` for its first source.
    """
    schemas = schemas or Schemas(project)
    today = today or dt.date.today()
    layout = LAYOUT[dataset]
    data: dict[str, Any] = {"id": record_id}
    values = dict(values)
    source = {k: values.pop(f"source_{k}", None) for k in ("title", "url", "accessed")}
    children = {c.key: c for c in layout.children}
    for key, value in values.items():
        if key in children:
            child = children[key]
            if child.is_mapping:
                data[key] = value
                continue
            items = split_list(value if isinstance(value, (list, tuple)) else [value])
            column = schemas.field(child.table, child.column)
            data[key] = [coerce(v, column) for v in items] or None
        elif key in schemas.columns(layout.main):
            data[key] = coerce(value, schemas.field(layout.main, key))
        else:
            data[key] = value  # unknown: the checks name it, with a suggestion
    if "sources" not in values and (source["title"] or source["url"]):
        accessed = parse_date(source["accessed"]) if source["accessed"] else today
        data["sources"] = [{"title": source["title"], "url": source["url"], "accessed": accessed}]
    for key, default in DEFAULTS[dataset].items():
        if data.get(key) is None:
            data[key] = default
    data.setdefault("last_verified", today)
    if data.get("last_verified") is None:
        data["last_verified"] = today
    return data


def write_new(path: Path, text: str) -> None:
    """Create ``path`` with ``text``; raises FileExistsError rather than replace a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def describe(problem: Problem) -> str:
    """A problem without its file and line: for a record that was not kept."""
    what = f"{problem.field}: {problem.message}" if problem.path else problem.message
    if problem.hint:
        what += f" ({problem.hint})"
    prefix = "warning: " if problem.severity == "warning" else ""
    return f"{prefix}{what} [{problem.rule}]"


_RECORD_PATH = re.compile(r"datasets/[a-z_]+/[^\s'\"]+?\.yaml")


def files_named(problem: Problem, files) -> list[str]:
    """Which of ``files`` a problem is about: its own file, or one its message names
    (a clash is reported on one record, "code … is also used by <the other>")."""
    if problem.file in files:
        return [problem.file]
    return [f for f in _RECORD_PATH.findall(problem.message) if f in files][:1]


def problems_of_files(report, files: set[str]) -> list[Problem]:
    """Problems about these files."""
    return [p for p in report.problems if files_named(p, files)]


def create_record(project: Project, dataset: str, values: dict[str, Any], *, seed: int | str | None = None,
                  today: dt.date | None = None, keep_invalid: bool = False) -> Created:
    """Write a new record with a free id, check it with the whole project, and keep it only if valid."""
    from shequ.build.pipeline import validate

    schemas = Schemas(project)
    record_id = new_id(dataset, taken_ids(project), make_rng(seed))
    data = build_record(project, dataset, values, record_id, today, schemas)
    path = project.datasets / dataset / f"{record_id}.yaml"
    write_new(path, dump_record(schemas, dataset, data))
    _, report = validate(project, today)
    found = sorted(problems_of_files(report, {project.relative(path)}), key=lambda p: (p.line or 0, p.field))
    created = Created(path, found)
    if created.errors and not keep_invalid:
        path.unlink()
        created.path = None
    return created


# --- prompts -----------------------------------------------------------------------------------


def vocabulary_terms(project: Project, name: str) -> list[tuple[str, str]]:
    """(code, "中文 / English") of each term of a vocabulary."""
    from shequ.sources.yamlfiles import load_mapping

    data, _ = load_mapping(project, project.vocabularies / f"{name}.yaml")
    terms = (data or {}).get("terms") or []
    return [(t["code"], " / ".join(label for label in (t.get("label_zh"), t.get("label_en")) if label))
            for t in terms if isinstance(t, dict) and isinstance(t.get("code"), str)]


@dataclass
class Question:
    key: str  # the key in values
    text: str
    vocabulary: str | None = None
    many: bool = False
    default: str | None = None


def questions(project: Project, dataset: str, values: dict[str, Any]) -> Iterable[Question]:
    """The questions to ask for what a valid record needs and ``values`` lacks, in order.

    A generator: each question may depend on the answers before it (a registered
    organization needs its Unified Social Credit Code).
    """
    schemas = Schemas(project)
    layout = LAYOUT[dataset]
    children = {c.key: c for c in layout.children}
    for key in key_order(schemas, dataset):
        if key in AUTOMATIC or values.get(key) not in (None, "", [], ()):
            continue
        if key in children:
            child = children[key]
            if not child.min_items:
                continue
            if key == "sources":
                for part in ("title", "url"):
                    if not values.get(f"source_{part}"):
                        yield Question(f"source_{part}", f"Source {part} (where you read these facts)")
                continue
            vocabulary = dict(child.fixed).get("vocabulary") or \
                schemas.field(child.table, child.column).get("vocabulary")
            title = schemas.descriptors[child.table].get("title", key)
            yield Question(key, f"{key} ({title}; one or more codes, separated by commas)", vocabulary, many=True)
            continue
        field = schemas.field(layout.main, key)
        required = field.get("constraints", {}).get("required") or (
            key == "uscc" and values.get("management_track") == "registered")
        if not required:
            continue
        label = f"{field.get('title', key)} {field.get('title_zh', '')}".strip()
        yield Question(key, f"{key} ({label})", field.get("vocabulary"), default=DEFAULTS[dataset].get(key))


class WrongAnswer(ValueError):
    """An answer to a question that cannot go into the record: the message says why and what fits."""


def division_choices(project: Project) -> list[tuple[str, str]]:
    """(code, "name / English name (level)") of each division in the project's divisions table,
    for the ``division`` question: the codes a record may use without ``shequ divisions import``.
    A division without an English name shows its Chinese name alone."""
    from shequ.sources.divisions import read_table

    rows = read_table(project.divisions_table)
    return [(code, " / ".join(n for n in (row["name"], row.get("name_en")) if n) + f" ({row['level']})")
            for code, row in sorted(rows.items())]


def choices_for(project: Project, question: Question) -> list[tuple[str, str]]:
    """The valid answers to show before ``question``: a vocabulary's codes with their Chinese and
    English labels, or the divisions table's codes. Empty: any text will do."""
    if question.vocabulary:
        return vocabulary_terms(project, question.vocabulary)
    if question.key == "division":
        return division_choices(project)
    return []


def check_answer(question: Question, answer: str, choices: list[tuple[str, str]]) -> str:
    """The answer as the record takes it, or :class:`WrongAnswer`. A code must be one of
    ``choices``; a label typed instead of its code (备案, Filed) is taken as that code."""
    answer = (answer or "").strip()
    if not answer:
        raise WrongAnswer("an answer is needed")
    if not choices:
        return answer
    codes = [code for code, _ in choices]
    by_label = {}
    for code, label in choices:
        # A term's whole Chinese or English label, or a division's Chinese or English name
        # without its level.
        named = label.rsplit(" (", 1)[0]
        for name in [label, *label.split(" / "), named, *named.split(" / ")]:
            by_label.setdefault(name.strip().casefold(), code)
    parts = split_list([answer]) if question.many else [answer]
    picked = []
    for part in parts:
        code = part if part in codes else by_label.get(part.casefold())
        if code is None:
            hint = did_you_mean(part, codes)
            what = "a division code in the divisions table" if question.key == "division" else "one of the codes"
            extra = " (import it first with 'shequ divisions import', see CONTRIBUTING.md)" \
                if question.key == "division" else ""
            raise WrongAnswer(f"'{part}' is not {what}{extra}; {hint or 'choose one of the codes listed above'}")
        picked.append(code)
    return ", ".join(picked) if question.many else picked[0]


def ask_missing(project: Project, dataset: str, values: dict[str, Any],
                ask: Callable[[Question, list[tuple[str, str]]], Any]) -> dict[str, Any]:
    """Fill what ``values`` lacks by asking: ``ask(question, terms)`` returns the answer."""
    values = dict(values)
    for question in questions(project, dataset, values):
        values[question.key] = ask(question, choices_for(project, question))
    return values
