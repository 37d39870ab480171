"""The ``relance-xl`` command line, in French. Thin: every command calls relance_xl.pipeline.

Each sub-command lives in its own module with ``register(subparsers)``; the module sets
``func(args) -> int`` (the exit code) on its parser. Fatal errors become one line
``Erreur : …`` on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from relance_xl.errors import RelanceError

COMMANDS = (
    "demo",
    "verifier",
    "balance",
    "penalites",
    "actions",
    "enregistrer",
    "courriers",
    "mettre_a_jour",
    "excel",
)


class FrenchParser(argparse.ArgumentParser):
    """argparse with French error lines and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"Erreur : {_french_argparse(message)} (voir « {self.prog} --help »)\n")


_ARGPARSE_FR = (
    ("the following arguments are required", "arguments obligatoires manquants"),
    ("unrecognized arguments", "arguments inconnus"),
    ("invalid choice", "choix invalide"),
    ("expected one argument", "une valeur est attendue"),
    ("invalid", "valeur invalide"),
    ("argument", "option"),
    ("choose from", "choisir parmi"),
    ("not allowed with argument", "incompatible avec l'option"),
)


def _french_argparse(message: str) -> str:
    for english, french in _ARGPARSE_FR:
        message = message.replace(english, french)
    return message


def build_parser() -> FrenchParser:
    """The whole command tree."""
    parser = FrenchParser(
        prog="relance-xl",
        description="Relances de factures impayées depuis votre classeur Excel : balance âgée, "
        "prochaines actions, pénalités de retard, courriers.",
        add_help=False,
    )
    parser.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    sub = parser.add_subparsers(
        title="commandes", metavar="COMMANDE", parser_class=FrenchParser, required=True
    )
    for name in COMMANDS:
        importlib.import_module(f"relance_xl.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``relance-xl`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except RelanceError as error:
        print(f"Erreur : {error.message}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("Erreur : interrompu par l'utilisateur.", file=sys.stderr)
        return 130
    except Exception as error:  # the last line of defence: never a traceback for the user
        if os.environ.get("RELANCE_XL_DEBUG"):
            raise
        print(
            f"Erreur : erreur inattendue ({type(error).__name__} : {error}). "
            "Relancez avec RELANCE_XL_DEBUG=1 pour le détail.",
            file=sys.stderr,
        )
        return 2


def run() -> None:
    """Console-script wrapper: exit with main()'s code."""
    sys.exit(main())
