"""The benchmark's plain Python loop gives exactly relance_xl's review (same balance, same actions).

benchmarks/baseline_loop.py is the reference that relance_xl's vectorised engine is timed against;
it is only a fair reference if it computes the same thing. Checked here on small generated ledgers
(credit notes, partial payments, disputes, promises, payment plans, history at several levels,
the three client types) at several run dates, and on the template's demo workbook.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks import data
from benchmarks.baseline_loop import outstanding, records_of, review_loop
from relance_xl.model import ClientType, Ledger, Status
from relance_xl.pipeline import load, review

PROJECT = Path(__file__).resolve().parents[1]
DEMO = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    """Four hundred generated invoices of forty clients, read as relance_xl reads a workbook."""
    return data.ledger_of(data.generate(invoices=400, clients=40, seed=1))


def _features(ledger: Ledger) -> dict[str, int]:
    frame = ledger.invoices
    open_rows = [r for r in records_of(ledger).invoices if outstanding(r, DEMO) > 0]
    sent_levels = {e.level for e in ledger.history if e.status is Status.ENVOYE}
    types = {client.type for client in ledger.clients.values()}
    return {
        "avoirs": int((frame["amount"] < 0).sum()),
        "paiements partiels": sum(1 for r in open_rows if r.paid_amount > 0),
        "litiges": int(frame["disputed"].sum()),
        "promesses": int(frame["promise_date"].notna().sum()),
        "échéanciers": len(ledger.instalments),
        "niveaux envoyés": len(sent_levels),
        "étapes proposées ou annulées": sum(e.status is not Status.ENVOYE for e in ledger.history),
        "types de clients": len(types & set(ClientType)),
    }


@pytest.mark.parametrize(
    "feature, minimum",
    [
        ("avoirs", 1),
        ("paiements partiels", 1),
        ("litiges", 1),
        ("promesses", 1),
        ("échéanciers", 1),
        ("niveaux envoyés", 3),
        ("étapes proposées ou annulées", 1),
        ("types de clients", 3),
    ],
    ids=lambda value: str(value),
)
def test_the_small_ledger_exercises_every_rule(ledger, feature, minimum):
    """The generated ledger holds what the comparison must cover."""
    assert _features(ledger)[feature] >= minimum


RUN_DATES = {
    "jour de la démo (lundi)": DEMO,
    "une semaine plus tôt": dt.date(2026, 11, 16),
    "fin de semestre": dt.date(2026, 6, 30),
    "veille de jour férié": dt.date(2026, 4, 30),
    "fin d'année précédente": dt.date(2025, 12, 31),
}


@pytest.mark.parametrize("as_of", RUN_DATES.values(), ids=RUN_DATES.keys())
def test_the_loop_gives_the_same_aged_balance(ledger, as_of):
    """Balance âgée, totals and indicators (DSO…) of the loop equal relance_xl's."""
    assert review_loop(records_of(ledger), as_of).balance == review(ledger, as_of).balance


@pytest.mark.parametrize("as_of", RUN_DATES.values(), ids=RUN_DATES.keys())
def test_the_loop_gives_the_same_actions(ledger, as_of):
    """Prochaines actions (levels, dates, invoices, penalties) of the loop equal relance_xl's."""
    expected = review(ledger, as_of).actions
    assert expected
    assert review_loop(records_of(ledger), as_of).actions == expected


def test_the_loop_gives_the_same_review_of_the_demo_workbook():
    """On the template's demo data (every level, a plan, a promise…) both agree at 23/11/2026."""
    demo = load(PROJECT / "workbook_template.xlsx")
    expected = review(demo, DEMO)
    result = review_loop(records_of(demo), DEMO)
    assert (result.balance, result.actions) == (expected.balance, expected.actions)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=0, max_value=10_000),
    as_of=st.dates(min_value=dt.date(2025, 6, 1), max_value=DEMO),
)
def test_the_loop_and_the_engine_agree_on_any_ledger(seed, as_of):
    """For any seed and run date, the loop's review equals relance_xl's."""
    small = data.ledger_of(data.generate(invoices=150, clients=15, seed=seed))
    expected = review(small, as_of)
    result = review_loop(records_of(small), as_of)
    assert (result.balance, result.actions) == (expected.balance, expected.actions)
