"""Appending rows to the user's Historique sheet, keeping everything else of the sheet as it is."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from lxml import etree

from relance_xl.errors import OutputError
from relance_xl.text import column_letter, normalize
from relance_xl.xlsx.cells import cell_xml, split_ref
from relance_xl.xlsx.data import HISTORY_COLUMNS
from relance_xl.xlsx.ooxml import REL_NS, REL_TABLE, local_name, namespace, parse_xml, xml_bytes
from relance_xl.xlsx.package import Rels

if TYPE_CHECKING:
    from relance_xl.xlsx.workbook_edit import Book, SheetEntry


class RowAppender:
    """Appends rows to a user's sheet, keeping everything else of the sheet as it is."""

    def __init__(self, book: Book, entry: SheetEntry) -> None:
        self.book = book
        self.entry = entry
        self.root = parse_xml(book.package.read(entry.part))
        self.ns = namespace(self.root)
        self.sheet_data = self.root.find(f"{{{self.ns}}}sheetData")
        if self.sheet_data is None:
            raise OutputError(f"feuille « {entry.name} » illisible (pas de données).")
        self.rels = Rels(book.package, entry.part)
        self.table = self._table()

    def _q(self, tag: str) -> str:
        return f"{{{self.ns}}}{tag}"

    def _table(self) -> tuple[str, etree._Element] | None:
        """The sheet's Excel Table (the first one), as (part, root)."""
        for rel in self.rels.of_type(REL_TABLE):
            if self.book.package.exists(rel.part):
                return rel.part, parse_xml(self.book.package.read(rel.part))
        return None

    def _rows(self) -> list[etree._Element]:
        return [r for r in self.sheet_data if isinstance(r.tag, str) and local_name(r) == "row"]

    def _last_used_row(self) -> int:
        last = 0
        for number, row in enumerate(self._rows(), 1):
            number = int(row.get("r", number))
            for cell in row:
                if any(local_name(c) in ("v", "is", "f") for c in cell if isinstance(c.tag, str)):
                    last = max(last, number)
                    break
        return last

    def _header_map(self) -> tuple[int | None, dict[str, int]]:
        """Header row and normalized header → column number (from the table, else found)."""
        if self.table is not None:
            _, table = self.table
            first, row = split_ref(table.get("ref", "A1:A1").split(":")[0])
            names = [c.get("name", "") for c in table.iter(self._q("tableColumn"))]
            return row, {normalize(n): first + i for i, n in enumerate(names)}
        rows = self._rows()[:30]
        indexes = {
            int(v.text)
            for row in rows
            for cell in row
            if isinstance(cell.tag, str) and cell.get("t") == "s"
            for v in cell.iter(self._q("v"))
            if (v.text or "").isdigit()
        }
        strings = shared_strings(self.book, indexes)
        wanted = {normalize(c.header) for c in HISTORY_COLUMNS}
        for position, row in enumerate(rows, 1):
            found = {}
            for cell in row:
                if isinstance(cell.tag, str) and cell.get("r"):
                    text = _cell_text(cell, strings)
                    found[normalize(text)] = split_ref(cell.get("r", "A1"))[0]
            if len(wanted.intersection(found)) >= 3:
                return int(row.get("r", position)), found
        return None, {}

    def append(self, rows: Sequence[Sequence[object]]) -> None:
        """Append the rows (canonical Historique order) and save the sheet and its table."""
        header_row, headers = self._header_map()
        last = self._last_used_row()
        styles = self.book.styles
        new_headers: list[tuple[int, str]] = []
        if header_row is None and last == 0:  # an empty sheet: write the headers first
            header_row, last = 1, 1
            new_headers = [(i + 1, c.header) for i, c in enumerate(HISTORY_COLUMNS)]
            headers = {normalize(c.header): i + 1 for i, c in enumerate(HISTORY_COLUMNS)}
        if header_row is None:
            positions = [i + 1 for i in range(len(HISTORY_COLUMNS))]
        else:
            positions = []
            right = max(headers.values(), default=0)
            for column in HISTORY_COLUMNS:
                position = headers.get(normalize(column.header))
                if position is None:
                    right += 1
                    position = right
                    new_headers.append((position, column.header))
                positions.append(position)
        last = max(last, header_row or 0)
        if new_headers:
            self._write_cells(
                header_row or 1, [(p, h, "text", (styles.header,) * 4) for p, h in new_headers]
            )
        formats = [(*styles.for_kind(c.kind, False), styles.date) for c in HISTORY_COLUMNS]
        for offset, values in enumerate(rows):
            cells = [
                (positions[i], value, HISTORY_COLUMNS[i].kind, formats[i])
                for i, value in enumerate(values)
            ]
            self._write_cells(last + 1 + offset, cells)
        self._grow_table(last + len(rows), [header for _, header in new_headers])
        self._set_dimension()
        self.book.package.write(self.entry.part, xml_bytes(self.root))

    def _write_cells(
        self, number: int, cells: Sequence[tuple[int, object, str, tuple[int, int, int, int]]]
    ) -> None:
        """Put cells into row ``number`` (created in order, or merged into an empty one)."""
        rows = self._rows()
        row = next((r for r in rows if int(r.get("r", "0")) == number), None)
        if row is None:
            row = etree.Element(self._q("row"), r=str(number))
            later = next((r for r in rows if int(r.get("r", "0")) > number), None)
            if later is None:
                self.sheet_data.append(row)
            else:
                later.addprevious(row)
        for position, value, kind, style in cells:
            ref = f"{column_letter(position)}{number}"
            xml = cell_xml(ref, value, kind, style, self.book.epoch)
            for old in row.findall(self._q("c")):
                if old.get("r") == ref:
                    row.remove(old)
            if xml:
                row.append(parse_xml(f'<x xmlns="{self.ns}">{xml}</x>'.encode())[0])
        cells_now = [c for c in row if isinstance(c.tag, str) and local_name(c) == "c"]
        cells_now.sort(key=lambda c: split_ref(c.get("r", "A1"))[0])
        for cell in cells_now:
            row.append(cell)
        if "spans" in row.attrib:
            del row.attrib["spans"]

    def _grow_table(self, bottom: int, added_headers: Sequence[str]) -> None:
        """Extend the sheet's table to the new last row (and to new header columns)."""
        if self.table is None:
            return
        part, table = self.table
        if int(table.get("totalsRowCount", "0") or 0):
            raise OutputError(
                f"la table de la feuille « {self.entry.name} » a une ligne de totaux : "
                "supprimez-la pour que relance_xl puisse y ajouter des lignes."
            )
        start, end = table.get("ref", "A1:A1").split(":")
        end_col, end_row = split_ref(end)
        columns = table.find(self._q("tableColumns"))
        if added_headers and columns is not None:
            next_id = max(int(c.get("id", "0")) for c in columns) + 1
            for offset, header in enumerate(added_headers):
                etree.SubElement(
                    columns, self._q("tableColumn"), id=str(next_id + offset), name=header
                )
            columns.set("count", str(len(columns)))
            end_col += len(added_headers)
        ref = f"{start}:{column_letter(end_col)}{max(end_row, bottom)}"
        table.set("ref", ref)
        auto_filter = table.find(self._q("autoFilter"))
        if auto_filter is not None:
            auto_filter.set("ref", ref)
        self.book.package.write(part, xml_bytes(table))

    def _set_dimension(self) -> None:
        dimension = self.root.find(self._q("dimension"))
        refs = [c.get("r") for c in self.sheet_data.iter(self._q("c")) if c.get("r")]
        if dimension is None or not refs:
            return
        cols = [split_ref(r)[0] for r in refs]
        rows = [split_ref(r)[1] for r in refs]
        dimension.set(
            "ref", f"{column_letter(min(cols))}{min(rows)}:{column_letter(max(cols))}{max(rows)}"
        )


def shared_strings(book: Book, indexes: set[int]) -> dict[int, str]:
    """Texts of some shared strings, read in one streaming pass (the part can be large)."""
    rels = book.rels.of_type(f"{REL_NS}/sharedStrings")
    if not indexes or not rels or not book.package.exists(rels[0].part):
        return {}
    found: dict[int, str] = {}
    position = 0
    source = io.BytesIO(book.package.read(rels[0].part))
    for _, element in etree.iterparse(
        source, events=("end",), resolve_entities=False, huge_tree=True
    ):
        if local_name(element) != "si":
            continue
        if position in indexes:
            found[position] = "".join(
                t.text or ""
                for t in element.iter(f"{{{namespace(element)}}}t")
                if local_name(t.getparent()) != "rPh"
            )
            if len(found) == len(indexes):
                break
        position += 1
        element.clear()
    return found


def _cell_text(cell: etree._Element, strings: Mapping[int, str]) -> str:
    """Displayed text of a cell of a user's sheet (inline, shared or plain value)."""
    kind = cell.get("t")
    if kind == "inlineStr":
        return "".join(cell.itertext())
    value = cell.find(f"{{{namespace(cell)}}}v")
    if value is None or value.text is None:
        return ""
    if kind == "s":
        return strings.get(int(value.text), "") if value.text.isdigit() else ""
    return value.text
