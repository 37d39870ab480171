"""Jours ouvrés: French public holidays and the move of a step to the next working day.

A dunning step whose date falls on a Saturday, a Sunday or a *jour férié* (Code du travail L3133-1:
1er janvier, lundi de Pâques, 1er mai, 8 mai, Ascension, lundi de Pentecôte, 14 juillet,
15 août, Toussaint, 11 novembre, 25 décembre) moves to the next working day (domain.md §5, rule 2).
Metropolitan national holidays only (no Alsace-Moselle or overseas extra days). Pure: the holidays
come from the ``holidays`` package, computed once per year.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays
import numpy as np
import pandas as pd

WEEKMASK = "1111100"
"""Monday to Friday are working days (numpy busday convention)."""


@cache
def french_holidays(year: int) -> frozenset[dt.date]:
    """*Jours fériés* of metropolitan France for one year (cached)."""
    return frozenset(holidays.France(years=year))


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not a French public holiday."""
    return day.weekday() < 5 and day not in french_holidays(day.year)


def next_working_day(day: dt.date) -> dt.date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _holiday_array(first_year: int, last_year: int) -> np.ndarray:
    days = sorted(d for year in range(first_year, last_year + 1) for d in french_holidays(year))
    return np.array(days, dtype="datetime64[D]")


def next_working_days_array(days: np.ndarray) -> np.ndarray:
    """Vectorised :func:`next_working_day` for a ``datetime64[D]`` array (NaT stays NaT)."""
    days = np.asarray(days, dtype="datetime64[D]")
    present = ~np.isnat(days)
    if not present.any():
        return days.copy()
    known = days[present]
    first = int(known.min().astype("datetime64[Y]").astype(np.int64)) + 1970
    last = int(known.max().astype("datetime64[Y]").astype(np.int64)) + 1970 + 1  # may cross 1 Jan
    result = days.copy()
    result[present] = np.busday_offset(
        known, 0, roll="forward", weekmask=WEEKMASK, holidays=_holiday_array(first, last)
    )
    return result


def next_working_days(dates: pd.Series) -> pd.Series:
    """Vectorised :func:`next_working_day` for a ``datetime64`` series (NaT stays NaT)."""
    moved = next_working_days_array(dates.to_numpy(dtype="datetime64[D]"))
    return pd.Series(moved, index=dates.index, name=dates.name).astype(dates.dtype)
