"""The result sheets relance_xl owns: Balance âgée, Actions, Anomalies, Tableau de bord.

Pure: a :class:`~relance_xl.pipeline.Review` in, :class:`~relance_xl.xlsx.SheetData` out.
The same contents are written into a workbook file (relance_xl.writeback) and into the live
workbook (relance_xl.excel).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from relance_xl import fr
from relance_xl.aging import BUCKET_LABELS, COLUMN_LABELS, aged_balance
from relance_xl.model import HistoryEntry
from relance_xl.pipeline import Review
from relance_xl.xlsx import BarChart, Column, SheetData

BALANCE = "Balance âgée"
ACTIONS = "Actions"
ANOMALIES = "Anomalies"
DASHBOARD = "Tableau de bord"
RESULT_SHEETS: tuple[str, ...] = (ACTIONS, BALANCE, DASHBOARD, ANOMALIES)
"""Sheets owned by relance_xl, rewritten at each run (never the user's sheets)."""

DONE_HEADER = "Fait"
"""Column of the Actions sheet the user marks (oui / x) to record a step as sent."""

TREND_MONTHS = 6
"""Months of encours échu shown in the trend of the Tableau de bord."""

_MONEY_COLUMNS = len(BUCKET_LABELS) + 1


def result_sheets(review: Review) -> list[SheetData]:
    """The four result sheets of a review, in workbook order."""
    return [actions_sheet(review), balance_sheet(review), dashboard_sheet(review),
            anomalies_sheet(review)]  # fmt: skip


def balance_sheet(review: Review) -> SheetData:
    """Balance âgée: one row per client, most late first, a totals row and a bar chart."""
    kinds = ("text", *("money",) * _MONEY_COLUMNS, "int", "int")
    columns = tuple(Column(label, kind) for label, kind in zip(COLUMN_LABELS, kinds, strict=True))
    columns = _with_width(columns, 0, 32)
    return SheetData(
        name=BALANCE,
        columns=columns,
        rows=[list(row.cells()) for row in review.balance.rows],
        title=f"Balance âgée au {fr.date_short(review.as_of)}",
        table_name="BalanceAgee",
        age_column=COLUMN_LABELS[-2],
        chart=BarChart("Encours par ancienneté", tuple(BUCKET_LABELS.values())),
        totals=list(review.balance.total.cells()),
    )


ACTION_COLUMNS: tuple[Column, ...] = (
    Column(DONE_HEADER, "text", 7),
    Column("État", "text", 13),
    Column("Date prévue", "date", 12),
    Column("Client", "text", 30),
    Column("Niveau", "text", 8),
    Column("Action", "text", 40),
    Column("Canal", "text", 14),
    Column("Factures", "text", 24),
    Column("Retard max (j)", "int", 10),
    Column("Montant dû", "money"),
    Column("Intérêts", "money"),
    Column("Indemnité", "money"),
    Column("Total", "money"),
    Column("Email", "text", 28),
    Column("Téléphone", "text", 16),
    Column("Contact comptabilité", "text", 24),
    Column("Guide d'appel", "text", 60),
)
"""Columns of the Actions sheet; ``Fait`` is for the user."""


def actions_sheet(review: Review) -> SheetData:
    """Actions: one row per client and step, the day's work first, then the week's."""
    rows = [
        [
            "",
            action.state,
            action.planned_date,
            action.client,
            action.level,
            action.action,
            action.channel,
            ", ".join(line.number for line in action.invoices),
            max((line.days_late for line in action.invoices), default=0),
            action.amount_due,
            action.interest,
            action.fee,
            action.total,
            action.email,
            action.phone,
            action.ap_contact,
            " ".join(action.call_guide),
        ]
        for action in review.actions
    ]
    return SheetData(
        name=ACTIONS,
        columns=ACTION_COLUMNS,
        rows=rows,
        title=f"Prochaines actions au {fr.date_short(review.as_of)} — marquez « oui » dans "
        f"« {DONE_HEADER} » ce qui a été fait, puis Enregistrer les relances",
        table_name="Actions",
        age_column="Retard max (j)",
    )


def anomalies_sheet(review: Review) -> SheetData:
    """Anomalies: every row or cell of the workbook that could not be used as is."""
    columns = (
        Column("Feuille", "text", 18),
        Column("Ligne", "int", 8),
        Column("Colonne", "text", 22),
        Column("Gravité", "text", 14),
        Column("Message", "text", 90),
    )
    rows = [[a.sheet, a.row, a.column or "", str(a.severity), a.message] for a in review.anomalies]
    return SheetData(
        name=ANOMALIES,
        columns=columns,
        rows=rows,
        title=f"Anomalies de lecture ({len(rows)}) — {review.ledger.source}",
        table_name="Anomalies",
    )


def dashboard_sheet(review: Review) -> SheetData:
    """Tableau de bord: ledger figures, then the overdue trend at the last month-ends."""
    columns = (
        Column("Indicateur", "text", 42),
        Column("Valeur", "text", 24),
        Column("Détail", "text", 90),
    )
    indicators = review.balance.indicators
    rows: list[list[object]] = [
        ["Date de calcul", fr.date_short(review.as_of), ""],
        ["Encours total", fr.amount(indicators.outstanding), "net des avoirs"],
        ["Encours échu", fr.amount(indicators.overdue), "factures dont l'échéance est passée"],
        ["Part échue", _percent(indicators.overdue_share), ""],
        ["DSO (jours)", _days(indicators.dso_days), indicators.dso_method],
        ["Facturation des 90 derniers jours", fr.amount(indicators.invoiced_90_days), ""],
        ["Clients avec un solde", str(indicators.clients), ""],
        ["Clients en retard", str(indicators.clients_in_arrears), ""],
        ["Factures en retard", str(indicators.overdue_invoices), ""],
        ["Actions à faire", str(sum(a.state == "à faire" for a in review.actions)), ""],
        ["Anomalies de lecture", str(len(review.anomalies)), "voir la feuille Anomalies"],
    ]
    for month_end in month_ends(review.as_of, TREND_MONTHS):
        past = aged_balance(review.ledger, month_end).indicators
        rows.append(
            [
                f"Encours échu au {fr.date_short(month_end)}",
                fr.amount(past.overdue),
                f"encours total {fr.amount(past.outstanding)}",
            ]
        )
    return SheetData(
        name=DASHBOARD,
        columns=columns,
        rows=rows,
        title=f"Tableau de bord au {fr.date_short(review.as_of)}",
        table_name="TableauDeBord",
    )


def month_ends(as_of: dt.date, count: int) -> list[dt.date]:
    """The last ``count`` month-ends strictly before ``as_of``'s month, oldest first."""
    ends = []
    day = as_of.replace(day=1)
    for _ in range(count):
        day -= dt.timedelta(days=1)
        ends.append(day)
        day = day.replace(day=1)
    return ends[::-1]


def _with_width(columns: tuple[Column, ...], index: int, width: float) -> tuple[Column, ...]:
    head = columns[index]
    return (*columns[:index], Column(head.header, head.kind, width), *columns[index + 1 :])


def _percent(value: object) -> str:
    return "—" if value is None else fr.percent(value)  # type: ignore[arg-type]


def _days(value: object) -> str:
    return "—" if value is None else fr.number(value, 1)  # type: ignore[arg-type]


def history_rows(records: Iterable[HistoryEntry]) -> list[list[object]]:
    """Historique cells in the canonical column order (Date, Client, N° facture, Niveau,
    Action, Canal, Statut, Montant réclamé, Fichier, Note)."""
    return [
        [
            entry.date,
            entry.client,
            entry.invoice,
            entry.level,
            entry.action,
            entry.channel,
            str(entry.status),
            entry.amount,
            entry.file,
            entry.note,
        ]
        for entry in records
    ]
