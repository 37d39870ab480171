"""``relance-xl verifier``: how many invoices were read, and every anomaly of the workbook."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from relance_xl import fr
from relance_xl.cli.common import add_json_argument, add_source_arguments, load_ledger, print_json
from relance_xl.model import Anomaly, Ledger, Severity

HEADERS = ("Feuille", "Ligne", "Colonne", "Gravité", "Message")
WIDTHS = (24, 7, 24, 13)
"""Largest widths of the first columns of the table; the message takes the rest of the line.
A row number is never cut: 7 digits hold Excel's last row, 1048576."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``verifier`` sub-command."""
    parser = subparsers.add_parser(
        "verifier",
        help="vérifier la lecture du classeur : factures lues et anomalies",
        description="Lit le classeur comme les autres commandes et affiche le nombre de factures "
        "lues et les anomalies : lignes ignorées (erreur) ou lues avec une hypothèse "
        "(avertissement), avec la feuille, la ligne et la colonne. Code de sortie : 0 sans "
        "anomalie, 1 avec des anomalies, 2 si le classeur est illisible.",
    )
    add_source_arguments(parser)
    add_json_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read the workbook and report; exit code 1 when there is at least one anomaly."""
    ledger = load_ledger(args)
    if args.json:
        print_json(
            {
                "factures_lues": len(ledger.invoices),
                "anomalies": [anomaly.as_dict() for anomaly in ledger.anomalies],
            }
        )
    else:
        sys.stdout.write(render_report(ledger))
    return 1 if ledger.anomalies else 0


def render_report(ledger: Ledger) -> str:
    """The French report: source, invoices read, then the anomalies as a table."""
    count = len(ledger.invoices)
    read = f"{fr.number(count, 0)} facture{'s' if count > 1 else ''} lue{'s' if count > 1 else ''}"
    lines = [f"{ledger.source or 'Classeur'} — feuille « {ledger.invoice_sheet} » : {read}."]
    if not ledger.anomalies:
        lines.append("Aucune anomalie.")
        return "\n".join(lines) + "\n"
    lines += [_summary(ledger.anomalies), "", *render_table(ledger.anomalies)]
    return "\n".join(lines) + "\n"


def _summary(anomalies: Sequence[Anomaly]) -> str:
    """``3 anomalies : 1 erreur (ligne ignorée), 2 avertissements (…).``"""
    errors = sum(1 for anomaly in anomalies if anomaly.severity is Severity.ERREUR)
    warnings = len(anomalies) - errors
    parts = []
    if errors:
        ignored = "lignes ignorées" if errors > 1 else "ligne ignorée"
        parts.append(f"{_count(errors, 'erreur')} ({ignored})")
    if warnings:
        read = "lignes lues" if warnings > 1 else "ligne lue"
        parts.append(f"{_count(warnings, 'avertissement')} ({read} avec une hypothèse)")
    return f"{_count(len(anomalies), 'anomalie')} : {', '.join(parts)}."


def _count(number: int, word: str) -> str:
    return f"{fr.number(number, 0)} {word}{'s' if number > 1 else ''}"


def render_table(anomalies: Sequence[Anomaly]) -> list[str]:
    """Aligned columns Feuille | Ligne | Colonne | Gravité | Message (long texts cut with …)."""
    rows = [
        (a.sheet, "" if a.row is None else str(a.row), a.column or "", str(a.severity), a.message)
        for a in anomalies
    ]
    widths = [
        min(limit, max(len(HEADERS[i]), *(len(row[i]) for row in rows)))
        for i, limit in enumerate(WIDTHS)
    ]
    return [_line(HEADERS, widths)] + [_line(row, widths) for row in rows]


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    """One table line: the row number right-aligned, texts left-aligned and cut to the width."""
    shown = []
    for index, width in enumerate(widths):
        cell = cells[index] if len(cells[index]) <= width else cells[index][: width - 1] + "…"
        shown.append(cell.rjust(width) if index == 1 else cell.ljust(width))
    return "  ".join((*shown, cells[-1])).rstrip()
