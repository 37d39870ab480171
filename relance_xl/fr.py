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


_UNITS = (
    "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze",
    "douze", "treize", "quatorze", "quinze", "seize", "dix-sept", "dix-huit", "dix-neuf",
)  # fmt: skip
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}
_SCALES = ((10**9, "milliard"), (10**6, "million"))


def _below_hundred(n: int) -> str:
    """0–99: « vingt et un », « soixante et onze », « quatre-vingts », « quatre-vingt-onze »."""
    if n < 20:
        return _UNITS[n]
    tens, unit = divmod(n, 10)
    if tens in (7, 9):  # soixante-dix…, quatre-vingt-dix…: base + 10–19
        base = "soixante" if tens == 7 else "quatre-vingt"
        rest = _UNITS[10 + unit]
        return f"{base} et {rest}" if n == 71 else f"{base}-{rest}"
    if tens == 8:
        return "quatre-vingts" if unit == 0 else f"quatre-vingt-{_UNITS[unit]}"
    if unit == 0:
        return _TENS[tens]
    return f"{_TENS[tens]} et un" if unit == 1 else f"{_TENS[tens]}-{_UNITS[unit]}"


def _below_thousand(n: int, final: bool) -> str:
    """0–999; ``final`` is False before « mille », where « cents » and « vingts » lose their s."""
    hundreds, rest = divmod(n, 100)
    words = []
    if hundreds:
        if hundreds == 1:
            words.append("cent")
        else:
            plural = rest == 0 and final
            words.append(f"{_UNITS[hundreds]} cent{'s' if plural else ''}")
    if rest or not hundreds:
        text = _below_hundred(rest)
        if not final and text == "quatre-vingts":
            text = "quatre-vingt"
        words.append(text)
    return " ".join(words)


def _integer_in_words(n: int) -> str:
    """Cardinal number in words, traditional spelling (« mille » invariable, « deux millions »)."""
    if n == 0:
        return "zéro"
    words = []
    for scale, name in _SCALES:
        count, n = divmod(n, scale)
        if count:
            plural = "s" if count > 1 else ""
            words.append(f"{_integer_in_words(count)} {name}{plural}")
    thousands, n = divmod(n, 1000)
    if thousands:
        words.append("mille" if thousands == 1 else f"{_below_thousand(thousands, False)} mille")
    if n:
        words.append(_below_thousand(n, True))
    return " ".join(words)


def amount_in_words(value: Decimal) -> str:
    """Montant en toutes lettres, rounded to the cent: ``1234.56`` → « mille deux cent
    trente-quatre euros et cinquante-six centimes » (traditional spelling: « vingt et un »,
    « quatre-vingts », « deux cents », « mille » invariable, « un million d'euros »)."""
    cents_total = int(quantize(abs(value)) * 100)
    euros, cents = divmod(cents_total, 100)
    parts = []
    if euros or not cents:
        text = _integer_in_words(euros)
        de = "d'" if euros % 10**6 == 0 and euros >= 10**6 else ""
        parts.append(f"{text} {de}euro{'s' if euros >= 2 else ''}")
    if cents:
        parts.append(f"{_integer_in_words(cents)} centime{'s' if cents >= 2 else ''}")
    words = " et ".join(parts)
    return f"moins {words}" if value < 0 and cents_total else words
