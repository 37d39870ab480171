"""Rate tables for the penalties: ECB rate and taux de l'intérêt légal, per half-year, with sources.

The tables ship with the package as data (``data/taux_bce.csv``, ``data/taux_interet_legal.csv``;
every row names its source) and the *Taux* table of Paramètres overrides any half-year
(``Settings.rates[(série, "2026S2")]``). A half-year that neither knows is not an error: the nearest
known rate is used (the latest before it, or the first one for a half-year older than the tables)
and the lookup returns a French warning saying so. Rates are in percent per year (``Decimal``).
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import functools
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import NamedTuple

from relance_xl import fr
from relance_xl.dates import (
    half_year,
    half_year_end,
    half_year_start,
    normalize_half_year,
)
from relance_xl.errors import ConfigError
from relance_xl.text import normalize

ECB = "bce"
LEGAL_CONSUMERS = "legal_particuliers"
LEGAL_OTHERS = "legal_autres"
SERIES = (ECB, LEGAL_CONSUMERS, LEGAL_OTHERS)
"""Names of the series in the *Taux* table of Paramètres (column Série)."""

PARTICULIERS = "particuliers"
AUTRES = "autres"
LEGAL_CATEGORIES = {PARTICULIERS: LEGAL_CONSUMERS, AUTRES: LEGAL_OTHERS}
"""Catégories du taux de l'intérêt légal (C. mon. fin. L313-2): *particuliers* when the creditor
is a private person not acting for business, *autres cas* otherwise (always the case here)."""

_LABELS = {
    ECB: "taux BCE",
    LEGAL_CONSUMERS: "taux de l'intérêt légal (particuliers)",
    LEGAL_OTHERS: "taux de l'intérêt légal (autres cas)",
}

B2B_MARGIN = Decimal("10")
"""Pénalités de retard entre professionnels: taux BCE + 10 points (art. L441-10 II C. com.)."""

PUBLIC_BUYER_MARGIN = Decimal("8")
"""Intérêts moratoires d'un acheteur public: taux BCE + 8 points (art. R2192-31 CCP)."""


class RateLookup(NamedTuple):
    """A rate for a half-year, and the French warning when it had to be borrowed from another."""

    rate: Decimal
    warning: str | None = None


def rate_decimals(rate: Decimal) -> int:
    """Decimals to show a rate: two at least, every significant one kept (12.125 → 3)."""
    return max(2, -int(rate.normalize().as_tuple().exponent))


@functools.lru_cache(maxsize=4096)
def rate_text(rate: Decimal) -> str:
    """``2,40 %``, ``12,125 %``: a rate for French text."""
    return f"{fr.number(rate, decimals=rate_decimals(rate))} %"


@dataclass(frozen=True)
class RateTables:
    """The rate tables in force for a computation.

    Attributes:
        ecb_changes: ``(date, rate)`` observations of the ECB main refinancing rate, sorted: each
            decision's effective date, and the rate published for each half-year's first day.
        series: series name (see :data:`SERIES`) → half-year → rate, the half-year tables after
            overrides.
    """

    ecb_changes: tuple[tuple[dt.date, Decimal], ...]
    series: Mapping[str, Mapping[str, Decimal]]
    _memo: dict[tuple[str, str], RateLookup] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def from_csv(cls, ecb_csv: str, legal_csv: str) -> RateTables:
        """Tables from the text of the two CSV files (columns: see the files in ``data/``)."""
        changes = sorted(
            (dt.date.fromisoformat(row["date"]), Decimal(row["taux"]))
            for row in csv.DictReader(io.StringIO(ecb_csv))
        )
        legal: dict[str, dict[str, Decimal]] = {name: {} for name in LEGAL_CATEGORIES.values()}
        for row in csv.DictReader(io.StringIO(legal_csv)):
            legal[LEGAL_CATEGORIES[row["categorie"]]][row["semestre"]] = Decimal(row["taux"])
        ecb = _ecb_half_years(tuple(changes))
        return cls(tuple(changes), {ECB: ecb, **legal})

    def with_overrides(self, overrides: Mapping[tuple[str, str], Decimal]) -> RateTables:
        """The same tables with the *Taux* table of Paramètres applied (``(série, semestre) → %``).

        Raises ConfigError (French) for an unknown series, a malformed half-year or a negative rate.
        """
        series = {name: dict(table) for name, table in self.series.items()}
        for (name, label), rate in overrides.items():
            key = normalize(name).replace(" ", "_")
            if key not in series:
                raise ConfigError(
                    f"Taux : série « {name} » inconnue (attendu {', '.join(SERIES[:-1])} "
                    f"ou {SERIES[-1]})."
                )
            try:
                half = normalize_half_year(label)
            except ValueError as error:
                raise ConfigError(f"Taux : {error}.") from None
            if rate < 0:
                raise ConfigError(f"Taux : taux négatif pour {key} {half} ({rate_text(rate)}).")
            series[key][half] = rate
        return RateTables(self.ecb_changes, series)

    def ecb_rate_on(self, day: dt.date) -> Decimal | None:
        """ECB main refinancing rate in force on a date (from the list of changes; overrides, being
        per half-year, do not apply); None before the first known change."""
        return _rate_in_force(self.ecb_changes, day)

    def ecb_rate(self, half: str) -> RateLookup:
        """ECB rate in force on the first day of a half-year (1 January or 1 July)."""
        return self._lookup(ECB, half)

    def b2b_rate(self, half: str) -> RateLookup:
        """Taux des pénalités de retard par défaut entre professionnels pour un semestre:
        taux BCE au 1er janvier / 1er juillet + 10 points (art. L441-10 II C. com.)."""
        ecb = self.ecb_rate(half)
        return RateLookup(ecb.rate + B2B_MARGIN, ecb.warning)

    def public_buyer_rate(self, half: str) -> RateLookup:
        """Taux des intérêts moratoires de la commande publique: taux BCE en vigueur au premier jour
        du semestre où les intérêts ont commencé à courir + 8 points (art. R2192-31 CCP)."""
        ecb = self.ecb_rate(half)
        return RateLookup(ecb.rate + PUBLIC_BUYER_MARGIN, ecb.warning)

    def legal_rate(self, half: str, category: str = AUTRES) -> RateLookup:
        """Taux de l'intérêt légal of a half-year, ``particuliers`` or ``autres`` (autres cas)."""
        return self._lookup(LEGAL_CATEGORIES[category], half)

    def _lookup(self, name: str, half: str) -> RateLookup:
        """The rate of a series for a half-year, or the nearest known one with a warning
        (memoised: the bulk path asks the same half-years many times)."""
        if (name, half) not in self._memo:
            self._memo[(name, half)] = self._find(name, half)
        return self._memo[(name, half)]

    def _find(self, name: str, half: str) -> RateLookup:
        table = self.series[name]
        half = normalize_half_year(half)
        if half in table:
            return RateLookup(table[half])
        known = sorted(table, key=half_year_start)
        earlier = [label for label in known if half_year_start(label) < half_year_start(half)]
        used, which = (earlier[-1], "dernier") if earlier else (known[0], "premier")
        rate = table[used]
        warning = (
            f"{_LABELS[name]} du {half} inconnu : {which} taux connu "
            f"({used}, {rate_text(rate)}) utilisé"
        )
        return RateLookup(rate, warning)


def _ecb_half_years(changes: tuple[tuple[dt.date, Decimal], ...]) -> dict[str, Decimal]:
    """Half-year → ECB rate on its first day, for every half-year the observations cover."""
    first, last = changes[0][0], changes[-1][0]
    result: dict[str, Decimal] = {}
    label = half_year(first)
    while half_year_start(label) <= last:
        start = half_year_start(label)
        rate = _rate_in_force(changes, start)
        if rate is not None:
            result[label] = rate
        label = half_year(half_year_end(label) + dt.timedelta(days=1))
    return result


def _rate_in_force(changes: tuple[tuple[dt.date, Decimal], ...], day: dt.date) -> Decimal | None:
    """The rate of the last observation on or before ``day``."""
    position = bisect.bisect_right(changes, day, key=lambda change: change[0])
    return changes[position - 1][1] if position else None


@functools.cache
def default_rates() -> RateTables:
    """The tables shipped with the package, read once."""
    data = resources.files("relance_xl") / "data"
    return RateTables.from_csv(
        (data / "taux_bce.csv").read_text(encoding="utf-8"),
        (data / "taux_interet_legal.csv").read_text(encoding="utf-8"),
    )


def parse_rate(text: str) -> Decimal:
    """``"12,15"``, ``"12.15"`` or ``"12,15 %"`` → Decimal("12.15"); ValueError (French) unless a
    non-negative number of percent."""
    cleaned = text.strip().removesuffix("%").strip().replace(",", ".")
    try:
        rate = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"taux invalide « {text} » (attendu un pourcentage, ex. 12,15)") from None
    if not rate.is_finite() or rate < 0:
        raise ValueError(f"taux invalide « {text} » (attendu un pourcentage positif)")
    return rate
