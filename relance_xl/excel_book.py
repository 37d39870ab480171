"""The live workbook, through xlwings: its sheets read as grids, result sheets written back.

What the Excel buttons (:mod:`relance_xl.excel`) do to the open book, apart from the pipeline:
read every data sheet as a grid of cell values and parse it like a file
(:func:`read_ledger`); write a :class:`~relance_xl.writeback.SheetData` into a sheet in one call,
then its number formats, Excel Table, column widths, colours by age, bar chart and frozen panes,
each step guarded so a formatting failure never loses the values (:func:`write_sheet`); read the
« Fait » marks of Actions (:func:`done_marks`); append rows to Historique and grow its table
(:func:`append_history`); find a sheet by name without case or accents (:func:`find_book_sheet`).

It only works on duck-typed xlwings objects (``book.sheets``, ``sheet.range(...)``,
``range.value``…) and never imports xlwings, so it is tested without Excel on fakes
(tests/test_excel.py). Cells from Excel are what COM gives: floats for numbers, ``datetime`` for
dates, None for blanks; cells to Excel are floats, datetimes and text (:func:`excel_value`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from relance_xl import values
from relance_xl.errors import InputError
from relance_xl.model import Ledger, ReadOptions
from relance_xl.sheets import ACTIONS, DONE_HEADER, RESULT_SHEETS
from relance_xl.text import column_letter, normalize
from relance_xl.workbook import find_sheet, parse_workbook
from relance_xl.writeback import HISTORY_COLUMNS, HISTORY_SHEET, SheetData
from relance_xl.xlsx.cells import FORMULA_STARTS
from relance_xl.xlsx.data import chart_columns, check_sheet
from relance_xl.xlsx.sheet_xml import Layout, table_name
from relance_xl.xlsx.styles import AGE_COLOURS, AGE_LIMITS

CONFIG_SHEET = "xlwings.conf"
"""xlwings' settings sheet of the template (UDF Modules…): never read as data."""

NUMBER_FORMATS = {
    "text": "@",
    "date": "dd/mm/yyyy",
    "money": '#,##0.00\\ "€"',
    "int": "#,##0",
    "percent": "0.00%",
}
"""Number formats by column kind, in Excel's English codes (French Excel shows ``1 234,56 €``)."""

TABLE_STYLE = "TableStyleMedium2"
CHART_SIZE = (480.0, 280.0)
"""Width and height of the bar chart, in points."""

HEADER_SEARCH_ROWS = 30
"""Rows searched for the header of Actions or Historique."""


# ----------------------------------------------------------------------------------------------
# Reading the book
# ----------------------------------------------------------------------------------------------


def read_ledger(book: Any) -> Ledger:
    """Every sheet but ours, parsed exactly like a file (anomalies as values)."""
    return parse_workbook(
        read_sheets(book), ReadOptions(), source=str(book.name), date1904=_date1904(book)
    )


def read_sheets(book: Any) -> dict[str, list[list[object]]]:
    """Sheet name → cell values (row 0 is Excel's row 1), result and settings sheets left out."""
    ours = {normalize(name) for name in (*RESULT_SHEETS, CONFIG_SHEET)}
    return {
        sheet.name: sheet_grid(sheet) for sheet in book.sheets if normalize(sheet.name) not in ours
    }


def sheet_grid(sheet: Any) -> list[list[object]]:
    """The values from A1 to the last used cell, in one read (error cells as ``#N/A`` text)."""
    last = sheet.used_range.last_cell
    cells = sheet.range((1, 1), (last.row, last.column))
    return cells.options(ndim=2, err_to_str=True).value


def _date1904(book: Any) -> bool:
    """The 1904 date system of old Mac workbooks (Windows COM; False where it cannot be read)."""
    try:
        return bool(book.api.Date1904)
    except Exception:
        return False


def find_book_sheet(book: Any, name: str) -> Any | None:
    """The book's sheet called ``name`` (compared without case or accents), or None."""
    sheets = {sheet.name: sheet for sheet in book.sheets}
    found = find_sheet(sheets, name)
    return sheets[found] if found is not None else None


# ----------------------------------------------------------------------------------------------
# Writing a result sheet
# ----------------------------------------------------------------------------------------------


def write_sheet(book: Any, data: SheetData) -> list[str]:
    """Clear (or add) the sheet and write title, header, rows and totals in one call; then the
    table, widths, colours and chart, each guarded. Returns what could not be formatted."""
    check_sheet(data)
    sheet = find_book_sheet(book, data.name)
    if sheet is None:
        sheet = book.sheets.add(data.name, after=book.sheets[len(book.sheets) - 1])
    failures: list[str] = []
    _guarded(failures, f"anciens objets de « {data.name} »", _drop_objects, sheet)
    sheet.clear()
    layout = Layout.of(data)
    _guarded(failures, f"formats de « {data.name} »", _number_formats, sheet, data, layout)
    sheet.range("A1").value = cell_grid(data)
    steps: list[tuple[str, Callable[..., None]]] = [
        ("tableau", _table),
        ("largeurs de colonnes", _widths),
        ("couleurs par ancienneté", _age_colours),
        ("graphique", _chart),
        ("volets figés", _freeze),
    ]
    for label, step in steps:
        _guarded(failures, f"{label} de « {data.name} »", step, book, sheet, data, layout)
    return failures


def cell_grid(data: SheetData) -> list[list[object]]:
    """The sheet's cells as one rectangle from A1: title, blank row, header, rows, totals."""
    width = len(data.columns)
    kinds = [column.kind for column in data.columns]

    def line(cells: Sequence[object]) -> list[object]:
        padded = [*cells, *[None] * (width - len(cells))]
        return [excel_value(value, kind) for value, kind in zip(padded, kinds, strict=True)]

    grid: list[list[object]] = []
    if data.title:
        grid += [[data.title, *[None] * (width - 1)], [None] * width]
    grid.append([column.header for column in data.columns])
    grid += [line(row) for row in data.rows]
    if data.totals is not None:
        grid.append(line(data.totals))
    return grid


def excel_value(value: object, kind: str = "text") -> object:
    """A Python value as COM takes it: Decimal → float (percent kinds divided by 100), date →
    datetime, "" → None (an empty cell), formula-like text kept as text (leading apostrophe)."""
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        number = float(value)
        return number / 100 if kind == "percent" else number
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if isinstance(value, np.generic):
        return value.item()
    return value


def _guarded(failures: list[str], label: str, step: Callable[..., None], *args: object) -> None:
    """Run a formatting step; a failure there is noted, never fatal (the values are written)."""
    try:
        step(*args)
    except Exception as error:
        if os.environ.get("RELANCE_XL_DEBUG"):
            raise
        failures.append(f"{label} ({type(error).__name__})")


def _drop_objects(sheet: Any) -> None:
    """Remove the previous run's charts and tables (sheet.clear() removes the rest)."""
    for chart in list(sheet.charts):
        chart.delete()
    for table in list(sheet.tables):
        table.api.Delete()


def _number_formats(sheet: Any, data: SheetData, layout: Layout) -> None:
    """Column formats of the data and totals rows (text columns as Text: ``0012`` stays)."""
    if layout.bottom < layout.first_row:
        return
    for index, column in enumerate(data.columns, 1):
        cells = sheet.range((layout.first_row, index), (layout.bottom, index))
        cells.number_format = NUMBER_FORMATS[column.kind]


def _table(book: Any, sheet: Any, data: SheetData, layout: Layout) -> None:
    """The Excel Table over header and rows, a bold title and a bold totals row."""
    title = sheet.range("A1")
    title.font.bold = True
    title.font.size = 14
    if data.totals is not None and layout.totals_row is not None:
        sheet.range((layout.totals_row, 1), (layout.totals_row, layout.columns)).font.bold = True
    if not data.table_name:
        sheet.range((layout.header_row, 1), (layout.header_row, layout.columns)).font.bold = True
        return
    taken = {table.name.lower() for other in book.sheets for table in other.tables}
    sheet.tables.add(
        source=sheet.range(layout.table_ref),
        name=table_name(data.table_name, taken),
        table_style_name=TABLE_STYLE,
    )


def _widths(book: Any, sheet: Any, data: SheetData, layout: Layout) -> None:
    """Given widths, or fitted to the header and the values."""
    for index, column in enumerate(data.columns, 1):
        if column.width is not None:
            sheet.range((layout.header_row, index)).column_width = column.width
        else:
            sheet.range((layout.header_row, index), (layout.bottom, index)).autofit()


def _age_colours(book: Any, sheet: Any, data: SheetData, layout: Layout) -> None:
    """Rows coloured by days overdue (yellow to red), as conditional formats.

    The formulas use no function name and no list separator (Excel reads conditional formulas
    in the user's language) and a relative row, which Excel resolves from the active cell: the
    first data row is selected first.
    """
    if data.age_column is None or not data.rows:
        return
    headers = [column.header for column in data.columns]
    age = f"${column_letter(headers.index(data.age_column) + 1)}{layout.first_row}"
    rows = sheet.range((layout.first_row, 1), (layout.last_row, layout.columns))
    sheet.activate()
    sheet.range((layout.first_row, 1)).select()
    for (low, high), colour in zip(AGE_LIMITS, AGE_COLOURS, strict=True):
        formula = f"=({age}>={low})" + (f"*({age}<={high})" if high is not None else "")
        rows.conditional_formats.add_custom(formula, fill_color=f"#{colour[2:]}")


def _chart(book: Any, sheet: Any, data: SheetData, layout: Layout) -> None:
    """The bar chart of one row (the totals by default) to the right of the table."""
    chart_spec = data.chart
    if chart_spec is None:
        return
    first, last = (column_letter(index) for index in chart_columns(data))
    row = layout.totals_row if chart_spec.row is None else layout.first_row + chart_spec.row
    anchor = sheet.range((layout.header_row, layout.columns + 2))
    width, height = CHART_SIZE
    chart = sheet.charts.add(left=anchor.left, top=anchor.top, width=width, height=height)
    chart.chart_type = "column_clustered"
    chart.set_source_data(
        sheet.range(
            f"{first}{layout.header_row}:{last}{layout.header_row},{first}{row}:{last}{row}"
        )
    )
    chart.title = chart_spec.title


def _freeze(book: Any, sheet: Any, data: SheetData, layout: Layout) -> None:
    """Rows down to the header stay visible when scrolling."""
    sheet.freeze_panes.freeze_at(f"A{layout.first_row}")


# ----------------------------------------------------------------------------------------------
# The Fait marks of Actions, and appending to Historique
# ----------------------------------------------------------------------------------------------


def action_key(action: Any) -> tuple[str, str]:
    """(client, level) of an action, the client compared without case or accents."""
    return normalize(action.client), str(action.level)


def done_marks(grid: list[list[object]]) -> tuple[dict[tuple[str, str], str], list[str]]:
    """The Actions rows marked done in « Fait »: (client, level) key → « client niveau N »; and
    the French problems of the marks that are neither yes nor no."""
    header_row, columns = _header(grid, (DONE_HEADER, "Client", "Niveau"))
    if header_row is None:
        raise InputError(
            f"feuille {ACTIONS} : colonnes « {DONE_HEADER} », « Client » et « Niveau » "
            "introuvables : cliquez sur « Mettre à jour » pour la refaire."
        )
    done, client, level = (columns[normalize(name)] for name in (DONE_HEADER, "Client", "Niveau"))
    marked: dict[tuple[str, str], str] = {}
    problems: list[str] = []
    for number, row in enumerate(grid[header_row + 1 :], header_row + 2):
        cells = [*row, None, None, None]
        try:
            if not values.parse_flag(cells[done]).value:
                continue
            name = values.parse_text(cells[client]).value
            rank = values.parse_level(cells[level]).value
            if rank is None:
                raise values.ValueProblem("niveau manquant")
        except values.ValueProblem as problem:
            problems.append(f"ligne {number} : {problem.message}")
            continue
        marked[(normalize(name), rank)] = f"{name} niveau {rank}"
    return marked, problems


def _header(
    grid: list[list[object]], wanted: Sequence[str], minimum: int | None = None
) -> tuple[int | None, dict[str, int]]:
    """(0-based header row, normalized header → 0-based column) of the first rows holding at
    least ``minimum`` (default: all) of the ``wanted`` headers; (None, {}) when none does."""
    keys = {normalize(name) for name in wanted}
    needed = len(keys) if minimum is None else minimum
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        found = {normalize(cell): column for column, cell in enumerate(row) if cell is not None}
        if len(keys.intersection(found)) >= needed:
            return index, found
    return None, {}


def append_history(book: Any, rows: list[list[object]]) -> None:
    """Append rows (canonical Historique order) below the last used row of Historique, its
    columns found by their headers (missing ones added at the right), and grow its table."""
    sheet = find_book_sheet(book, HISTORY_SHEET)
    if sheet is None:
        sheet = book.sheets.add(HISTORY_SHEET, after=book.sheets[len(book.sheets) - 1])
    grid = sheet_grid(sheet)
    wanted = [column.header for column in HISTORY_COLUMNS]
    header_row, found = _header(grid, wanted, minimum=3)
    used = [i for i, row in enumerate(grid) if any(v not in (None, "") for v in row)]
    if header_row is None and not used:
        header_row, found = 0, {}
    positions, new_headers = [], []
    right = max(found.values(), default=-1)
    for header in wanted:
        position = found.get(normalize(header))
        if position is None:
            right += 1
            position = right
            new_headers.append((position, header))
        positions.append(position)
    if header_row is not None:
        for position, header in new_headers:
            sheet.range((header_row + 1, position + 1)).value = header
    first = max([*used, header_row or 0]) + 2  # Excel row of the first appended line
    width = max(positions) + 1
    block = [[None] * width for _ in rows]
    for line, row in zip(block, rows, strict=True):
        for position, value, column in zip(positions, row, HISTORY_COLUMNS, strict=True):
            line[position] = excel_value(value, column.kind)
    for position, column in zip(positions, HISTORY_COLUMNS, strict=True):
        cells = sheet.range((first, position + 1), (first + len(rows) - 1, position + 1))
        cells.number_format = NUMBER_FORMATS[column.kind]
    sheet.range((first, 1)).value = block
    if header_row is not None:
        _guarded([], "table", _grow_table, sheet, header_row + 1, first + len(rows) - 1, width)


def _grow_table(sheet: Any, header_row: int, last_row: int, width: int) -> None:
    """Extend the Historique table (the one whose header is the header row) to the new rows."""
    for table in sheet.tables:
        header = table.header_row_range
        if header is not None and header.row == header_row:
            columns = max(width, header.column + len(header.columns) - 1)
            table.resize(sheet.range((header_row, header.column), (last_row, columns)))
            return
