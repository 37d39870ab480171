"""Options shared by the sub-commands, and the one place the CLI reads the clock."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from relance_xl.errors import InputError
from relance_xl.model import Ledger, ReadOptions


def add_source_arguments(parser: argparse.ArgumentParser) -> None:
    """CLASSEUR, --feuille, --colonne, --format-date."""
    parser.add_argument(
        "classeur", metavar="CLASSEUR", help="classeur .xlsx / .xlsm ou fichier .csv"
    )
    parser.add_argument("--feuille", metavar="F", help="nom de la feuille des factures")
    parser.add_argument(
        "--colonne",
        metavar="CHAMP=EN-TÊTE",
        action="append",
        default=[],
        help="associer un champ (client, numero, date_facture, echeance, montant, paye, "
        "montant_regle, date_reglement, litige, promesse, objet) à un en-tête ; répétable",
    )
    parser.add_argument(
        "--format-date",
        metavar="FORMAT",
        default="JJ/MM/AAAA",
        choices=["JJ/MM/AAAA", "MM/JJ/AAAA"],
        help="ordre des dates en texte : JJ/MM/AAAA (défaut) ou MM/JJ/AAAA (fichiers américains)",
    )


def add_date_argument(parser: argparse.ArgumentParser) -> None:
    """--date AAAA-MM-JJ (default: today)."""
    parser.add_argument(
        "--date",
        metavar="AAAA-MM-JJ",
        type=parse_date_option,
        help="date de calcul (défaut : aujourd'hui)",
    )


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    """--json."""
    parser.add_argument("--json", action="store_true", help="sortie JSON sur la sortie standard")


def parse_date_option(text: str) -> dt.date:
    """argparse type for AAAA-MM-JJ."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date invalide « {text} » (attendu AAAA-MM-JJ)") from None


def as_of(args: argparse.Namespace) -> dt.date:
    """The computation date: --date, or today (the only place the CLI reads the clock)."""
    return args.date or dt.date.today()


def read_options(args: argparse.Namespace) -> ReadOptions:
    """ReadOptions from --feuille / --colonne / --format-date."""
    columns: dict[str, str] = {}
    for item in args.colonne:
        field, sep, header = item.partition("=")
        if not sep or not field.strip() or not header.strip():
            raise InputError(f"option --colonne « {item} » : attendu CHAMP=EN-TÊTE")
        columns[field.strip().lower()] = header.strip()
    return ReadOptions(sheet=args.feuille, columns=columns, date_format=args.format_date)


def load_ledger(args: argparse.Namespace) -> Ledger:
    """Read the workbook named on the command line."""
    from relance_xl.pipeline import load

    return load(args.classeur, read_options(args))


def print_json(payload: Any) -> None:
    """JSON on stdout, UTF-8, French characters kept."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def anomalies_exit_code(ledger: Ledger, args: argparse.Namespace) -> int:
    """1 with a French note on stderr when the workbook had anomalies, else 0."""
    if not ledger.anomalies:
        return 0
    print(
        f"{len(ledger.anomalies)} anomalie(s) dans « {ledger.source} » : lignes ignorées ou "
        f"lues avec une hypothèse (détail : relance-xl verifier {args.classeur}).",
        file=sys.stderr,
    )
    return 1
