"""Building the invoice frame (see model.INVOICE_COLUMNS) from plain records.

Used by the reader (records parsed from a sheet) and by tests (records written as a table). The
frame is the only input of the vectorised core.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

import numpy as np
import pandas as pd

from relance_xl.model import INVOICE_COLUMNS
from relance_xl.money import from_cents, to_cents

MONEY_COLUMNS = ("amount", "paid_amount")
DATE_COLUMNS = ("invoice_date", "due_date", "payment_date", "promise_date", "order_date")
BOOL_COLUMNS = ("paid", "disputed")


def invoice_frame(records: Iterable[Mapping[str, object]]) -> pd.DataFrame:
    """Records with Decimal amounts and ``date`` values → the invoice frame.

    Missing keys take their neutral value (0 cents, NaT, False, ""). ``due_date`` and ``client``,
    ``number``, ``amount`` are required.
    """
    rows = list(records)
    data: dict[str, object] = {}
    for column in INVOICE_COLUMNS:
        values = [row.get(column) for row in rows]
        if column in MONEY_COLUMNS:
            data[column] = np.array(
                [to_cents(Decimal(v)) if v is not None else 0 for v in values], dtype=np.int64
            )
        elif column in DATE_COLUMNS:
            data[column] = pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[ns]")
        elif column in BOOL_COLUMNS:
            data[column] = np.array([bool(v) for v in values], dtype=bool)
        elif column == "row":
            data[column] = np.array([int(v or 0) for v in values], dtype=np.int64)
        else:
            data[column] = pd.Series(["" if v is None else str(v) for v in values], dtype=object)
    return pd.DataFrame(data, columns=list(INVOICE_COLUMNS))


def to_date(value: object) -> dt.date | None:
    """A frame cell (Timestamp or NaT) → ``date`` or None."""
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def to_decimal(cents: object) -> Decimal:
    """A frame money cell (int cents) → Decimal euros."""
    return from_cents(int(cents))  # type: ignore[arg-type]


def issued_by(frame: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """Invoices that exist at ``as_of``: dated on or before it (or with no invoice date)."""
    issued = frame["invoice_date"]
    return issued.isna() | (issued <= pd.Timestamp(as_of))


def outstanding(frame: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """Reste dû at ``as_of``, in cents (int64): Montant TTC − Montant réglé, or 0 when paid.

    Paid means *Payé* without a date, or a Date de règlement on or before ``as_of``; an invoice
    settled after ``as_of`` counts as unpaid then, for its whole amount (its Montant réglé is
    dated by that later Date de règlement). Credit notes stay negative.
    """
    settled = frame["paid"] & frame["payment_date"].isna()
    settled |= frame["payment_date"] <= pd.Timestamp(as_of)
    remaining = frame["amount"] - frame["paid_amount"]
    remaining = remaining.where(~(frame["payment_date"] > pd.Timestamp(as_of)), frame["amount"])
    return remaining.where(~settled, 0).astype(np.int64)


def days_overdue(frame: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """Jours de retard: ``as_of − échéance`` in calendar days (≤ 0: not yet due)."""
    return (pd.Timestamp(as_of) - frame["due_date"]).dt.days.astype(np.int64)
