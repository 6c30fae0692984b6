"""Read YAML sources safely, and find the line of a value when a check needs it.

Every YAML file is untrusted input. Loading uses libyaml's C safe loader for
speed, and turns each of these into a problem rather than a crash:

- a file over :data:`MAX_BYTES`, a file that is not UTF-8, NUL bytes
- anchors or aliases (an alias bomb expands exponentially once serialized)
- duplicate keys, tags other than YAML's own, absurdly deep nesting
- an empty file, or a top level that is not a mapping
- a symlink, or a folder where a record file belongs
- a merge key (``<<:``), which sets keys out of sight
- a file name Windows reserves for a device (``con.yaml``, ``aux.yaml``)

Line numbers are not kept on the fast path: :class:`LineFinder` re-reads only
the files that have problems.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml

from shequ.errors import ShequError
from shequ import rules
from shequ.sources.filenames import WINDOWS_HINT, windows_trouble
from shequ.project import RECORD_DATASETS, Project
from shequ.report import Problem

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 20

# A cheap pre-filter: text that might hold an anchor or alias gets the exact,
# event-level check. Plain scalars such as "R&D" do not match.
_MAYBE_ANCHOR = re.compile(r"(?:^|[\s\[{,:?-])[&*][^\s,\[\]{}]")

# Bidi overrides and zero-width characters hide or reorder text; in a name they
# can make two different records look identical.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


@dataclass(slots=True)
class Record:
    """One record file: ``data`` is the mapping it holds."""

    dataset: str
    id: str  # the file name without .yaml
    file: str  # relative to the project root
    data: dict


class YamlProblem(ShequError):
    def __init__(self, rule: str, message: str, line: int | None = None, hint: str | None = None):
        super().__init__(message)
        self.rule, self.message, self.line, self.hint = rule, message, line, hint


class _RecordLoader(yaml.CSafeLoader):
    """The C safe loader, refusing duplicate keys and deep nesting."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem(rules.YAML_MERGE_KEY, "a merge key (<<) sets keys out of sight; it is not allowed",
                                  key_node.start_mark.line + 1, "write each key out in full")
            key = key_node.value
            if key in seen:
                raise YamlProblem(
                    rules.YAML_DUPLICATE_KEY,
                    f"key '{key}' appears twice (first on line {seen[key] + 1})",
                    key_node.start_mark.line + 1,
                    "keep one of them",
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def _check_anchors(text: str) -> None:
    """Raise on the first anchor or alias; only called when the pre-filter matched."""
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            kind = "alias" if isinstance(event, yaml.AliasEvent) else "anchor"
            raise YamlProblem(
                rules.YAML_ALIAS,
                f"YAML {kind} '{anchor}' is not allowed",
                event.start_mark.line + 1,
                "write each value out in full",
            )


def _depth(value: Any, limit: int, level: int = 0) -> bool:
    if level > limit:
        return True
    if isinstance(value, dict):
        return any(_depth(v, limit, level + 1) for v in value.values())
    if isinstance(value, list):
        return any(_depth(v, limit, level + 1) for v in value)
    return False


def read_yaml_text(path: Path) -> str:
    """The text of a YAML file, refusing what no YAML source should be."""
    windows = windows_trouble(path.name)
    if windows:
        raise YamlProblem(rules.FILES_RESERVED_NAME, windows, None, WINDOWS_HINT)
    if path.is_symlink():
        where = " in datasets/" if "datasets" in path.parts else ""
        raise YamlProblem(rules.FILES_SYMLINK, f"symbolic links are not allowed{where}", None,
                           "replace the link with the file itself")
    if path.exists() and not path.is_file() and not path.is_dir():
        # A named pipe or a device would block the read, or never end.
        raise YamlProblem(rules.FILES_NOT_A_FILE, "is not a regular file", None, "replace it with a plain file")
    if path.is_dir():
        raise YamlProblem(rules.FILES_NOT_A_FILE, "is a folder, but a YAML file was expected")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise YamlProblem(rules.YAML_TOO_LARGE, f"file is {size:,} bytes; the limit is {MAX_BYTES:,}",
                           None, "a record is a few kilobytes; split or shorten it")
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte-order mark is harmless: editors on Windows add it
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlProblem(rules.YAML_ENCODING, f"byte {exc.start} is not UTF-8", line,
                           "save the file as UTF-8") from None
    if "\x00" in text:
        raise YamlProblem(rules.YAML_ENCODING, "file contains a NUL byte", text[: text.index("\x00")].count("\n") + 1)
    return text


def parse_yaml(text: str) -> Any:
    """Parse untrusted YAML text into plain Python values, or raise ``YamlProblem``."""
    # Most files hold neither character: two substring tests spare them the regex.
    if ("&" in text or "*" in text) and _MAYBE_ANCHOR.search(text):
        _check_anchors(text)
    try:
        value = yaml.load(text, Loader=_RecordLoader)
    except YamlProblem:
        raise
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise YamlProblem(rules.YAML_TAG, _first_line(exc.problem), mark.line + 1 if mark else None,
                           "only plain YAML values are allowed") from None
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in str(exc):  # newer libyaml stops deep nesting itself
            raise YamlProblem(rules.YAML_TOO_DEEP, f"nesting is deeper than {MAX_DEPTH} levels") from None
        mark = exc.problem_mark or exc.context_mark
        raise YamlProblem(rules.YAML_SYNTAX, _first_line(exc.problem or exc.context or "invalid YAML"),
                           mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        # A ReaderError (a control character YAML does not allow) has no mark, only libyaml's byte offset.
        position = getattr(exc, "position", None)
        line = text.encode("utf-8", "surrogatepass")[:position].count(b"\n") + 1 if isinstance(position, int) else None
        raise YamlProblem(rules.YAML_SYNTAX, _first_line(str(exc)), line) from None
    except (ValueError, OverflowError, TypeError) as exc:
        # libyaml builds 2016-02-30 by calling date(), which raises.
        raise YamlProblem(rules.YAML_VALUE, f"a value cannot be read: {exc}", _unreadable_value_line(text),
                           "correct the date or number, or put it in quotes") from None
    except RecursionError:
        raise YamlProblem(rules.YAML_TOO_DEEP, f"nesting is deeper than {MAX_DEPTH} levels") from None
    if _depth(value, MAX_DEPTH):
        raise YamlProblem(rules.YAML_TOO_DEEP, f"nesting is deeper than {MAX_DEPTH} levels")
    return value


def _unreadable_value_line(text: str) -> int | None:
    """The line of the first scalar the safe constructor cannot build (e.g. 2016-02-30)."""
    constructor = yaml.constructor.SafeConstructor()
    stack = [yaml.compose(text, Loader=yaml.CSafeLoader)]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            try:
                constructor.construct_object(node)
            except (ValueError, OverflowError, TypeError, yaml.YAMLError):
                return node.start_mark.line + 1
        elif isinstance(node, yaml.MappingNode):
            stack.extend(v for pair in reversed(node.value) for v in reversed(pair))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
    return None


def _first_line(message: str) -> str:
    return str(message).strip().splitlines()[0] if message else "invalid YAML"


def load_mapping(project: Project, path: Path) -> tuple[dict | None, list[Problem]]:
    """Load one YAML file whose top level must be a mapping."""
    rel = project.relative(path)
    try:
        value = parse_yaml(read_yaml_text(path))
    except YamlProblem as exc:
        return None, [Problem(exc.rule, exc.message, rel, line=exc.line, hint=exc.hint)]
    if value is None:
        return None, [Problem(rules.YAML_EMPTY, "file is empty; a mapping of fields was expected", rel, line=1)]
    if not isinstance(value, dict):
        return None, [Problem(rules.YAML_NOT_A_MAPPING,
                              f"top level is a {_kind(value)}; a mapping of fields was expected", rel, line=1)]
    bad_keys = [k for k in value if not isinstance(k, str)]
    if bad_keys:
        return None, [Problem(rules.YAML_KEY_TYPE, f"key {bad_keys[0]!r} is not text", rel,
                              hint="field names are words such as 'name'")]
    return value, []


def _kind(value: Any) -> str:
    return {list: "list", str: "text value", int: "number", float: "number", bool: "true/false value"}.get(
        type(value), type(value).__name__)


def record_files(project: Project, dataset: str) -> Iterator[Path]:
    folder = project.datasets / dataset
    if not folder.is_dir():
        return iter(())
    # The order of Path objects (by name within one folder, ignoring case where the file
    # system does), without a Path comparison per step: 1.5 million of them at 100,000 files.
    return iter(sorted((p for p in folder.iterdir() if not p.name.startswith(".")),
                       key=lambda p: os.path.normcase(p.name)))


#: Below this many files, starting worker processes costs more than it saves.
PARALLEL_PARSE_FILES = 4000


def load_records(project: Project, dataset: str) -> tuple[list[Record], list[Problem]]:
    """Load every record file of one dataset, sorted by id.

    Large datasets are parsed by one worker process per core (libyaml holds the
    GIL, so threads would not help); the result is the same as a serial load.
    """
    folder = project.datasets / dataset
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        # A linked folder would load records from anywhere on the machine, e.g. outside the repository.
        problem = (Problem(rules.FILES_SYMLINK, "symbolic links are not allowed in datasets/", project.relative(folder),
                           hint="replace the link with the folder itself") if folder.is_symlink() else
                   Problem(rules.FILES_NOT_A_FOLDER, "is a file, but a folder of record files was expected",
                           project.relative(folder), hint=f"keep one YAML file per record in datasets/{dataset}/"))
        return [], [problem]
    return load_record_files(project, dataset, list(record_files(project, dataset)))


def load_record_files(project: Project, dataset: str, paths: list[Path]) -> tuple[list[Record], list[Problem]]:
    """The record files ``paths`` of one dataset (all of them, or a shard's), parsed by one
    worker process per core when they are many."""
    workers = min(os.cpu_count() or 1, 4)
    if len(paths) < PARALLEL_PARSE_FILES or workers < 2 or "fork" not in mp.get_all_start_methods():
        return load_paths(project, dataset, paths)
    # Small chunks, so the parent unpickles one while the workers parse the next.
    chunks = [paths[i:i + 1000] for i in range(0, len(paths), 1000)]
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
        parts = list(pool.map(load_paths, [project] * len(chunks), [dataset] * len(chunks), chunks))
    records = sorted((r for part in parts for r in part[0]), key=lambda r: r.file)
    problems = [p for part in parts for p in part[1]]
    return records, problems


def load_paths(project: Project, dataset: str, paths: list[Path]) -> tuple[list[Record], list[Problem]]:
    records, problems = [], []
    for path in paths:
        rel = project.relative(path)
        if not path.name.endswith(".yaml") or path.name == ".yaml":
            hint = "rename it to end in .yaml" if path.name.endswith(".yml") else "record files end in .yaml"
            problems.append(Problem(rules.FILES_UNEXPECTED, "is not a record file", rel, hint=hint))
            continue
        data, found = load_mapping(project, path)
        problems.extend(found)
        if data is not None:
            records.append(Record(dataset, path.name[: -len(".yaml")], rel, data))
    return records, problems


def load_all_records(project: Project) -> tuple[dict[str, list[Record]], list[Problem]]:
    out, problems = {}, []
    for dataset in RECORD_DATASETS:
        out[dataset], found = load_records(project, dataset)
        problems.extend(found)
    return out, problems


class LineFinder:
    """Finds the line of a field in a YAML file, re-reading the file once, only when asked."""

    def __init__(self, root: Path, also: Iterable[str] = ()):
        """``also``: YAML files read by name rather than by their ``.yaml`` ending (mkdocs.yml, CITATION.cff)."""
        self.root = root
        self.also = set(also)
        self._nodes: dict[str, Any] = {}

    def _node(self, file: str):
        if file not in self._nodes:
            try:
                # The same guards as loading: never follow a link, never read a huge file.
                text = read_yaml_text(self.root / file)
                self._nodes[file] = yaml.compose(text, Loader=yaml.CSafeLoader)
            except (YamlProblem, OSError, yaml.YAMLError, RecursionError):
                self._nodes[file] = None
        return self._nodes[file]

    def line(self, file: str, path: tuple) -> int | None:
        node = self._node(file)
        if node is None:
            return None
        line = node.start_mark.line + 1
        for part in path:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                for key, value in node.value:
                    if key.value == part:
                        # A scalar sits on its key's line; a block under a key starts below it.
                        line = key.start_mark.line + 1
                        node = value
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    def fill(self, problems: list[Problem]) -> None:
        for p in problems:
            if p.line is not None or not (p.file.endswith(".yaml") or p.file in self.also):
                continue
            # A problem with no field is about the whole file: it points at line 1,
            # and the file (perhaps huge, perhaps a link) is not read again.
            p.line = self.line(p.file, p.path) if p.path else 1
