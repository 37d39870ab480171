"""Zip and XML mechanics of the lossless write-back into an ``.xlsx`` / ``.xlsm`` package.

The user's file is an OPC package (a zip of XML parts). openpyxl's load + save rewrites all of it
and drops what it does not model (cached formula values, shapes, x14 extensions…), so this package
edits the package itself:

* untouched parts are copied as their **raw compressed bytes** (a tiny zip copier: same bytes,
  same compression, no inflate/deflate) — :mod:`~relance_xl.xlsx.zipfile_raw`,
  :mod:`~relance_xl.xlsx.package`;
* our sheets (Balance âgée, Actions, Anomalies, Tableau de bord) are generated as worksheet XML
  with inline strings, plus one Excel Table part each, conditional colours by age and an optional
  bar chart (drawing + chart parts); on the next run they are replaced in place (same part, same
  relationship id) and their old tables / drawings / charts are removed —
  :mod:`~relance_xl.xlsx.sheet_xml`, :mod:`~relance_xl.xlsx.chart`,
  :mod:`~relance_xl.xlsx.workbook_edit`;
* rows are appended to the user's Historique sheet (its Excel Table grows with them) —
  :mod:`~relance_xl.xlsx.history`;
* the bookkeeping parts only get additions: ``[Content_Types].xml``, ``xl/workbook.xml``
  (sheets), ``xl/_rels/workbook.xml.rels``, ``docProps/app.xml`` (titles), ``xl/styles.xml``
  (numFmts, fonts, fills, cellXfs, dxfs are **appended**, never renumbered —
  :mod:`~relance_xl.xlsx.styles`).

The safety around it (temporary file, verification, backup, atomic replace, lock files) lives in
:mod:`relance_xl.writeback`, the public API.
"""

from relance_xl.xlsx.data import HISTORY_COLUMNS, HISTORY_SHEET, BarChart, Column, SheetData
from relance_xl.xlsx.ooxml import parse_xml
from relance_xl.xlsx.package import Package, new_package
from relance_xl.xlsx.sheet_xml import Layout
from relance_xl.xlsx.workbook_edit import Book, apply_changes

__all__ = [
    "HISTORY_COLUMNS",
    "HISTORY_SHEET",
    "BarChart",
    "Book",
    "Column",
    "Layout",
    "Package",
    "SheetData",
    "apply_changes",
    "new_package",
    "parse_xml",
]
