"""What the other modules hand us: the result sheets (columns, rows, chart) and Historique."""

from __future__ import annotations

import re
from dataclasses import dataclass

COLUMN_KINDS = ("text", "date", "money", "int", "percent")


@dataclass(frozen=True)
class Column:
    """One column of a result sheet.

    Attributes:
        header: header text (French), also the Excel Table column name.
        kind: ``text``, ``date`` (Excel serial, ``dd/mm/yyyy``), ``money`` (``# ##0,00 €``),
            ``int`` (``# ##0``) or ``percent`` (values in percent: ``Decimal("12.15")`` shows
            ``12,15 %``).
        width: column width in characters; None sizes it from the header and the values.
    """

    header: str
    kind: str = "text"
    width: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"unknown column kind {self.kind!r} (expected one of {COLUMN_KINDS})")


@dataclass(frozen=True)
class BarChart:
    """Histogramme: one bar per column, the heights read from one row of the sheet.

    Attributes:
        title: chart title (French), e.g. « Encours par ancienneté ».
        columns: headers of the plotted columns, contiguous and left to right in the sheet
            (e.g. ``("Non échu", "1–30", "31–60", "61–90", "> 90")``).
        row: index in ``SheetData.rows`` of the plotted row; None plots ``SheetData.totals``.
    """

    title: str
    columns: tuple[str, ...]
    row: int | None = None


@dataclass(frozen=True)
class SheetData:
    """The content of one result sheet, as written by :func:`relance_xl.writeback.update_workbook`.

    Attributes:
        name: sheet name (« Balance âgée », « Actions », « Anomalies », « Tableau de bord »).
        columns: the columns, left to right.
        rows: cell values, one list per row: str, int, Decimal, date, bool or None (empty).
        title: a line above the table (bold), e.g. « Balance âgée au 23/11/2026 ».
        table_name: Excel Table name (ASCII, e.g. ``BalanceAgee``); "" writes a plain range.
        age_column: header of a days-overdue column: the rows are coloured by age.
        chart: a bar chart placed to the right of the table.
        totals: a totals row written in bold just below the table (outside it, so that sorting
            the table never moves it).
    """

    name: str
    columns: tuple[Column, ...]
    rows: list[list[object]]
    title: str = ""
    table_name: str = ""
    age_column: str | None = None
    chart: BarChart | None = None
    totals: list[object] | None = None


HISTORY_SHEET = "Historique"
HISTORY_COLUMNS: tuple[Column, ...] = (
    Column("Date", "date"),
    Column("Client"),
    Column("N° facture"),
    Column("Niveau"),
    Column("Action"),
    Column("Canal"),
    Column("Statut"),
    Column("Montant réclamé", "money"),
    Column("Fichier"),
    Column("Note"),
)
"""Canonical columns of the Historique sheet (docs/architecture.md), in the order of the rows."""

HISTORY_TABLE = "HistoriqueRelances"


SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def check_sheet(sheet: SheetData) -> None:
    """Refuse a SheetData Excel could not hold (programming errors, in English)."""
    if not sheet.name or len(sheet.name) > 31 or SHEET_NAME_FORBIDDEN.search(sheet.name):
        raise ValueError(f"invalid sheet name {sheet.name!r}")
    if not sheet.columns:
        raise ValueError(f"sheet {sheet.name!r} has no columns")
    width = len(sheet.columns)
    for index, row in enumerate([*sheet.rows, *([sheet.totals] if sheet.totals else [])]):
        if len(row) > width:
            raise ValueError(
                f"sheet {sheet.name!r}: row {index} has {len(row)} cells for {width} columns"
            )
    headers = [c.header for c in sheet.columns]
    if sheet.age_column is not None and sheet.age_column not in headers:
        raise ValueError(f"age column {sheet.age_column!r} is not a header of {sheet.name!r}")
    if sheet.chart is not None:
        chart_columns(sheet)


def chart_columns(sheet: SheetData) -> tuple[int, int]:
    """First and last plotted column (1-based), checked contiguous."""
    assert sheet.chart is not None
    headers = [c.header for c in sheet.columns]
    try:
        indexes = [headers.index(h) + 1 for h in sheet.chart.columns]
    except ValueError:
        raise ValueError(f"chart columns {sheet.chart.columns} not all in {headers}") from None
    if not indexes or indexes != list(range(indexes[0], indexes[0] + len(indexes))):
        raise ValueError(f"chart columns {sheet.chart.columns} must be contiguous, left to right")
    if sheet.chart.row is None and sheet.totals is None:
        raise ValueError("a chart of the totals needs SheetData.totals")
    return indexes[0], indexes[-1]
