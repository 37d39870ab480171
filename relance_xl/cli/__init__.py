"""The ``relance-xl`` command line, in French. Thin: every command calls relance_xl.pipeline.

Each sub-command lives in its own module with ``register(subparsers)``; the module sets
``func(args) -> int`` (the exit code) on its parser. Fatal errors become one line
``Erreur : …`` on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

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
    """argparse with a French ``-h``, French error lines and exit code 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"Erreur : {_french_argparse(message)} (voir « {self.prog} --help »)\n")

    def format_usage(self) -> str:
        return _french_headings(super().format_usage())

    def format_help(self) -> str:
        return _french_headings(super().format_help())


def _french_headings(text: str) -> str:
    text = text.replace("usage:", "utilisation :", 1).replace("positional arguments:", "arguments:")
    return re.sub(r"^(\S[^\n]*\S):$", r"\1 :", text, flags=re.MULTILINE)


_ARGPARSE_FR = {
    "the following arguments are required": "arguments obligatoires manquants",
    "unrecognized arguments": "arguments inconnus",
    "invalid choice": "choix invalide",
    "expected one argument": "une valeur est attendue",
    "not allowed with argument": "incompatible avec l'option",
    "choose from": "choisir parmi",
    "argument": "option",
    "invalid": "invalide",
}
_ARGPARSE_PATTERN = re.compile(r"\b(" + "|".join(map(re.escape, _ARGPARSE_FR)) + r")\b")


def _french_argparse(message: str) -> str:
    return _ARGPARSE_PATTERN.sub(lambda match: _ARGPARSE_FR[match.group(1)], message)


def build_parser() -> FrenchParser:
    """The whole command tree."""
    parser = FrenchParser(
        prog="relance-xl",
        description="Relances de factures impayées depuis votre classeur Excel : balance âgée, "
        "prochaines actions, pénalités de retard, courriers.",
    )
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
