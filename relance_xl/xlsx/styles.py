"""``xl/styles.xml``: our formats are found (from a previous run) or appended, never renumbered."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from lxml import etree

from relance_xl.xlsx.ooxml import MAIN_NS, local_name, namespace, parse_xml, xml_bytes

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


AGE_COLOURS = ("FFFFF2CC", "FFFCE4D6", "FFF8CBAD", "FFFF9999")
"""Fill of a row by days overdue: 1–30, 31–60, 61–90, > 90 (yellow to red)."""
AGE_LIMITS = ((1, 30), (31, 60), (61, 90), (91, None))


def _key(element: etree._Element) -> tuple:
    """Order-insensitive identity of a style element (Excel may reorder what it re-saves)."""
    attributes = tuple(sorted((k, v) for k, v in element.attrib.items() if k != "count"))
    children = tuple(sorted(_key(child) for child in element if isinstance(child.tag, str)))
    return (local_name(element), attributes, children)


class StyleBook:
    """``xl/styles.xml``: our formats are found (from a previous run) or appended at the end."""

    def __init__(self, data: bytes | None) -> None:
        self.root = parse_xml(data or MINIMAL_STYLES)
        self.ns = namespace(self.root)
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
            if isinstance(child.tag, str) and local_name(child) in later:
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
                _FONT_ORDER.index(local_name(c))
                if isinstance(c.tag, str) and local_name(c) in _FONT_ORDER
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
class CellStyles:
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
    def of(cls, book: StyleBook) -> CellStyles:
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
