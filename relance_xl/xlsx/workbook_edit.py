"""The workbook of a package: sheet entries, replacing our sheets, app.xml titles, entry point."""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from lxml import etree

from relance_xl.errors import InputError
from relance_xl.text import normalize
from relance_xl.xlsx.cells import EXCEL_EPOCH, EXCEL_EPOCH_1904
from relance_xl.xlsx.chart import chart_xml, drawing_xml
from relance_xl.xlsx.data import (
    HISTORY_COLUMNS,
    HISTORY_SHEET,
    HISTORY_TABLE,
    SheetData,
    check_sheet,
)
from relance_xl.xlsx.history import RowAppender
from relance_xl.xlsx.ooxml import (
    APP_NS,
    CT_CHART,
    CT_DRAWING,
    CT_MACRO_BOOK,
    CT_RELS,
    CT_STYLES,
    CT_TABLE,
    CT_WORKSHEET,
    REL_CALC_CHAIN,
    REL_CHART,
    REL_DRAWING,
    REL_EXTENDED,
    REL_NS,
    REL_OFFICE_DOCUMENT,
    REL_STYLES,
    REL_TABLE,
    REL_WORKSHEET,
    VT_NS,
    namespace,
    parse_xml,
    xml_bytes,
)
from relance_xl.xlsx.package import ContentTypes, Package, Rels, free_part_name, rels_name
from relance_xl.xlsx.sheet_xml import sheet_xml, table_name, table_xml
from relance_xl.xlsx.styles import CellStyles, StyleBook


@dataclass(frozen=True)
class SheetEntry:
    """A ``<sheet>`` of xl/workbook.xml with its part."""

    name: str
    sheet_id: int
    rid: str
    part: str
    element: etree._Element = field(compare=False, repr=False)


class Book:
    """The workbook of a package, for adding and replacing sheets and appending rows."""

    def __init__(self, package: Package) -> None:
        self.package = package
        self.types = ContentTypes(package)
        root_rels = Rels(package, "")
        office = root_rels.of_type(REL_OFFICE_DOCUMENT)
        if not office or not package.exists(office[0].part):
            raise InputError(f"« {self._file_name()} » n'a pas de classeur (xl/workbook.xml).")
        self.part = package.actual(office[0].part) or office[0].part
        self.root = parse_xml(package.read(self.part))
        self.ns = namespace(self.root)
        self.rels = Rels(package, self.part)
        self.dirty = False
        styles = self.rels.of_type(REL_STYLES)
        self.styles_part = (
            styles[0].part if styles else posixpath.join(posixpath.dirname(self.part), "styles.xml")
        )
        has_styles = bool(styles) and package.exists(self.styles_part)
        self.style_book = StyleBook(package.read(self.styles_part) if has_styles else None)
        if not has_styles:
            self.rels.add(REL_STYLES, self.styles_part)
            self.types.set(self.styles_part, CT_STYLES)
        self._styles: CellStyles | None = None
        self.new_titles: list[str] = []

    def _file_name(self) -> str:
        return self.package.path.name if self.package.path else "classeur"

    @property
    def styles(self) -> CellStyles:
        """Our cell formats (found or appended once per run)."""
        if self._styles is None:
            self._styles = CellStyles.of(self.style_book)
        return self._styles

    @property
    def epoch(self) -> dt.date:
        """Day 0 of the workbook's dates: 1904 for ``<workbookPr date1904="1">`` (old Mac
        workbooks), else the 1900 system; our dates must be written in the workbook's own."""
        properties = self.root.find(f"{{{self.ns}}}workbookPr")
        flag = "" if properties is None else properties.get("date1904", "").strip().lower()
        return EXCEL_EPOCH_1904 if flag in ("1", "true") else EXCEL_EPOCH

    @property
    def macro_enabled(self) -> bool:
        """Whether the workbook part is a macro workbook (.xlsm)."""
        return self.types.type_of(self.part) == CT_MACRO_BOOK

    def _sheets_element(self) -> etree._Element:
        sheets = self.root.find(f"{{{self.ns}}}sheets")
        if sheets is None:
            raise InputError(f"« {self._file_name()} » : liste des feuilles absente du classeur.")
        return sheets

    def sheets(self) -> list[SheetEntry]:
        """The sheets, in tab order."""
        entries = []
        for element in self._sheets_element():
            if not isinstance(element.tag, str):
                continue
            rid = element.get(f"{{{REL_NS}}}id", "")
            rel = self.rels.by_id(rid)
            entries.append(
                SheetEntry(
                    element.get("name", ""),
                    int(element.get("sheetId", "0")),
                    rid,
                    rel.part if rel else "",
                    element,
                )
            )
        return entries

    def sheet(self, name: str) -> SheetEntry | None:
        """A sheet by name (case-insensitive, as Excel compares them)."""
        return next((s for s in self.sheets() if s.name.casefold() == name.casefold()), None)

    # -- replacing / adding a result sheet ---------------------------------------------------

    def write_sheet(self, sheet: SheetData) -> None:
        """Write a result sheet: in place of the sheet of that name, or as a new last sheet."""
        check_sheet(sheet)
        entry = self.sheet(sheet.name)
        if entry is not None and entry.part:
            self._drop_dependents(entry)
            part = entry.part
            rel = self.rels.by_id(entry.rid)
            if rel is not None and rel.type != REL_WORKSHEET:  # the user made it a chart sheet
                rel.element.set("Type", REL_WORKSHEET)
                self.rels.dirty = True
        else:
            part = free_part_name(self.package, "xl/worksheets/sheet{}.xml")
            self._add_sheet_entry(sheet.name, part, entry)
        self.types.set(part, CT_WORKSHEET)
        sheet_rels = Rels(self.package, part)
        sheet_rels.root[:] = []
        sheet_rels.dirty = True
        table_rid = self._add_table(sheet, sheet_rels) if sheet.table_name else None
        drawing_rid = self._add_chart(sheet, sheet_rels) if sheet.chart else None
        styles = self.styles
        self.package.write(
            part,
            sheet_xml(
                sheet, styles, table_rid=table_rid, drawing_rid=drawing_rid, epoch=self.epoch
            ).encode(),
        )
        sheet_rels.save()

    def _add_sheet_entry(self, name: str, part: str, stale: SheetEntry | None) -> None:
        sheets = self._sheets_element()
        rid = self.rels.add(REL_WORKSHEET, part)
        if stale is not None:  # a <sheet> whose relationship is broken: repair it in place
            stale.element.set(f"{{{REL_NS}}}id", rid)
            return
        sheet_id = max([s.sheet_id for s in self.sheets()] + [0]) + 1
        element = etree.SubElement(sheets, f"{{{self.ns}}}sheet", nsmap={"r": REL_NS})
        element.set("name", name)
        element.set("sheetId", str(sheet_id))
        element.set(f"{{{REL_NS}}}id", rid)
        self.dirty = True
        self.new_titles.append(name)

    def _add_table(self, sheet: SheetData, sheet_rels: Rels) -> str:
        ids, names = self._tables_in_use()
        name = table_name(sheet.table_name, names)
        part = free_part_name(self.package, "xl/tables/table{}.xml")
        self.package.write(part, table_xml(sheet, name, max(ids, default=0) + 1).encode())
        self.types.set(part, CT_TABLE)
        return sheet_rels.add(REL_TABLE, part)

    def _add_chart(self, sheet: SheetData, sheet_rels: Rels) -> str:
        chart_part = free_part_name(self.package, "xl/charts/chart{}.xml")
        self.package.write(chart_part, chart_xml(sheet).encode())
        self.types.set(chart_part, CT_CHART)
        drawing_part = free_part_name(self.package, "xl/drawings/drawing{}.xml")
        drawing_rels = Rels(self.package, drawing_part)
        chart_rid = drawing_rels.add(REL_CHART, chart_part)
        self.package.write(drawing_part, drawing_xml(sheet, chart_rid).encode())
        self.types.set(drawing_part, CT_DRAWING)
        drawing_rels.save()
        return sheet_rels.add(REL_DRAWING, drawing_part)

    def _tables_in_use(self) -> tuple[set[int], set[str]]:
        """Ids and names (lower case) of every table, and the defined names (same namespace)."""
        ids: set[int] = set()
        names: set[str] = set()
        for part in self.package.names():
            if self.types.type_of(part) == CT_TABLE:
                table = parse_xml(self.package.read(part))
                ids.add(int(table.get("id", "0")))
                names.update(n.lower() for n in (table.get("name"), table.get("displayName")) if n)
        defined = self.root.find(f"{{{self.ns}}}definedNames")
        if defined is not None:
            names.update(d.get("name", "").lower() for d in defined if isinstance(d.tag, str))
        return ids, names

    def _drop_dependents(self, entry: SheetEntry) -> None:
        """Delete the parts only our old sheet used (tables, drawings, charts…), and their rels."""
        closure = self._linked(entry.part, existing=True) - {entry.part}
        reachable = self._linked("", skip=entry.part)  # from the package root, not via the sheet
        for part in closure - reachable:
            self.package.delete(part)
            self.package.delete(rels_name(part))
            self.types.remove(part)
        self._prune_calc_chain(entry.sheet_id)

    def _linked(self, start: str, *, skip: str | None = None, existing: bool = False) -> set[str]:
        """``start`` and the parts its relationships lead to, transitively (not through
        ``skip``; only parts present in the package when ``existing``)."""
        seen, todo = {start}, [start]
        while todo:
            current = todo.pop()
            if current == skip or not self.package.exists(rels_name(current)):
                continue
            for rel in Rels(self.package, current).items():
                wanted = rel.part and rel.part not in seen
                if wanted and (not existing or self.package.exists(rel.part)):
                    seen.add(rel.part)
                    todo.append(rel.part)
        return seen

    def _prune_calc_chain(self, sheet_id: int) -> None:
        """Drop the calculation-chain entries of a replaced sheet (our sheets hold no formulas)."""
        for rel in self.rels.of_type(REL_CALC_CHAIN):
            if not self.package.exists(rel.part):
                continue
            chain = parse_xml(self.package.read(rel.part))
            current, kept, dropped = None, [], False
            for cell in list(chain):
                current = cell.get("i", current)
                if current == str(sheet_id):
                    chain.remove(cell)
                    dropped = True
                else:
                    if current is not None:
                        cell.set("i", current)
                    kept.append(cell)
            if not dropped:
                continue
            if kept:
                self.package.write(rel.part, xml_bytes(chain))
            else:
                self.package.delete(rel.part)
                self.types.remove(rel.part)
                self.rels.remove(rel.id)

    # -- appending rows to a user's sheet ----------------------------------------------------

    def append_rows(self, name: str, rows: Sequence[Sequence[object]]) -> None:
        """Append rows after the last used row of a sheet (Historique), growing its table.

        A missing Historique is created with the canonical headers and an Excel Table.
        """
        if not rows:
            return
        if name.casefold() != HISTORY_SHEET.casefold():
            raise ValueError(f"rows can only be appended to {HISTORY_SHEET!r}, not {name!r}")
        if any(len(row) > len(HISTORY_COLUMNS) for row in rows):
            raise ValueError(f"a {HISTORY_SHEET} row has more than {len(HISTORY_COLUMNS)} cells")
        entry = self.sheet(name)
        if entry is None or not entry.part or not self.package.exists(entry.part):
            self.write_sheet(
                SheetData(
                    HISTORY_SHEET,
                    HISTORY_COLUMNS,
                    [list(r) for r in rows],
                    table_name=HISTORY_TABLE,
                )
            )
            return
        RowAppender(self, entry).append(rows)

    # -- saving ------------------------------------------------------------------------------

    def save(self) -> None:
        """Write every bookkeeping part that changed."""
        if self.style_book.dirty:
            self.package.write(self.styles_part, self.style_book.to_bytes())
        if self.dirty:
            self.package.write(self.part, xml_bytes(self.root))
        self.rels.save()
        self.types.ensure_default("rels", CT_RELS)
        self.types.ensure_default("xml", "application/xml")
        self.types.save()
        if self.new_titles:
            self._add_app_titles()

    def _add_app_titles(self) -> None:
        """docProps/app.xml: the new sheet names after the worksheet titles (when it lists them)."""
        rels = Rels(self.package, "").of_type(REL_EXTENDED)
        if not rels or not self.package.exists(rels[0].part):
            return
        data = add_app_titles(self.package.read(rels[0].part), self.new_titles)
        if data is not None:
            self.package.write(rels[0].part, data)


def add_app_titles(data: bytes, names: Sequence[str]) -> bytes | None:
    """app.xml with ``names`` added to the worksheet titles; None when it has no usable list."""
    root = parse_xml(data)
    pairs = root.find(f"{{{APP_NS}}}HeadingPairs/{{{VT_NS}}}vector")
    titles = root.find(f"{{{APP_NS}}}TitlesOfParts/{{{VT_NS}}}vector")
    if pairs is None or titles is None:
        return None
    variants = [v for v in pairs if isinstance(v.tag, str)]
    counts = [v.find(f"{{{VT_NS}}}i4") for v in variants[1::2]]
    labels = [v.find(f"{{{VT_NS}}}lpstr") for v in variants[0::2]]
    title_items = [t for t in titles if isinstance(t.tag, str)]
    if not counts or None in counts or None in labels:
        return None
    if sum(int(c.text or 0) for c in counts) != len(title_items):  # type: ignore[union-attr]
        return None
    sheet_words = {
        "worksheets",
        "feuilles de calcul",
        "feuilles",
        "arbeitsblatter",
        "hojas de calculo",
    }
    index = next((i for i, lab in enumerate(labels) if normalize(lab.text) in sheet_words), 0)
    position = sum(int(c.text or 0) for c in counts[:index])  # type: ignore[union-attr]
    end = position + int(counts[index].text or 0)  # type: ignore[union-attr]
    for offset, name in enumerate(names):
        item = etree.Element(f"{{{VT_NS}}}lpstr")
        item.text = name
        titles.insert(end + offset, item)
    counts[index].text = str(int(counts[index].text or 0) + len(names))  # type: ignore[union-attr]
    titles.set("size", str(len(title_items) + len(names)))
    return xml_bytes(root)


def apply_changes(
    package: Package,
    replace_sheets: Sequence[SheetData],
    append_rows: Mapping[str, Sequence[Sequence[object]]],
) -> Book:
    """Write our sheets and append the rows into the package (in memory); the edited Book."""
    names = [s.name.casefold() for s in replace_sheets]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate result sheets: {[s.name for s in replace_sheets]}")
    if set(names).intersection(n.casefold() for n in append_rows):
        raise ValueError("a sheet cannot be both replaced and appended to")
    book = Book(package)
    for sheet in replace_sheets:
        book.write_sheet(sheet)
    for name, rows in append_rows.items():
        book.append_rows(name, rows)
    book.save()
    return book
