"""Cell parsers: amounts, dates, oui/non, Payé, texts, levels and rates — a value or a problem."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relance_xl import fr
from relance_xl.model import ClientType
from relance_xl.values import (
    CONTROL_WARNING,
    Parsed,
    ValueProblem,
    is_blank,
    is_month_first_text,
    parse_amount,
    parse_choice,
    parse_date,
    parse_flag,
    parse_level,
    parse_paid,
    parse_rate,
    parse_text,
    serial_to_date,
)

D = Decimal

# --- montants ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cellule", "attendu"),
    [
        ("1 234,56 €", D("1234.56")),
        ("1.234,56", D("1234.56")),
        ("1,234.56", D("1234.56")),
        ("'55.94", D("55.94")),
        ("-12,5", D("-12.50")),
        ("(12,50)", D("-12.50")),
        ("12,50-", D("-12.50")),
        ("1\u00a0234,50", D("1234.50")),
        ("1\u202f234,50 €", D("1234.50")),
        ("1 234 567,89", D("1234567.89")),
        ("1.234.567", D("1234567.00")),
        ("12 EUR", D("12.00")),
        ("EUR 12,3", D("12.30")),
        ("-€12,50", D("-12.50")),
        ("€ -12.50", D("-12.50")),
        ("12,50 euros", D("12.50")),
        ("+8", D("8.00")),
        ("−8,5", D("-8.50")),
        (".5", D("0.50")),
        ("1'234.50", D("1234.50")),
        (55.94, D("55.94")),
        (0.1 + 0.2, D("0.30")),
        (1234, D("1234.00")),
        (-100, D("-100.00")),
        (D("19.90"), D("19.90")),
        (12.500, D("12.50")),
    ],
    ids=[
        "espaces et euro", "point des milliers", "virgule des milliers (US)", "apostrophe Excel",
        "moins et virgule", "parenthèses comptables", "moins final", "espace insécable",
        "espace fine insécable", "millions", "points des milliers seuls", "EUR après",
        "EUR avant", "moins puis euro", "euro puis moins", "euros en toutes lettres", "plus",
        "signe moins unicode", "sans zéro", "apostrophe des milliers (suisse)",
        "réel 55.94 reste 55.94", "réel 0.1+0.2", "entier", "avoir entier", "décimal",
        "zéros inutiles",
    ],
)  # fmt: skip
def test_montant_lu(cellule, attendu):
    """An amount written in any usual way becomes the exact Decimal, without warning."""
    assert parse_amount(cellule) == Parsed(attendu)


@pytest.mark.parametrize(
    ("cellule", "attendu"),
    [("12.345", D("12.35")), ("1,234", D("1.23")), (2.675, D("2.68")), (D("-0.125"), D("-0.13"))],
    ids=["trois décimales", "virgule seule = décimale", "réel 2.675", "demi-centime négatif"],
)
def test_montant_arrondi_avec_avertissement(cellule, attendu):
    """More than two decimals that matter: rounded half up, and the user is told."""
    parsed = parse_amount(cellule)
    assert parsed.value == attendu
    assert "arrondi au centime" in parsed.warning
    assert fr.number(attendu) in parsed.warning


@pytest.mark.parametrize(
    "cellule", [None, "", "   ", float("nan")], ids=["rien", "texte vide", "espaces", "NaN"]
)
def test_montant_vide(cellule):
    """A blank cell is no amount, and no problem."""
    assert parse_amount(cellule) == Parsed(None)


@pytest.mark.parametrize(
    "cellule",
    ["abc", "12 34", "12.", "1.5,3", "(-12)", "€", "1e5", "12 $", True, float("inf"), 1e20,
     dt.date(2026, 1, 1), D("NaN")],
    ids=["mot", "groupe de deux", "point final", "séparateurs mêlés", "deux signes moins",
         "euro seul", "notation scientifique", "dollar", "booléen", "infini", "hors limites",
         "une date", "décimal NaN"],
)  # fmt: skip
def test_montant_illisible(cellule):
    """What is not an amount is a problem with a French message, never a guess."""
    with pytest.raises(ValueProblem) as problem:
        parse_amount(cellule)
    assert "nombre" in problem.value.message or "montant" in problem.value.message


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2))
def test_montant_relu_au_format_francais(montant):
    """Any amount written the French way (``1 234,56``) reads back exactly."""
    assert parse_amount(fr.number(montant)).value == montant


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2))
def test_montant_relu_au_format_americain(montant):
    """Any amount written the US way (``1,234.56``) reads back exactly."""
    assert parse_amount(f"{montant:,.2f}").value == montant


@given(st.decimals(min_value=-(10**7), max_value=10**7, places=2))
def test_montant_reel_exact(montant):
    """A float as Excel stores it (closest binary value) gives back the typed amount."""
    assert parse_amount(float(montant)).value == montant


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cellule", "attendu"),
    [
        ("15/03/2026", dt.date(2026, 3, 15)),
        ("15-03-2026", dt.date(2026, 3, 15)),
        ("15.03.2026", dt.date(2026, 3, 15)),
        ("15/03/26", dt.date(2026, 3, 15)),
        ("5/3/2026", dt.date(2026, 3, 5)),
        ("2026-03-15", dt.date(2026, 3, 15)),
        ("2026-03-15 00:00:00", dt.date(2026, 3, 15)),
        ("2026-03-15T10:30:00", dt.date(2026, 3, 15)),
        ("20260315", dt.date(2026, 3, 15)),
        ("15 mars 2026", dt.date(2026, 3, 15)),
        ("1er février 2026", dt.date(2026, 2, 1)),
        ("15 sept. 2026", dt.date(2026, 9, 15)),
        ("  15/03/2026 ", dt.date(2026, 3, 15)),
        (dt.date(2026, 3, 15), dt.date(2026, 3, 15)),
        (dt.datetime(2026, 3, 15, 18, 45), dt.date(2026, 3, 15)),
        (46096, dt.date(2026, 3, 15)),
        (46096.75, dt.date(2026, 3, 15)),
        (D("46096"), dt.date(2026, 3, 15)),
    ],
    ids=[
        "barres", "tirets", "points", "année sur deux chiffres", "sans zéros", "ISO",
        "ISO avec heure", "ISO avec T", "AAAAMMJJ", "en lettres", "1er en lettres",
        "mois abrégé", "espaces autour", "date", "date et heure", "numéro de série Excel",
        "numéro de série avec heure", "numéro de série décimal",
    ],
)  # fmt: skip
def test_date_lue(cellule, attendu):
    """Dates as French users type them, or as Excel stores them, in day-first order."""
    assert parse_date(cellule) == Parsed(attendu)


@pytest.mark.parametrize(
    ("cellule", "attendu"),
    [("3/15/2026", dt.date(2026, 3, 15)), ("1/2/2013", dt.date(2013, 1, 2)),
     ("2026-03-15", dt.date(2026, 3, 15)), ("12/31/26", dt.date(2026, 12, 31))],
    ids=["mois en premier", "ambiguë lue mois d'abord", "ISO toujours", "année sur deux chiffres"],
)  # fmt: skip
def test_date_americaine(cellule, attendu):
    """With the MM/JJ/AAAA format, text dates are read month first; ISO stays ISO."""
    assert parse_date(cellule, month_first=True).value == attendu


@pytest.mark.parametrize(
    ("numero", "attendu"),
    [(1, dt.date(1900, 1, 1)), (59, dt.date(1900, 2, 28)), (61, dt.date(1900, 3, 1)),
     (46096, dt.date(2026, 3, 15))],
    ids=["1 = 01/01/1900", "59 = 28/02/1900", "61 = 01/03/1900 (29/02/1900 fictif sauté)",
         "46096 = 15/03/2026"],
)  # fmt: skip
def test_numero_de_serie_1900(numero, attendu):
    """The 1900 system keeps Lotus' fictitious 29 February 1900 (serial 60)."""
    assert serial_to_date(numero) == attendu


def test_numero_de_serie_1904():
    """A 1904 workbook (old Mac) counts 4 years and a day less for the same serial."""
    assert serial_to_date(0, date1904=True) == dt.date(1904, 1, 1)
    assert parse_date(44634, date1904=True).value == dt.date(2026, 3, 15)


@pytest.mark.parametrize(
    ("cellule", "extrait"),
    [
        ("31/02/2026", "date impossible"),
        ("3/15/2026", "MM/JJ/AAAA"),
        ("2026-13-01", "date impossible"),
        ("15 foo 2026", "mois inconnu"),
        ("demain", "n'est pas une date"),
        (60, "29/02/1900"),
        (0, "n'est pas une date"),
        (-5, "n'est pas une date"),
        (12, "invraisemblable"),
        (dt.date(1900, 1, 1), "invraisemblable"),
        ("15/03/45", "invraisemblable"),
        (True, "n'est pas une date"),
        (float("inf"), "n'est pas une date"),
        (1e12, "n'est pas une date"),
    ],
    ids=[
        "31 février", "américaine en JJ/MM", "mois 13", "mois inconnu", "mot",
        "29/02/1900 fictif", "zéro", "négatif", "petit nombre", "année 1900", "1945",
        "booléen", "infini", "trop grand",
    ],
)  # fmt: skip
def test_date_illisible(cellule, extrait):
    """An impossible or implausible date is a problem whose message says why."""
    with pytest.raises(ValueProblem) as problem:
        parse_date(cellule)
    assert extrait in problem.value.message


def test_date_jour_en_premier_signalee_en_format_americain():
    """``15/03/2026`` read month first is impossible: the message suggests JJ/MM/AAAA."""
    with pytest.raises(ValueProblem, match="JJ/MM/AAAA"):
        parse_date("15/03/2026", month_first=True)


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2199, 12, 31)))
def test_date_relue_sous_toutes_ses_formes(jour):
    """Any plausible date reads back from French text, US text, ISO text and its serial."""
    serial = (jour - dt.date(1899, 12, 30)).days
    assert parse_date(jour.strftime("%d/%m/%Y")).value == jour
    assert parse_date(f"{jour.month}/{jour.day}/{jour.year}", month_first=True).value == jour
    assert parse_date(jour.isoformat(), month_first=True).value == jour
    assert parse_date(serial).value == jour
    assert parse_date(serial - 1462, date1904=True).value == jour


@pytest.mark.parametrize(
    ("cellule", "attendu"),
    [("1/26/2013", True), ("12/13/2013", True), ("26/1/2013", False), ("1/2/2013", False),
     (dt.date(2013, 1, 26), False)],
    ids=["jour 26 en second", "jour 13 en second", "jour en premier", "ambiguë", "vraie date"],
)  # fmt: skip
def test_texte_de_date_americaine_reconnu(cellule, attendu):
    """Only a text date impossible day first but valid month first is the mark of a US file."""
    assert is_month_first_text(cellule) is attendu


# --- oui / non, payé -----------------------------------------------------------------------------

OUI = ["Oui", "OUI", "o", "X", "x", "✓", "✔", "Vrai", "TRUE", "1", "1.0", "yes", "payé", "Payée",
       "réglé", "soldé", "Soldée", True, 1, 1.0]  # fmt: skip
NON = ["Non", "n", "Faux", "False", "0", "no", "non payé", "impayé", "Impayée", "non réglé", "-",
       False, 0, 0.0, None, "", "  "]  # fmt: skip


@pytest.mark.parametrize("cellule", OUI, ids=[f"oui {c!r}" for c in OUI])
def test_oui(cellule):
    """Every usual way to say yes (or to tick a box) is True."""
    assert parse_flag(cellule) == Parsed(True)


@pytest.mark.parametrize("cellule", NON, ids=[f"non {c!r}" for c in NON])
def test_non(cellule):
    """Every usual way to say no, and a blank cell, is False."""
    assert parse_flag(cellule) == Parsed(False)


@pytest.mark.parametrize(
    "cellule", ["peut-être", "✗", 2, "oui non"], ids=["mot inconnu", "croix", "2", "deux mots"]
)
def test_oui_non_illisible(cellule):
    """Anything else is a problem: a yes/no is never guessed."""
    with pytest.raises(ValueProblem, match="ni oui ni non"):
        parse_flag(cellule)


@pytest.mark.parametrize(
    ("cellule", "attendu"),
    [
        ("oui", (True, None)),
        ("non payé", (False, None)),
        (None, (False, None)),
        (dt.date(2026, 3, 1), (True, dt.date(2026, 3, 1))),
        ("01/03/2026", (True, dt.date(2026, 3, 1))),
        (46082, (True, dt.date(2026, 3, 1))),
        (1, (True, None)),
    ],
    ids=["oui", "non payé", "vide", "date", "date en texte", "numéro de série", "1"],
)
def test_paye_mot_ou_date(cellule, attendu):
    """*Payé* holds a yes/no word or the date of the payment."""
    assert parse_paid(cellule).value == attendu


def test_paye_illisible():
    """A *Payé* that is neither yes/no nor a date is a problem."""
    with pytest.raises(ValueProblem, match="ni oui/non ni une date"):
        parse_paid("bientôt")


# --- textes --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cellule", "attendu"),
    [
        ("  Dupont SA  ", "Dupont SA"),
        (20261001.0, "20261001"),
        (9983237240.0, "9983237240"),
        (611365, "611365"),
        (12.5, "12.5"),
        (D("42.0"), "42"),
        (dt.date(2026, 1, 2), "02/01/2026"),
        (True, "VRAI"),
        ("Ligne 1\nLigne 2", "Ligne 1 Ligne 2"),
        ("a\tb", "a b"),
        (None, ""),
        (float("nan"), ""),
    ],
    ids=[
        "espaces autour", "numéro de facture réel", "grand numéro", "entier", "décimal",
        "Decimal entier", "date", "booléen", "retour à la ligne", "tabulation", "vide", "NaN",
    ],
)  # fmt: skip
def test_texte(cellule, attendu):
    """Text is stripped; a number that is an id loses its ``.0``."""
    assert parse_text(cellule) == Parsed(attendu)


@pytest.mark.parametrize(
    "cellule",
    ["Dupont\x00 SA", "Dupont\u200b SA", "\ufeffDupont SA", "Dupont\x07 SA",
     "Dupont\u202e SA", "Dupont\u2067 SA"],
    ids=["NUL", "espace de largeur nulle", "BOM", "sonnerie", "inversion droite-gauche",
         "isolat droite-gauche"],
)  # fmt: skip
def test_caracteres_de_controle_supprimes_avec_avertissement(cellule):
    """Invisible control characters are removed, and the user is told."""
    assert parse_text(cellule) == Parsed("Dupont SA", CONTROL_WARNING)


@pytest.mark.parametrize(
    "cellule",
    [
        "Famille \U0001f468\u200d\U0001f469\u200d\U0001f467",
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
    ],
    ids=["emoji famille (ZWJ)", "persan (ZWNJ)"],
)
def test_les_liants_de_largeur_nulle_sont_gardes(cellule):
    """Zero-width joiners are part of emoji and Persian words: kept, no warning."""
    assert parse_text(cellule) == Parsed(cellule)


def test_texte_multiligne_garde_les_retours():
    """Addresses and comments keep their line breaks when asked."""
    assert parse_text(" 12 rue Haute \r\n 75001 Paris ", multiline=True).value == (
        "12 rue Haute\n75001 Paris"
    )


# --- niveaux, taux, vocabulaires ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cellule", "attendu"),
    [(1, "1"), (1.0, "1"), ("1.0", "1"), ("2", "2"), ("P1", "P1"), ("p2", "P2"),
     ("niveau 2", "2"), ("Niveau 3", "3"), ("N4", "4"), (None, None)],
    ids=["entier", "réel", "texte 1.0", "texte", "P1", "p2 minuscule", "niveau 2", "Niveau 3",
         "N4", "vide"],
)  # fmt: skip
def test_niveau(cellule, attendu):
    """A level is ``P1``, ``P2`` or a number, however it was typed."""
    assert parse_level(cellule).value == attendu


@pytest.mark.parametrize("cellule", ["0", "x", "P", 1.5], ids=["zéro", "mot", "P seul", "1,5"])
def test_niveau_illisible(cellule):
    """A level that is not P1, P2 or a positive number is a problem."""
    with pytest.raises(ValueProblem, match="niveau de relance"):
        parse_level(cellule)


@pytest.mark.parametrize(
    ("cellule", "attendu"),
    [("15", D("15")), ("15 %", D("15")), ("0,15", D("15")), (0.15, D("15")), (15, D("15")),
     ("12,5%", D("12.5")), ("0,5 %", D("0.5")), (0.105, D("10.5")), (None, None)],
    ids=["15", "15 %", "0,15 (fraction)", "0.15 (cellule en %)", "entier", "12,5%",
         "0,5 % écrit avec %", "0.105", "vide"],
)  # fmt: skip
def test_taux_en_pourcentage(cellule, attendu):
    """A rate is a percent per year: below 1 without a % sign, it is a fraction."""
    assert parse_rate(cellule).value == attendu


@pytest.mark.parametrize("cellule", ["abc", "150", "-3"], ids=["mot", "plus de 100 %", "négatif"])
def test_taux_illisible(cellule):
    """A rate that is not a number between 0 and 100 % is a problem."""
    with pytest.raises(ValueProblem, match="taux"):
        parse_rate(cellule)


def test_choix_dans_un_vocabulaire():
    """A vocabulary word is compared without case or accents; an unknown word is a problem."""
    types = {"particulier": ClientType.PARTICULIER, "administration": ClientType.ADMINISTRATION}
    assert parse_choice("  PARTICULIER ", types, "un type").value is ClientType.PARTICULIER
    assert parse_choice(None, types, "un type").value is None
    with pytest.raises(ValueProblem, match="n'est pas un type connu"):
        parse_choice("grossiste", types, "un type")


@pytest.mark.parametrize(
    ("cellule", "attendu"),
    [(None, True), ("", True), (" \u00a0", True), (float("nan"), True), (0, False), ("0", False)],
    ids=["None", "vide", "espaces", "NaN", "zéro", "texte zéro"],
)
def test_cellule_vide(cellule, attendu):
    """Blank means nothing typed; zero is a value."""
    assert is_blank(cellule) is attendu


@pytest.mark.parametrize("erreur", ["#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#name? "])
@pytest.mark.parametrize(
    "parse",
    [parse_amount, parse_date, parse_flag, parse_paid, parse_text, parse_level, parse_rate],
    ids=["montant", "date", "oui/non", "payé", "texte", "niveau", "taux"],
)
def test_erreur_de_formule_jamais_une_valeur(parse, erreur):
    """An Excel error is a problem in every column, never blank, never a name or « non »."""
    with pytest.raises(ValueProblem, match="erreur de formule"):
        parse(erreur)


# --- propriété : jamais d'autre exception ---------------------------------------------------------

CELLS = st.one_of(
    st.none(),
    st.text(),
    st.text(alphabet="0123456789 .,'-+()€EURO%/\u00a0\u202fPpNiveau"),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.booleans(),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
)
PARSERS = [
    parse_amount,
    parse_date,
    lambda cell: parse_date(cell, month_first=True),
    lambda cell: parse_date(cell, date1904=True),
    parse_flag,
    parse_paid,
    parse_text,
    lambda cell: parse_text(cell, multiline=True),
    parse_level,
    parse_rate,
    lambda cell: parse_choice(cell, {"oui": True}, "un mot"),
]


@pytest.mark.parametrize("parse", PARSERS, ids=[
    "montant", "date", "date américaine", "date 1904", "oui/non", "payé", "texte",
    "texte multiligne", "niveau", "taux", "vocabulaire",
])  # fmt: skip
@given(cell=CELLS)
def test_toute_cellule_donne_une_valeur_ou_un_probleme(parse, cell):
    """Whatever the cell holds, a parser returns a Parsed or raises ValueProblem, nothing else."""
    try:
        parsed = parse(cell)
    except ValueProblem as problem:
        assert problem.message
    else:
        assert isinstance(parsed, Parsed)
        assert isinstance(parsed.warning, str)
