"""Cells: references (``B12``), values as Excel stores them, ``<c>`` and ``<row>`` elements."""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

import numpy as np

from relance_xl import fr

EXCEL_EPOCH = dt.date(1899, 12, 30)
EXCEL_EPOCH_1904 = dt.date(1904, 1, 1)
"""Day 0 of the 1904 date system (``workbookPr date1904``, old Mac workbooks)."""
_FIRST_SERIAL_DATE = dt.date(1900, 3, 1)  # before it Excel's 1900 leap-year bug shifts serials
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")  # \r too: XML folds it
_ESCAPE_LIKE = re.compile("_(x[0-9A-Fa-f]{4}_)")
FORMULA_STARTS = ("=", "+", "-", "@")


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


def excel_serial(value: dt.date, epoch: dt.date = EXCEL_EPOCH) -> int | float:
    """A date (or datetime) → Excel serial number (1900 date system, or 1904 with
    ``epoch=EXCEL_EPOCH_1904``)."""
    if isinstance(value, dt.datetime):
        delta = value.replace(tzinfo=None) - dt.datetime.combine(epoch, dt.time())
        return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000
    return (value - epoch).days


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


def text_cell(ref: str, value: str, style: int) -> str:
    space = ' xml:space="preserve"' if value != value.strip() or "\n" in value else ""
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{excel_text(value)}</t></is></c>'


def cell_xml(
    ref: str,
    value: object,
    kind: str,
    styles: tuple[int, int, int, int],
    epoch: dt.date = EXCEL_EPOCH,
) -> str:
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
        return text_cell(
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
        if day < (_FIRST_SERIAL_DATE if epoch == EXCEL_EPOCH else epoch):
            return text_cell(ref, fr.date_short(day), text_style)
        return f'<c r="{ref}" s="{date_style}"><v>{excel_serial(value, epoch)}</v></c>'
    return text_cell(ref, str(value), text_style)


def row_xml(
    number: int,
    values: Sequence[object],
    letters: Sequence[str],
    kinds: Sequence[str],
    styles: Sequence[tuple[int, int, int, int]],
    first_column: int = 0,
    epoch: dt.date = EXCEL_EPOCH,
) -> str:
    """One ``<row>`` element with its cells (columns from ``first_column``, 0-based; dates
    counted from ``epoch``)."""
    cells = "".join(
        cell_xml(f"{letters[first_column + i]}{number}", value, kinds[i], styles[i], epoch)
        for i, value in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'
