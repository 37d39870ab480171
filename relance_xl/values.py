"""Cell parsers: one Excel or CSV cell → a Python value, or a French problem.

Every parser accepts *any* cell (None, str, int, float, bool, Decimal, date, datetime…) and either
returns a :class:`Parsed` ``(value, warning)`` or raises :class:`ValueProblem` with one French
sentence; no other exception escapes. A blank cell (None, empty or white text, NaN) is never a
problem: it parses to the field's neutral value (None, ``False`` or ``""``). An Excel error value
(``#N/A``, ``#REF!``…) is always a problem, even in a text column.

Decisions:
- amounts: the last of ``,`` / ``.`` is the decimal separator when both appear; a single one is
  decimal; several identical ones are thousands separators (groups of three checked); spaces
  (also U+00A0, U+202F) group thousands; ``€`` / ``EUR`` / ``euros``, a leading Excel apostrophe,
  ``-12,5``, ``12,5-`` and ``(12,50)`` are understood. Floats go through ``round(x, 9)`` so that
  ``55.94`` stays 55.94; more than two decimals that matter are rounded half up, with a warning.
- dates: Excel serials (1900 system, or 1904 with ``date1904``), ``date`` / ``datetime``, ISO
  ``AAAA-MM-JJ`` always, ``JJ/MM/AAAA`` (``/``, ``-`` or ``.``; two-digit years as Excel reads
  them: 00–29 → 20xx, 30–99 → 19xx), or ``MM/JJ/AAAA`` when ``month_first``, ``AAAAMMJJ``, and
  ``15 mars 2026``. A date outside 1950–2199 is a problem (a number typed in a date column).
- rates (taux contractuel): ``15``, ``15 %`` and ``0,15`` all mean 15 % per year: a value below 1
  written without ``%`` is a fraction (what an Excel cell formatted as a percentage holds).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import lru_cache, wraps
from typing import Generic, NamedTuple, TypeVar

from relance_xl import fr
from relance_xl.money import quantize
from relance_xl.text import normalize

T = TypeVar("T")

AMOUNT_LIMIT = Decimal("1e12")
"""Largest amount accepted (mille milliards): beyond, a cell is a typing error, not an invoice."""

FIRST_YEAR, LAST_YEAR = 1950, 2199
"""Plausible years for any date of the workbook."""

FORMULA_ERRORS = frozenset({
    "#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!",
    "#FIELD!", "#BLOCKED!", "#BUSY!", "#CONNECT!", "#UNKNOWN!", "#GETTING_DATA",
})  # fmt: skip
"""Excel's error values: a cell showing one is unreadable, whatever the column."""

_EXCEL_EPOCH_1900 = dt.date(1899, 12, 30)
_EXCEL_EPOCH_1904 = dt.date(1904, 1, 1)
_MAX_SERIAL = 2_958_465  # 31/12/9999 in the 1900 system


class ValueProblem(ValueError):
    """A cell that cannot be read; ``message`` is one French sentence about the value."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Parsed(NamedTuple, Generic[T]):
    """A parsed cell: the value and, when an assumption was made, a French warning."""

    value: T
    warning: str = ""


def is_blank(cell: object) -> bool:
    """None, empty or white text, or NaN: an empty cell."""
    if cell is None:
        return True
    if isinstance(cell, str):
        return not cell.strip()
    if isinstance(cell, float):
        return math.isnan(cell)
    return type(cell).__name__ == "NaTType"  # pandas' missing date, from live Excel frames


def shown(cell: object) -> str:
    """The cell as the user sees it, for messages: ``« 12,5x »``."""
    try:
        text = cell if isinstance(cell, str) else _plain_text(cell)
    except Exception:  # a value that cannot be shown plainly (sNaN…) is shown as Python sees it
        text = repr(cell)
    text = " ".join(text.split())
    return f"« {text[:40]}{'…' if len(text) > 40 else ''} »"


def _guarded(parser: Callable[..., Parsed[T]]) -> Callable[..., Parsed[T]]:
    """Turn any unexpected exception of a parser into a ValueProblem (never a traceback)."""

    @wraps(parser)
    def wrapper(cell: object, *args: object, **kwargs: object) -> Parsed[T]:
        if cell.__class__ is str and cell[:1] == "#" and cell.strip().upper() in FORMULA_ERRORS:
            raise ValueProblem(f"erreur de formule {shown(cell)} dans la cellule")
        try:
            return parser(cell, *args, **kwargs)
        except ValueProblem:
            raise
        except Exception:
            raise ValueProblem(f"valeur illisible {shown(cell)}") from None

    return wrapper


# --- amounts -------------------------------------------------------------------------------------

_CURRENCY = re.compile(r"^(?:€|eur(?:os?)?)\s*|\s*(?:€|eur(?:os?)?)$", re.IGNORECASE)
_NUMBER_CHARS = re.compile(r"[0-9.,' ’]*[0-9][0-9.,' ’]*")
_GROUPED = re.compile(r"[0-9]{1,3}(?:[0-9]*|(?:[.,' ’][0-9]{3})+)")
_SIGNS = "+-−–"
_PLAIN_NUMBER = re.compile(r"-?[0-9]{1,15}(?:[.,][0-9]{1,2})?")


@_guarded
def parse_amount(cell: object) -> Parsed[Decimal | None]:
    """Montant → Decimal with two decimals (None when blank)."""
    if is_blank(cell):
        return Parsed(None)
    amount = _exact_number(cell)
    if abs(amount) >= AMOUNT_LIMIT:
        raise ValueProblem(f"{shown(cell)} : montant hors limites")
    rounded = quantize(amount) + Decimal("0.00")  # + 0 turns -0.00 into 0.00
    if rounded != amount:
        return Parsed(rounded, f"montant {shown(cell)} arrondi au centime : {fr.number(rounded)}")
    return Parsed(rounded)


def _exact_number(cell: object) -> Decimal:
    """A non-blank number cell → its exact Decimal value (not rounded)."""
    if isinstance(cell, str):
        result = _number_text(cell)
        if isinstance(result, str):
            raise ValueProblem(result)
        return result
    if isinstance(cell, bool):
        raise ValueProblem(f"{shown(cell)} n'est pas un nombre")
    if isinstance(cell, int):
        return Decimal(cell)
    if isinstance(cell, float) and math.isfinite(cell):
        return Decimal(repr(round(cell, 9)))
    if isinstance(cell, Decimal) and cell.is_finite():
        return cell
    raise ValueProblem(f"{shown(cell)} n'est pas un nombre")


def _number_text(text: str) -> Decimal | str:
    """``'1 234,56 €``, ``(12,50)``, ``12,5-`` → Decimal, or the French problem."""
    if _PLAIN_NUMBER.fullmatch(text):  # the usual case, ``1234,56`` or ``-55.94``: fast
        return Decimal(text.replace(",", "."))
    value = " ".join(text.split()).removeprefix("'").strip()
    negative = value.startswith("(") and value.endswith(")")
    if negative:
        value = value[1:-1].strip()
    value = _CURRENCY.sub("", value, count=1)
    sign = ""
    if value and value[0] in _SIGNS:
        sign, value = value[0], value[1:].strip()
    elif value and value[-1] in _SIGNS:
        sign, value = value[-1], value[:-1].strip()
    if sign and sign != "+":
        if negative:
            return f"{shown(text)} n'est pas un nombre (deux signes moins)"
        negative = True
    value = _CURRENCY.sub("", value, count=1)
    if not _NUMBER_CHARS.fullmatch(value):
        return f"{shown(text)} n'est pas un nombre"
    number = _split_separators(value)
    if number is None:
        return f"{shown(text)} n'est pas un nombre (séparateurs incohérents)"
    return -number if negative else number


def _split_separators(value: str) -> Decimal | None:
    """``1 234,56`` / ``1.234,56`` / ``1,234.56`` / ``1234.5`` → Decimal, None if inconsistent.

    The last of ``,`` and ``.`` is the decimal separator when both appear; a single one is the
    decimal separator; several identical ones (or spaces, apostrophes) group thousands by three.
    """
    last_dot, last_comma = value.rfind("."), value.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal_sep = "." if last_dot > last_comma else ","
    elif value.count(".") == 1 or value.count(",") == 1:
        decimal_sep = "." if last_dot >= 0 else ","
    else:
        decimal_sep = ""
    whole, fraction = value, ""
    if decimal_sep:
        whole, _, fraction = value.rpartition(decimal_sep)
        whole, fraction = whole.strip() or "0", fraction.strip()
        if not fraction.isdigit():
            return None
    if not _GROUPED.fullmatch(whole) or len({c for c in whole if not c.isdigit()}) > 1:
        return None
    digits = "".join(c for c in whole if c.isdigit())
    return Decimal(f"{digits}.{fraction}" if fraction else digits)


# --- dates ---------------------------------------------------------------------------------------

_TIME = r"(?:[T ]+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_YEAR_FIRST = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME)
_DAY_FIRST = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})" + _TIME)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_LONG = re.compile(r"(\d{1,2})(?:er)?\s+([a-z]+)\.?\s+(\d{4})")
_MONTHS = {
    **{name: i for i, name in enumerate(
        ("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre",
         "octobre", "novembre", "decembre"), start=1)},
    "janv": 1, "fevr": 2, "fev": 2, "avr": 4, "juil": 7, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip


@_guarded
def parse_date(
    cell: object, month_first: bool = False, date1904: bool = False
) -> Parsed[dt.date | None]:
    """Date cell → ``date`` (None when blank)."""
    if is_blank(cell):
        return Parsed(None)
    if isinstance(cell, dt.datetime):
        return Parsed(_plausible(cell.date(), cell))
    if isinstance(cell, dt.date):
        return Parsed(_plausible(cell, cell))
    if isinstance(cell, bool):
        raise ValueProblem(f"{shown(cell)} n'est pas une date")
    if isinstance(cell, int | float | Decimal):
        return Parsed(_plausible(serial_to_date(cell, date1904), cell))
    if isinstance(cell, str):
        result = _date_text(cell.strip(), month_first)
        if isinstance(result, str):
            raise ValueProblem(result)
        return Parsed(result)
    raise ValueProblem(f"{shown(cell)} n'est pas une date")


def serial_to_date(serial: float | int | Decimal, date1904: bool = False) -> dt.date:
    """Excel date number → date (the time of day is ignored).

    The 1900 system counts 1 = 01/01/1900 and keeps Lotus' fictitious 29/02/1900 (60); the 1904
    system (old Mac workbooks) counts 0 = 01/01/1904.
    """
    if not math.isfinite(serial) or serial < (0 if date1904 else 1) or serial > _MAX_SERIAL:
        raise ValueProblem(f"{shown(serial)} n'est pas une date")
    days = math.floor(serial)
    if date1904:
        return _EXCEL_EPOCH_1904 + dt.timedelta(days=days)
    if days == 60:
        raise ValueProblem("le 29/02/1900 n'existe pas")
    return _EXCEL_EPOCH_1900 + dt.timedelta(days=days + (1 if days < 60 else 0))


def _plausible(value: dt.date, original: object) -> dt.date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        read = "" if isinstance(original, dt.date) else f" (lu {fr.date_short(value)})"
        raise ValueProblem(
            f"date invraisemblable {shown(original)}{read} : attendue entre {FIRST_YEAR} et "
            f"{LAST_YEAR}"
        )
    return value


@lru_cache(maxsize=8192)
def _date_text(text: str, month_first: bool) -> dt.date | str:
    """A text date → date, or the French problem as a string (cached: dates repeat a lot)."""
    expected = "MM/JJ/AAAA" if month_first else "JJ/MM/AAAA"
    if match := _YEAR_FIRST.fullmatch(text):
        year, month, day = int(match[1]), int(match[3]), int(match[4])
    elif match := _COMPACT.fullmatch(text):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    elif match := _DAY_FIRST.fullmatch(text):
        first, second, year_text = int(match[1]), int(match[3]), match[4]
        year = int(year_text) if len(year_text) == 4 else _two_digit_year(int(year_text))
        month, day = (first, second) if month_first else (second, first)
        if not _exists(year, month, day) and _exists(year, day, month):
            other = "JJ/MM/AAAA" if month_first else "MM/JJ/AAAA"
            return (
                f"date impossible {shown(text)} au format {expected} "
                f"(fichier au format {other} ? choisissez ce format de date)"
            )
    elif match := _LONG.fullmatch(normalize(text)):
        day, year = int(match[1]), int(match[3])
        month = _MONTHS.get(match[2], 0)
        if not month:
            return f"mois inconnu dans {shown(text)}"
    else:
        return f"{shown(text)} n'est pas une date (attendu {expected} ou AAAA-MM-JJ)"
    if not _exists(year, month, day):
        return f"date impossible {shown(text)}"
    try:
        return _plausible(dt.date(year, month, day), text)
    except ValueProblem as problem:
        return problem.message


def is_month_first_text(cell: object) -> bool:
    """A text date readable only month first (``1/26/2013``): the mark of a US file."""
    if not isinstance(cell, str):
        return False
    match = _DAY_FIRST.fullmatch(cell.strip())
    return bool(match) and int(match[1]) <= 12 < int(match[3]) <= 31


def _two_digit_year(year: int) -> int:
    """Excel's rule for ``15/03/26``: 00–29 → 2000–2029, 30–99 → 1930–1999."""
    return 2000 + year if year < 30 else 1900 + year


def _exists(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


# --- yes / no, payé ------------------------------------------------------------------------------

_YES = frozenset({
    "oui", "o", "x", "vrai", "true", "1", "yes", "y", "ok", "fait", "paye", "payee", "payes",
    "payees", "regle", "reglee", "regles", "reglees", "solde", "soldee", "acquitte", "acquittee",
    "encaisse", "encaissee", "paid", "settled", "closed",
})  # fmt: skip
_NO = frozenset({
    "non", "n", "faux", "false", "0", "no", "impaye", "impayee", "impayes", "impayees", "unpaid",
    "open", "due", "overdue", "non paye", "non payee", "non regle", "non reglee", "non solde",
    "non soldee", "pas paye", "pas payee", "pas regle", "a payer", "en attente", "not paid",
})  # fmt: skip
_CHECKS = frozenset("✓✔☑✅")
_DASHES = frozenset({"-", "–", "—"})
_TRAILING_ZERO = re.compile(r" 0+$")


@_guarded
def parse_flag(cell: object) -> Parsed[bool]:
    """Oui/non cell → bool (blank = non)."""
    if is_blank(cell):
        return Parsed(False)
    if isinstance(cell, bool):
        return Parsed(cell)
    if isinstance(cell, int | float | Decimal) and cell in (0, 1):
        return Parsed(bool(cell))
    if isinstance(cell, str):
        flag = _flag_word(cell)
        if flag is not None:
            return Parsed(flag)
    raise ValueProblem(f"{shown(cell)} n'est ni oui ni non")


def _flag_word(text: str) -> bool | None:
    stripped = text.strip()
    if stripped in _CHECKS:
        return True
    if stripped in _DASHES:
        return False
    key = _TRAILING_ZERO.sub("", normalize(stripped))
    if key in _YES:
        return True
    if key in _NO:
        return False
    return None


@_guarded
def parse_paid(
    cell: object, month_first: bool = False, date1904: bool = False
) -> Parsed[tuple[bool, dt.date | None]]:
    """Payé cell → (paid, payment date): a yes/no word, or the date of the payment."""
    if is_blank(cell):
        return Parsed((False, None))
    if isinstance(cell, bool):
        return Parsed((cell, None))
    if isinstance(cell, int | float | Decimal) and cell in (0, 1):
        return Parsed((bool(cell), None))
    if isinstance(cell, str):
        flag = _flag_word(cell)
        if flag is not None:
            return Parsed((flag, None))
    try:
        paid_on = parse_date(cell, month_first, date1904).value
    except ValueProblem:
        raise ValueProblem(f"{shown(cell)} n'est ni oui/non ni une date de règlement") from None
    return Parsed((True, paid_on))


# --- text ----------------------------------------------------------------------------------------

_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)
"""Invisible characters removed from text: C0/C1 controls, zero-width space, word joiner, BOM, and
the bidi embeddings, overrides and isolates (they can reverse how a name reads). The zero-width
joiners U+200C/U+200D stay: emoji sequences and Persian spelling need them."""
_LINE_BREAKS = re.compile(r"[ \t]*[\r\n]+[ \t]*")
CONTROL_WARNING = "caractères de contrôle invisibles supprimés"


@_guarded
def parse_text(cell: object, multiline: bool = False) -> Parsed[str]:
    """Text cell → stripped text ("" when blank); numbers that are ids lose their ``.0``.

    Line breaks become spaces unless ``multiline`` (addresses, comments); invisible control
    characters are removed, with a warning.
    """
    if is_blank(cell):
        return Parsed("")
    if not isinstance(cell, str):
        return Parsed(_plain_text(cell))
    if cell.isprintable():
        return Parsed(cell.strip())
    return _clean_text(cell, multiline)


@lru_cache(maxsize=4096)
def _clean_text(text: str, multiline: bool) -> Parsed[str]:
    cleaned = text.replace("\t", " ")
    cleaned = _LINE_BREAKS.sub("\n" if multiline else " ", cleaned).strip()
    without_control = _CONTROL.sub("", cleaned).strip()
    return Parsed(without_control, CONTROL_WARNING if without_control != cleaned else "")


def _plain_text(cell: object) -> str:
    """A non-text cell as text: ``20261001.0`` → ``20261001``, a date → ``15/03/2026``."""
    if isinstance(cell, bool):
        return "VRAI" if cell else "FAUX"
    if isinstance(cell, float):
        if not math.isfinite(cell):
            raise ValueProblem(f"« {cell} » n'est pas un texte")
        return str(int(cell)) if cell.is_integer() else repr(round(cell, 9))
    if isinstance(cell, Decimal):
        if not cell.is_finite():
            raise ValueProblem(f"« {cell} » n'est pas un texte")
        return format(cell.normalize() if cell == cell.to_integral_value() else cell, "f")
    if isinstance(cell, dt.datetime):
        time = "" if cell.time() == dt.time() else cell.strftime(" %H:%M")
        return fr.date_short(cell) + time
    if isinstance(cell, dt.date):
        return fr.date_short(cell)
    return str(cell).strip()


# --- levels, rates, vocabularies -----------------------------------------------------------------

_LEVEL = re.compile(r"(?:niveau|niv|relance|n)?\s*(p)?\s*(\d{1,2})")


@_guarded
def parse_level(cell: object) -> Parsed[str | None]:
    """Niveau de relance → ``"P1"``, ``"P2"``, ``"1"`` … (``1``, ``1.0``, ``P1``, ``niveau 2``)."""
    if is_blank(cell):
        return Parsed(None)
    text = cell if isinstance(cell, str) else _plain_text(cell)
    match = _LEVEL.fullmatch(_TRAILING_ZERO.sub("", normalize(text)))
    if not match or int(match[2]) == 0:
        raise ValueProblem(f"{shown(cell)} n'est pas un niveau de relance (1, 2… ou P1, P2)")
    number = str(int(match[2]))
    return Parsed(f"P{number}" if match[1] else number)


@_guarded
def parse_rate(cell: object) -> Parsed[Decimal | None]:
    """Taux annuel → percent (Decimal): ``15``, ``15 %`` and ``0,15`` are all 15."""
    if is_blank(cell):
        return Parsed(None)
    percent_sign = isinstance(cell, str) and "%" in cell
    try:
        rate = _exact_number(cell.replace("%", "") if isinstance(cell, str) else cell)
    except ValueProblem:
        raise ValueProblem(f"{shown(cell)} n'est pas un taux (ex. : 15 %)") from None
    if rate < 0:
        raise ValueProblem(f"taux négatif {shown(cell)}")
    if not percent_sign and rate < 1:
        rate *= 100
    if rate > 100:
        raise ValueProblem(f"taux {shown(cell)} supérieur à 100 %")
    return Parsed(Decimal(format(rate.normalize(), "f")))


@_guarded
def parse_choice(cell: object, choices: Mapping[str, T], what: str) -> Parsed[T | None]:
    """A word among ``choices`` (keys compared with text.normalize); None when blank."""
    if is_blank(cell):
        return Parsed(None)
    try:
        text = cell if isinstance(cell, str) else _plain_text(cell)
    except ValueProblem:
        text = ""
    key = normalize(text)
    if key in choices:
        return Parsed(choices[key])
    raise ValueProblem(f"{shown(cell)} n'est pas {what} connu")
