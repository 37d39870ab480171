"""``relance-xl enregistrer``: log the day's actions as sent in the Historique sheet.

The « Enregistrer les relances » button from the command line: the actions *à faire* at the date
become ``envoyé`` lines of Historique (one per invoice), appended to the user's workbook without
touching anything else (:mod:`relance_xl.writeback`). Recording twice the same day adds nothing;
recording at a date before the last recorded step is refused.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from relance_xl import fr
from relance_xl.cli.common import (
    add_date_argument,
    add_source_arguments,
    anomalies_exit_code,
    as_of,
    load_ledger,
)
from relance_xl.cli.mettre_a_jour import add_output_arguments
from relance_xl.errors import InputError
from relance_xl.escalation import check_record_date, next_actions, records_for
from relance_xl.model import HistoryEntry, Ledger
from relance_xl.sheets import history_rows
from relance_xl.text import normalize
from relance_xl.writeback import HISTORY_SHEET, backup_path, update_workbook


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``enregistrer`` sub-command."""
    parser = subparsers.add_parser(
        "enregistrer",
        help="enregistrer les actions à faire du jour comme envoyées dans l'Historique",
        description="Ajoute à la feuille Historique une ligne « envoyé » par facture pour "
        "chaque action à faire à la date (tous les clients, ou ceux nommés par --client). "
        "Enregistrer deux fois le même jour n'ajoute rien ; une date antérieure à la dernière "
        "relance enregistrée est refusée. Le reste du classeur n'est pas modifié ; l'ancienne "
        "version est gardée en CLASSEUR.bak.xlsx.",
    )
    add_source_arguments(parser)
    add_date_argument(parser)
    parser.add_argument(
        "--client",
        metavar="NOM",
        action="append",
        help="n'enregistrer que les actions de ce client (répétable ; majuscules et accents "
        "indifférents)",
    )
    add_output_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Append the day's records to Historique; exit code 1 when the workbook has anomalies."""
    source = Path(args.classeur)
    if source.suffix.lower() == ".csv":
        raise InputError(
            f"« {source.name} » est un fichier CSV : il ne peut pas recevoir d'Historique. "
            "Enregistrez les relances dans un classeur .xlsx (copiez vos factures dans le "
            "modèle de relance_xl)."
        )
    ledger = load_ledger(args)
    day = as_of(args)
    check_record_date(ledger, day)
    clients = _known_clients(ledger, args.client) if args.client else None
    records = records_for(next_actions(ledger, day), day, clients, ledger.history)
    if not records:
        print(
            f"Rien à enregistrer au {fr.date_long(day)} : aucune action à faire, ou déjà "
            "enregistrée ce jour."
        )
    else:
        written = update_workbook(
            source,
            append_rows={HISTORY_SHEET: history_rows(records)},
            output=args.sortie,
            force=args.forcer,
        )
        print(_summary(records, written, day))
        if written == source:
            print(f"Version précédente conservée : « {backup_path(source)} ».")
    return anomalies_exit_code(ledger, args)


def _known_clients(ledger: Ledger, names: Sequence[str]) -> list[str]:
    """The --client names, each checked against the clients of the workbook."""
    keys = {normalize(key) for key in ledger.clients}
    keys.update(normalize(key) for key in ledger.invoices["client"].unique())
    unknown = [name for name in names if normalize(name) not in keys]
    if unknown:
        listed = ", ".join(f"« {name} »" for name in unknown)
        raise InputError(f"client inconnu dans « {ledger.source} » : {listed}.")
    return list(names)


def _summary(records: Sequence[HistoryEntry], written: Path, day: dt.date) -> str:
    """What was logged: line count, then one line per client with its level and invoices."""
    per_client = Counter(entry.client for entry in records)
    levels = {entry.client: (entry.level, entry.action) for entry in records}
    lines = [
        f"{len(records)} ligne(s) « envoyé » datée(s) du {fr.date_short(day)} ajoutée(s) à "
        f"l'Historique de « {written} » :"
    ]
    for client, count in per_client.items():
        level, action = levels[client]
        lines.append(f"  - {client} : niveau {level}, {action} ({count} facture(s))")
    return "\n".join(lines)
