"""OOXML names (namespaces, relationship and content types) and the XML parse/serialize helpers."""

from __future__ import annotations

from lxml import etree

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

OOXML = "application/vnd.openxmlformats-officedocument"
CT_WORKSHEET = f"{OOXML}.spreadsheetml.worksheet+xml"
CT_TABLE = f"{OOXML}.spreadsheetml.table+xml"
CT_DRAWING = f"{OOXML}.drawing+xml"
CT_CHART = f"{OOXML}.drawingml.chart+xml"
CT_STYLES = f"{OOXML}.spreadsheetml.styles+xml"
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"
CT_MACRO_BOOK = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def parse_xml(data: bytes) -> etree._Element:
    """Parse a part (entities never resolved, nothing fetched)."""
    return etree.fromstring(data, _PARSER)


def xml_bytes(root: etree._Element) -> bytes:
    """Serialize a part with an XML declaration (``standalone="yes"`` as Excel writes it)."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


def namespace(element: etree._Element) -> str:
    return etree.QName(element).namespace or MAIN_NS
