"""Banc d'essai de l'écriture : les feuilles de résultats dans un classeur de factures.

Usage : ``python benchmarks/bench_writeback.py [--factures 100000] [--clients 5000] [--petit]``

relance_xl's lossless write-back (:func:`relance_xl.writeback.update_workbook` with
:func:`relance_xl.sheets.result_sheets`: zip-level, only our parts rewritten, checked, with a
backup) against openpyxl (``load_workbook`` + the same four sheets added with openpyxl: title,
header, rows with their number formats, totals, widths, Excel table, age colours, bar chart +
``save``). Both write into their own copy of the same workbook; the review and the sheet contents
are computed before the clock starts. Each side's result is read back with python-calamine (after
the clock) to check that both files hold the same result sheets.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
if str(PROJECT) not in sys.path:  # run as a plain script from a checkout
    sys.path.insert(0, str(PROJECT))

from benchmarks import data  # noqa: E402
from benchmarks._measure import Comparison, Side, Target, compare, sized_main  # noqa: E402
from relance_xl.pipeline import load, review  # noqa: E402
from relance_xl.sheets import result_sheets  # noqa: E402
from relance_xl.writeback import update_workbook  # noqa: E402
from relance_xl.xlsx import SheetData  # noqa: E402

CASE = "Écriture des feuilles de résultats dans le classeur"
TARGET = Target(ratio=5)
FULL = {"factures": 100_000, "clients": 5_000}
SMALL = {"factures": 5_000, "clients": 500}

NUMBER_FORMATS = {
    "date": "dd/mm/yyyy",
    "money": '#,##0.00\\ "€"',
    "int": "#,##0",
    "percent": '0.00\\ "%"',
}
AGE_FILLS = (
    ((1, 30), "FFF2CC"),
    ((31, 60), "FCE4D6"),
    ((61, 90), "F8CBAD"),
    ((91, None), "FF9999"),
)


def _prepare(params: dict) -> tuple[Path, list[SheetData]]:
    """A private copy of the workbook and the result sheets of its review (not measured)."""
    source = Path(params["fichier"])
    copy = Path(tempfile.mkdtemp(prefix="banc_ecriture_")) / "Relances.xlsx"
    shutil.copyfile(source, copy)
    sheets = result_sheets(review(load(copy), data.AS_OF))
    return copy, sheets


def _write_ours(state: tuple[Path, list[SheetData]]) -> None:
    path, sheets = state
    update_workbook(path, replace_sheets=sheets, force=True)


def _write_openpyxl(state: tuple[Path, list[SheetData]]) -> None:
    path, sheets = state
    write_with_openpyxl(path, sheets)


def write_with_openpyxl(path: Path, sheets: list[SheetData]) -> None:
    """The baseline: load the whole workbook with openpyxl, add the sheets, save it."""
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    for sheet in sheets:
        if sheet.name in workbook.sheetnames:
            del workbook[sheet.name]
        _add_sheet(workbook, sheet)
    workbook.save(path)


def _add_sheet(workbook, sheet: SheetData) -> None:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    target = workbook.create_sheet(sheet.name)
    header_row = 3 if sheet.title else 1
    if sheet.title:
        target.cell(1, 1, sheet.title).font = Font(bold=True, size=12)
    headers = [column.header for column in sheet.columns]
    for index, header in enumerate(headers, start=1):
        target.cell(header_row, index, header).font = Font(bold=True)
        width = sheet.columns[index - 1].width or max(10, len(header) + 2)
        target.column_dimensions[get_column_letter(index)].width = width
    formats = [NUMBER_FORMATS.get(column.kind) for column in sheet.columns]
    rows = [*sheet.rows, *([sheet.totals] if sheet.totals is not None else [])]
    for offset, values in enumerate(rows, start=1):
        bold = sheet.totals is not None and offset == len(rows)
        for index, value in enumerate(values, start=1):
            cell = target.cell(header_row + offset, index, value)
            if formats[index - 1] and value is not None:
                cell.number_format = formats[index - 1]
            if bold:
                cell.font = Font(bold=True)
    last = header_row + max(len(sheet.rows), 1)
    last_column = get_column_letter(len(headers))
    if sheet.table_name:
        table = Table(displayName=sheet.table_name, ref=f"A{header_row}:{last_column}{last}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        target.add_table(table)
    if sheet.age_column and sheet.rows:
        age = get_column_letter(headers.index(sheet.age_column) + 1)
        cell = f"${age}{header_row + 1}"
        for (low, high), colour in AGE_FILLS:
            test = f"{cell}>={low}" if high is None else f"AND({cell}>={low},{cell}<={high})"
            target.conditional_formatting.add(
                f"A{header_row + 1}:{last_column}{last}",
                FormulaRule(
                    formula=[f"AND(ISNUMBER({cell}),{test})"],
                    fill=PatternFill("solid", bgColor=colour),
                ),
            )
    if sheet.chart and sheet.totals is not None:
        first = headers.index(sheet.chart.columns[0]) + 1
        chart = BarChart()
        chart.title = sheet.chart.title
        totals_row = header_row + len(rows)
        chart.add_data(
            Reference(
                target,
                min_col=first,
                max_col=first + len(sheet.chart.columns) - 1,
                min_row=totals_row,
                max_row=totals_row,
            ),
            from_rows=True,
        )
        chart.set_categories(
            Reference(
                target,
                min_col=first,
                max_col=first + len(sheet.chart.columns) - 1,
                min_row=header_row,
                max_row=header_row,
            )
        )
        target.add_chart(chart, f"{get_column_letter(len(headers) + 2)}{header_row}")


def _read_back(state: tuple[Path, list[SheetData]], _result: object) -> dict:
    """Rows of each result sheet and a digest of their first column, read with calamine (after
    the clock); the private copy is then deleted."""
    from python_calamine import CalamineWorkbook

    path, sheets = state
    book = CalamineWorkbook.from_path(str(path))
    digest = hashlib.sha256()
    rows = 0
    for sheet in sheets:
        grid = book.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
        filled = [row for row in grid if any(cell not in ("", None) for cell in row)]
        rows += len(filled)
        digest.update(repr([str(row[0]) for row in filled]).encode())
    shutil.rmtree(path.parent)
    return {
        "feuilles du classeur": len(book.sheet_names),
        "lignes écrites": rows,
        "empreinte": digest.hexdigest()[:12],
    }


SIDES = {
    "relance_xl": Side("relance_xl (sans perte)", _prepare, _write_ours, _read_back),
    "openpyxl": Side("openpyxl load + save", _prepare, _write_openpyxl, _read_back),
}


def run(small: bool = False, folder: Path = data.CACHE, sizes: dict | None = None) -> Comparison:
    """Write the workbook (cached), then measure both writers in their own processes."""
    params = dict(sizes or (SMALL if small else FULL))
    source = data.workbook_file(params["factures"], params["clients"], data.SEED, folder)
    params["fichier"] = str(source)  # each side writes into its own copy of this file
    invoices = f"{params['factures']:_}".replace("_", " ")
    return compare(
        case=CASE,
        size=f"classeur de {invoices} factures",
        module="benchmarks.bench_writeback",
        params=params,
        target=TARGET,
        ours="relance_xl",
        baseline="openpyxl",
        notes=(
            "La lecture de contrôle (calamine) de chaque fichier écrit n'est pas comptée ; "
            "relance_xl relit déjà le sien pendant l'écriture (vérification) et garde une copie "
            ".bak.",
        ),
    )


def main(argv: list[str] | None = None) -> None:
    """Command line: sizes, data folder."""
    sized_main(argv, __doc__.splitlines()[0], (FULL, SMALL), run, data.CACHE)


if __name__ == "__main__":
    main()
