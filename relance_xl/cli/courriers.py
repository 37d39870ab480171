"""``relance-xl courriers``: the letters and email drafts of the day, PDF and sending on demand."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from relance_xl.cli.common import add_date_argument, add_source_arguments, as_of, load_ledger
from relance_xl.errors import OutputError

if TYPE_CHECKING:  # the letters stack (docxtpl, lxml) loads only when this command runs
    from relance_xl.letters import Document
    from relance_xl.model import Ledger

PROGRESS_MINIMUM = 20
"""A batch shorter than this shows no progress bar on a terminal (unless --progression)."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``courriers`` sub-command."""
    parser = subparsers.add_parser(
        "courriers",
        help="générer les courriers et courriels de relance du jour",
        description="Prépare, pour chaque client dont la prochaine relance est « à faire », le "
        "courrier Word (.docx) de l'étape à partir de son modèle, ou un brouillon de courriel "
        "(.eml) pour les relances par email, et le dossier de recouvrement des clients « à "
        "transmettre ». Avec --echeancier, seulement la proposition d'échéancier des clients "
        "nommés (leur plan de la feuille Échéanciers, à faire signer : reconnaissance de dette), "
        "pas les relances du jour. Le dossier de sortie reçoit aussi recapitulatif.csv. Aucun "
        "fichier existant n'est remplacé.",
    )
    add_source_arguments(parser)
    add_date_argument(parser)
    parser.add_argument(
        "--sortie", metavar="DOSSIER", type=Path,
        help="dossier des courriers (défaut : Paramètres, sinon « Courriers » à côté du classeur)",
    )  # fmt: skip
    parser.add_argument(
        "--pdf", action="store_true",
        help="convertir aussi les courriers en PDF (LibreOffice) et préparer le fichier à imprimer",
    )  # fmt: skip
    parser.add_argument(
        "--envoyer", action="store_true",
        help="envoyer les courriels par le serveur SMTP de Paramètres (sinon : brouillons .eml)",
    )  # fmt: skip
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--client", metavar="NOM", action="append",
        help="seulement ce client (répétable) ; par défaut tous",
    )  # fmt: skip
    which.add_argument(
        "--echeancier", metavar="NOM", action="append",
        help="au lieu des relances du jour, la proposition d'échéancier de ce client, d'après "
        "ses échéances de la feuille Échéanciers (répétable)",
    )  # fmt: skip
    parser.add_argument(
        "--progression", action="store_true",
        help="afficher la barre de progression même hors d'un terminal",
    )  # fmt: skip
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the documents of the day (or the payment-plan letters of ``--echeancier``), then
    PDF and sending when asked; 1 when something needs a look."""
    from relance_xl import letters
    from relance_xl.escalation import next_actions

    ledger = load_ledger(args)
    day = as_of(args)
    workbook = Path(args.classeur)
    out_dir = letters.output_folder(ledger, workbook, args.sortie)
    if args.echeancier:
        actions = letters.plan_actions(ledger, day, args.echeancier)
    else:
        actions = next_actions(ledger, day)
    bar = ProgressBar(sys.stderr, forced=args.progression)
    try:
        documents = letters.generate(
            ledger,
            actions,
            day,
            out_dir,
            user_templates=letters.templates_folder(ledger, workbook),
            clients=args.client,
            progress=bar.update,
        )
    finally:
        bar.close()
    pdf_error: OutputError | None = None
    if args.pdf:
        try:
            batch = letters.add_pdfs(documents, out_dir, day)
        except OutputError as error:  # the .docx are there: still write the summary
            pdf_error = error
        else:
            documents = batch.documents
            if batch.print_file is not None:
                print(f"Fichier à imprimer : {batch.print_file}")
    summary = letters.write_summary(documents, out_dir) if documents else None
    _report(documents, out_dir, summary)
    refused = _send(documents, ledger, out_dir, day) if args.envoyer else 0
    if pdf_error is not None:
        raise pdf_error
    return 1 if refused or ledger.anomalies or any(d.warning for d in documents) else 0


def _send(documents: list[Document], ledger: Ledger, out_dir: Path, day: dt.date) -> int:
    """Send the drafts through SMTP (journal in the output folder); returns how many refused."""
    from relance_xl import mail

    messages = [
        (mail.message_key(d.action.client, d.action.level, day), d.message)
        for d in documents
        if d.message is not None
    ]
    if not messages:
        print("Aucun courriel à envoyer.")
        return 0
    report = mail.send_all(messages, ledger.settings.smtp, out_dir / mail.JOURNAL_NAME)
    print(report.summary())
    for key, reason in report.refused:
        print(f"  refusé : {key} ({reason})", file=sys.stderr)
    return len(report.refused)


def _report(documents: list[Document], out_dir: Path, summary: Path | None) -> None:
    """What was written, in French, one line per client."""
    from relance_xl.letters import describe

    if not documents:
        print("Aucune relance à faire à cette date : aucun courrier.")
        return
    for document in documents:
        print(describe(document))
    files = sum(len(document.files) for document in documents)
    print(f"{files} fichier(s) dans « {out_dir} » ; récapitulatif : « {summary} ».")


class ProgressBar:
    """``[#########-----------]  45/100 courriers`` on stderr, redrawn in place; only on a
    terminal (or when forced) and for batches of at least :data:`PROGRESS_MINIMUM` letters."""

    WIDTH = 30

    def __init__(self, stream: TextIO, forced: bool = False) -> None:
        self.stream = stream
        self.enabled = forced or bool(getattr(stream, "isatty", lambda: False)())
        self.forced = forced
        self.shown = False
        self._last = 0.0

    def update(self, done: int, total: int) -> None:
        """Redraw (at most ten times a second, and always at the end)."""
        if not self.enabled or (total < PROGRESS_MINIMUM and not self.forced):
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        filled = self.WIDTH * done // max(total, 1)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\r[{bar}] {done:>{len(str(total))}}/{total} courriers")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """End the line the bar was drawn on."""
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
