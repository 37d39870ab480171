"""The bar chart of a result sheet: the drawing part anchoring it and the chart part."""

from __future__ import annotations

import numbers
from decimal import Decimal
from xml.sax.saxutils import escape

import numpy as np

from relance_xl.text import column_letter
from relance_xl.xlsx.cells import excel_text, number_text
from relance_xl.xlsx.data import SheetData, chart_columns
from relance_xl.xlsx.ooxml import REL_NS, XML_DECLARATION
from relance_xl.xlsx.sheet_xml import Layout


def quote_sheet(name: str) -> str:
    """Sheet name for a formula: ``'Balance âgée'``."""
    return "'" + name.replace("'", "''") + "'"


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
    first, last = chart_columns(sheet)
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
