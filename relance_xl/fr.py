"""French formatting of amounts and dates, for terminal output, sheets and letters (Babel)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from relance_xl.money import quantize

LOCALE = "fr_FR"


def amount(value: Decimal) -> str:
    """``1 234,56 €`` (Babel's French grouping: narrow no-break space)."""
    return format_currency(quantize(value), "EUR", locale=LOCALE)


def number(value: Decimal | int, decimals: int = 2) -> str:
    """``1 234,56`` without the currency sign."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def percent(value: Decimal) -> str:
    """``12,15 %`` for a rate given in percent."""
    return f"{number(value)} %"


def date_long(value: dt.date) -> str:
    """``23 novembre 2026`` in prose; the first of the month is ``1er novembre 2026``."""
    text = format_date(value, format="d MMMM y", locale=LOCALE)
    return "1er" + text[1:] if value.day == 1 else text


def date_short(value: dt.date) -> str:
    """``23/11/2026`` (tables)."""
    return value.strftime("%d/%m/%Y")
