"""The Excel buttons and worksheet functions (xlwings): the live workbook in, the same pipeline as
the command line, the results back into the workbook.

Buttons of the *Relances* ribbon tab (add-in ``relance_xl.xlam``, ``RunPython``):
:func:`mettre_a_jour`, :func:`generer_courriers`, :func:`enregistrer_relances`, :func:`aide`;
:func:`main` is xlwings' own « Run main ». Each reads the calling book
(``xw.Book.caller()``), shows its progress in the status bar, reports every problem in a French
message box (never a Python traceback) and restores the status bar at the end.

Worksheet functions (xlwings UDFs, Windows): ``RELANCE_INTERETS``, ``RELANCE_INDEMNITE``,
``RELANCE_JOURS_RETARD``, ``RELANCE_TRANCHE``; their wrappers are compiled into the add-in, so a
plain ``.xlsx`` can use them. Their parameters carry no type hints on purpose: xlwings turns hints
into converters, and Excel's raw values (floats, datetimes, None) must reach
:mod:`relance_xl.values`, the parsers of the files.

Cells from Excel are what COM gives: floats for numbers, ``datetime`` for dates, None for blanks;
they go through :func:`relance_xl.workbook.parse_workbook` like the cells of a file. Cells to
Excel are floats (money rounded to the cent first), datetimes and text. This module and
relance_xl/cli/common.py are the only places that read the clock.
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
from typing import Any

import numpy as np
import xlwings as xw

from relance_xl import fr, values
from relance_xl.aging import BUCKET_LABELS, BUCKETS, bucket_codes
from relance_xl.errors import InputError, OutputError, RelanceError
from relance_xl.escalation import A_FAIRE, check_record_date, records_for
from relance_xl.model import ClientType, Ledger, ReadOptions
from relance_xl.money import quantize
from relance_xl.penalties import Penalty, compute_penalty
from relance_xl.pipeline import review
from relance_xl.sheets import ACTIONS, DONE_HEADER, RESULT_SHEETS, history_rows, result_sheets
from relance_xl.text import column_letter, normalize
from relance_xl.workbook import CLIENT_TYPES, find_sheet, parse_workbook
from relance_xl.writeback import HISTORY_COLUMNS, HISTORY_SHEET, SheetData
from relance_xl.xlsx.cells import FORMULA_STARTS
from relance_xl.xlsx.data import chart_columns, check_sheet
from relance_xl.xlsx.sheet_xml import Layout, table_name
from relance_xl.xlsx.styles import AGE_COLOURS, AGE_LIMITS

TITLE = "Relance XL"
"""Title of the message boxes and prefix of the status bar."""

CONFIG_SHEET = "xlwings.conf"
"""xlwings' settings sheet of the template (UDF Modules…): never read as data."""

NUMBER_FORMATS = {
    "text": "@",
    "date": "dd/mm/yyyy",
    "money": '#,##0.00\\ "€"',
    "int": "#,##0",
    "percent": "0.00%",
}
"""Number formats by column kind, in Excel's English codes (French Excel shows ``1 234,56 €``)."""

TABLE_STYLE = "TableStyleMedium2"
CHART_SIZE = (480.0, 280.0)
"""Width and height of the bar chart, in points."""

HEADER_SEARCH_ROWS = 30
"""Rows searched for the header of Actions or Historique."""

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
        pdf_line = make_pdfs(documents, folder, run.as_of)
        letters.write_summary(documents, folder)
        if run.ask(letters_summary(documents, folder, pdf_line) + "\n\nOuvrir le dossier ?"):
            open_folder(folder)


def enregistrer_relances(book: Any = None, as_of: dt.date | None = None) -> None:
    """« Enregistrer les relances »: the actions marked *Fait* go into Historique as sent."""
    with _running(book, as_of, "enregistrement des relances…") as run:
        ledger = run.ledger()
        check_record_date(ledger, run.as_of)
        marked, problems = done_marks(run.grid(ACTIONS))
        actions = review(ledger, run.as_of).actions
        chosen = [a for a in actions if a.state == A_FAIRE and action_key(a) in marked]
        records = records_for(chosen, run.as_of, history=ledger.history)
        if records:
            append_history(run.book, history_rows(records))
            ledger = dataclasses.replace(ledger, history=(*ledger.history, *records))
            run.write(result_sheets(review(ledger, run.as_of)))
            run.activate(ACTIONS)
        taken = {action_key(action) for action in chosen}
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
        return read_ledger(self.book)

    def grid(self, name: str) -> list[list[object]]:
        """Cell values of one of the book's sheets; InputError when the sheet is missing."""
        sheet = find_book_sheet(self.book, name)
        if sheet is None:
            raise InputError(
                f"la feuille « {name} » est absente : cliquez d'abord sur « Mettre à jour »."
            )
        return sheet_grid(sheet)

    def write(self, sheets: Sequence[SheetData]) -> None:
        """Write the result sheets; formatting failures are kept for the final message."""
        for data in sheets:
            self.status(f"écriture de la feuille {data.name}…")
            self.cosmetic_failures += write_sheet(self.book, data)

    def activate(self, name: str) -> None:
        """Show one of the book's sheets."""
        sheet = find_book_sheet(self.book, name)
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
# Reading the book
# ----------------------------------------------------------------------------------------------


def read_ledger(book: Any) -> Ledger:
    """Every sheet but ours, parsed exactly like a file (anomalies as values)."""
    return parse_workbook(
        read_sheets(book), ReadOptions(), source=str(book.name), date1904=_date1904(book)
    )


def read_sheets(book: Any) -> dict[str, list[list[object]]]:
    """Sheet name → cell values (row 0 is Excel's row 1), result and settings sheets left out."""
    ours = {normalize(name) for name in (*RESULT_SHEETS, CONFIG_SHEET)}
    return {
        sheet.name: sheet_grid(sheet) for sheet in book.sheets if normalize(sheet.name) not in ours
    }


def sheet_grid(sheet: Any) -> list[list[object]]:
    """The values from A1 to the last used cell, in one read (error cells as ``#N/A`` text)."""
    last = sheet.used_range.last_cell
    cells = sheet.range((1, 1), (last.row, last.column))
    return cells.options(ndim=2, err_to_str=True).value


def _date1904(book: Any) -> bool:
    """The 1904 date system of old Mac workbooks (Windows COM; False where it cannot be read)."""
    try:
        return bool(book.api.Date1904)
    except Exception:
        return False


def find_book_sheet(book: Any, name: str) -> Any | None:
    """The book's sheet called ``name`` (compared without case or accents), or None."""
    sheets = {sheet.name: sheet for sheet in book.sheets}
    found = find_sheet(sheets, name)
    return sheets[found] if found is not None else None


# ----------------------------------------------------------------------------------------------
# Writing a result sheet
# ----------------------------------------------------------------------------------------------


def write_sheet(book: Any, data: SheetData) -> list[str]:
    """Clear (or add) the sheet and write title, header, rows and totals in one call; then the
    table, widths, colours and chart, each guarded. Returns what could not be formatted."""
    check_sheet(data)
    sheet = find_book_sheet(book, data.name)
    if sheet is None:
        sheet = book.sheets.add(data.name, after=book.sheets[len(book.sheets) - 1])
    failures: list[str] = []
    _guarded(failures, f"anciens objets de « {data.name} »", _drop_objects, sheet)
    sheet.clear()
    layout = Layout.of(data)
    _guarded(failures, f"formats de « {data.name} »", _number_formats, sheet, data, layout)
    sheet.range("A1").value = cell_grid(data)
    steps: list[tuple[str, Callable[..., None]]] = [
        ("tableau", _table),
        ("largeurs de colonnes", _widths),
        ("couleurs par ancienneté", _age_colours),
        ("graphique", _chart),
        ("volets figés", _freeze),
    ]
    for label, step in steps:
        _guarded(failures, f"{label} de « {data.name} »", step, book, sheet, data, layout)
    return failures


def cell_grid(data: SheetData) -> list[list[object]]:
    """The sheet's cells as one rectangle from A1: title, blank row, header, rows, totals."""
    width = len(data.columns)
    kinds = [column.kind for column in data.columns]

    def line(cells: Sequence[object]) -> list[object]:
        padded = [*cells, *[None] * (width - len(cells))]
        return [excel_value(value, kind) for value, kind in zip(padded, kinds, strict=True)]

    grid: list[list[object]] = []
    if data.title:
        grid += [[data.title, *[None] * (width - 1)], [None] * width]
    grid.append([column.header for column in data.columns])
    grid += [line(row) for row in data.rows]
    if data.totals is not None:
        grid.append(line(data.totals))
    return grid


def excel_value(value: object, kind: str = "text") -> object:
    """A Python value as COM takes it: Decimal → float (percent kinds divided by 100), date →
    datetime, "" → None (an empty cell), formula-like text kept as text (leading apostrophe)."""
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        number = float(value)
        return number / 100 if kind == "percent" else number
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if isinstance(value, np.generic):
        return value.item()
    return value


def _guarded(failures: list[str], label: str, step: Callable[..., None], *args: object) -> None:
    """Run a formatting step; a failure there is noted, never fatal (the values are written)."""
    try:
        step(*args)
    except Exception as error:
        if os.environ.get("RELANCE_XL_DEBUG"):
            raise
        failures.append(f"{label} ({type(error).__name__})")


def _drop_objects(sheet: Any) -> None:
    """Remove the previous run's charts and tables (sheet.clear() removes the rest)."""
    for chart in list(sheet.charts):
        chart.delete()
    for table in list(sheet.tables):
        table.api.Delete()


def _number_formats(sheet: Any, data: SheetData, layout: Layout) -> None:
    """Column formats of the data and totals rows (text columns as Text: ``0012`` stays)."""
    if layout.bottom < layout.first_row:
        return
    for index, column in enumerate(data.columns, 1):
        cells = sheet.range((layout.first_row, index), (layout.bottom, index))
        cells.number_format = NUMBER_FORMATS[column.kind]


def _table(book: Any, sheet: Any, data: SheetData, layout: Layout) -> None:
    """The Excel Table over header and rows, a bold title and a bold totals row."""
    title = sheet.range("A1")
    title.font.bold = True
    title.font.size = 14
    if data.totals is not None and layout.totals_row is not None:
        sheet.range((layout.totals_row, 1), (layout.totals_row, layout.columns)).font.bold = True
    if not data.table_name:
        sheet.range((layout.header_row, 1), (layout.header_row, layout.columns)).font.bold = True
        return
    taken = {table.name.lower() for other in book.sheets for table in other.tables}
    sheet.tables.add(
        source=sheet.range(layout.table_ref),
        name=table_name(data.table_name, taken),
        table_style_name=TABLE_STYLE,
    )


def _widths(book: Any, sheet: Any, data: SheetData, layout: Layout) -> None:
    """Given widths, or fitted to the header and the values."""
    for index, column in enumerate(data.columns, 1):
        if column.width is not None:
            sheet.range((layout.header_row, index)).column_width = column.width
        else:
            sheet.range((layout.header_row, index), (layout.bottom, index)).autofit()


def _age_colours(book: Any, sheet: Any, data: SheetData, layout: Layout) -> None:
    """Rows coloured by days overdue (yellow to red), as conditional formats.

    The formulas use no function name and no list separator (Excel reads conditional formulas
    in the user's language) and a relative row, which Excel resolves from the active cell: the
    first data row is selected first.
    """
    if data.age_column is None or not data.rows:
        return
    headers = [column.header for column in data.columns]
    age = f"${column_letter(headers.index(data.age_column) + 1)}{layout.first_row}"
    rows = sheet.range((layout.first_row, 1), (layout.last_row, layout.columns))
    sheet.activate()
    sheet.range((layout.first_row, 1)).select()
    for (low, high), colour in zip(AGE_LIMITS, AGE_COLOURS, strict=True):
        formula = f"=({age}>={low})" + (f"*({age}<={high})" if high is not None else "")
        rows.conditional_formats.add_custom(formula, fill_color=f"#{colour[2:]}")


def _chart(book: Any, sheet: Any, data: SheetData, layout: Layout) -> None:
    """The bar chart of one row (the totals by default) to the right of the table."""
    chart_spec = data.chart
    if chart_spec is None:
        return
    first, last = (column_letter(index) for index in chart_columns(data))
    row = layout.totals_row if chart_spec.row is None else layout.first_row + chart_spec.row
    anchor = sheet.range((layout.header_row, layout.columns + 2))
    width, height = CHART_SIZE
    chart = sheet.charts.add(left=anchor.left, top=anchor.top, width=width, height=height)
    chart.chart_type = "column_clustered"
    chart.set_source_data(
        sheet.range(
            f"{first}{layout.header_row}:{last}{layout.header_row},{first}{row}:{last}{row}"
        )
    )
    chart.title = chart_spec.title


def _freeze(book: Any, sheet: Any, data: SheetData, layout: Layout) -> None:
    """Rows down to the header stay visible when scrolling."""
    sheet.freeze_panes.freeze_at(f"A{layout.first_row}")


# ----------------------------------------------------------------------------------------------
# Enregistrer les relances: the Fait column, and appending to Historique
# ----------------------------------------------------------------------------------------------


def action_key(action: Any) -> tuple[str, str]:
    """(client, level) of an action, the client compared without case or accents."""
    return normalize(action.client), str(action.level)


def done_marks(grid: list[list[object]]) -> tuple[dict[tuple[str, str], str], list[str]]:
    """The Actions rows marked done in « Fait »: (client, level) key → « client niveau N »; and
    the French problems of the marks that are neither yes nor no."""
    header_row, columns = _header(grid, (DONE_HEADER, "Client", "Niveau"))
    if header_row is None:
        raise InputError(
            f"feuille {ACTIONS} : colonnes « {DONE_HEADER} », « Client » et « Niveau » "
            "introuvables : cliquez sur « Mettre à jour » pour la refaire."
        )
    done, client, level = (columns[normalize(name)] for name in (DONE_HEADER, "Client", "Niveau"))
    marked: dict[tuple[str, str], str] = {}
    problems: list[str] = []
    for number, row in enumerate(grid[header_row + 1 :], header_row + 2):
        cells = [*row, None, None, None]
        try:
            if not values.parse_flag(cells[done]).value:
                continue
            name = values.parse_text(cells[client]).value
            rank = _required(values.parse_level(cells[level]).value, "niveau manquant")
        except values.ValueProblem as problem:
            problems.append(f"ligne {number} : {problem.message}")
            continue
        marked[(normalize(name), rank)] = f"{name} niveau {rank}"
    return marked, problems


def _header(grid: list[list[object]], wanted: Sequence[str], minimum: int | None = None):
    """(0-based header row, normalized header → 0-based column) of the first rows holding at
    least ``minimum`` (default: all) of the ``wanted`` headers; (None, {}) when none does."""
    keys = {normalize(name) for name in wanted}
    needed = len(keys) if minimum is None else minimum
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        found = {normalize(cell): column for column, cell in enumerate(row) if cell is not None}
        if len(keys.intersection(found)) >= needed:
            return index, found
    return None, {}


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


def append_history(book: Any, rows: list[list[object]]) -> None:
    """Append rows (canonical Historique order) below the last used row of Historique, its
    columns found by their headers (missing ones added at the right), and grow its table."""
    sheet = find_book_sheet(book, HISTORY_SHEET)
    if sheet is None:
        sheet = book.sheets.add(HISTORY_SHEET, after=book.sheets[len(book.sheets) - 1])
    grid = sheet_grid(sheet)
    wanted = [column.header for column in HISTORY_COLUMNS]
    header_row, found = _header(grid, wanted, minimum=3)
    used = [i for i, row in enumerate(grid) if any(v not in (None, "") for v in row)]
    if header_row is None and not used:
        header_row, found = 0, {}
    positions, new_headers = [], []
    right = max(found.values(), default=-1)
    for header in wanted:
        position = found.get(normalize(header))
        if position is None:
            right += 1
            position = right
            new_headers.append((position, header))
        positions.append(position)
    if header_row is not None:
        for position, header in new_headers:
            sheet.range((header_row + 1, position + 1)).value = header
    first = max([*used, header_row or 0]) + 2  # Excel row of the first appended line
    width = max(positions) + 1
    block = [[None] * width for _ in rows]
    for line, row in zip(block, rows, strict=True):
        for position, value, column in zip(positions, row, HISTORY_COLUMNS, strict=True):
            line[position] = excel_value(value, column.kind)
    for position, column in zip(positions, HISTORY_COLUMNS, strict=True):
        cells = sheet.range((first, position + 1), (first + len(rows) - 1, position + 1))
        cells.number_format = NUMBER_FORMATS[column.kind]
    sheet.range((first, 1)).value = block
    if header_row is not None:
        _guarded([], "table", _grow_table, sheet, header_row + 1, first + len(rows) - 1, width)


def _grow_table(sheet: Any, header_row: int, last_row: int, width: int) -> None:
    """Extend the Historique table (the one whose header is the header row) to the new rows."""
    for table in sheet.tables:
        header = table.header_row_range
        if header is not None and header.row == header_row:
            columns = max(width, header.column + len(header.columns) - 1)
            table.resize(sheet.range((header_row, header.column), (last_row, columns)))
            return


# ----------------------------------------------------------------------------------------------
# Générer les courriers: PDF, summary, folder
# ----------------------------------------------------------------------------------------------


def make_pdfs(documents: Sequence[Any], folder: Path, day: dt.date) -> str:
    """PDF of every letter (LibreOffice, else Word on Windows) and the print file of the
    letters to post, as ``relance-xl courriers --pdf`` makes them; a French line for the summary."""
    from relance_xl import pdf
    from relance_xl.letters import channel_kind
    from relance_xl.letters.context import POST, REGISTERED

    sources = [path for d in documents for path in d.files if path.suffix == ".docx"]
    if not sources:
        return ""
    try:
        pdfs = dict(zip(sources, _to_pdf(sources, folder), strict=True))
        to_post = [
            pdfs[path]
            for d in documents
            if channel_kind(d.action.channel) in (POST, REGISTERED)
            for path in d.files
            if path in pdfs
        ]
        line = f"{len(pdfs)} PDF"
        if to_post:
            target = pdf.merge_pdfs(to_post, folder / pdf.print_file_name(day))
            line += f" ; à imprimer : « {target.name} »"
        return line + "."
    except OutputError as error:
        return f"PDF non créés : {error.message}"


def _to_pdf(sources: Sequence[Path], folder: Path) -> list[Path]:
    from relance_xl import pdf

    try:
        return pdf.convert_to_pdf(sources, folder, workers=2)
    except pdf.LibreOfficeMissing:
        if sys.platform != "win32":
            raise
        return word_to_pdf(sources, folder)


def word_to_pdf(sources: Sequence[Path], folder: Path) -> list[Path]:
    """PDF through Microsoft Word (Windows COM), when LibreOffice is not installed."""
    from relance_xl import pdf

    try:
        from win32com.client import DispatchEx

        word = DispatchEx("Word.Application")
    except Exception:
        raise pdf.LibreOfficeMissing(pdf.INSTALL_HINT) from None
    targets = []
    try:
        word.Visible = False
        word.DisplayAlerts = 0
        for source in sources:
            target = folder / f"{source.stem}.pdf"
            document = word.Documents.Open(str(source.resolve()), ReadOnly=True)
            try:
                document.ExportAsFixedFormat(str(target.resolve()), 17)  # wdExportFormatPDF
            finally:
                document.Close(False)
            targets.append(target)
    except Exception as error:
        raise OutputError(f"conversion en PDF par Word impossible ({error}).") from error
    finally:
        word.Quit()
    return targets


def letters_summary(documents: Sequence[Any], folder: Path, pdf_line: str) -> str:
    """What « Générer les courriers » wrote, one line per client (the first ones: the whole
    list is in recapitulatif.csv)."""
    lines = []
    for document in documents[:SUMMARY_LINES]:
        names = ", ".join(path.name for path in document.files) or "aucun fichier"
        note = f" ({document.note})" if document.note else ""
        lines.append(f"• {document.action.client} – {document.action.action} : {names}{note}")
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
