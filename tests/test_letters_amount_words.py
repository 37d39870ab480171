"""Montant en toutes lettres (fr.amount_in_words): French spelling rules, and read back."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relance_xl.fr import amount_in_words


@pytest.mark.parametrize(
    ("montant", "attendu"),
    [
        ("1234.56", "mille deux cent trente-quatre euros et cinquante-six centimes"),
        ("0", "zéro euro"),
        ("1", "un euro"),
        ("0.01", "un centime"),
        ("0.50", "cinquante centimes"),
        ("17", "dix-sept euros"),
        ("21", "vingt et un euros"),
        ("71", "soixante et onze euros"),
        ("77", "soixante-dix-sept euros"),
        ("80", "quatre-vingts euros"),
        ("81", "quatre-vingt-un euros"),
        ("91", "quatre-vingt-onze euros"),
        ("100", "cent euros"),
        ("101", "cent un euros"),
        ("200", "deux cents euros"),
        ("280", "deux cent quatre-vingts euros"),
        ("1000", "mille euros"),
        ("2000", "deux mille euros"),
        ("80000", "quatre-vingt mille euros"),
        ("200000", "deux cent mille euros"),
        ("21021", "vingt et un mille vingt et un euros"),
        ("1000000", "un million d'euros"),
        ("2000000", "deux millions d'euros"),
        ("2000100", "deux millions cent euros"),
        ("200000000", "deux cents millions d'euros"),
        ("3200000000", "trois milliards deux cents millions d'euros"),
        ("40.005", "quarante euros et un centime"),
        ("-12.50", "moins douze euros et cinquante centimes"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 14 else None,
)
def test_montant_en_lettres(montant, attendu):
    """Each French rule: « et un », « quatre-vingts », « cents », « mille » invariable, millions."""
    assert amount_in_words(Decimal(montant)) == attendu


_VALUES = {
    "zéro": 0, "un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
    "quinze": 15, "seize": 16, "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50,
    "soixante": 60, "quatrevingt": 80, "quatrevingts": 80,
}  # fmt: skip
_SCALES = {"million": 10**6, "millions": 10**6, "milliard": 10**9, "milliards": 10**9}


def _read_number(words: str) -> int:
    """Words → integer: a test oracle written independently of the spelling code."""
    total, thousands, current = 0, 0, 0
    for word in words.replace("quatre-vingt", "quatrevingt").replace("-", " ").split():
        if word == "et":
            continue
        if word in ("cent", "cents"):
            current = (current or 1) * 100
        elif word == "mille":
            thousands, current = (current or 1) * 1000, 0
        elif word in _SCALES:
            total += ((thousands + current) or 1) * _SCALES[word]
            thousands, current = 0, 0
        else:
            current += _VALUES[word]
    return total + thousands + current


def _read_amount(text: str) -> Decimal:
    found = re.fullmatch(
        r"(?:(?P<euros>.+?) (?:d')?euros?)?(?: et )?(?:(?P<cents>.+) centimes?)?",
        text.removeprefix("moins "),
    )
    euros, cents = found["euros"] or "zéro", found["cents"] or "zéro"
    return Decimal(_read_number(euros)) + Decimal(_read_number(cents)) / 100


@given(st.integers(min_value=0, max_value=999_999_999_999_99))
def test_les_lettres_se_relisent_en_chiffres(cents):
    """Read back, the words give the amount, for any amount up to a thousand milliards."""
    amount = Decimal(cents) / 100
    assert _read_amount(amount_in_words(amount)) == amount


@given(st.integers(min_value=1, max_value=999_999_999_99))
def test_orthographe_sans_trait_d_union_ni_espace_en_trop(cents):
    """No double space, no hyphen next to a space, « et » never hyphenated."""
    words = amount_in_words(Decimal(cents) / 100)
    assert "  " not in words
    assert " -" not in words and "- " not in words
    assert "-et-" not in words
