"""The division importer: the project's divisions table, built from the official lists.

The project keeps ``datasets/reference/divisions.csv`` (``code,name,level,parent,name_en``)
with only the administrative divisions its data uses, each with all its
ancestors. Codes and names always come from an official list, never from a
record: this module reads the national lists and copies the rows the data needs.
The English name is made from the Chinese one (:mod:`shequ.sources.romanize`); a
maintainer may correct it in the table, and the import keeps the correction until
the Chinese name changes. Names transliterated from a minority language
(``datasets/reference/place_names.yaml``, :mod:`shequ.sources.place_names`) win over both.

Formats read (see ``../shared/reference/divisions/SOURCES.md``), told apart by
their first line:

- National Bureau of Statistics (NBS) statistical division codes, as CSV with a
  header: ``code,name`` (2-digit provinces), ``code,name,provinceCode``
  (4-digit prefectures), ``code,name,cityCode,provinceCode`` (6-digit
  counties) and ``code,name,areaCode,provinceCode,cityCode`` (9-digit
  townships and sub-districts);
- the NBS village-level list (统计用区划代码和城乡划分代码, 村级), as CSV with the header
  ``统计用区划代码,城乡分类代码,名称``: one row per residents' or villagers' committee, with
  its 12-digit code and its urban-rural class (``111``…``123`` urban, ``210``/``220``
  rural). It adds no divisions: it gives each township the number of urban and rural
  communities under it (``urban_communities``, ``rural_communities``), which the
  statistics compare with the 2017 targets;
- Ministry of Civil Affairs GB/T 2260 lists, a text file of ``code name``
  lines with 6-digit codes. ``xx0000`` is a province, stored as ``xx``;
  ``xxxx00`` a prefecture, stored as ``xxxx``; anything else a county.

A division's parent is always the start of its code (9 → 6 → 4 → 2 digits),
as in the NBS lists. Where no list names a parent (e.g. ``4190`` when only the
GB/T 2260 list is given), the row still names its parent code and the result
says which list to add.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from shequ.errors import ShequError
from shequ.project import RECORD_DATASETS, Project
from shequ.sources.place_names import load_place_names
from shequ.sources.romanize import english_name
from shequ.sources.yamlfiles import LineFinder, record_files

#: Level of a division by the length of its code.
LEVELS = {2: "province", 4: "prefecture", 6: "county", 9: "township"}
#: Length of the parent code, by the length of a code.
PARENT_LENGTH = {4: 2, 6: 4, 9: 6}
#: Columns of the project's divisions table (as in datasets/schemas/divisions.schema.json).
COLUMNS = ("code", "name", "level", "parent", "name_en", "urban_communities", "rural_communities")
#: The header of NBS's village-level list, and its urban-rural classes: a first digit 1 is
#: urban (城镇), 2 rural (乡村), as NBS's rules for dividing urban and rural areas set out.
VILLAGE_HEADER = ("统计用区划代码", "城乡分类代码", "名称")
URBAN_RURAL_CLASSES = {"111", "112", "121", "122", "123", "210", "220"}

#: NBS CSV headers (as column sets) -> (kind, code length, parent column).
NBS_FORMATS = {
    frozenset({"code", "name"}): ("nbs-provinces", 2, None),
    frozenset({"code", "name", "provinceCode"}): ("nbs-cities", 4, "provinceCode"),
    frozenset({"code", "name", "cityCode", "provinceCode"}): ("nbs-areas", 6, "cityCode"),
    frozenset({"code", "name", "areaCode", "provinceCode", "cityCode"}): ("nbs-streets", 9, "areaCode"),
}
MCA_LINE = re.compile(r"^([0-9]{6})[ \t\u3000]+(\S.*?)\s*$")
MAX_NAME = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class DivisionImportError(ShequError):
    """An official list cannot be read, or the import was asked for something impossible."""

    def __init__(self, message: str, file: str | Path | None = None, line: int | None = None):
        self.message, self.file, self.line = message, (str(file) if file is not None else None), line
        where = self.file + (f":{line}" if line else "") + ": " if self.file else ""
        super().__init__(where + message)


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    source: str = ""  # the list it was read from

    @property
    def level(self) -> str:
        return LEVELS[len(self.code)]

    @property
    def parent(self) -> str:
        return parent_code(self.code)


@dataclass
class ImportResult:
    """What :func:`import_divisions` did."""

    table: Path  # the table written
    rows: int  # rows in the table now
    added: list[str] = field(default_factory=list)  # codes new in the table
    kept: int = 0  # rows that were already in the table
    renamed: list[tuple[str, str, str]] = field(default_factory=list)  # (code, old name, official name)
    not_found: list[str] = field(default_factory=list)  # "code (used in …)": in no list given
    missing_parents: list[str] = field(default_factory=list)  # parent codes no list names
    read: dict[str, int] = field(default_factory=dict)  # list file -> divisions read
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.not_found and not self.missing_parents

    def __str__(self) -> str:
        """A short summary for people: counts, then anything that needs a look."""
        lines = [f"{self.table.as_posix()}: {self.rows:,} divisions ({len(self.added):,} added, "
                 f"{self.kept:,} already there), from {len(self.read)} list(s) with "
                 f"{sum(self.read.values()):,} entries"]
        lines += [f"renamed {code}: {old} -> {new}" for code, old, new in self.renamed]
        lines += [f"not in any list given: {item}" for item in self.not_found]
        lines += [f"parent not in any list given: {code}" for code in self.missing_parents]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def nbs_code(gbt_code: str) -> str:
    """A 6-digit GB/T 2260 code as the NBS-length code: 110000 → 11, 440300 → 4403, 110105 → 110105."""
    if not (isinstance(gbt_code, str) and len(gbt_code) == 6 and gbt_code.isascii() and gbt_code.isdigit()):
        raise ValueError(f"{gbt_code!r} is not a 6-digit GB/T 2260 code")
    if gbt_code.endswith("0000"):
        return gbt_code[:2]
    if gbt_code.endswith("00"):
        return gbt_code[:4]
    return gbt_code


def parent_code(code: str) -> str:
    """The code of the division above (empty for a province)."""
    return code[: PARENT_LENGTH[len(code)]] if len(code) in PARENT_LENGTH else ""


def is_division_code(value: object) -> bool:
    return isinstance(value, str) and len(value) in LEVELS and value.isascii() and value.isdigit()


def normalise_code(value: str) -> str:
    """A code as the table writes it: 6-digit GB/T codes of provinces and prefectures shortened."""
    value = value.strip()
    return nbs_code(value) if len(value) == 6 and value.isascii() and value.isdigit() else value


# --- reading the official lists -------------------------------------------------------------


def _text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise DivisionImportError("is a folder, but a division list was expected", path) from None
    except FileNotFoundError:
        raise DivisionImportError("no such file", path) from None
    except OSError as exc:
        raise DivisionImportError(f"cannot be read: {exc.strerror or exc}", path) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DivisionImportError(f"byte {exc.start} is not UTF-8; save the list as UTF-8", path, line) from None


def detect_format(first_line: str) -> str | None:
    """``nbs-provinces`` … ``nbs-streets``, ``mca-gbt2260``, or None for an unknown first line."""
    try:
        header = next(csv.reader([first_line]))
    except csv.Error:
        header = []
    columns = frozenset(c.strip() for c in header)
    if tuple(c.strip() for c in header) == VILLAGE_HEADER:
        return "nbs-villages"
    if len(columns) == len(header) and columns in NBS_FORMATS:
        return NBS_FORMATS[columns][0]
    if MCA_LINE.match(first_line):
        return "mca-gbt2260"
    return None


def read_list(path: str | Path) -> tuple[str, list[Division]]:
    """One official list: its format and its divisions, in file order.

    Raises :class:`DivisionImportError` with file and line for anything that is
    not a well-formed list in a known format.
    """
    path = Path(path)
    text = _text(path)
    first = next((line for line in text.splitlines() if line.strip()), None)
    if first is None:
        raise DivisionImportError("file is empty; a division list was expected", path, 1)
    kind = detect_format(first.strip())
    if kind is None:
        raise DivisionImportError(
            f"unrecognised first line {first.strip()[:60]!r}: expected an NBS CSV header such as "
            "'code,name,areaCode,provinceCode,cityCode', or a GB/T 2260 'code name' line", path,
            text[: text.index(first)].count("\n") + 1)
    if kind == "nbs-villages":
        raise DivisionImportError("a village-level list gives community counts, not divisions; "
                                  "read it with read_village_counts", path, 1)
    if kind == "mca-gbt2260":
        return kind, list(_read_mca(path, text))
    return kind, list(_read_nbs(path, text))


def _check_name(name: str, path: Path, line: int) -> str:
    name = name.strip()
    if not name:
        raise DivisionImportError("the name is empty", path, line)
    if len(name) > MAX_NAME or _CONTROL.search(name):
        raise DivisionImportError(f"{name[:40]!r} is not a division name", path, line)
    return name


def _read_nbs(path: Path, text: str) -> Iterator[Division]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [c.strip() for c in next(reader)]
        while not header or header == [""]:
            header = [c.strip() for c in next(reader)]
    except csv.Error as exc:
        raise DivisionImportError(f"not valid CSV: {exc}", path, reader.line_num) from None
    _, length, parent_column = NBS_FORMATS[frozenset(header)]
    i_code, i_name = header.index("code"), header.index("name")
    i_parent = header.index(parent_column) if parent_column else None
    width = len(header)
    seen: dict[str, str] = {}
    name_of = str.strip
    try:
        for row in reader:
            if len(row) != width:
                if not row or row == [""]:
                    continue
                raise DivisionImportError(f"{len(row)} columns, but the header has {width}", path,
                                          reader.line_num)
            code = row[i_code].strip()
            if len(code) != length or not code.isdigit() or not code.isascii():
                raise DivisionImportError(f"{code[:20]!r} is not a {length}-digit code", path, reader.line_num)
            name = name_of(row[i_name])
            if not name or len(name) > MAX_NAME or _CONTROL.search(name):
                name = _check_name(name, path, reader.line_num)
            if i_parent is not None and row[i_parent].strip() != code[: PARENT_LENGTH[length]]:
                raise DivisionImportError(f"parent {row[i_parent].strip()!r} of {code} is not the start of its "
                                          "code", path, reader.line_num)
            if code in seen:
                if seen[code] != name:
                    raise DivisionImportError(f"code {code} appears twice, as {seen[code]} and {name}",
                                              path, reader.line_num)
                continue
            seen[code] = name
            yield Division(code, name, path.name)
    except csv.Error as exc:
        raise DivisionImportError(f"not valid CSV: {exc}", path, reader.line_num) from None


def read_village_counts(path: str | Path) -> dict[str, tuple[int, int]]:
    """Township code -> (urban, rural) number of communities, from an NBS village-level list.

    >>> # 110105004001,111,三里屯社区居委会 counts one urban community for 110105004
    """
    path = Path(path)
    text = _text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    counts: dict[str, list[int]] = {}
    seen: set[str] = set()
    try:
        header = next((row for row in reader if row and row != [""]), None)
        if header is None or tuple(c.strip() for c in header) != VILLAGE_HEADER:
            raise DivisionImportError(f"expected the header {','.join(VILLAGE_HEADER)}", path, 1)
        for row in reader:
            if not row or row == [""]:
                continue
            if len(row) != 3:
                raise DivisionImportError(f"{len(row)} columns, but the header has 3", path, reader.line_num)
            code, kind, name = (c.strip() for c in row)
            if len(code) != 12 or not code.isdigit() or not code.isascii():
                raise DivisionImportError(f"{code[:20]!r} is not a 12-digit village-level code", path,
                                          reader.line_num)
            if kind not in URBAN_RURAL_CLASSES:
                raise DivisionImportError(f"{kind[:10]!r} is not an urban-rural class; expected one of "
                                          f"{', '.join(sorted(URBAN_RURAL_CLASSES))}", path, reader.line_num)
            _check_name(name, path, reader.line_num)
            if code in seen:
                raise DivisionImportError(f"code {code} appears twice", path, reader.line_num)
            seen.add(code)
            counts.setdefault(code[:9], [0, 0])[0 if kind.startswith("1") else 1] += 1
    except csv.Error as exc:
        raise DivisionImportError(f"not valid CSV: {exc}", path, reader.line_num) from None
    return {township: (urban, rural) for township, (urban, rural) in counts.items()}


def _read_mca(path: Path, text: str) -> Iterator[Division]:
    seen: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = MCA_LINE.match(line.strip())
        if not match:
            raise DivisionImportError(f"{line.strip()[:60]!r} is not a '6-digit-code name' line", path, number)
        code, name = nbs_code(match.group(1)), _check_name(match.group(2), path, number)
        if code in seen:
            if seen[code] != name:
                raise DivisionImportError(f"code {match.group(1)} appears twice, as {seen[code]} and {name}",
                                          path, number)
            continue
        seen[code] = name
        yield Division(code, name, path.name)


def list_files(paths: Iterable[str | Path]) -> list[Path]:
    """The list files named; a folder stands for the lists in it whose first line is recognised."""
    out = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for child in sorted(p.iterdir()):
                if child.is_file() and child.suffix.lower() in (".csv", ".txt") and list_format(child):
                    out.append(child)
        else:
            out.append(p)
    return out


def list_format(path: Path) -> str | None:
    """The format of a list file, judged by its first line (None if unknown or unreadable)."""
    try:
        with Path(path).open(encoding="utf-8-sig") as fh:
            for line in fh:
                if line.strip():
                    return detect_format(line.strip())
    except (OSError, UnicodeDecodeError):
        return None
    return None


def read_official(files: Iterable[str | Path], warnings: list[str] | None = None,
                  counts: dict[str, int] | None = None) -> dict[str, Division]:
    """Every division of the lists given, by code. A list given earlier wins over a later one."""
    out: dict[str, Division] = {}
    for path in list_files(files):
        if list_format(path) == "nbs-villages":
            continue  # community counts, read by import_divisions
        _, divisions = read_list(path)
        if counts is not None:
            counts[str(path)] = len(divisions)
        for d in divisions:
            known = out.get(d.code)
            if known is None:
                out[d.code] = d
            elif known.name != d.name and warnings is not None:
                warnings.append(f"{d.code} is {known.name} in {known.source} but {d.name} in {d.source}; "
                                f"keeping {known.name}")
    return out


# --- the project table ----------------------------------------------------------------------


def read_table(path: Path) -> dict[str, dict[str, str]]:
    """The rows of a project divisions table, by code (empty if there is none yet)."""
    if not path.is_file():
        return {}
    text = _text(path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows: dict[str, dict[str, str]] = {}
    try:
        if reader.fieldnames is None:
            return {}
        missing = [c for c in ("code", "name") if c not in reader.fieldnames]
        if missing:
            raise DivisionImportError(f"the header lacks {', '.join(missing)}; expected {','.join(COLUMNS)}",
                                      path, 1)
        for row in reader:
            code = (row.get("code") or "").strip()
            if not is_division_code(code):
                raise DivisionImportError(f"{code[:20]!r} is not a division code; fix or remove the row",
                                          path, reader.line_num)
            rows[code] = {"code": code, "name": (row.get("name") or "").strip(),
                          "level": LEVELS[len(code)], "parent": parent_code(code),
                          "name_en": (row.get("name_en") or "").strip(),
                          "urban_communities": (row.get("urban_communities") or "").strip(),
                          "rural_communities": (row.get("rural_communities") or "").strip()}
    except csv.Error as exc:
        raise DivisionImportError(f"not valid CSV: {exc}", path, reader.line_num) from None
    return rows


def write_table(path: Path, rows: Iterable[dict[str, str]]) -> int:
    """Write the table sorted by code, UTF-8 with LF line endings, replacing the old one at once."""
    ordered = sorted(rows, key=lambda r: r["code"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in ordered:
        writer.writerow([row.get(c, "") for c in COLUMNS])
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(buffer.getvalue())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(ordered)


# A top-level ``division:`` or ``uscc:`` line with a plain or quoted value. Lines at column 0
# are top-level keys of a block mapping, so most files need no full YAML parse.
_TOP_LEVEL = re.compile(r"""^(division|uscc):[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([^\s#"'][^\s#]*))?[ \t]*(?:#.*)?$""",
                        re.M)


def _record_codes(path: Path) -> tuple[object, object]:
    """(division, uscc) of one record file; (None, None) if it cannot be read."""
    from shequ.sources.yamlfiles import YamlProblem, parse_yaml, read_yaml_text

    try:
        text = read_yaml_text(path)
    except (YamlProblem, OSError):
        return None, None
    found: dict[str, list] = {"division": [], "uscc": []}
    for m in _TOP_LEVEL.finditer(text):
        value = next((g for g in m.groups()[1:] if g is not None), None)
        found[m.group(1)].append(value)
    simple = all(len(v) == 1 and v[0] is not None for v in found.values() if v) and found["division"] \
        and (found["uscc"] or "uscc" not in text) and not text.lstrip().startswith(("{", "---", "%"))
    if simple:
        return found["division"][0], (found["uscc"] or [None])[0]
    try:
        data = parse_yaml(text)  # the slow, exact way, for anything unusual
    except YamlProblem:
        return None, None
    return (data.get("division"), data.get("uscc")) if isinstance(data, dict) else (None, None)


def used_codes(project: Project) -> dict[str, str]:
    """Division codes the records use (``division``, and characters 3–8 of ``uscc``) -> first file using it.

    Unreadable records are skipped: reporting them is the validator's business.
    """
    used: dict[str, str] = {}
    for dataset in RECORD_DATASETS:
        for path in record_files(project, dataset):
            if not path.name.endswith(".yaml") or not path.is_file():
                continue
            division, uscc = _record_codes(path)
            rel = project.relative(path)
            if isinstance(division, int) and not isinstance(division, bool):
                division = str(division)
            if is_division_code(division):
                used.setdefault(division, rel)
            if isinstance(uscc, str) and len(uscc) == 18 and uscc[2:8].isascii() and uscc[2:8].isdigit():
                used.setdefault(nbs_code(uscc[2:8]), rel)
    return used


def _prefix(value: str) -> str:
    code = normalise_code(str(value))
    if not is_division_code(code):
        raise DivisionImportError(f"--prefix {value!r} is not a division code (2, 4, 6 or 9 digits)")
    return code


def _place_names(project: Project) -> dict[str, str]:
    """The project's transliterated place names; a bad list stops the import before it writes."""
    names, problems = load_place_names(project)
    if problems:
        LineFinder(project.root).fill(problems)
        first = problems[0]
        field = f"{first.field}: " if first.path else ""
        raise DivisionImportError(f"{field}{first.message} [{first.rule}]", first.file, first.line)
    return names


def import_divisions(project: Project, files: list[Path], prefixes: list[str] = ()) -> ImportResult:
    """Add to the project's divisions table every division its data uses and every division
    under the prefixes given, each with all its ancestors, copied from the official lists.

    Rows already in the table are kept; a name that differs from the lists is corrected
    (and reported in ``renamed``). Codes in no list go to ``not_found`` and are not added.
    """
    if not files:
        raise DivisionImportError("no division lists given")
    result = ImportResult(project.divisions_table, 0)
    official = read_official(files, result.warnings, result.read)
    communities: dict[str, tuple[int, int]] = {}
    for path in list_files(files):
        if list_format(path) == "nbs-villages":
            found = read_village_counts(path)
            result.read[str(path)] = sum(u + r for u, r in found.values())
            communities.update(found)
    if not official and not communities:
        raise DivisionImportError("the lists given hold no divisions")
    proper_names = _place_names(project)
    table = read_table(project.divisions_table)
    result.kept = len(table)

    wanted: dict[str, str] = {code: f"used in {where}" for code, where in used_codes(project).items()}
    for value in prefixes:
        prefix = _prefix(value)
        matched = [code for code in official if code.startswith(prefix)]
        if not matched:
            raise DivisionImportError(f"--prefix {value}: no division in the lists given starts with {prefix}")
        for code in matched:
            wanted.setdefault(code, f"under --prefix {value}")

    for code, row in table.items():
        d = official.get(code)
        if d is not None and d.name != row["name"]:
            result.renamed.append((code, row["name"], d.name))
            row["name"], row["name_en"] = d.name, ""

    missing_parents: dict[str, str] = {}
    for code in sorted(wanted):
        if code not in official and code not in table:
            result.not_found.append(f"{code} ({wanted[code]})")
            continue
        child = None
        while code:
            if code not in table:
                d = official.get(code)
                if d is None:
                    missing_parents.setdefault(code, child)
                else:
                    table[code] = {"code": code, "name": d.name, "level": d.level, "parent": d.parent,
                                   "name_en": ""}
                    result.added.append(code)
            child, code = code, parent_code(code)
    for code, child in sorted(missing_parents.items()):
        result.missing_parents.append(code)
        result.warnings.append(f"{code}, the parent of {child}, is in none of the lists given; "
                               "add the list of that level (e.g. the NBS cities list for 4-digit codes)")
    for row in table.values():
        # The project's list of transliterated names wins over pypinyin and over a kept name.
        if row["name"] in proper_names or not row["name_en"]:
            row["name_en"] = english_name(row["name"], proper_names)
    for code, row in table.items():
        if code in communities:
            row["urban_communities"], row["rural_communities"] = map(str, communities[code])
    result.added.sort()
    result.rows = write_table(project.divisions_table, table.values())
    return result
