"""Pénalités de retard et indemnité forfaitaire pour frais de recouvrement (legal_fr.md §2–4).

One rule, two entry points: :func:`compute_penalty` for one invoice (CLI, Excel function) and
:func:`invoice_penalties` for the invoice frame (actions, letters), which runs the same rule once
per distinct (due date, debtor type, contract rate, mise en demeure) and then multiplies in integer
cents, so both give the same cent.

Conventions (stated, visible, legal_fr.md §2): days late run from the day after the due date up to
and including the payment date (or the computation date); interest is
``unpaid TTC × rate × days / 365`` — 365 in leap years too — each late day at the rate of its own
half-year for a professional or a consumer, one rate for the whole delay for a public buyer;
rounded to the cent once per invoice, half up. Interest is computed on the amount still unpaid
(after partial payments) for the whole delay. Pure: the date is a parameter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from relance_xl.dates import half_year, split_by_half_year
from relance_xl.invoices import days_overdue, outstanding
from relance_xl.model import Client, ClientType, Ledger, Settings
from relance_xl.money import as_text, div_half_up, div_half_up_series, from_cents, to_cents
from relance_xl.rates import AUTRES, RateTables, default_rates, rate_decimals, rate_text

FIXED_FEE = Decimal("40.00")
"""Indemnité forfaitaire pour frais de recouvrement: 40 € per late invoice, owed by a professional
(art. L441-10 II et D441-5 C. com.) or a public buyer (art. D2192-35 CCP); never by a consumer."""

FLOOR_FACTOR = 3
"""Taux contractuel minimum: 3 × le taux de l'intérêt légal (art. L441-10 II C. com.)."""

DAYS_PER_YEAR = 365
"""Divisor of the daily interest, 365 also in leap years (convention, legal_fr.md §2)."""

_INT64_MAX = int(np.iinfo(np.int64).max)
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Period:
    """Late days at one rate: ``start`` … ``end`` inclusive, ``rate`` in percent per year."""

    start: dt.date
    end: dt.date
    days: int
    rate: Decimal

    def as_json(self) -> dict[str, object]:
        """``{"du", "au", "jours", "taux"}`` with ISO dates and the rate as text (``"12.15"``)."""
        return {
            "du": self.start.isoformat(),
            "au": self.end.isoformat(),
            "jours": self.days,
            "taux": f"{self.rate:.{rate_decimals(self.rate)}f}",
        }


@dataclass(frozen=True, slots=True)
class Penalty:
    """Penalties of one invoice at a date.

    Attributes:
        days_late: jours de retard (after the due date, up to the end of the delay; 0 if on time).
        interest: pénalités / intérêts de retard, rounded to the cent.
        fee: indemnité forfaitaire pour frais de recouvrement (40 € or 0).
        periods: the interest-bearing days, one Period per rate (per half-year).
        warnings: French warnings (borrowed rate, contractual rate below the legal minimum…).
    """

    days_late: int
    interest: Decimal
    fee: Decimal
    periods: tuple[Period, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def total(self) -> Decimal:
        """Interest + fee (owed on top of the principal, never added to the invoice)."""
        return self.interest + self.fee

    def as_json(self) -> dict[str, object]:
        """The JSON of ``relance-xl penalites --json``."""
        return {
            "jours": self.days_late,
            "interets": as_text(self.interest),
            "indemnite": as_text(self.fee),
            "total": as_text(self.total),
            "periodes": [period.as_json() for period in self.periods],
            "avertissements": list(self.warnings),
        }


@dataclass(frozen=True, slots=True)
class _Schedule:
    """What a delay owes, independent of the amount: the rate-days and the fee."""

    days_late: int
    periods: tuple[Period, ...]
    fee_due: bool
    warnings: tuple[str, ...]

    @property
    def rate_days(self) -> Decimal:
        """Σ rate × days (percent-days): interest = amount × rate_days / 36 500."""
        return sum((period.rate * period.days for period in self.periods), Decimal(0))


def compute_penalty(
    amount: Decimal,
    due_date: dt.date,
    as_of: dt.date,
    debtor: ClientType | str = ClientType.PROFESSIONNEL,
    rate: Decimal | None = None,
    formal_notice: dt.date | None = None,
    *,
    payment_date: dt.date | None = None,
    rates: RateTables | None = None,
) -> Penalty:
    """Pénalités de retard of one invoice.

    Args:
        amount: montant TTC impayé (after partial payments), in euros; nothing is owed when ≤ 0.
        due_date: échéance; paying on it is on time.
        as_of: computation date: the end of the delay when the invoice is unpaid.
        debtor: particulier / professionnel / administration.
        rate: taux contractuel in percent per year (professional debtor only; the caller applies
            the precedence client rate > Paramètres rate, see :func:`contract_rate_for`).
        formal_notice: date of the mise en demeure (consumer: interest from the day after it).
        payment_date: date de règlement; the delay ends on it (or on ``as_of`` if it is later:
            a payment after ``as_of`` is not made yet at ``as_of``).
        rates: rate tables (default: the shipped ones).
    """
    end = as_of if payment_date is None else min(payment_date, as_of)
    schedule = _schedule(
        due_date, end, ClientType(debtor), rate, formal_notice, rates or default_rates()
    )
    cents = to_cents(amount)
    if cents <= 0:
        return Penalty(schedule.days_late, from_cents(0), from_cents(0))
    numerator, denominator = _scaled((schedule.rate_days,))
    return Penalty(
        days_late=schedule.days_late,
        interest=from_cents(div_half_up(cents * numerator[0], denominator)),
        fee=FIXED_FEE if schedule.fee_due else from_cents(0),
        periods=schedule.periods,
        warnings=schedule.warnings,
    )


def invoice_penalties(
    invoices: pd.DataFrame,
    as_of: dt.date,
    debtor_types: pd.Series,
    contract_rates: pd.Series,
    formal_notices: pd.Series,
    rates: RateTables,
) -> pd.DataFrame:
    """Penalties of every invoice of the frame at ``as_of``, on the amount outstanding then.

    ``debtor_types`` (ClientType or its text; missing = professionnel), ``contract_rates``
    (Decimal or None) and ``formal_notices`` (dates or NaT) are aligned on the frame's index.
    Returns a frame on the same index: ``interest`` and ``fee`` in cents (int64; Python ints in an
    object column only for amounts beyond int64), ``days_late`` (int64) and ``warnings`` (tuple of
    French str). Invoices paid, not yet due or with nothing outstanding (credit notes) owe 0.
    """
    index = invoices.index
    remaining = outstanding(invoices, as_of).to_numpy(dtype=np.int64)
    late = days_overdue(invoices, as_of).to_numpy(dtype=np.int64)
    chased = (remaining > 0) & (late > 0)
    interest = np.zeros(len(index), dtype=np.int64)
    fee = np.zeros(len(index), dtype=np.int64)
    warnings = np.empty(len(index), dtype=object)
    warnings.fill(())
    if chased.any():
        codes, schedules = _schedules_by_key(
            invoices["due_date"].to_numpy()[chased],
            debtor_types.reindex(index).to_numpy(dtype=object)[chased],
            contract_rates.reindex(index).to_numpy(dtype=object)[chased],
            pd.to_datetime(formal_notices.reindex(index)).to_numpy()[chased],
            as_of,
            rates,
        )
        numerators, denominator = _scaled(tuple(s.rate_days for s in schedules))
        values = _interest_cents(remaining[chased], numerators, codes, denominator)
        interest = np.zeros(len(index), dtype=values.dtype)
        interest[chased] = values
        fee[chased] = np.array([to_cents(FIXED_FEE) * s.fee_due for s in schedules])[codes]
        notes = np.empty(len(schedules), dtype=object)
        for position, schedule in enumerate(schedules):
            notes[position] = schedule.warnings
        warnings[chased] = notes[codes]
    return pd.DataFrame(
        {
            "interest": interest,
            "fee": fee,
            "days_late": np.where(chased, late, 0).astype(np.int64),
            "warnings": warnings,
        },
        index=index,
    )


def contract_rate_for(client: Client, settings: Settings) -> Decimal | None:
    """Taux contractuel of a client: its own rate, else (professionals only) the global rate of
    Paramètres, else None (the legal default rate)."""
    if client.contract_rate is not None:
        return client.contract_rate
    return settings.contract_rate if client.type is ClientType.PROFESSIONNEL else None


def ledger_penalties(
    ledger: Ledger,
    as_of: dt.date,
    formal_notices: pd.Series | None = None,
) -> pd.DataFrame:
    """:func:`invoice_penalties` for a whole ledger: client types and contract rates from the
    Clients sheet and Paramètres, rates with the *Taux* overrides; ``formal_notices`` (mises en
    demeure per invoice, from Historique) default to none."""
    frame = ledger.invoices
    keys = frame["client"]
    types = {key: client.type.value for key, client in ledger.clients.items()}
    contract = {key: contract_rate_for(c, ledger.settings) for key, c in ledger.clients.items()}
    notices = (
        formal_notices
        if formal_notices is not None
        else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    )
    return invoice_penalties(
        frame,
        as_of,
        keys.map(types),
        keys.map(contract),
        notices,
        default_rates().with_overrides(ledger.settings.rates),
    )


def _schedule(
    due_date: dt.date,
    end: dt.date,
    debtor: ClientType,
    rate: Decimal | None,
    formal_notice: dt.date | None,
    rates: RateTables,
) -> _Schedule:
    """The periods, rates, fee and warnings of a delay from ``due_date`` to ``end``."""
    if rate is not None and rate < 0:
        raise ValueError(f"taux contractuel négatif : {rate}")
    days_late = max(0, (end - due_date).days)
    first = due_date + _ONE_DAY
    notes: list[str] = []
    if debtor is ClientType.PROFESSIONNEL:
        periods = _professional_periods(first, end, rate, rates, notes)
    elif debtor is ClientType.ADMINISTRATION:
        if rate is not None:
            notes.append(
                f"taux contractuel de {rate_text(rate)} ignoré : les intérêts moratoires d'un "
                "acheteur public suivent l'article R2192-31 du Code de la commande publique"
            )
        periods = _public_buyer_periods(first, end, rates, notes)
    else:
        if rate is not None:
            notes.append(
                f"taux contractuel de {rate_text(rate)} ignoré : un particulier doit les intérêts "
                "au taux légal après mise en demeure (art. 1231-6 du Code civil)"
            )
        periods = _consumer_periods(first, end, formal_notice, rates, notes)
    fee_due = days_late > 0 and debtor is not ClientType.PARTICULIER
    return _Schedule(days_late, periods, fee_due, tuple(dict.fromkeys(notes)))


def _professional_periods(
    first: dt.date, end: dt.date, rate: Decimal | None, rates: RateTables, notes: list[str]
) -> tuple[Period, ...]:
    """Pénalités de retard entre professionnels (art. L441-10 II C. com.): due without reminder
    from the day after the due date, at ECB + 10 points of each half-year (rate in force on
    1 January / 1 July), or at the contractual rate, which may not be below 3 × the taux de
    l'intérêt légal of the half-year (a warning when it is)."""
    periods = []
    for start, stop in split_by_half_year(first, end):
        half = half_year(start)
        if rate is None:
            applied, warning = rates.b2b_rate(half)
        else:
            applied, warning = rate, _floor_warning(rate, half, rates, notes)
        if warning:
            notes.append(warning)
        periods.append(Period(start, stop, (stop - start).days + 1, applied))
    return tuple(periods)


def _floor_warning(rate: Decimal, half: str, rates: RateTables, notes: list[str]) -> str | None:
    """Warning when a contractual rate is below 3 × the legal rate (autres cas) of the half-year."""
    legal, borrowed = rates.legal_rate(half, AUTRES)
    if borrowed:
        notes.append(borrowed)
    floor = FLOOR_FACTOR * legal
    if rate >= floor:
        return None
    return (
        f"taux contractuel de {rate_text(rate)} inférieur au minimum légal de {rate_text(floor)} "
        f"au {half} (3 × le taux de l'intérêt légal, art. L441-10 II du Code de commerce)"
    )


def _public_buyer_periods(
    first: dt.date, end: dt.date, rates: RateTables, notes: list[str]
) -> tuple[Period, ...]:
    """Intérêts moratoires de la commande publique (art. R2192-31 CCP): from the day after the
    term, at the ECB rate in force on the first day of the half-year in which they started to run
    + 8 points, one rate for the whole delay."""
    if first > end:
        return ()
    applied, warning = rates.public_buyer_rate(half_year(first))
    if warning:
        notes.append(warning)
    return (Period(first, end, (end - first).days + 1, applied),)


def _consumer_periods(
    first: dt.date,
    end: dt.date,
    formal_notice: dt.date | None,
    rates: RateTables,
    notes: list[str],
) -> tuple[Period, ...]:
    """Intérêts moratoires d'un particulier (art. 1231-6 et 1344-1 C. civ.): at the taux de
    l'intérêt légal (*autres cas*, the creditor being a business) of each half-year, only from the
    day after the mise en demeure; nothing before one was sent."""
    if formal_notice is None:
        return ()
    periods = []
    for start, stop in split_by_half_year(max(first, formal_notice + _ONE_DAY), end):
        applied, warning = rates.legal_rate(half_year(start), AUTRES)
        if warning:
            notes.append(warning)
        periods.append(Period(start, stop, (stop - start).days + 1, applied))
    return tuple(periods)


def _schedules_by_key(
    due_dates: np.ndarray,
    debtors: np.ndarray,
    contract_rates: np.ndarray,
    notices: np.ndarray,
    as_of: dt.date,
    rates: RateTables,
) -> tuple[np.ndarray, list[_Schedule]]:
    """Group the rows by (due date, debtor, contract rate, mise en demeure) and run the rule once
    per group. Returns each row's group number and the groups' schedules."""
    columns = {}
    uniques = {}
    for name, values in (
        ("due", due_dates),
        ("debtor", debtors),
        ("rate", contract_rates),
        ("notice", notices),
    ):
        columns[name], uniques[name] = pd.factorize(values, use_na_sentinel=True)
    keys = pd.DataFrame(columns)
    codes = keys.groupby(list(columns), sort=False).ngroup().to_numpy()
    firsts = keys.iloc[np.unique(codes, return_index=True)[1]]
    schedules = [
        _schedule(
            pd.Timestamp(uniques["due"][due]).date(),
            as_of,
            _debtor(uniques["debtor"], debtor),
            None if rate < 0 else _decimal(uniques["rate"][rate]),
            None if notice < 0 else pd.Timestamp(uniques["notice"][notice]).date(),
            rates,
        )
        for due, debtor, rate, notice in firsts.itertuples(index=False)
    ]
    return codes, schedules


def _debtor(uniques: np.ndarray, code: int) -> ClientType:
    """Debtor type of a group; a missing type is the Clients sheet's default, professionnel."""
    return ClientType.PROFESSIONNEL if code < 0 else ClientType(uniques[code])


def _decimal(value: object) -> Decimal:
    """A contract rate cell as Decimal (a float from Excel by its shortest text: 12.15)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _scaled(rate_days: tuple[Decimal, ...]) -> tuple[list[int], int]:
    """Exact integers for ``rate_days / 36 500``: numerators sharing one denominator."""
    places = max((max(0, -int(value.as_tuple().exponent)) for value in rate_days), default=0)
    numerators = [int(value.scaleb(places)) for value in rate_days]
    return numerators, 100 * DAYS_PER_YEAR * 10**places


def _interest_cents(
    cents: np.ndarray, numerators: list[int], codes: np.ndarray, denominator: int
) -> np.ndarray:
    """``cents × numerator / denominator`` rounded half up, per row: int64 where it cannot
    overflow, Python ints for the absurd amounts beyond (an object array if a result needs it)."""
    limit = (_INT64_MAX - denominator) // 2
    fits = denominator <= limit and max(numerators) <= limit
    row = np.array(numerators, dtype=np.int64 if fits else object)[codes]
    safe = (cents <= limit // np.maximum(row, 1)) if fits else np.zeros(len(cents), dtype=bool)
    exact = div_half_up_series(pd.Series(cents[safe] * row[safe]), denominator).to_numpy()
    if safe.all():
        return exact.astype(np.int64)
    values = np.zeros(len(cents), dtype=object)
    values[safe] = [int(value) for value in exact]
    for position in np.flatnonzero(~safe):
        values[position] = div_half_up(int(cents[position]) * int(row[position]), denominator)
    return values.astype(np.int64) if max(values) <= _INT64_MAX else values
