"""Half-years (semestres): the periods of the rate tables and of the penalties.

A half-year is written ``"2026S1"`` (1 January – 30 June) or ``"2026S2"`` (1 July – 31 December),
as in the *Taux* table of Paramètres. Spans are inclusive on both ends, like the days of a delay.
"""

from __future__ import annotations

import datetime as dt
import re

_HALF_YEAR = re.compile(r"^\s*(\d{4})\s*[sS]\s*([12])\s*$")
_ONE_DAY = dt.timedelta(days=1)


def half_year(day: dt.date) -> str:
    """The half-year of a date: 2026-08-15 → ``"2026S2"``."""
    return f"{day.year}S{1 if day.month <= 6 else 2}"


def parse_half_year(label: str) -> tuple[int, int]:
    """``"2026S2"`` (case and spaces free: ``"2026 s2"``) → ``(2026, 2)``; ValueError otherwise."""
    match = _HALF_YEAR.match(label)
    if match is None:
        raise ValueError(f"semestre invalide « {label} » (attendu AAAAS1 ou AAAAS2, ex. 2026S2)")
    return int(match.group(1)), int(match.group(2))


def normalize_half_year(label: str) -> str:
    """``"2026 s2"`` → ``"2026S2"``; ValueError when it is not a half-year."""
    year, half = parse_half_year(label)
    return f"{year}S{half}"


def half_year_start(label: str) -> dt.date:
    """First day of a half-year: ``"2026S2"`` → 2026-07-01."""
    year, half = parse_half_year(label)
    return dt.date(year, 1 if half == 1 else 7, 1)


def half_year_end(label: str) -> dt.date:
    """Last day of a half-year: ``"2026S1"`` → 2026-06-30."""
    year, half = parse_half_year(label)
    return _last_day(year, half)


def _last_day(year: int, half: int) -> dt.date:
    """30 June or 31 December."""
    return dt.date(year, 6, 30) if half == 1 else dt.date(year, 12, 31)


def split_by_half_year(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Cut the inclusive span ``first … last`` at each 1 January and 1 July.

    Returns inclusive ``(start, end)`` pieces in order, each inside one half-year; an empty list
    when ``last`` is before ``first``.
    """
    pieces: list[tuple[dt.date, dt.date]] = []
    start = first
    while start <= last:
        end = min(_last_day(start.year, 1 if start.month <= 6 else 2), last)
        pieces.append((start, end))
        start = end + _ONE_DAY
    return pieces
