"""Semestres and rate tables: the half-year table of legal_fr.md §6, sources, overrides, gaps."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from decimal import Decimal
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relance_xl.dates import (
    half_year,
    half_year_end,
    half_year_start,
    normalize_half_year,
    split_by_half_year,
)
from relance_xl.errors import ConfigError
from relance_xl.rates import (
    AUTRES,
    PARTICULIERS,
    RateTables,
    default_rates,
    parse_rate,
    rate_text,
)

D = Decimal
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31))


def _csv_rows(name: str) -> list[dict[str, str]]:
    text = (resources.files("relance_xl") / "data" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


# --- semestres -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jour", "semestre"),
    [
        (dt.date(2026, 1, 1), "2026S1"),
        (dt.date(2026, 6, 30), "2026S1"),
        (dt.date(2026, 7, 1), "2026S2"),
        (dt.date(2026, 12, 31), "2026S2"),
    ],
    ids=["1er janvier", "30 juin", "1er juillet", "31 décembre"],
)
def test_semestre_d_une_date(jour, semestre):
    """A date belongs to S1 up to 30 June, to S2 from 1 July."""
    assert half_year(jour) == semestre


@pytest.mark.parametrize(
    ("semestre", "debut", "fin"),
    [
        ("2024S1", dt.date(2024, 1, 1), dt.date(2024, 6, 30)),
        ("2024S2", dt.date(2024, 7, 1), dt.date(2024, 12, 31)),
    ],
    ids=["S1 bissextile", "S2"],
)
def test_bornes_d_un_semestre(semestre, debut, fin):
    """A half-year runs from 1 January to 30 June, or from 1 July to 31 December."""
    assert (half_year_start(semestre), half_year_end(semestre)) == (debut, fin)


@pytest.mark.parametrize(
    ("saisie", "attendu"),
    [("2026S2", "2026S2"), ("2026 s2", "2026S2"), (" 2027S1 ", "2027S1")],
    ids=["canonique", "minuscule et espace", "espaces autour"],
)
def test_semestre_saisi_normalise(saisie, attendu):
    """A half-year typed in Paramètres is understood without case or spaces."""
    assert normalize_half_year(saisie) == attendu


@pytest.mark.parametrize("saisie", ["2026S3", "2026", "S2 2026", "26S1"], ids=str)
def test_semestre_invalide_refuse(saisie):
    """Anything but AAAAS1 / AAAAS2 is refused with a French message."""
    with pytest.raises(ValueError, match="semestre invalide"):
        normalize_half_year(saisie)


def test_retard_sur_deux_changements_de_semestre():
    """A span from June to January is cut at 1 July and at 1 January."""
    assert split_by_half_year(dt.date(2023, 6, 16), dt.date(2024, 1, 15)) == [
        (dt.date(2023, 6, 16), dt.date(2023, 6, 30)),
        (dt.date(2023, 7, 1), dt.date(2023, 12, 31)),
        (dt.date(2024, 1, 1), dt.date(2024, 1, 15)),
    ]


@given(dates, dates)
def test_decoupage_couvre_chaque_jour_une_fois(first, last):
    """The pieces are contiguous, each inside one half-year, and count every day once."""
    pieces = split_by_half_year(first, last)
    assert sum((end - start).days + 1 for start, end in pieces) == max(0, (last - first).days + 1)
    for (_, end), (start, _) in itertools.pairwise(pieces):
        assert start == end + dt.timedelta(days=1)
    assert all(half_year(start) == half_year(end) for start, end in pieces)


# --- tables livrées ------------------------------------------------------------------------------

SEMESTRES_BCE = [
    ("2015S1", "0.05"), ("2015S2", "0.05"), ("2016S1", "0.05"), ("2016S2", "0.00"),
    ("2017S1", "0.00"), ("2017S2", "0.00"), ("2018S1", "0.00"), ("2018S2", "0.00"),
    ("2019S1", "0.00"), ("2019S2", "0.00"), ("2020S1", "0.00"), ("2020S2", "0.00"),
    ("2021S1", "0.00"), ("2021S2", "0.00"), ("2022S1", "0.00"), ("2022S2", "0.00"),
    ("2023S1", "2.50"), ("2023S2", "4.00"), ("2024S1", "4.50"), ("2024S2", "4.25"),
    ("2025S1", "3.15"), ("2025S2", "2.15"), ("2026S1", "2.15"), ("2026S2", "2.40"),
]  # fmt: skip


@pytest.mark.parametrize(("semestre", "bce"), SEMESTRES_BCE, ids=[s for s, _ in SEMESTRES_BCE])
def test_tableau_des_semestres_bce_plus_dix(semestre, bce):
    """legal_fr.md §6: ECB rate on 1 January / 1 July, and the default B2B rate ECB + 10."""
    rates = default_rates()
    assert rates.ecb_rate(semestre) == (D(bce), None)
    assert rates.b2b_rate(semestre) == (D(bce) + 10, None)


def test_semestres_publies_concordent_avec_les_decisions_bce():
    """Each published half-year rate equals the rate in force by the ECB decisions before it."""
    rows = _csv_rows("taux_bce.csv")
    decisions = RateTables.from_csv(
        "date,taux,nature,source\n"
        + "".join(f"{r['date']},{r['taux']},,\n" for r in rows if r["nature"] == "changement"),
        "semestre,categorie,taux,source\n",
    )
    published = [r for r in rows if r["nature"] == "semestre"]
    assert len(published) == len(SEMESTRES_BCE)
    for row in published:
        assert decisions.ecb_rate_on(dt.date.fromisoformat(row["date"])) == D(row["taux"])


@pytest.mark.parametrize(
    ("jour", "taux"),
    [
        (dt.date(2014, 9, 9), None),
        (dt.date(2014, 9, 10), D("0.05")),
        (dt.date(2022, 7, 26), D("0.00")),
        (dt.date(2022, 7, 27), D("0.50")),
        (dt.date(2023, 9, 20), D("4.50")),
        (dt.date(2024, 12, 31), D("3.15")),
        (dt.date(2025, 6, 11), D("2.15")),
    ],
    ids=["avant la table", "10/09/2014", "veille d'une hausse", "jour de la hausse",
         "20/09/2023", "fin 2024", "11/06/2025"],
)  # fmt: skip
def test_taux_bce_en_vigueur_a_une_date(jour, taux):
    """The ECB rate in force on a date follows the list of ECB decisions."""
    assert default_rates().ecb_rate_on(jour) == taux


TAUX_LEGAL = [
    ("2015S1", "4.06", "0.93"), ("2015S2", "4.29", "0.99"), ("2016S1", "4.54", "1.01"),
    ("2016S2", "4.35", "0.93"), ("2017S1", "4.16", "0.90"), ("2017S2", "3.94", "0.90"),
    ("2018S1", "3.73", "0.89"), ("2018S2", "3.60", "0.88"), ("2019S1", "3.40", "0.86"),
    ("2019S2", "3.26", "0.87"), ("2020S1", "3.15", "0.87"), ("2020S2", "3.11", "0.84"),
    ("2021S1", "3.14", "0.79"), ("2021S2", "3.12", "0.76"), ("2022S1", "3.13", "0.76"),
    ("2022S2", "3.15", "0.77"), ("2023S1", "4.47", "2.06"), ("2023S2", "6.82", "4.22"),
    ("2024S1", "8.01", "5.07"), ("2024S2", "8.16", "4.92"), ("2025S1", "7.21", "3.71"),
    ("2025S2", "6.65", "2.76"), ("2026S1", "6.67", "2.62"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("semestre", "particuliers", "autres"), TAUX_LEGAL, ids=[s for s, *_ in TAUX_LEGAL]
)
def test_tableau_du_taux_de_l_interet_legal(semestre, particuliers, autres):
    """legal_fr.md §6: taux de l'intérêt légal per half-year, both categories."""
    rates = default_rates()
    assert rates.legal_rate(semestre, PARTICULIERS) == (D(particuliers), None)
    assert rates.legal_rate(semestre, AUTRES) == (D(autres), None)


@pytest.mark.parametrize("fichier", ["taux_bce.csv", "taux_interet_legal.csv"], ids=str)
def test_chaque_ligne_cite_sa_source(fichier):
    """Every shipped rate row names its source."""
    rows = _csv_rows(fichier)
    assert rows
    assert all(row["source"].strip() for row in rows)


# --- semestres manquants -------------------------------------------------------------------------


def test_semestre_bce_manquant_dit_le_taux_emprunte():
    """A half-year after the table uses the latest known ECB rate and says so."""
    assert default_rates().ecb_rate("2027S1") == (
        D("2.40"),
        "taux BCE du 2027S1 inconnu : dernier taux connu (2026S2, 2,40 %) utilisé",
    )


def test_taux_legal_2026s2_non_confirme_traite_comme_manquant():
    """The 2026 S2 legal rate is not confirmed: 2026 S1's is used, with a warning."""
    rate, warning = default_rates().legal_rate("2026S2", AUTRES)
    assert rate == D("2.62")
    assert warning == (
        "taux de l'intérêt légal (autres cas) du 2026S2 inconnu : "
        "dernier taux connu (2026S1, 2,62 %) utilisé"
    )


def test_semestre_anterieur_aux_tables_prend_le_premier_taux():
    """A half-year older than the tables uses the first known rate and says so."""
    assert default_rates().b2b_rate("2014S1") == (
        D("10.05"),
        "taux BCE du 2014S1 inconnu : premier taux connu (2015S1, 0,05 %) utilisé",
    )


# --- surcharges de la table Taux de Paramètres ---------------------------------------------------


def test_surcharge_comble_un_semestre_manquant():
    """A Taux row of Paramètres fills a missing half-year: no warning any more."""
    rates = default_rates().with_overrides({("legal_autres", "2026S2"): D("2.70")})
    assert rates.legal_rate("2026S2", AUTRES) == (D("2.70"), None)


def test_surcharge_remplace_le_taux_livre():
    """A Taux row of Paramètres wins over the shipped table."""
    rates = default_rates().with_overrides({("BCE", "2024 s1"): D("4.00")})
    assert rates.b2b_rate("2024S1") == (D("14.00"), None)
    assert default_rates().b2b_rate("2024S1") == (D("14.50"), None)


def test_surcharge_sert_de_dernier_taux_connu():
    """An override beyond the table becomes the latest known rate for later half-years."""
    rates = default_rates().with_overrides({("bce", "2027S1"): D("2.65")})
    assert rates.ecb_rate("2027S2") == (
        D("2.65"),
        "taux BCE du 2027S2 inconnu : dernier taux connu (2027S1, 2,65 %) utilisé",
    )


@pytest.mark.parametrize(
    ("surcharge", "message"),
    [
        ({("euribor", "2026S2"): D("2")}, "série « euribor » inconnue"),
        ({("bce", "2026T3"): D("2")}, "semestre invalide « 2026T3 »"),
        ({("bce", "2026S2"): D("-1")}, "taux négatif"),
    ],
    ids=["série inconnue", "semestre invalide", "taux négatif"],
)
def test_surcharge_invalide_refusee(surcharge, message):
    """A bad Taux row is a ConfigError with a French message."""
    with pytest.raises(ConfigError, match=message):
        default_rates().with_overrides(surcharge)


# --- saisie et affichage -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("saisie", "attendu"),
    [("15", D("15")), ("12,15", D("12.15")), ("12.15 %", D("12.15")), ("0,05", D("0.05"))],
    ids=["entier", "virgule", "point et signe %", "petit taux BCE"],
)
def test_taux_saisi_en_pourcentage(saisie, attendu):
    """A rate is read in percent, comma or dot, with or without %."""
    assert parse_rate(saisie) == attendu


@pytest.mark.parametrize("saisie", ["abc", "-1", "NaN", ""], ids=str)
def test_taux_illisible_refuse(saisie):
    """A rate that is not a non-negative number is refused in French."""
    with pytest.raises(ValueError, match="taux invalide"):
        parse_rate(saisie)


@pytest.mark.parametrize(
    ("taux", "texte"),
    [(D("2.4"), "2,40 %"), (D("12.125"), "12,125 %"), (D("15"), "15,00 %")],
    ids=["deux décimales", "trois décimales gardées", "entier"],
)
def test_taux_affiche_en_francais(taux, texte):
    """Rates are shown French style, no significant decimal lost."""
    assert rate_text(taux) == texte
