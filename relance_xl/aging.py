"""Balance âgée (aged balance) and the ledger indicators of the Tableau de bord (DSO…).

Pure and vectorised: the invoice frame of a :class:`~relance_xl.model.Ledger` and a date in, an
:class:`AgedBalance` of exact ``Decimal`` amounts out. Inside, amounts are integer cents summed by
``groupby`` (exact); they become ``Decimal`` only in the result. The same result feeds the
terminal table, the JSON output and the *Balance âgée* / *Tableau de bord* sheets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

from relance_xl.invoices import days_overdue, issued_by, outstanding
from relance_xl.model import Ledger
from relance_xl.money import as_text, from_cents

BUCKETS: tuple[str, ...] = ("non_echu", "1-30", "31-60", "61-90", "plus_90")
"""Tranches d'ancienneté, by days overdue ``d``: d ≤ 0, 1–30, 31–60, 61–90, d > 90."""

BUCKET_UPPER_DAYS: tuple[int, ...] = (0, 30, 60, 90)
"""Inclusive upper bound of each bucket but the last (paying on the due date is on time)."""

BUCKET_LABELS: dict[str, str] = {
    "non_echu": "Non échu",
    "1-30": "1 à 30 j",
    "31-60": "31 à 60 j",
    "61-90": "61 à 90 j",
    "plus_90": "Plus de 90 j",
}
"""French column headers of the buckets (terminal table, Balance âgée sheet)."""

COLUMN_LABELS: tuple[str, ...] = (
    "Client",
    *BUCKET_LABELS.values(),
    "Total",
    "Retard max (j)",
    "Factures en retard",
)
"""French headers of a :class:`BalanceRow`, in the order of :meth:`BalanceRow.cells`."""

TOTAL_LABEL = "Total"

INDICATOR_LABELS: dict[str, str] = {
    "encours_total": "Encours total",
    "encours_echu": "Encours échu",
    "part_echue_pct": "Part échue (%)",
    "dso_jours": "DSO (jours)",
    "facturation_90_jours": "Facturation des 90 derniers jours",
    "clients": "Clients avec un solde",
    "clients_en_retard": "Clients en retard",
    "factures_en_retard": "Factures en retard",
    "methode_dso": "Méthode du DSO",
}
"""French labels of the indicators, keyed like :meth:`Indicators.as_json` (Tableau de bord)."""

DSO_BLOCK_DAYS = 30
DSO_BLOCKS = 3
DSO_METHOD = (
    "méthode de l'épuisement (count-back) : l'encours total est imputé sur la facturation TTC "
    "des 90 derniers jours, par tranches de 30 jours en remontant depuis la date de calcul ; "
    "chaque tranche entièrement absorbée compte 30 jours, la dernière au prorata ; un encours "
    "supérieur à ces 90 jours de facturation est converti au rythme journalier moyen de ces 90 "
    "jours (factures sans date de facture non comptées dans la facturation)"
)
"""How the DSO (délai moyen de paiement clients, *days sales outstanding*) is computed."""


@dataclass(frozen=True, slots=True)
class BalanceRow:
    """One client of the balance âgée (or the totals row).

    Attributes:
        client: client key (``Total`` for the totals row).
        buckets: signed outstanding per bucket, aligned with :data:`BUCKETS` (credit notes
            netted in the bucket of their own due date).
        total: net outstanding (sum of the buckets).
        days_late_max: *retard max*: days overdue of the oldest unpaid invoice (0 if none is due).
        overdue_invoices: *factures en retard*: unpaid invoices past their due date.
    """

    client: str
    buckets: tuple[Decimal, ...]
    total: Decimal
    days_late_max: int
    overdue_invoices: int

    def bucket(self, name: str) -> Decimal:
        """Amount of one bucket by its key (``"31-60"``…)."""
        return self.buckets[BUCKETS.index(name)]

    def cells(self) -> tuple[object, ...]:
        """The row's values in the order of :data:`COLUMN_LABELS` (for sheets and tables)."""
        return (self.client, *self.buckets, self.total, self.days_late_max, self.overdue_invoices)

    def as_json(self) -> dict[str, object]:
        """JSON shape of one client: amounts as two-decimal strings."""
        payload: dict[str, object] = {"client": self.client}
        payload.update(
            {name: as_text(value) for name, value in zip(BUCKETS, self.buckets, strict=True)}
        )
        payload["total"] = as_text(self.total)
        payload["retard_max"] = self.days_late_max
        payload["factures_en_retard"] = self.overdue_invoices
        return payload


@dataclass(frozen=True, slots=True)
class Indicators:
    """Ledger figures of the Tableau de bord.

    Attributes:
        outstanding: *encours total*, net of credit notes.
        overdue: *encours échu* (buckets 1-30 to plus_90).
        overdue_share: overdue / outstanding in percent (two decimals), None when nothing is owed.
        dso_days: *DSO* in days (one decimal), None when the last 90 days invoiced nothing
            that can absorb the outstanding; see :data:`DSO_METHOD`.
        invoiced_90_days: invoicing TTC of the last 90 days (the DSO's denominator).
        clients: clients with an open balance.
        clients_in_arrears: *clients en retard*: clients whose overdue total is positive.
        overdue_invoices: unpaid invoices past their due date, whole ledger.
        dso_method: the French sentence stating how the DSO is computed.
    """

    outstanding: Decimal
    overdue: Decimal
    overdue_share: Decimal | None
    dso_days: Decimal | None
    invoiced_90_days: Decimal
    clients: int
    clients_in_arrears: int
    overdue_invoices: int
    dso_method: str = DSO_METHOD

    def values(self) -> dict[str, object]:
        """Typed values (Decimal, int, str, None) keyed like :data:`INDICATOR_LABELS`."""
        return {
            "encours_total": self.outstanding,
            "encours_echu": self.overdue,
            "part_echue_pct": self.overdue_share,
            "dso_jours": self.dso_days,
            "facturation_90_jours": self.invoiced_90_days,
            "clients": self.clients,
            "clients_en_retard": self.clients_in_arrears,
            "factures_en_retard": self.overdue_invoices,
            "methode_dso": self.dso_method,
        }

    def labelled(self) -> tuple[tuple[str, object], ...]:
        """(French label, typed value) pairs, in order, for the Tableau de bord sheet."""
        return tuple((INDICATOR_LABELS[key], value) for key, value in self.values().items())

    def as_json(self) -> dict[str, object]:
        """JSON shape: amounts and ratios as strings with a dot, exact; counts as integers."""
        payload = self.values()
        payload.update(
            encours_total=as_text(self.outstanding),
            encours_echu=as_text(self.overdue),
            facturation_90_jours=as_text(self.invoiced_90_days),
            part_echue_pct=None if self.overdue_share is None else f"{self.overdue_share:.2f}",
            dso_jours=None if self.dso_days is None else f"{self.dso_days:.1f}",
        )
        return payload


@dataclass(frozen=True, slots=True)
class AgedBalance:
    """The balance âgée at a date: one row per client with an open balance, most late first.

    Attributes:
        as_of: date de calcul.
        rows: clients sorted by days_late_max (most late first), then total (largest first),
            then name.
        total: the totals row (``Total``).
        indicators: ledger figures (encours, part échue, DSO…).
    """

    as_of: dt.date
    rows: tuple[BalanceRow, ...]
    total: BalanceRow
    indicators: Indicators

    def as_json(self) -> dict[str, object]:
        """The ``relance-xl balance --json`` document."""
        total = {
            name: as_text(value) for name, value in zip(BUCKETS, self.total.buckets, strict=True)
        }
        total["total"] = as_text(self.total.total)
        return {
            "date": self.as_of.isoformat(),
            "tranches": list(BUCKETS),
            "clients": [row.as_json() for row in self.rows],
            "total": total,
            "indicateurs": self.indicators.as_json(),
        }


def bucket_codes(days: pd.Series | np.ndarray) -> np.ndarray:
    """Days overdue → bucket index in :data:`BUCKETS` (0 for d ≤ 0 … 4 for d > 90)."""
    return np.searchsorted(np.asarray(BUCKET_UPPER_DAYS), np.asarray(days), side="left")


def aged_balance(ledger: Ledger, as_of: dt.date) -> AgedBalance:
    """Balance âgée of the ledger at ``as_of`` (invoices issued after it are left out)."""
    invoices = ledger.invoices.loc[issued_by(ledger.invoices, as_of)]
    cents = outstanding(invoices, as_of).to_numpy()
    days = days_overdue(invoices, as_of).to_numpy()
    open_rows = cents != 0
    clients, codes = _client_codes(invoices["client"].to_numpy()[open_rows])
    cents, days = cents[open_rows], days[open_rows]
    amounts = _bucket_sums(codes, bucket_codes(days), cents, len(clients))
    unpaid = cents > 0
    late_max = _late_max(codes[unpaid], days[unpaid], len(clients))
    late_count = np.bincount(codes[unpaid & (days > 0)], minlength=len(clients))
    totals = amounts.sum(axis=1)
    order = np.lexsort((np.arange(len(clients)), -totals, -late_max))
    rows = tuple(
        _row(str(clients[i]), amounts[i].tolist(), int(late_max[i]), int(late_count[i]))
        for i in order.tolist()
    )
    total = _row(
        TOTAL_LABEL,
        amounts.sum(axis=0).tolist(),
        int(late_max.max(initial=0)),
        int(late_count.sum()),
    )
    indicators = _indicators(ledger.invoices, as_of, amounts, int(late_count.sum()))
    return AgedBalance(as_of=as_of, rows=rows, total=total, indicators=indicators)


def count_back_dso(outstanding_cents: int, invoiced_blocks_cents: Sequence[int]) -> Decimal | None:
    """DSO by count-back (*méthode de l'épuisement*), in days rounded to 0.1, half up.

    ``invoiced_blocks_cents`` is the invoicing of each 30-day block, the most recent first. Each
    block fully absorbed by the outstanding counts 30 days, the block that absorbs the rest counts
    its share; what remains after every block is converted at the blocks' average daily invoicing.
    Returns None when that remainder cannot be converted (no positive invoicing).
    """
    remaining = Fraction(outstanding_cents)
    days = Fraction(0)
    for invoiced in invoiced_blocks_cents:
        if remaining <= 0:
            break
        if remaining >= invoiced:
            days += DSO_BLOCK_DAYS
            remaining -= max(invoiced, 0)
        else:
            days += DSO_BLOCK_DAYS * remaining / invoiced
            remaining = Fraction(0)
    if remaining > 0:
        window_total = sum(invoiced_blocks_cents)
        if window_total <= 0:
            return None
        days += remaining * DSO_BLOCK_DAYS * len(invoiced_blocks_cents) / window_total
    exact = Decimal(days.numerator) / Decimal(days.denominator)
    return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def invoiced_blocks(invoices: pd.DataFrame, as_of: dt.date) -> list[int]:
    """Invoicing TTC in cents of the :data:`DSO_BLOCKS` blocks of 30 days ending on ``as_of``.

    Block ``k`` holds the invoices dated in ``]as_of − 30(k+1) ; as_of − 30k]``, most recent first.
    """
    age = (pd.Timestamp(as_of) - invoices["invoice_date"]).dt.days
    block = age // DSO_BLOCK_DAYS
    in_window = age.notna() & (age >= 0) & (block < DSO_BLOCKS)
    sums = invoices["amount"][in_window].groupby(block[in_window].astype(np.int64)).sum()
    return [int(sums.get(k, 0)) for k in range(DSO_BLOCKS)]


def _client_codes(names: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct client keys in sorted order and, per row, the index of its client."""
    codes, uniques = pd.factorize(names, sort=True)
    return np.asarray(uniques, dtype=object), codes.astype(np.int64)


def _bucket_sums(
    codes: np.ndarray, buckets: np.ndarray, cents: np.ndarray, n_clients: int
) -> np.ndarray:
    """Exact int64 matrix clients × buckets of the signed outstanding cents."""
    matrix = np.zeros((n_clients, len(BUCKETS)), dtype=np.int64)
    np.add.at(matrix, (codes, buckets), cents)
    return matrix


def _late_max(codes: np.ndarray, days: np.ndarray, n_clients: int) -> np.ndarray:
    """Per client, the largest days overdue of its unpaid invoices, at least 0."""
    result = np.zeros(n_clients, dtype=np.int64)
    np.maximum.at(result, codes, days)
    return result


def _row(client: str, cents: list[int], days_late_max: int, overdue_invoices: int) -> BalanceRow:
    """A BalanceRow from bucket cents (Python ints)."""
    return BalanceRow(
        client=client,
        buckets=tuple(map(_decimal, cents)),
        total=from_cents(sum(cents)),
        days_late_max=days_late_max,
        overdue_invoices=overdue_invoices,
    )


_ZERO = from_cents(0)


def _decimal(cents: int) -> Decimal:
    """from_cents, with a shortcut for the many empty buckets."""
    return from_cents(cents) if cents else _ZERO


def _indicators(
    invoices: pd.DataFrame, as_of: dt.date, amounts: np.ndarray, overdue_invoices: int
) -> Indicators:
    """Ledger figures from the clients × buckets matrix."""
    total = int(amounts.sum())
    overdue_by_client = amounts[:, 1:].sum(axis=1)
    overdue = int(overdue_by_client.sum())
    blocks = invoiced_blocks(invoices, as_of)
    share = None
    if total > 0:
        share = (Decimal(overdue) * 100 / Decimal(total)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
    return Indicators(
        outstanding=from_cents(total),
        overdue=from_cents(overdue),
        overdue_share=share,
        dso_days=count_back_dso(total, blocks),
        invoiced_90_days=from_cents(sum(blocks)),
        clients=len(amounts),
        clients_in_arrears=int((overdue_by_client > 0).sum()),
        overdue_invoices=overdue_invoices,
    )
