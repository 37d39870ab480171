"""Money: exact amounts, and the points where they are rounded.

At every boundary (API, JSON, letters, sheets) an amount is a ``Decimal`` with two decimals. Inside
the vectorised core, amounts are integer cents (``int64`` columns): integer arithmetic is exact, so
sums and penalties over a million invoices stay exact without paying for Decimal objects. Never a
float sum.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

CENT = Decimal("0.01")


def quantize(amount: Decimal) -> Decimal:
    """Round to the cent, half up (the rounding of French invoices and penalties)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(amount: Decimal) -> int:
    """Decimal euros → integer cents (rounded half up)."""
    return int(quantize(amount) * 100)


def from_cents(cents: int | np.integer) -> Decimal:
    """Integer cents → Decimal euros with two decimals."""
    return (Decimal(int(cents)) / 100).quantize(CENT)


def div_half_up(numerator: int, denominator: int) -> int:
    """Integer division rounded half up (away from zero on ties), exact for Python ints."""
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    sign = -1 if numerator < 0 else 1
    return sign * ((2 * abs(numerator) + denominator) // (2 * denominator))


def div_half_up_series(numerator: pd.Series, denominator: int) -> pd.Series:
    """Vectorised :func:`div_half_up` for an int64 series and a positive integer denominator."""
    sign = np.sign(numerator)
    return sign * ((2 * numerator.abs() + denominator) // (2 * denominator))


def as_text(amount: Decimal) -> str:
    """Two-decimal string with a dot, for JSON: ``"1234.50"``."""
    return f"{quantize(amount):.2f}"
