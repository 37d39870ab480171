"""The worksheet XML of a result sheet: cells, widths, frozen header, age colours, Excel Table."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from relance_xl.text import column_letter, normalize
from relance_xl.xlsx.cells import EXCEL_EPOCH, row_xml, text_cell
from relance_xl.xlsx.data import Column, SheetData
from relance_xl.xlsx.ooxml import MAIN_NS, REL_NS, XML_DECLARATION
from relance_xl.xlsx.styles import AGE_LIMITS, CellStyles

WIDTH_SAMPLE_ROWS = 2000
_FIXED_WIDTHS = {"date": 12.0, "money": 16.0, "int": 10.0, "percent": 10.0}


def _width(column: Column, index: int, rows: Sequence[Sequence[object]]) -> float:
    if column.width is not None:
        return column.width
    header = min(len(column.header) + 3, 40)
    if column.kind in _FIXED_WIDTHS:
        return max(_FIXED_WIDTHS[column.kind], header)
    longest = max(
        (
            len(row[index])
            for row in rows[:WIDTH_SAMPLE_ROWS]
            if index < len(row) and isinstance(row[index], str)
        ),
        default=0,
    )
    return float(min(60, max(8, header, longest + 2)))


@dataclass(frozen=True)
class Layout:
    """Where the parts of a result sheet sit (1-based rows)."""

    header_row: int
    first_row: int
    last_row: int  # last data row (= header row when there are none)
    totals_row: int | None
    columns: int

    @classmethod
    def of(cls, sheet: SheetData) -> Layout:
        header = 3 if sheet.title else 1
        last = header + len(sheet.rows)
        totals = last + 1 if sheet.totals is not None else None
        return cls(header, header + 1, last, totals, len(sheet.columns))

    @property
    def table_ref(self) -> str:
        """The table's range: header + data (an Excel Table needs at least one data row)."""
        return (
            f"A{self.header_row}:{column_letter(self.columns)}{max(self.last_row, self.first_row)}"
        )

    @property
    def bottom(self) -> int:
        """Last written row."""
        return self.totals_row or self.last_row


def sheet_xml(
    sheet: SheetData,
    styles: CellStyles,
    *,
    table_rid: str | None,
    drawing_rid: str | None,
    epoch: dt.date = EXCEL_EPOCH,
) -> str:
    """The worksheet part of a result sheet (dates counted from the workbook's ``epoch``)."""
    layout = Layout.of(sheet)
    kinds = [c.kind for c in sheet.columns]
    letters = [column_letter(i + 1) for i in range(layout.columns)]
    normal = [(*styles.for_kind(k, False), styles.date) for k in kinds]
    bold = [(*styles.for_kind(k, True), styles.bold_date) for k in kinds]
    last_col = letters[-1]
    parts = [
        f'{XML_DECLARATION}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">',
        f'<dimension ref="A1:{last_col}{layout.bottom}"/>',
        '<sheetViews><sheetView workbookViewId="0">'
        f'<pane ySplit="{layout.header_row}" topLeftCell="A{layout.first_row}" '
        'activePane="bottomLeft" state="frozen"/>'
        f'<selection pane="bottomLeft" activeCell="A{layout.first_row}" '
        f'sqref="A{layout.first_row}"/></sheetView></sheetViews>',
        '<sheetFormatPr defaultRowHeight="15"/><cols>',
    ]
    for index, column in enumerate(sheet.columns):
        width = _width(column, index, sheet.rows)
        parts.append(
            f'<col min="{index + 1}" max="{index + 1}" width="{width:g}" customWidth="1"/>'
        )
    parts.append("</cols><sheetData>")
    if sheet.title:
        parts.append(f'<row r="1">{text_cell("A1", sheet.title, styles.title)}</row>')
    header_cells = "".join(
        text_cell(f"{letters[i]}{layout.header_row}", c.header, styles.header)
        for i, c in enumerate(sheet.columns)
    )
    parts.append(f'<row r="{layout.header_row}">{header_cells}</row>')
    parts.extend(
        row_xml(layout.first_row + i, row, letters, kinds, normal, epoch=epoch)
        for i, row in enumerate(sheet.rows)
    )
    if sheet.totals is not None:
        parts.append(row_xml(layout.bottom, sheet.totals, letters, kinds, bold, epoch=epoch))
    parts.append("</sheetData>")
    if sheet.age_column is not None and sheet.rows:
        parts.append(_age_formatting(sheet, layout, styles))
    parts.append(
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
        'footer="0.3"/><pageSetup paperSize="9" orientation="landscape"/>'
    )
    if drawing_rid:
        parts.append(f'<drawing r:id="{drawing_rid}"/>')
    if table_rid:
        parts.append(f'<tableParts count="1"><tablePart r:id="{table_rid}"/></tableParts>')
    parts.append("</worksheet>")
    return "".join(parts)


def _age_formatting(sheet: SheetData, layout: Layout, styles: CellStyles) -> str:
    """Conditional colours of the data rows by the days-overdue column."""
    age = column_letter([c.header for c in sheet.columns].index(sheet.age_column) + 1)
    sqref = f"A{layout.first_row}:{column_letter(layout.columns)}{layout.last_row}"
    cell = f"${age}{layout.first_row}"
    rules = []
    for priority, ((low, high), dxf) in enumerate(zip(AGE_LIMITS, styles.age_dxfs, strict=True), 1):
        test = f"{cell}&gt;={low}" if high is None else f"AND({cell}&gt;={low},{cell}&lt;={high})"
        rules.append(
            f'<cfRule type="expression" dxfId="{dxf}" priority="{priority}">'
            f"<formula>AND(ISNUMBER({cell}),{test})</formula></cfRule>"
        )
    return f'<conditionalFormatting sqref="{sqref}">{"".join(rules)}</conditionalFormatting>'


_TABLE_NAME_BAD = re.compile(r"[^A-Za-z0-9_.]")
_CELL_LIKE = re.compile(r"(?i)^([A-Z]{1,3}\d+|R\d*C\d*|R|C)$")


def table_name(wanted: str, taken: set[str]) -> str:
    """A valid Excel Table name from ``wanted``, unique (case-insensitively) among ``taken``."""
    name = (
        _TABLE_NAME_BAD.sub(
            "_", normalize(wanted).title().replace(" ", "") if not wanted.isascii() else wanted
        )
        or "Tableau"
    )
    if not (name[0].isalpha() or name[0] == "_") or _CELL_LIKE.match(name):
        name = f"T_{name}"
    candidate, number = name, 2
    while candidate.lower() in taken:
        candidate = f"{name}{number}"
        number += 1
    return candidate


def _unique_headers(headers: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    unique = []
    for header in headers:
        name, number = header, 2
        while name.lower() in seen:
            name = f"{header}{number}"
            number += 1
        seen.add(name.lower())
        unique.append(name)
    return unique


def table_xml(sheet: SheetData, name: str, table_id: int) -> str:
    """The Excel Table part of a result sheet (autofilter, striped rows)."""
    layout = Layout.of(sheet)
    columns = "".join(
        f'<tableColumn id="{i + 1}" name="{escape(h, {chr(34): "&quot;"})}"/>'
        for i, h in enumerate(_unique_headers([c.header for c in sheet.columns]))
    )
    return (
        f"{XML_DECLARATION}"
        f'<table xmlns="{MAIN_NS}" id="{table_id}" name="{name}" displayName="{name}" '
        f'ref="{layout.table_ref}" totalsRowShown="0"><autoFilter ref="{layout.table_ref}"/>'
        f'<tableColumns count="{layout.columns}">{columns}</tableColumns>'
        '<tableStyleInfo name="TableStyleMedium2" showFirstColumn="0" showLastColumn="0" '
        'showRowStripes="1" showColumnStripes="0"/></table>'
    )
