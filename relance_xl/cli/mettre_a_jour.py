"""``relance-xl mettre-a-jour``: the « Mettre à jour » button from the command line.

Reads the workbook, computes the review at the date and writes the result sheets (Actions,
Balance âgée, Tableau de bord, Anomalies) back into the file without touching anything else.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from relance_xl.cli.common import add_date_argument, add_source_arguments, as_of, load_ledger
from relance_xl.pipeline import review
from relance_xl.sheets import result_sheets
from relance_xl.writeback import backup_path, update_workbook


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``mettre-a-jour`` sub-command."""
    parser = subparsers.add_parser(
        "mettre-a-jour",
        help="écrire la balance âgée, les actions, le tableau de bord et les anomalies dans le "
        "classeur",
        description="Calcule la revue de la semaine et écrit les feuilles de résultats (Actions, "
        "Balance âgée, Tableau de bord, Anomalies) dans le classeur. Les autres feuilles, "
        "formules, graphiques et macros restent intacts ; l'ancienne version est gardée en "
        "CLASSEUR.bak.xlsx.",
    )
    add_source_arguments(parser)
    add_date_argument(parser)
    add_output_arguments(parser)
    parser.set_defaults(func=run)


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """--sortie AUTRE.xlsx and --forcer, for every command that writes a workbook."""
    parser.add_argument(
        "--sortie", metavar="AUTRE.xlsx", type=Path, help="écrire une copie au lieu du classeur"
    )
    parser.add_argument(
        "--forcer",
        action="store_true",
        help="écrire même si le classeur semble ouvert dans Excel ou LibreOffice",
    )


def run(args: argparse.Namespace) -> int:
    """Write the result sheets; exit code 1 when the workbook has anomalies."""
    ledger = load_ledger(args)
    result = review(ledger, as_of(args))
    sheets = result_sheets(result)
    source = Path(args.classeur)
    written = update_workbook(source, replace_sheets=sheets, output=args.sortie, force=args.forcer)
    print(f"Feuilles écrites dans « {written} » :")
    for sheet in sheets:
        print(f"  - {sheet.name} : {len(sheet.rows)} ligne(s)")
    if written == source:
        print(f"Version précédente conservée : « {backup_path(source)} ».")
    if ledger.anomalies:
        print(f"{len(ledger.anomalies)} anomalie(s) : voir la feuille Anomalies.")
        return 1
    return 0
