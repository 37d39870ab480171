"""Zip and XML mechanics of the lossless write-back into an ``.xlsx`` / ``.xlsm`` package.

The user's file is an OPC package (a zip of XML parts). openpyxl's load + save rewrites all of it
and drops what it does not model (cached formula values, shapes, x14 extensions…), so this module
edits the package itself:

* untouched parts are copied as their **raw compressed bytes** (a tiny zip copier: same bytes,
  same compression, no inflate/deflate);
* our sheets (Balance âgée, Actions, Anomalies, Tableau de bord) are generated as worksheet XML
  with inline strings, plus one Excel Table part each, conditional colours by age and an optional
  bar chart (drawing + chart parts); on the next run they are replaced in place (same part, same
  relationship id) and their old tables / drawings / charts are removed;
* rows are appended to the user's Historique sheet (its Excel Table grows with them);
* the bookkeeping parts only get additions: ``[Content_Types].xml``, ``xl/workbook.xml``
  (sheets), ``xl/_rels/workbook.xml.rels``, ``docProps/app.xml`` (titles), ``xl/styles.xml``
  (numFmts, fonts, fills, cellXfs, dxfs are **appended**, never renumbered).

The safety around it (temporary file, verification, backup, atomic replace, lock files) lives in
:mod:`relance_xl.writeback`, the public API.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import math
import numbers
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote
from xml.sax.saxutils import escape

import numpy as np
from lxml import etree

from relance_xl import fr
from relance_xl.errors import InputError, OutputError
from relance_xl.text import normalize

# ----------------------------------------------------------------------------------------------
# What the other modules hand us
# ----------------------------------------------------------------------------------------------

COLUMN_KINDS = ("text", "date", "money", "int", "percent")


@dataclass(frozen=True)
class Column:
    """One column of a result sheet.

    Attributes:
        header: header text (French), also the Excel Table column name.
        kind: ``text``, ``date`` (Excel serial, ``dd/mm/yyyy``), ``money`` (``# ##0,00 €``),
            ``int`` (``# ##0``) or ``percent`` (values in percent: ``Decimal("12.15")`` shows
            ``12,15 %``).
        width: column width in characters; None sizes it from the header and the values.
    """

    header: str
    kind: str = "text"
    width: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"unknown column kind {self.kind!r} (expected one of {COLUMN_KINDS})")


@dataclass(frozen=True)
class BarChart:
    """Histogramme: one bar per column, the heights read from one row of the sheet.

    Attributes:
        title: chart title (French), e.g. « Encours par ancienneté ».
        columns: headers of the plotted columns, contiguous and left to right in the sheet
            (e.g. ``("Non échu", "1–30", "31–60", "61–90", "> 90")``).
        row: index in ``SheetData.rows`` of the plotted row; None plots ``SheetData.totals``.
    """

    title: str
    columns: tuple[str, ...]
    row: int | None = None


@dataclass(frozen=True)
class SheetData:
    """The content of one result sheet, as written by :func:`relance_xl.writeback.update_workbook`.

    Attributes:
        name: sheet name (« Balance âgée », « Actions », « Anomalies », « Tableau de bord »).
        columns: the columns, left to right.
        rows: cell values, one list per row: str, int, Decimal, date, bool or None (empty).
        title: a line above the table (bold), e.g. « Balance âgée au 23/11/2026 ».
        table_name: Excel Table name (ASCII, e.g. ``BalanceAgee``); "" writes a plain range.
        age_column: header of a days-overdue column: the rows are coloured by age.
        chart: a bar chart placed to the right of the table.
        totals: a totals row written in bold just below the table (outside it, so that sorting
            the table never moves it).
    """

    name: str
    columns: tuple[Column, ...]
    rows: list[list[object]]
    title: str = ""
    table_name: str = ""
    age_column: str | None = None
    chart: BarChart | None = None
    totals: list[object] | None = None


HISTORY_SHEET = "Historique"
HISTORY_COLUMNS: tuple[Column, ...] = (
    Column("Date", "date"),
    Column("Client"),
    Column("N° facture"),
    Column("Niveau"),
    Column("Action"),
    Column("Canal"),
    Column("Statut"),
    Column("Montant réclamé", "money"),
    Column("Fichier"),
    Column("Note"),
)
"""Canonical columns of the Historique sheet (docs/architecture.md), in the order of the rows."""

HISTORY_TABLE = "HistoriqueRelances"

# ----------------------------------------------------------------------------------------------
# OOXML names
# ----------------------------------------------------------------------------------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
APP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"

REL_OFFICE_DOCUMENT = f"{REL_NS}/officeDocument"
REL_WORKSHEET = f"{REL_NS}/worksheet"
REL_STYLES = f"{REL_NS}/styles"
REL_TABLE = f"{REL_NS}/table"
REL_DRAWING = f"{REL_NS}/drawing"
REL_CHART = f"{REL_NS}/chart"
REL_CALC_CHAIN = f"{REL_NS}/calcChain"
REL_EXTENDED = f"{REL_NS}/extended-properties"

_OOXML = "application/vnd.openxmlformats-officedocument"
CT_WORKSHEET = f"{_OOXML}.spreadsheetml.worksheet+xml"
CT_TABLE = f"{_OOXML}.spreadsheetml.table+xml"
CT_DRAWING = f"{_OOXML}.drawing+xml"
CT_CHART = f"{_OOXML}.drawingml.chart+xml"
CT_STYLES = f"{_OOXML}.spreadsheetml.styles+xml"
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"
CT_MACRO_BOOK = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)

# ----------------------------------------------------------------------------------------------
# Zip layer: read members, copy their raw compressed bytes, write a plain (non-zip64) archive
# ----------------------------------------------------------------------------------------------

_ZIP_LIMIT = 0xFFFFFFFF
_DOS_EPOCH = (1980, 1, 1, 0, 0, 0)
DEFLATE_LEVEL = 6


@dataclass(frozen=True)
class _Stored:
    """One member as it goes into the new archive: the compressed bytes and their header."""

    name: str
    method: int
    flags: int
    date_time: tuple[int, int, int, int, int, int]
    crc: int
    size: int
    data: bytes
    made_by: int = 20
    external_attr: int = 0


def _dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def _name_bytes(name: str, flags: int) -> tuple[bytes, int]:
    try:
        return name.encode("ascii"), flags
    except UnicodeEncodeError:
        return name.encode("utf-8"), flags | 0x800


def write_zip(out: BinaryIO, members: Iterable[_Stored], comment: bytes = b"") -> None:
    """Write members (already compressed) as a zip archive: local headers, central directory."""
    central: list[bytes] = []
    offset = 0
    for member in members:
        name, flags = _name_bytes(member.name, member.flags & ~0x08)  # sizes known: no descriptor
        dos_time, dos_date = _dos_time(member.date_time)
        if max(offset, member.size, len(member.data)) >= _ZIP_LIMIT:
            raise OutputError("classeur trop volumineux (plus de 4 Go) pour être mis à jour.")
        fixed = (20, flags, member.method, dos_time, dos_date, member.crc, len(member.data))
        out.write(struct.pack("<IHHHHHIII", 0x04034B50, *fixed, member.size))
        out.write(struct.pack("<HH", len(name), 0))
        out.write(name)
        out.write(member.data)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                member.made_by,
                *fixed,
                member.size,
                len(name),
                0,
                0,
                0,
                0,
                member.external_attr,
                offset,
            )
            + name
        )
        offset += 30 + len(name) + len(member.data)
    directory = b"".join(central)
    if len(central) >= 0xFFFF or offset + len(directory) >= _ZIP_LIMIT:
        raise OutputError("classeur trop volumineux (plus de 4 Go) pour être mis à jour.")
    out.write(directory)
    out.write(
        struct.pack(
            "<IHHHHIIH",
            0x06054B50,
            0,
            0,
            len(central),
            len(central),
            len(directory),
            offset,
            len(comment),
        )
    )
    out.write(comment)


def _raw_member(source: BinaryIO, info: zipfile.ZipInfo) -> bytes:
    """The compressed bytes of a member, read after its local header."""
    source.seek(info.header_offset)
    header = source.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise InputError(f"archive endommagée : en-tête de « {info.filename} » illisible.")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    source.seek(info.header_offset + 30 + name_length + extra_length)
    data = source.read(info.compress_size)
    if len(data) != info.compress_size:
        raise InputError(f"archive endommagée : « {info.filename} » est tronqué.")
    return data


def _deflate(name: str, data: bytes) -> _Stored:
    compressor = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
    packed = compressor.compress(data) + compressor.flush()
    return _Stored(name, zipfile.ZIP_DEFLATED, 0, _DOS_EPOCH, zlib.crc32(data), len(data), packed)


# ----------------------------------------------------------------------------------------------
# The package: part name → content, in archive order
# ----------------------------------------------------------------------------------------------


class Package:
    """An OPC package: parts read from a zip file (or created), edited in memory, saved.

    Unchanged parts keep their original zip member and are copied raw by :meth:`save`.
    Part names are zip names (no leading slash); lookups ignore case, as OPC does.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._infos: dict[str, zipfile.ZipInfo] = {}
        self._order: list[str] = []
        self._new: dict[str, bytes] = {}
        self.comment = b""
        if path is not None:
            try:
                self._zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as error:
                raise InputError(
                    f"« {path.name} » n'est pas un classeur Excel lisible (.xlsx ou .xlsm "
                    "attendu ; un classeur protégé par mot de passe ne peut pas être mis à jour) : "
                    f"{error}."
                ) from None
            self.comment = self._zip.comment
            for info in self._zip.infolist():
                if info.is_dir():
                    continue
                self._infos[info.filename] = info
                self._order.append(info.filename)
        self._lower = {name.lower(): name for name in self._order}

    def close(self) -> None:
        """Release the source file."""
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def names(self) -> list[str]:
        """Part names in archive order."""
        return list(self._order)

    def actual(self, name: str) -> str | None:
        """The stored spelling of a part name, or None."""
        return self._lower.get(name.lower())

    def exists(self, name: str) -> bool:
        """Whether the package has this part."""
        return self.actual(name) is not None

    def read(self, name: str) -> bytes:
        """Uncompressed content of a part."""
        actual = self.actual(name)
        if actual is None:
            raise KeyError(name)
        if actual in self._new:
            return self._new[actual]
        assert self._zip is not None
        return self._zip.read(self._infos[actual])

    def write(self, name: str, data: bytes) -> None:
        """Create or replace a part (it keeps its place in the archive)."""
        actual = self.actual(name)
        if actual is None:
            actual = name
            self._order.append(name)
            self._lower[name.lower()] = name
        self._new[actual] = data

    def delete(self, name: str) -> None:
        """Remove a part."""
        actual = self.actual(name)
        if actual is None:
            return
        self._order.remove(actual)
        del self._lower[actual.lower()]
        self._new.pop(actual, None)

    def changed(self) -> set[str]:
        """Parts created or rewritten."""
        return set(self._new).intersection(self._order)

    def copied(self) -> dict[str, int]:
        """Parts copied untouched: name → CRC-32 of the content."""
        return {n: self._infos[n].CRC for n in self._order if n not in self._new}

    def save(self, out: BinaryIO) -> None:
        """Write the package: untouched members raw, new ones deflated."""
        source = open(self.path, "rb") if self.path is not None else None  # noqa: SIM115
        try:
            write_zip(out, self._stored(source), self.comment)
        finally:
            if source is not None:
                source.close()

    def _stored(self, source: BinaryIO | None) -> Iterable[_Stored]:
        for name in self._order:
            if name in self._new:
                yield _deflate(name, self._new[name])
                continue
            info = self._infos[name]
            assert source is not None
            yield _Stored(
                name,
                info.compress_type,
                info.flag_bits,
                info.date_time,
                info.CRC,
                info.file_size,
                _raw_member(source, info),
                (info.create_system << 8) | info.create_version,
                info.external_attr,
            )


def parse_xml(data: bytes) -> etree._Element:
    """Parse a part (entities never resolved, nothing fetched)."""
    return etree.fromstring(data, _PARSER)


def xml_bytes(root: etree._Element) -> bytes:
    """Serialize a part with an XML declaration (``standalone="yes"`` as Excel writes it)."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _ns(element: etree._Element) -> str:
    return etree.QName(element).namespace or MAIN_NS


# ----------------------------------------------------------------------------------------------
# Relationships and content types
# ----------------------------------------------------------------------------------------------


def rels_name(part: str) -> str:
    """``xl/workbook.xml`` → ``xl/_rels/workbook.xml.rels``; the package ("") → ``_rels/.rels``."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{base}.rels")


def resolve_target(source: str, target: str) -> str:
    """A relationship target → zip part name (relative to the source part's folder)."""
    target = unquote(target)
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


@dataclass(frozen=True)
class Rel:
    """One relationship; ``part`` is the resolved zip name ("" when external)."""

    id: str
    type: str
    part: str
    element: etree._Element = field(compare=False, repr=False)


class Rels:
    """The ``.rels`` part of a source part, editable."""

    def __init__(self, package: Package, source: str) -> None:
        self.package = package
        self.source = source
        self.name = rels_name(source)
        data = package.read(self.name) if package.exists(self.name) else None
        self.root = (
            parse_xml(data)
            if data
            else etree.Element(f"{{{PKG_REL_NS}}}Relationships", nsmap={None: PKG_REL_NS})
        )
        self.dirty = False

    def items(self) -> list[Rel]:
        """Every relationship, in file order."""
        rels = []
        for element in self.root:
            if not isinstance(element.tag, str):
                continue
            external = element.get("TargetMode") == "External"
            part = "" if external else resolve_target(self.source, element.get("Target", ""))
            rels.append(Rel(element.get("Id", ""), element.get("Type", ""), part, element))
        return rels

    def by_id(self, rid: str) -> Rel | None:
        """The relationship with this id."""
        return next((rel for rel in self.items() if rel.id == rid), None)

    def of_type(self, rel_type: str) -> list[Rel]:
        """Relationships of a type."""
        return [rel for rel in self.items() if rel.type == rel_type]

    def add(self, rel_type: str, part: str) -> str:
        """Add a relationship to a part (target written relative to the source); its new id."""
        used = {rel.id for rel in self.items()}
        number = len(used) + 1
        while f"rId{number}" in used:
            number += 1
        rid = f"rId{number}"
        target = posixpath.relpath(part, posixpath.dirname(self.source) or ".")
        etree.SubElement(
            self.root, f"{{{PKG_REL_NS}}}Relationship", Id=rid, Type=rel_type, Target=target
        )
        self.dirty = True
        return rid

    def remove(self, rid: str) -> None:
        """Drop a relationship."""
        rel = self.by_id(rid)
        if rel is not None:
            self.root.remove(rel.element)
            self.dirty = True

    def save(self) -> None:
        """Write back if changed (an empty rels part is deleted)."""
        if not self.dirty:
            return
        if len(self.items()) == 0:
            self.package.delete(self.name)
        else:
            self.package.write(self.name, xml_bytes(self.root))


class ContentTypes:
    """``[Content_Types].xml``: only additions and the removal of parts we delete."""

    NAME = "[Content_Types].xml"

    def __init__(self, package: Package) -> None:
        self.package = package
        self.root = parse_xml(package.read(self.NAME))
        self.dirty = False

    def _overrides(self) -> dict[str, etree._Element]:
        return {
            element.get("PartName", "").lower(): element
            for element in self.root
            if isinstance(element.tag, str) and _local(element) == "Override"
        }

    def _defaults(self) -> list[etree._Element]:
        return [e for e in self.root if isinstance(e.tag, str) and _local(e) == "Default"]

    def type_of(self, part: str) -> str:
        """Content type of a part ("" when unknown)."""
        override = self._overrides().get(f"/{part}".lower())
        if override is not None:
            return override.get("ContentType", "")
        extension = part.rsplit(".", 1)[-1].lower()
        for element in self._defaults():
            if element.get("Extension", "").lower() == extension:
                return element.get("ContentType", "")
        return ""

    def set(self, part: str, content_type: str) -> None:
        """Override the content type of a part (added when new)."""
        override = self._overrides().get(f"/{part}".lower())
        if override is not None:
            if override.get("ContentType") != content_type:
                override.set("ContentType", content_type)
                self.dirty = True
            return
        etree.SubElement(
            self.root, f"{{{CT_NS}}}Override", PartName=f"/{part}", ContentType=content_type
        )
        self.dirty = True

    def ensure_default(self, extension: str, content_type: str) -> None:
        """A Default for an extension, when missing (``rels``, ``xml``)."""
        if any(e.get("Extension", "").lower() == extension for e in self._defaults()):
            return
        default = etree.Element(
            f"{{{CT_NS}}}Default", Extension=extension, ContentType=content_type
        )
        self.root.insert(0, default)
        self.dirty = True

    def remove(self, part: str) -> None:
        """Forget the override of a deleted part."""
        override = self._overrides().get(f"/{part}".lower())
        if override is not None:
            self.root.remove(override)
            self.dirty = True

    def save(self) -> None:
        """Write back if changed."""
        if self.dirty:
            self.package.write(self.NAME, xml_bytes(self.root))


def free_part_name(package: Package, pattern: str) -> str:
    """The first ``pattern.format(n)`` (n = 1, 2…) that no part uses."""
    number = 1
    while package.exists(pattern.format(number)):
        number += 1
    return pattern.format(number)


# ----------------------------------------------------------------------------------------------
# Styles: find-or-append, never renumber
# ----------------------------------------------------------------------------------------------

_STYLE_ORDER = tuple(
    [
        "numFmts",
        "fonts",
        "fills",
        "borders",
        "cellStyleXfs",
        "cellXfs",
        "cellStyles",
        "dxfs",
        "tableStyles",
        "colors",
        "extLst",
    ]
)
_BUILTIN_FORMATS = {
    "General": 0,
    "0": 1,
    "0.00": 2,
    "#,##0": 3,
    "#,##0.00": 4,
    "0%": 9,
    "0.00%": 10,
}
_FONT_ORDER = tuple(
    [
        "b",
        "i",
        "strike",
        "condense",
        "extend",
        "outline",
        "shadow",
        "u",
        "vertAlign",
        "sz",
        "color",
        "name",
        "family",
        "charset",
        "scheme",
    ]
)

MINIMAL_STYLES = (
    f'<styleSheet xmlns="{MAIN_NS}"><fonts count="1"><font><sz val="11"/><color theme="1"/>'
    '<name val="Calibri"/><family val="2"/><scheme val="minor"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
).encode()


def _key(element: etree._Element) -> tuple:
    """Order-insensitive identity of a style element (Excel may reorder what it re-saves)."""
    attributes = tuple(sorted((k, v) for k, v in element.attrib.items() if k != "count"))
    children = tuple(sorted(_key(child) for child in element if isinstance(child.tag, str)))
    return (_local(element), attributes, children)


class StyleBook:
    """``xl/styles.xml``: our formats are found (from a previous run) or appended at the end."""

    def __init__(self, data: bytes | None) -> None:
        self.root = parse_xml(data or MINIMAL_STYLES)
        self.ns = _ns(self.root)
        self.dirty = data is None

    def _q(self, tag: str) -> str:
        return f"{{{self.ns}}}{tag}"

    def section(self, tag: str) -> etree._Element:
        """A top-level collection, created at its schema position when missing."""
        found = self.root.find(self._q(tag))
        if found is not None:
            return found
        element = etree.Element(self._q(tag), count="0")
        later = _STYLE_ORDER[_STYLE_ORDER.index(tag) + 1 :]
        for index, child in enumerate(self.root):
            if isinstance(child.tag, str) and _local(child) in later:
                self.root.insert(index, element)
                break
        else:
            self.root.append(element)
        self.dirty = True
        return element

    def _find_or_append(self, tag: str, candidate: etree._Element) -> int:
        section = self.section(tag)
        items = [child for child in section if isinstance(child.tag, str)]
        wanted = _key(candidate)
        for index, item in enumerate(items):
            if _key(item) == wanted:
                return index
        section.append(candidate)
        section.set("count", str(len(items) + 1))
        self.dirty = True
        return len(items)

    def num_fmt(self, code: str) -> int:
        """Id of a number format (built-in, existing custom, or appended with a new id)."""
        if code in _BUILTIN_FORMATS:
            return _BUILTIN_FORMATS[code]
        section = self.section("numFmts")
        ids = [163]
        for item in section:
            if isinstance(item.tag, str):
                if item.get("formatCode") == code:
                    return int(item.get("numFmtId", "0"))
                ids.append(int(item.get("numFmtId", "0")))
        new_id = max(ids) + 1
        etree.SubElement(section, self._q("numFmt"), numFmtId=str(new_id), formatCode=code)
        section.set("count", str(len([i for i in section if isinstance(i.tag, str)])))
        self.dirty = True
        return new_id

    def font(self, *, bold: bool = False, size: float | None = None) -> int:
        """Id of the workbook's default font (font 0), made bold and/or resized."""
        fonts = [f for f in self.section("fonts") if isinstance(f.tag, str)]
        base = (
            copy.deepcopy(fonts[0])
            if fonts
            else parse_xml(
                f'<font xmlns="{self.ns}"><sz val="11"/><name val="Calibri"/></font>'.encode()
            )
        )
        if not bold and size is None and fonts:
            return 0
        if bold and base.find(self._q("b")) is None:
            etree.SubElement(base, self._q("b"))
        if size is not None:
            sz = base.find(self._q("sz"))
            if sz is None:
                sz = etree.SubElement(base, self._q("sz"))
            sz.set("val", f"{size:g}")
        base[:] = sorted(
            base,
            key=lambda c: (
                _FONT_ORDER.index(_local(c))
                if isinstance(c.tag, str) and _local(c) in _FONT_ORDER
                else 99
            ),
        )
        return self._find_or_append("fonts", base)

    def xf(
        self, *, num_fmt: int = 0, font: int = 0, quote_prefix: bool = False, wrap: bool = False
    ) -> int:
        """Id of a cell format (cellXfs), appended when the workbook has none like it."""
        xf = etree.Element(
            self._q("xf"),
            numFmtId=str(num_fmt),
            fontId=str(font),
            fillId="0",
            borderId="0",
            xfId="0",
        )
        if num_fmt:
            xf.set("applyNumberFormat", "1")
        if font:
            xf.set("applyFont", "1")
        if quote_prefix:
            xf.set("quotePrefix", "1")
        if wrap:
            xf.set("applyAlignment", "1")
            etree.SubElement(xf, self._q("alignment"), wrapText="1", vertical="top")
        return self._find_or_append("cellXfs", xf)

    def dxf(self, fill_rgb: str) -> int:
        """Id of a differential format (conditional formatting) filling the cell with a colour."""
        dxf = etree.Element(self._q("dxf"))
        pattern = etree.SubElement(etree.SubElement(dxf, self._q("fill")), self._q("patternFill"))
        etree.SubElement(pattern, self._q("bgColor"), rgb=fill_rgb)
        return self._find_or_append("dxfs", dxf)

    def to_bytes(self) -> bytes:
        """The styles part."""
        return xml_bytes(self.root)


@dataclass(frozen=True)
class _Styles:
    """Our cell format ids for one book, by role."""

    text: int
    quoted: int
    general: int
    date: int
    money: int
    integer: int
    percent: int
    header: int
    title: int
    bold_text: int
    bold_quoted: int
    bold_general: int
    bold_date: int
    bold_money: int
    bold_integer: int
    bold_percent: int
    age_dxfs: tuple[int, int, int, int]

    @classmethod
    def of(cls, book: StyleBook) -> _Styles:
        bold = book.font(bold=True)
        title_font = book.font(bold=True, size=14)
        date, money = book.num_fmt("dd/mm/yyyy"), book.num_fmt('#,##0.00\\ "€"')
        integer, percent = book.num_fmt("#,##0"), book.num_fmt("0.00%")

        def pair(**kwargs: object) -> tuple[int, int]:
            return book.xf(**kwargs), book.xf(font=bold, **kwargs)  # type: ignore[arg-type]

        text, bold_text = pair()
        quoted, bold_quoted = pair(quote_prefix=True)
        general, bold_general = pair(num_fmt=0)
        date_xf, bold_date = pair(num_fmt=date)
        money_xf, bold_money = pair(num_fmt=money)
        int_xf, bold_int = pair(num_fmt=integer)
        pct_xf, bold_pct = pair(num_fmt=percent)
        header = book.xf(font=bold, wrap=True)
        title = book.xf(font=title_font)
        dxfs = tuple(book.dxf(rgb) for rgb in AGE_COLOURS)
        return cls(
            text,
            quoted,
            general,
            date_xf,
            money_xf,
            int_xf,
            pct_xf,
            header,
            title,
            bold_text,
            bold_quoted,
            bold_general,
            bold_date,
            bold_money,
            bold_int,
            bold_pct,
            dxfs,
        )  # type: ignore[arg-type]

    def for_kind(self, kind: str, bold: bool) -> tuple[int, int, int]:
        """(text, quoted text, number) ids for a column kind."""
        number = {
            "text": "general",
            "date": "date",
            "money": "money",
            "int": "integer",
            "percent": "percent",
        }[kind]
        prefix = "bold_" if bold else ""
        return (
            getattr(self, f"{prefix}text"),
            getattr(self, f"{prefix}quoted"),
            getattr(self, f"{prefix}{number}"),
        )


AGE_COLOURS = ("FFFFF2CC", "FFFCE4D6", "FFF8CBAD", "FFFF9999")
"""Fill of a row by days overdue: 1–30, 31–60, 61–90, > 90 (yellow to red)."""
AGE_LIMITS = ((1, 30), (31, 60), (61, 90), (91, None))

# ----------------------------------------------------------------------------------------------
# Cells
# ----------------------------------------------------------------------------------------------

EXCEL_EPOCH = dt.date(1899, 12, 30)
_FIRST_SERIAL_DATE = dt.date(1900, 3, 1)  # before it Excel's 1900 leap-year bug shifts serials
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")  # \r too: XML folds it
_ESCAPE_LIKE = re.compile("_(x[0-9A-Fa-f]{4}_)")
FORMULA_STARTS = ("=", "+", "-", "@")


def column_letter(number: int) -> str:
    """1 → ``A``, 27 → ``AA``."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_number(letters: str) -> int:
    """``A`` → 1, ``AA`` → 27."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


def split_ref(ref: str) -> tuple[int, int]:
    """``B12`` → (column 2, row 12)."""
    match = _REF.fullmatch(ref)
    if not match:
        raise ValueError(f"not a cell reference: {ref!r}")
    return column_number(match.group(1)), int(match.group(2))


def excel_text(value: str) -> str:
    """Text for a ``<t>`` element: XML-escaped; characters XML forbids as ``_xHHHH_`` (OOXML)."""
    if "_x" in value:
        value = _ESCAPE_LIKE.sub(r"_x005F_\1", value)
    if _ILLEGAL_XML.search(value):
        value = _ILLEGAL_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    return escape(value)


def excel_serial(value: dt.date) -> int | float:
    """A date (or datetime) → Excel serial number (1900 date system)."""
    if isinstance(value, dt.datetime):
        delta = value.replace(tzinfo=None) - dt.datetime(1899, 12, 30)
        return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000
    return (value - EXCEL_EPOCH).days


def number_text(value: Decimal | numbers.Real, *, percent: bool = False) -> str:
    """A number as written in ``<v>``: Decimal exactly, ``percent`` values divided by 100;
    "" for a float NaN (an empty cell)."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a number Excel can hold")
        return format(value / 100 if percent else value, "f")
    if isinstance(value, numbers.Integral):
        return format(Decimal(int(value)) / 100, "f") if percent else str(int(value))
    number = float(value)
    if not math.isfinite(number):
        return ""
    return repr(number / 100 if percent else number)


def _text_cell(ref: str, value: str, style: int) -> str:
    space = ' xml:space="preserve"' if value != value.strip() or "\n" in value else ""
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{excel_text(value)}</t></is></c>'


def cell_xml(ref: str, value: object, kind: str, styles: tuple[int, int, int, int]) -> str:
    """One ``<c>`` element ("" for an empty cell). Text is always an inline string, never a formula.

    ``styles`` = (text, quoted text, number, date) format ids; text that starts like a formula
    (``= + - @``) gets the quoted style (Excel shows it with a leading apostrophe).
    """
    if value is None:
        return ""
    text_style, quoted_style, number_style, date_style = styles
    if isinstance(value, str):
        if not value:
            return ""
        return _text_cell(
            ref, value, quoted_style if value.startswith(FORMULA_STARTS) else text_style
        )
    if isinstance(value, bool | np.bool_):
        return f'<c r="{ref}" s="{text_style}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, Decimal | numbers.Real):
        number = number_text(value, percent=kind == "percent")
        return f'<c r="{ref}" s="{number_style}"><v>{number}</v></c>' if number else ""
    if isinstance(value, dt.date):
        if value != value:  # pandas NaT
            return ""
        day = value.date() if isinstance(value, dt.datetime) else value
        if day < _FIRST_SERIAL_DATE:
            return _text_cell(ref, fr.date_short(day), text_style)
        return f'<c r="{ref}" s="{date_style}"><v>{excel_serial(value)}</v></c>'
    return _text_cell(ref, str(value), text_style)


def row_xml(
    number: int,
    values: Sequence[object],
    letters: Sequence[str],
    kinds: Sequence[str],
    styles: Sequence[tuple[int, int, int, int]],
    first_column: int = 0,
) -> str:
    """One ``<row>`` element with its cells (columns from ``first_column``, 0-based)."""
    cells = "".join(
        cell_xml(f"{letters[first_column + i]}{number}", value, kinds[i], styles[i])
        for i, value in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


# ----------------------------------------------------------------------------------------------
# A result sheet: worksheet XML, table, drawing and chart parts
# ----------------------------------------------------------------------------------------------

WIDTH_SAMPLE_ROWS = 2000
_FIXED_WIDTHS = {"date": 12.0, "money": 16.0, "int": 10.0, "percent": 10.0}
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def quote_sheet(name: str) -> str:
    """Sheet name for a formula: ``'Balance âgée'``."""
    return "'" + name.replace("'", "''") + "'"


def _width(column: Column, index: int, rows: Sequence[Sequence[object]]) -> float:
    if column.width is not None:
        return column.width
    header = min(len(column.header) + 3, 40)
    if column.kind in _FIXED_WIDTHS:
        return max(_FIXED_WIDTHS[column.kind], header)
    longest = max(
        (
            len(row[index])
            for row in rows[:WIDTH_SAMPLE_ROWS]
            if index < len(row) and isinstance(row[index], str)
        ),
        default=0,
    )
    return float(min(60, max(8, header, longest + 2)))


@dataclass(frozen=True)
class Layout:
    """Where the parts of a result sheet sit (1-based rows)."""

    header_row: int
    first_row: int
    last_row: int  # last data row (= header row when there are none)
    totals_row: int | None
    columns: int

    @classmethod
    def of(cls, sheet: SheetData) -> Layout:
        header = 3 if sheet.title else 1
        last = header + len(sheet.rows)
        totals = last + 1 if sheet.totals is not None else None
        return cls(header, header + 1, last, totals, len(sheet.columns))

    @property
    def table_ref(self) -> str:
        """The table's range: header + data (an Excel Table needs at least one data row)."""
        return (
            f"A{self.header_row}:{column_letter(self.columns)}{max(self.last_row, self.first_row)}"
        )

    @property
    def bottom(self) -> int:
        """Last written row."""
        return self.totals_row or self.last_row


def check_sheet(sheet: SheetData) -> None:
    """Refuse a SheetData Excel could not hold (programming errors, in English)."""
    if not sheet.name or len(sheet.name) > 31 or SHEET_NAME_FORBIDDEN.search(sheet.name):
        raise ValueError(f"invalid sheet name {sheet.name!r}")
    if not sheet.columns:
        raise ValueError(f"sheet {sheet.name!r} has no columns")
    width = len(sheet.columns)
    for index, row in enumerate([*sheet.rows, *([sheet.totals] if sheet.totals else [])]):
        if len(row) > width:
            raise ValueError(
                f"sheet {sheet.name!r}: row {index} has {len(row)} cells for {width} columns"
            )
    headers = [c.header for c in sheet.columns]
    if sheet.age_column is not None and sheet.age_column not in headers:
        raise ValueError(f"age column {sheet.age_column!r} is not a header of {sheet.name!r}")
    if sheet.chart is not None:
        _chart_columns(sheet)


def _chart_columns(sheet: SheetData) -> tuple[int, int]:
    """First and last plotted column (1-based), checked contiguous."""
    assert sheet.chart is not None
    headers = [c.header for c in sheet.columns]
    try:
        indexes = [headers.index(h) + 1 for h in sheet.chart.columns]
    except ValueError:
        raise ValueError(f"chart columns {sheet.chart.columns} not all in {headers}") from None
    if not indexes or indexes != list(range(indexes[0], indexes[0] + len(indexes))):
        raise ValueError(f"chart columns {sheet.chart.columns} must be contiguous, left to right")
    if sheet.chart.row is None and sheet.totals is None:
        raise ValueError("a chart of the totals needs SheetData.totals")
    return indexes[0], indexes[-1]


def sheet_xml(
    sheet: SheetData, styles: _Styles, *, table_rid: str | None, drawing_rid: str | None
) -> str:
    """The worksheet part of a result sheet."""
    layout = Layout.of(sheet)
    kinds = [c.kind for c in sheet.columns]
    letters = [column_letter(i + 1) for i in range(layout.columns)]
    normal = [(*styles.for_kind(k, False), styles.date) for k in kinds]
    bold = [(*styles.for_kind(k, True), styles.bold_date) for k in kinds]
    last_col = letters[-1]
    parts = [
        f'{XML_DECLARATION}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">',
        f'<dimension ref="A1:{last_col}{layout.bottom}"/>',
        '<sheetViews><sheetView workbookViewId="0">'
        f'<pane ySplit="{layout.header_row}" topLeftCell="A{layout.first_row}" '
        'activePane="bottomLeft" state="frozen"/>'
        f'<selection pane="bottomLeft" activeCell="A{layout.first_row}" '
        f'sqref="A{layout.first_row}"/></sheetView></sheetViews>',
        '<sheetFormatPr defaultRowHeight="15"/><cols>',
    ]
    for index, column in enumerate(sheet.columns):
        width = _width(column, index, sheet.rows)
        parts.append(
            f'<col min="{index + 1}" max="{index + 1}" width="{width:g}" customWidth="1"/>'
        )
    parts.append("</cols><sheetData>")
    if sheet.title:
        parts.append(f'<row r="1">{_text_cell("A1", sheet.title, styles.title)}</row>')
    header_cells = "".join(
        _text_cell(f"{letters[i]}{layout.header_row}", c.header, styles.header)
        for i, c in enumerate(sheet.columns)
    )
    parts.append(f'<row r="{layout.header_row}">{header_cells}</row>')
    parts.extend(
        row_xml(layout.first_row + i, row, letters, kinds, normal)
        for i, row in enumerate(sheet.rows)
    )
    if sheet.totals is not None:
        parts.append(row_xml(layout.bottom, sheet.totals, letters, kinds, bold))
    parts.append("</sheetData>")
    if sheet.age_column is not None and sheet.rows:
        parts.append(_age_formatting(sheet, layout, styles))
    parts.append(
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
        'footer="0.3"/><pageSetup paperSize="9" orientation="landscape"/>'
    )
    if drawing_rid:
        parts.append(f'<drawing r:id="{drawing_rid}"/>')
    if table_rid:
        parts.append(f'<tableParts count="1"><tablePart r:id="{table_rid}"/></tableParts>')
    parts.append("</worksheet>")
    return "".join(parts)


def _age_formatting(sheet: SheetData, layout: Layout, styles: _Styles) -> str:
    """Conditional colours of the data rows by the days-overdue column."""
    age = column_letter([c.header for c in sheet.columns].index(sheet.age_column) + 1)
    sqref = f"A{layout.first_row}:{column_letter(layout.columns)}{layout.last_row}"
    cell = f"${age}{layout.first_row}"
    rules = []
    for priority, ((low, high), dxf) in enumerate(zip(AGE_LIMITS, styles.age_dxfs, strict=True), 1):
        test = f"{cell}&gt;={low}" if high is None else f"AND({cell}&gt;={low},{cell}&lt;={high})"
        rules.append(
            f'<cfRule type="expression" dxfId="{dxf}" priority="{priority}">'
            f"<formula>AND(ISNUMBER({cell}),{test})</formula></cfRule>"
        )
    return f'<conditionalFormatting sqref="{sqref}">{"".join(rules)}</conditionalFormatting>'


_TABLE_NAME_BAD = re.compile(r"[^A-Za-z0-9_.]")
_CELL_LIKE = re.compile(r"(?i)^([A-Z]{1,3}\d+|R\d*C\d*|R|C)$")


def table_name(wanted: str, taken: set[str]) -> str:
    """A valid Excel Table name from ``wanted``, unique (case-insensitively) among ``taken``."""
    name = (
        _TABLE_NAME_BAD.sub(
            "_", normalize(wanted).title().replace(" ", "") if not wanted.isascii() else wanted
        )
        or "Tableau"
    )
    if not (name[0].isalpha() or name[0] == "_") or _CELL_LIKE.match(name):
        name = f"T_{name}"
    candidate, number = name, 2
    while candidate.lower() in taken:
        candidate = f"{name}{number}"
        number += 1
    return candidate


def _unique_headers(headers: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    unique = []
    for header in headers:
        name, number = header, 2
        while name.lower() in seen:
            name = f"{header}{number}"
            number += 1
        seen.add(name.lower())
        unique.append(name)
    return unique


def table_xml(sheet: SheetData, name: str, table_id: int) -> str:
    """The Excel Table part of a result sheet (autofilter, striped rows)."""
    layout = Layout.of(sheet)
    columns = "".join(
        f'<tableColumn id="{i + 1}" name="{escape(h, {chr(34): "&quot;"})}"/>'
        for i, h in enumerate(_unique_headers([c.header for c in sheet.columns]))
    )
    return (
        f"{XML_DECLARATION}"
        f'<table xmlns="{MAIN_NS}" id="{table_id}" name="{name}" displayName="{name}" '
        f'ref="{layout.table_ref}" totalsRowShown="0"><autoFilter ref="{layout.table_ref}"/>'
        f'<tableColumns count="{layout.columns}">{columns}</tableColumns>'
        '<tableStyleInfo name="TableStyleMedium2" showFirstColumn="0" showLastColumn="0" '
        'showRowStripes="1" showColumnStripes="0"/></table>'
    )


def drawing_xml(sheet: SheetData, chart_rid: str) -> str:
    """The drawing part anchoring the chart to the right of the table."""
    layout = Layout.of(sheet)
    left, top = layout.columns + 1, layout.header_row - 1
    return (
        f"{XML_DECLARATION}"
        '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<xdr:twoCellAnchor editAs="oneCell">'
        f"<xdr:from><xdr:col>{left}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{top}</xdr:row>"
        "<xdr:rowOff>0</xdr:rowOff></xdr:from>"
        f"<xdr:to><xdr:col>{left + 8}</xdr:col><xdr:colOff>0</xdr:colOff>"
        f"<xdr:row>{top + 18}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
        '<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="2" name="Graphique 1"/>'
        "<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>"
        '<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic>'
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
        '<c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
        f'xmlns:r="{REL_NS}" r:id="{chart_rid}"/></a:graphicData></a:graphic></xdr:graphicFrame>'
        "<xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>"
    )


def chart_xml(sheet: SheetData) -> str:
    """The bar chart part: categories = the column headers, values = one row, with caches."""
    assert sheet.chart is not None
    layout = Layout.of(sheet)
    first, last = _chart_columns(sheet)
    chart = sheet.chart
    if chart.row is None:
        assert sheet.totals is not None
        values, row_number = sheet.totals, layout.totals_row
    else:
        index = chart.row % len(sheet.rows)
        values, row_number = sheet.rows[index], layout.first_row + index
    span = f"${column_letter(first)}${{row}}:${column_letter(last)}${{row}}"
    sheet_ref = quote_sheet(sheet.name)
    names = "".join(
        f'<c:pt idx="{i}"><c:v>{excel_text(h)}</c:v></c:pt>' for i, h in enumerate(chart.columns)
    )
    points = "".join(
        f'<c:pt idx="{i}"><c:v>{number_text(v)}</c:v></c:pt>'
        for i, v in enumerate(list(values)[first - 1 : last])
        if isinstance(v, Decimal | numbers.Real) and not isinstance(v, bool | np.bool_)
    )
    count = len(chart.columns)
    title = excel_text(chart.title)
    return (
        f"{XML_DECLARATION}"
        '<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        f'xmlns:r="{REL_NS}"><c:roundedCorners val="0"/><c:chart>'
        f"<c:title><c:tx><c:rich><a:bodyPr/><a:p><a:r><a:t>{title}</a:t></a:r></a:p></c:rich>"
        '</c:tx><c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/>'
        '<c:plotArea><c:layout/><c:barChart><c:barDir val="col"/><c:grouping val="clustered"/>'
        '<c:varyColors val="0"/><c:ser><c:idx val="0"/><c:order val="0"/>'
        f"<c:tx><c:v>{title}</c:v></c:tx>"
        '<c:spPr><a:solidFill><a:srgbClr val="4472C4"/></a:solidFill></c:spPr>'
        '<c:invertIfNegative val="0"/>'
        f"<c:cat><c:strRef><c:f>{escape(sheet_ref)}!{span.format(row=layout.header_row)}</c:f>"
        f'<c:strCache><c:ptCount val="{count}"/>{names}</c:strCache></c:strRef></c:cat>'
        f"<c:val><c:numRef><c:f>{escape(sheet_ref)}!{span.format(row=row_number)}</c:f>"
        f'<c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="{count}"/>{points}'
        "</c:numCache></c:numRef></c:val></c:ser>"
        '<c:gapWidth val="80"/><c:axId val="500000001"/><c:axId val="500000002"/></c:barChart>'
        '<c:catAx><c:axId val="500000001"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        '<c:delete val="0"/><c:axPos val="b"/><c:numFmt formatCode="General" sourceLinked="1"/>'
        '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        '<c:crossAx val="500000002"/><c:crosses val="autoZero"/><c:auto val="1"/>'
        '<c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        '<c:valAx><c:axId val="500000002"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        '<c:delete val="0"/><c:axPos val="l"/><c:majorGridlines/>'
        '<c:numFmt formatCode="#,##0\\ &quot;€&quot;" sourceLinked="0"/>'
        '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        '<c:crossAx val="500000001"/><c:crosses val="autoZero"/>'
        '<c:crossBetween val="between"/></c:valAx></c:plotArea>'
        '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>'
    )


# ----------------------------------------------------------------------------------------------
# The workbook: sheets, their parts, and the bookkeeping around them
# ----------------------------------------------------------------------------------------------


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
        self.ns = _ns(self.root)
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
        self._styles: _Styles | None = None
        self.new_titles: list[str] = []

    def _file_name(self) -> str:
        return self.package.path.name if self.package.path else "classeur"

    @property
    def styles(self) -> _Styles:
        """Our cell formats (found or appended once per run)."""
        if self._styles is None:
            self._styles = _Styles.of(self.style_book)
        return self._styles

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
            part, sheet_xml(sheet, styles, table_rid=table_rid, drawing_rid=drawing_rid).encode()
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
        closure = self._closure(entry.part) - {entry.part}
        reachable = self._reachable(skip=entry.part)
        for part in closure - reachable:
            self.package.delete(part)
            self.package.delete(rels_name(part))
            self.types.remove(part)
        self._prune_calc_chain(entry.sheet_id)

    def _closure(self, part: str) -> set[str]:
        seen, todo = {part}, [part]
        while todo:
            current = todo.pop()
            if not self.package.exists(rels_name(current)):
                continue
            for rel in Rels(self.package, current).items():
                if rel.part and rel.part not in seen and self.package.exists(rel.part):
                    seen.add(rel.part)
                    todo.append(rel.part)
        return seen

    def _reachable(self, skip: str) -> set[str]:
        """Parts reachable from the package root without going through ``skip``'s relationships."""
        seen, todo = {""}, [""]
        while todo:
            current = todo.pop()
            if current == skip or not self.package.exists(rels_name(current)):
                continue
            for rel in Rels(self.package, current).items():
                if rel.part and rel.part not in seen:
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


class RowAppender:
    """Appends rows to a user's sheet, keeping everything else of the sheet as it is."""

    def __init__(self, book: Book, entry: SheetEntry) -> None:
        self.book = book
        self.entry = entry
        self.root = parse_xml(book.package.read(entry.part))
        self.ns = _ns(self.root)
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
        return [r for r in self.sheet_data if isinstance(r.tag, str) and _local(r) == "row"]

    def _last_used_row(self) -> int:
        last = 0
        for number, row in enumerate(self._rows(), 1):
            number = int(row.get("r", number))
            for cell in row:
                if any(_local(c) in ("v", "is", "f") for c in cell if isinstance(c.tag, str)):
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
            xml = cell_xml(ref, value, kind, style)
            for old in row.findall(self._q("c")):
                if old.get("r") == ref:
                    row.remove(old)
            if xml:
                row.append(parse_xml(f'<x xmlns="{self.ns}">{xml}</x>'.encode())[0])
        cells_now = [c for c in row if isinstance(c.tag, str) and _local(c) == "c"]
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
        if _local(element) != "si":
            continue
        if position in indexes:
            found[position] = "".join(
                t.text or ""
                for t in element.iter(f"{{{_ns(element)}}}t")
                if _local(t.getparent()) != "rPh"
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
    value = cell.find(f"{{{_ns(cell)}}}v")
    if value is None or value.text is None:
        return ""
    if kind == "s":
        return strings.get(int(value.text), "") if value.text.isdigit() else ""
    return value.text


# ----------------------------------------------------------------------------------------------
# Entry points
# ----------------------------------------------------------------------------------------------


def new_package() -> Package:
    """An empty workbook package (for a CSV source written to a new .xlsx)."""
    package = Package()
    package.write(
        ContentTypes.NAME,
        (
            f'{XML_DECLARATION}<Types xmlns="{CT_NS}">'
            f'<Default Extension="rels" ContentType="{CT_RELS}"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            f'ContentType="{_OOXML}.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            f'ContentType="{_OOXML}.extended-properties+xml"/>'
            "</Types>"
        ).encode(),
    )
    package.write(
        "_rels/.rels",
        (
            f'{XML_DECLARATION}<Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{REL_OFFICE_DOCUMENT}" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{REL_EXTENDED}" Target="docProps/app.xml"/>'
            "</Relationships>"
        ).encode(),
    )
    package.write(
        "xl/workbook.xml",
        (
            f'{XML_DECLARATION}<workbook xmlns="{MAIN_NS}" '
            f'xmlns:r="{REL_NS}"><bookViews><workbookView/></bookViews><sheets/></workbook>'
        ).encode(),
    )
    package.write(
        "docProps/app.xml",
        (
            f'{XML_DECLARATION}<Properties xmlns="{APP_NS}" '
            f'xmlns:vt="{VT_NS}"><Application>relance_xl</Application><HeadingPairs>'
            '<vt:vector size="2" baseType="variant"><vt:variant>'
            "<vt:lpstr>Feuilles de calcul</vt:lpstr>"
            "</vt:variant><vt:variant><vt:i4>0</vt:i4></vt:variant></vt:vector></HeadingPairs>"
            '<TitlesOfParts><vt:vector size="0" baseType="lpstr"/></TitlesOfParts></Properties>'
        ).encode(),
    )
    return package


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
