"""``relance-xl demo``: the whole weekly routine on a copy of the bundled example workbook.

Each step is the real sub-command, run as a user would type it, so the demo shows exactly what
the commands do.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
from pathlib import Path

from relance_xl.assets import WORKBOOK_TEMPLATE, asset
from relance_xl.cli.common import parse_date_option
from relance_xl.errors import OutputError, describe_os_error
from relance_xl.pdf import find_soffice

EXAMPLE_DATE = dt.date(2026, 11, 23)
"""The example workbook's data are written for this date: the demo runs there by default."""

EXAMPLE_NAME = "relances-exemple.xlsx"
MARKER = ".relance-demo"
"""A file the demo leaves in its folder, so that a later demo may clear that folder safely."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``demo`` sub-command."""
    parser = subparsers.add_parser(
        "demo",
        help="dérouler toute la routine sur le classeur d'exemple",
        description="Copie le classeur d'exemple dans DOSSIER et y déroule la routine de la "
        "semaine : vérification, balance âgée, prochaines actions, feuilles de résultats, "
        "courriers (et PDF si LibreOffice est installé).",
    )
    parser.add_argument(
        "--dossier",
        metavar="DOSSIER",
        type=Path,
        default=Path("relance-demo"),
        help="dossier de la démo (défaut : ./relance-demo ; vidé s'il vient d'une démo)",
    )
    parser.add_argument(
        "--date",
        metavar="AAAA-MM-JJ",
        type=parse_date_option,
        default=EXAMPLE_DATE,
        help=f"date de la revue (défaut : {EXAMPLE_DATE.isoformat()}, la date de l'exemple)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Copy the example, then run verifier, balance, actions, mettre-a-jour and courriers."""
    from relance_xl.cli import build_parser

    folder: Path = args.dossier
    workbook = _fresh_copy(folder)
    day = args.date.isoformat()
    letters = folder / "Courriers"
    steps = [
        ("Vérification du classeur", ["verifier", str(workbook)]),
        ("Balance âgée", ["balance", str(workbook), "--date", day]),
        ("Prochaines actions", ["actions", str(workbook), "--date", day]),
        ("Feuilles de résultats dans le classeur", ["mettre-a-jour", str(workbook), "--date", day]),
        (
            "Courriers",
            ["courriers", str(workbook), "--date", day, "--sortie", str(letters)]
            + (["--pdf"] if find_soffice() else []),
        ),
    ]
    parser = build_parser()
    worst = 0
    for title, argv in steps:
        print(f"\n=== {title} : relance-xl {' '.join(argv)}\n", flush=True)
        step = parser.parse_args(argv)
        code = int(step.func(step))
        if code >= 2:
            return code
        worst = max(worst, code)
    print(f"\nDémo terminée. Classeur mis à jour : {workbook}\nCourriers : {letters}")
    if not find_soffice():
        print("(PDF non produits : LibreOffice n'est pas installé.)")
    return worst


def _fresh_copy(folder: Path) -> Path:
    """Empty a previous demo's folder (never another folder) and copy the example into it."""
    try:
        if folder.exists() and any(folder.iterdir()):
            if not (folder / MARKER).exists():
                raise OutputError(
                    f"le dossier « {folder} » n'est pas vide et ne vient pas d'une démo : "
                    "choisissez-en un autre avec --dossier."
                )
            shutil.rmtree(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / MARKER).write_text("Dossier créé par « relance-xl demo ».\n", encoding="utf-8")
        return Path(shutil.copyfile(asset(WORKBOOK_TEMPLATE), folder / EXAMPLE_NAME))
    except OSError as error:
        raise OutputError(f"dossier de démo « {folder} » : {describe_os_error(error)}.") from None
