"""The weekly routine as functions: what the CLI and the Excel buttons both call.

``load`` reads a file into a :class:`~relance_xl.model.Ledger`; ``review`` computes the aged
balance and the next actions at a date. Writing results (sheets, letters, history) goes through
the adapters named in each function.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from relance_xl.aging import AgedBalance, aged_balance
from relance_xl.escalation import next_actions
from relance_xl.model import Action, Anomaly, Ledger, ReadOptions


def load(path: str | Path, options: ReadOptions | None = None) -> Ledger:
    """Read a workbook or CSV file into a Ledger (anomalies included, never raised)."""
    from relance_xl.reader import read_sheets, uses_date1904
    from relance_xl.workbook import parse_workbook

    path = Path(path)
    sheets = read_sheets(path)
    return parse_workbook(
        sheets, options or ReadOptions(), source=path.name, date1904=uses_date1904(path)
    )


@dataclass(frozen=True)
class Review:
    """The weekly review at a date: aged balance, next actions and the anomalies of the reading.

    Attributes:
        as_of: date de calcul.
        ledger: what was read.
        balance: balance âgée and indicators.
        actions: prochaines actions (à faire, à venir, à transmettre).
    """

    as_of: dt.date
    ledger: Ledger
    balance: AgedBalance
    actions: tuple[Action, ...]

    @property
    def anomalies(self) -> tuple[Anomaly, ...]:
        """Rows or cells of the workbook that could not be used as is."""
        return self.ledger.anomalies


def review(ledger: Ledger, as_of: dt.date) -> Review:
    """Aged balance and next actions of ``ledger`` at ``as_of`` (pure)."""
    with collector_paused():
        balance = aged_balance(ledger, as_of)
        actions = tuple(next_actions(ledger, as_of))
    return Review(as_of, ledger, balance, actions)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a review builds its result objects.

    They form no reference cycles (plain values, frozen dataclasses), yet each allocation counts
    towards the collector's thresholds, and with a large ledger in memory every pass of the
    collector walks it (measured on 1 000 000 invoices, benchmarks/bench_compute.py: 2.9 s →
    2.6 s of CPU; more when the ledger was just read). Reference counting still frees
    everything as usual; the previous state is restored.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
