"""Jours ouvrés: weekends and French public holidays move a step to the next working day."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from relance_xl.workdays import (
    french_holidays,
    is_working_day,
    next_working_day,
    next_working_days,
)

D = dt.date


@pytest.mark.parametrize(
    ("jour", "attendu"),
    [
        (D(2026, 11, 23), D(2026, 11, 23)),
        (D(2026, 11, 11), D(2026, 11, 12)),
        (D(2026, 11, 14), D(2026, 11, 16)),
        (D(2026, 11, 15), D(2026, 11, 16)),
        (D(2026, 12, 25), D(2026, 12, 28)),
        (D(2026, 12, 31), D(2026, 12, 31)),
        (D(2027, 1, 1), D(2027, 1, 4)),
        (D(2026, 4, 6), D(2026, 4, 7)),
        (D(2026, 5, 14), D(2026, 5, 15)),
        (D(2026, 5, 25), D(2026, 5, 26)),
        (D(2029, 7, 14), D(2029, 7, 16)),
        (D(2026, 5, 1), D(2026, 5, 4)),
    ],
    ids=[
        "lundi ordinaire -> le jour même",
        "11 novembre mercredi -> jeudi 12",
        "samedi -> lundi",
        "dimanche -> lundi",
        "Noël vendredi -> lundi 28",
        "31 décembre jeudi -> le jour même",
        "1er janvier vendredi -> lundi 4",
        "lundi de Pâques -> mardi",
        "Ascension jeudi -> vendredi",
        "lundi de Pentecôte -> mardi",
        "samedi 14 juillet 2029 -> lundi 16",
        "1er mai vendredi -> lundi 4",
    ],
)
def test_jour_ouvre_suivant(jour: dt.date, attendu: dt.date) -> None:
    """A step on a weekend or a jour férié moves to the next working day, else stays."""
    assert next_working_day(jour) == attendu


def test_jours_feries_de_2026() -> None:
    """2026 has the eleven national jours fériés of metropolitan France."""
    assert len(french_holidays(2026)) == 11
    assert D(2026, 11, 11) in french_holidays(2026)
    assert D(2026, 12, 26) not in french_holidays(2026)  # Saint-Étienne: Alsace-Moselle only


def test_serie_avec_date_absente() -> None:
    """The vectorised form moves every date of a series and leaves NaT alone."""
    dates = pd.Series(pd.to_datetime(["2026-11-11", None, "2026-12-31", "2027-01-01"])).astype(
        "datetime64[ns]"
    )
    moved = next_working_days(dates)
    assert moved.dtype == dates.dtype
    assert moved.isna().tolist() == [False, True, False, False]
    assert [d.date() for d in moved.dropna()] == [D(2026, 11, 12), D(2026, 12, 31), D(2027, 1, 4)]


@given(st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 12, 1)))
def test_propriete_jour_ouvre(jour: dt.date) -> None:
    """The moved date is a working day, never before the date, with only days off in between."""
    moved = next_working_day(jour)
    assert is_working_day(moved)
    assert jour <= moved <= jour + dt.timedelta(days=4)
    between = (jour + dt.timedelta(days=n) for n in range((moved - jour).days))
    assert not any(is_working_day(day) for day in between)


@given(st.lists(st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 12, 1)), max_size=20))
def test_propriete_serie_comme_scalaire(jours: list[dt.date]) -> None:
    """The vectorised form agrees with the scalar one on every date."""
    series = pd.Series(pd.to_datetime(pd.Series(jours, dtype=object))).astype("datetime64[ns]")
    assert [d.date() for d in next_working_days(series)] == [next_working_day(d) for d in jours]
