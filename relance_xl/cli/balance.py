"""``relance-xl balance``: the balance âgée of a workbook at a date, as a table or JSON."""

from __future__ import annotations

import argparse
import sys
import textwrap
from decimal import Decimal
from typing import TextIO

from relance_xl import fr
from relance_xl.aging import COLUMN_LABELS, AgedBalance, BalanceRow, aged_balance
from relance_xl.cli.common import (
    add_date_argument,
    add_json_argument,
    add_source_arguments,
    anomalies_exit_code,
    as_of,
    load_ledger,
    print_json,
)

CLIENT_WIDTH = 32
"""Client names longer than this are cut with an ellipsis in the terminal table."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``balance`` sub-command."""
    parser = subparsers.add_parser(
        "balance",
        help="balance âgée par client (non échu, 1-30, 31-60, 61-90, plus de 90 jours) et DSO",
        description="Balance âgée : reste dû par client et par tranche de retard à la date de "
        "calcul, du client le plus en retard au moins en retard, avec les totaux et les "
        "indicateurs (encours, part échue, DSO). Une facture réglée après la date compte "
        "comme impayée à cette date ; une facture émise après la date est ignorée.",
    )
    add_source_arguments(parser)
    add_date_argument(parser)
    add_json_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compute and print the balance; exit code 1 when the workbook has anomalies."""
    ledger = load_ledger(args)
    balance = aged_balance(ledger, as_of(args))
    if args.json:
        print_json(balance.as_json())
    else:
        print_balance(balance)
    return anomalies_exit_code(ledger, args)


def print_balance(balance: AgedBalance, stream: TextIO | None = None) -> None:
    """Print the balance âgée as a French table followed by the indicators (used by the demo)."""
    (stream or sys.stdout).write(render_balance(balance))


def render_balance(balance: AgedBalance) -> str:
    """The balance âgée as terminal text: title, table, totals row, indicators."""
    title = f"Balance âgée au {fr.date_long(balance.as_of)}"
    if not balance.rows:
        return f"{title}\n\nAucune facture ouverte à cette date.\n"
    body = [_cells(row) for row in balance.rows]
    total = _cells(balance.total)
    widths = [max(map(len, column)) for column in zip(COLUMN_LABELS, *body, total, strict=True)]
    rule = "  ".join("-" * width for width in widths)
    lines = [title, "", _line(COLUMN_LABELS, widths), rule]
    lines += [_line(cells, widths) for cells in body]
    lines += [rule, _line(total, widths), "", *_indicator_lines(balance)]
    return "\n".join(lines) + "\n"


def _cells(row: BalanceRow) -> tuple[str, ...]:
    """One row as display texts: name, amounts (``-`` for zero), delay, count."""
    name = row.client if len(row.client) <= CLIENT_WIDTH else row.client[: CLIENT_WIDTH - 1] + "…"
    amounts = tuple(_amount(value) for value in (*row.buckets, row.total))
    return (name, *amounts, str(row.days_late_max), str(row.overdue_invoices))


def _amount(value: Decimal) -> str:
    """``1 234,56 €``, or ``-`` for an empty bucket so that the table reads at a glance."""
    return fr.amount(value) if value else "-"


def _line(cells: tuple[str, ...], widths: list[int]) -> str:
    """Client left-aligned, figures right-aligned."""
    first = cells[0].ljust(widths[0])
    rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
    return "  ".join((first, *rest)).rstrip()


def _indicator_lines(balance: AgedBalance) -> list[str]:
    """The ledger figures in French sentences."""
    figures = balance.indicators
    share = "" if figures.overdue_share is None else f" ({fr.percent(figures.overdue_share)})"
    dso = (
        "non calculable (aucune facturation sur les 90 derniers jours)"
        if figures.dso_days is None
        else f"{fr.number(figures.dso_days, decimals=1)} jours"
    )
    return [
        f"Encours total : {fr.amount(figures.outstanding)}",
        f"Encours échu : {fr.amount(figures.overdue)}{share}",
        f"Clients en retard : {figures.clients_in_arrears} sur {figures.clients} ; "
        f"factures en retard : {figures.overdue_invoices}",
        f"Facturation des 90 derniers jours : {fr.amount(figures.invoiced_90_days)}",
        f"DSO : {dso}",
        textwrap.fill(f"calcul du DSO : {figures.dso_method}.", width=100, subsequent_indent="  "),
    ]
