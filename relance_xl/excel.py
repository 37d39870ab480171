"""The Excel buttons and worksheet functions (xlwings): the live workbook in, the same pipeline as
the command line, the results back into the workbook.

Buttons of the *Relances* ribbon tab (add-in ``relance_xl.xlam``, ``RunPython``):
:func:`mettre_a_jour`, :func:`generer_courriers`, :func:`enregistrer_relances`, :func:`aide`;
:func:`main` is xlwings' own « Run main ». Each reads the calling book
(``xw.Book.caller()``), shows its progress in the status bar, reports every problem in a French
message box (never a Python traceback) and restores the status bar at the end. What they do to
the book itself (reading its sheets, writing the result sheets, appending to Historique) is
:mod:`relance_xl.excel_book`; the rest is the core the command line uses.

Worksheet functions (xlwings UDFs, Windows): ``RELANCE_INTERETS``, ``RELANCE_INDEMNITE``,
``RELANCE_JOURS_RETARD``, ``RELANCE_TRANCHE``; their wrappers are compiled into the add-in, so a
plain ``.xlsx`` can use them. Their parameters carry no type hints on purpose: xlwings turns hints
into converters, and Excel's raw values (floats, datetimes, None) must reach
:mod:`relance_xl.values`, the parsers of the files.

This module and relance_xl/cli/common.py are the only places that read the clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import xlwings as xw

from relance_xl import excel_book, fr, values
from relance_xl.aging import BUCKET_LABELS, BUCKETS, bucket_codes
from relance_xl.errors import InputError, OutputError, RelanceError
from relance_xl.escalation import A_FAIRE, check_record_date, records_for
from relance_xl.model import ClientType, Ledger
from relance_xl.money import quantize
from relance_xl.penalties import Penalty, compute_penalty
from relance_xl.pipeline import review
from relance_xl.sheets import ACTIONS, DONE_HEADER, history_rows, result_sheets
from relance_xl.workbook import CLIENT_TYPES
from relance_xl.writeback import SheetData

if TYPE_CHECKING:  # the letters stack (docxtpl, lxml) loads only when « Générer » is clicked
    from relance_xl.letters import PdfBatch

TITLE = "Relance XL"
"""Title of the message boxes and prefix of the status bar."""

SUMMARY_LINES = 20
"""Clients listed in the message after « Générer les courriers » (all are in the CSV)."""


# ----------------------------------------------------------------------------------------------
# The buttons
# ----------------------------------------------------------------------------------------------


def mettre_a_jour(book: Any = None, as_of: dt.date | None = None) -> None:
    """« Mettre à jour »: Balance âgée, Actions, Anomalies and Tableau de bord of the book."""
    with _running(book, as_of, "mise à jour de la balance âgée…") as run:
        ledger = run.ledger()
        run.write(result_sheets(review(ledger, run.as_of)))
        run.activate(ACTIONS)
        if ledger.anomalies:
            run.note(f"{len(ledger.anomalies)} anomalie(s) de lecture : voir la feuille Anomalies.")


def generer_courriers(book: Any = None, as_of: dt.date | None = None) -> None:
    """« Générer les courriers »: the day's letters, emails and PDFs, then a summary."""
    from relance_xl import letters
    from relance_xl.letters.pdfs import available_converter

    with _running(book, as_of, "préparation des courriers…") as run:
        ledger, workbook = run.ledger(), run.workbook_path()
        folder = letters.output_folder(ledger, workbook)
        documents = letters.generate(
            ledger,
            review(ledger, run.as_of).actions,
            run.as_of,
            folder,
            user_templates=letters.templates_folder(ledger, workbook),
            progress=run.progress("courriers"),
        )
        if not documents:
            run.note(f"Aucune relance à faire au {fr.date_short(run.as_of)} : aucun courrier.")
            return
        run.status("conversion en PDF…")
        try:
            batch = letters.add_pdfs(documents, folder, run.as_of, available_converter())
        except OutputError as error:  # the .docx are there: still the summary
            pdf_line = f"PDF non créés : {error.message}"
        else:
            documents, pdf_line = batch.documents, describe_pdfs(batch)
        letters.write_summary(documents, folder)
        if run.ask(letters_summary(documents, folder, pdf_line) + "\n\nOuvrir le dossier ?"):
            open_folder(folder)


def enregistrer_relances(book: Any = None, as_of: dt.date | None = None) -> None:
    """« Enregistrer les relances »: the actions marked *Fait* go into Historique as sent."""
    with _running(book, as_of, "enregistrement des relances…") as run:
        ledger = run.ledger()
        check_record_date(ledger, run.as_of)
        marked, problems = excel_book.done_marks(run.grid(ACTIONS))
        actions = review(ledger, run.as_of).actions
        chosen = [a for a in actions if a.state == A_FAIRE and excel_book.action_key(a) in marked]
        records = records_for(chosen, run.as_of, history=ledger.history)
        if records:
            excel_book.append_history(run.book, history_rows(records))
            ledger = dataclasses.replace(ledger, history=(*ledger.history, *records))
            run.write(result_sheets(review(ledger, run.as_of)))
            run.activate(ACTIONS)
        taken = {excel_book.action_key(action) for action in chosen}
        left = [label for key, label in marked.items() if key not in taken]
        run.note(record_summary(len(records), len({r.client for r in records}), left, problems))


def aide(book: Any = None) -> None:
    """« Aide »: what the buttons do, in a message box."""
    with _running(book, None, "aide") as run:
        run.note(HELP)


def main() -> None:
    """xlwings' « Run main »: the same as « Mettre à jour »."""
    mettre_a_jour()


HELP = (
    "Relance XL — relances de factures impayées\n\n"
    "• Mettre à jour : calcule la balance âgée, les prochaines actions, les anomalies de "
    "lecture et le tableau de bord à la date du jour (feuilles Balance âgée, Actions, "
    "Anomalies, Tableau de bord, réécrites à chaque fois).\n"
    "• Générer les courriers : prépare les courriers Word (et PDF si LibreOffice ou Word est "
    "là) et les brouillons de courriels des actions à faire, dans le dossier des courriers de "
    "Paramètres (par défaut « Courriers » à côté du classeur).\n"
    f"• Enregistrer les relances : marquez « oui » dans la colonne « {DONE_HEADER} » de la "
    "feuille Actions ce qui a été fait, puis cliquez : l'Historique est complété.\n\n"
    "Fonctions de calcul (Windows) : RELANCE_INTERETS, RELANCE_INDEMNITE, "
    "RELANCE_JOURS_RETARD, RELANCE_TRANCHE."
)


# ----------------------------------------------------------------------------------------------
# Worksheet functions (xlwings UDFs, Windows)
# ----------------------------------------------------------------------------------------------


@xw.func
def RELANCE_INTERETS(montant, echeance, date_calcul=None, type_client=None, taux=None):
    """Pénalités de retard d'une facture (euros) à la date (défaut : aujourd'hui)."""
    return _cell_result(
        lambda: _money(_penalty(montant, echeance, date_calcul, type_client, taux).interest)
    )


@xw.func
def RELANCE_INDEMNITE(montant, echeance, date_calcul=None, type_client=None):
    """Indemnité forfaitaire pour frais de recouvrement (40 € par facture en retard, art. D441-5
    C. com. ; jamais pour un particulier)."""
    return _cell_result(
        lambda: _money(_penalty(montant, echeance, date_calcul, type_client, None).fee)
    )


@xw.func
def RELANCE_JOURS_RETARD(echeance, date_calcul=None):
    """Jours de retard : date − échéance (négatif : jours restant avant l'échéance)."""
    return _cell_result(lambda: _days_overdue(echeance, date_calcul))


@xw.func
def RELANCE_TRANCHE(echeance, date_calcul=None):
    """Tranche de la balance âgée : Non échu, 1 à 30 j, 31 à 60 j, 61 à 90 j, Plus de 90 j."""
    return _cell_result(lambda: bucket_label(_days_overdue(echeance, date_calcul)))


WORKSHEET_FUNCTIONS: tuple[Callable[..., object], ...] = (
    RELANCE_INTERETS,
    RELANCE_INDEMNITE,
    RELANCE_JOURS_RETARD,
    RELANCE_TRANCHE,
)
"""The UDFs; scripts/build_addin.py compiles one VBA wrapper per function into the add-in."""


def _cell_result(compute: Callable[[], object]) -> object:
    """The function's value, or ``Erreur : …`` in French (a cell never gets an exception)."""
    try:
        return compute()
    except values.ValueProblem as problem:
        return f"Erreur : {problem.message}"
    except RelanceError as error:
        return f"Erreur : {error.message}"
    except (ValueError, ArithmeticError, LookupError) as error:
        return f"Erreur : calcul impossible ({error})"


def _penalty(amount: object, due: object, day: object, debtor: object, rate: object) -> Penalty:
    """compute_penalty on cell values."""
    kind = values.parse_choice(debtor, CLIENT_TYPES, "un type de client").value
    return compute_penalty(
        _required(values.parse_amount(amount).value, "montant manquant"),
        _required(values.parse_date(due).value, "échéance manquante"),
        _day(day),
        kind or ClientType.PROFESSIONNEL,
        values.parse_rate(rate).value,
    )


def _days_overdue(due: object, day: object) -> int:
    """Jours de retard at the date, as the balance âgée counts them."""
    return (_day(day) - _required(values.parse_date(due).value, "échéance manquante")).days


def bucket_label(days: int) -> str:
    """The aged-balance bucket of a number of days overdue (relance_xl.aging.bucket_codes)."""
    return BUCKET_LABELS[BUCKETS[int(bucket_codes(np.array([days]))[0])]]


def _day(cell: object) -> dt.date:
    """The computation date of a function: the cell, or today."""
    return values.parse_date(cell).value or dt.date.today()


def _required(value: Any, missing: str) -> Any:
    """The parsed value, or the French problem ``missing`` when the cell was blank."""
    if value is None:
        raise values.ValueProblem(missing)
    return value


def _money(amount: Decimal) -> float:
    """A cent-rounded amount as the float Excel stores."""
    return float(quantize(amount))


# ----------------------------------------------------------------------------------------------
# One button click: status bar, errors, restoring the application state
# ----------------------------------------------------------------------------------------------


class _Run:
    """What a button works with: the book, the date and the user interface."""

    def __init__(self, book: Any, as_of: dt.date) -> None:
        self.book = book
        self.app = book.app
        self.as_of = as_of
        self.messages: list[str] = []
        self.cosmetic_failures: list[str] = []

    def status(self, text: str) -> None:
        """Show progress in Excel's status bar."""
        self.app.status_bar = f"{TITLE} : {text}"

    def progress(self, what: str) -> Callable[[int, int], None]:
        """A ``progress(done, total)`` callback writing ``courriers 12/40`` in the status bar."""
        return lambda done, total: self.status(f"{what} {done}/{total}…")

    def note(self, text: str) -> None:
        """A message for the information box shown at the end, once Excel is redrawn."""
        self.messages.append(text)

    def ask(self, text: str) -> bool:
        """A yes/no box now (the screen redrawn first); True for yes."""
        self.app.screen_updating = True
        return self.app.alert(text, title=TITLE, buttons="yes_no", mode="info") == "yes"

    def ledger(self) -> Ledger:
        """The book's invoices, clients, settings and history, read like a file."""
        self.status("lecture du classeur…")
        return excel_book.read_ledger(self.book)

    def grid(self, name: str) -> list[list[object]]:
        """Cell values of one of the book's sheets; InputError when the sheet is missing."""
        sheet = excel_book.find_book_sheet(self.book, name)
        if sheet is None:
            raise InputError(
                f"la feuille « {name} » est absente : cliquez d'abord sur « Mettre à jour »."
            )
        return excel_book.sheet_grid(sheet)

    def write(self, sheets: Sequence[SheetData]) -> None:
        """Write the result sheets; formatting failures are kept for the final message."""
        for data in sheets:
            self.status(f"écriture de la feuille {data.name}…")
            self.cosmetic_failures += excel_book.write_sheet(self.book, data)

    def activate(self, name: str) -> None:
        """Show one of the book's sheets."""
        sheet = excel_book.find_book_sheet(self.book, name)
        if sheet is not None:
            sheet.activate()

    def workbook_path(self) -> Path:
        """The book's file on disk; OutputError when it was never saved or lives online."""
        path = Path(str(self.book.fullname))
        if "://" in str(self.book.fullname) or not path.is_absolute() or not path.parent.is_dir():
            raise OutputError(
                f"le classeur « {self.book.name} » n'est pas enregistré sur ce disque : "
                "enregistrez-le dans un dossier de l'ordinateur, puis recommencez."
            )
        return path


@contextmanager
def _running(book: Any, as_of: dt.date | None, what: str) -> Iterator[_Run]:
    """Run a button: progress in the status bar, every error as a French message box, the
    status bar and screen updating restored whatever happens."""
    run = _Run(book if book is not None else _caller(), as_of or dt.date.today())
    app = run.app
    status, screen = app.status_bar, app.screen_updating
    problem = ""
    try:
        app.screen_updating = False
        run.status(what)
        yield run
    except RelanceError as error:
        problem = error.message
    except Exception as error:  # the last line of defence: never a traceback window
        if os.environ.get("RELANCE_XL_DEBUG"):
            raise
        problem = f"erreur inattendue ({type(error).__name__} : {error})."
    finally:
        app.screen_updating = screen
        app.status_bar = status if status else False
    if problem:
        app.alert(f"Erreur : {problem}", title=TITLE, mode="critical")
        return
    if run.cosmetic_failures:
        run.note(
            "Les valeurs sont à jour, mais une partie de la mise en forme n'a pas pu être "
            "appliquée : " + " ; ".join(run.cosmetic_failures) + "."
        )
    if run.messages:
        app.alert("\n\n".join(run.messages), title=TITLE, mode="info")


def _caller() -> Any:
    """The workbook whose button was clicked."""
    try:
        return xw.Book.caller()
    except Exception as error:
        raise OutputError(
            "aucun classeur Excel appelant : utilisez les boutons de l'onglet Relances d'Excel "
            "(ou la commande relance-xl sur un fichier)."
        ) from error


# ----------------------------------------------------------------------------------------------
# The messages
# ----------------------------------------------------------------------------------------------


def record_summary(count: int, clients: int, left: Sequence[str], problems: Sequence[str]) -> str:
    """The French message after « Enregistrer les relances »."""
    if count:
        lines = [f"{count} ligne(s) « envoyé » ajoutée(s) à l'Historique ({clients} client(s))."]
    else:
        lines = [
            f"Rien à enregistrer : aucune action à faire n'est marquée « oui » dans la colonne "
            f"« {DONE_HEADER} » (ou elle est déjà enregistrée)."
        ]
    if left:
        lines.append(
            f"Non enregistrées (pas à faire aujourd'hui, ou déjà faites) : {', '.join(left)}."
        )
    if problems:
        lines.append("Marques illisibles : " + " ; ".join(problems) + ".")
    return "\n".join(lines)


def describe_pdfs(batch: PdfBatch) -> str:
    """The summary's line about the PDFs: how many, and the print file ("" without a letter)."""
    if not batch.made:
        return ""
    line = f"{batch.made} PDF"
    if batch.print_file is not None:
        line += f" ; à imprimer : « {batch.print_file.name} »"
    return line + "."


def letters_summary(documents: Sequence[Any], folder: Path, pdf_line: str) -> str:
    """What « Générer les courriers » wrote, one line per client (the first ones: the whole
    list is in recapitulatif.csv)."""
    from relance_xl.letters import describe

    lines = [f"• {describe(document)}" for document in documents[:SUMMARY_LINES]]
    if len(documents) > SUMMARY_LINES:
        lines.append(f"… et {len(documents) - SUMMARY_LINES} autre(s) : voir recapitulatif.csv.")
    files = sum(len(document.files) for document in documents)
    lines += ["", f"{files} fichier(s) dans « {folder} »."]
    if pdf_line:
        lines.append(pdf_line)
    return "\n".join(lines)


def open_folder(folder: Path) -> None:
    """Show the folder in Explorer / the Finder."""
    if sys.platform == "win32":
        os.startfile(folder)  # type: ignore[attr-defined]
    else:
        opener = "open" if sys.platform == "darwin" else "xdg-open"
        subprocess.run([opener, str(folder)], check=False)
