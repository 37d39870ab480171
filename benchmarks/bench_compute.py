"""Banc d'essai du calcul : balance âgée + prochaines actions + pénalités, moteur contre boucle.

Usage : ``python benchmarks/bench_compute.py [--factures 1000000] [--clients 50000] [--petit]``

relance_xl's :func:`relance_xl.pipeline.review` (vectorised: aged balance, next actions and the
penalties of every invoice of an action) against :mod:`benchmarks.baseline_loop`, the same rules
as a plain Python loop with Decimal and dicts. Both start from the ledger already in memory
(parsed once and cached by benchmarks.data; the loop gets it as records, built before its clock
starts) and must give the same result: a fingerprint of the balance and the actions is printed
for each side.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
if str(PROJECT) not in sys.path:  # run as a plain script from a checkout
    sys.path.insert(0, str(PROJECT))

from benchmarks import data  # noqa: E402
from benchmarks._measure import Comparison, Side, Target, compare, sized_main  # noqa: E402
from benchmarks.baseline_loop import Books, records_of, review_loop  # noqa: E402
from relance_xl.aging import AgedBalance  # noqa: E402
from relance_xl.model import Action, Ledger  # noqa: E402
from relance_xl.pipeline import review  # noqa: E402

CASE = "Balance âgée + prochaines actions + pénalités"
TARGET = Target(ratio=30, seconds=10)
FULL = {"factures": 1_000_000, "clients": 50_000}
SMALL = {"factures": 50_000, "clients": 2_500}


def fingerprint(balance: AgedBalance, actions: tuple[Action, ...]) -> str:
    """Short digest of everything the user sees of a review (amounts, dates, levels, lines)."""
    digest = hashlib.sha256()
    for row in (*balance.rows, balance.total):
        digest.update(repr(row.cells()).encode())
    digest.update(repr(balance.indicators.values()).encode())
    for action in actions:
        digest.update(
            repr(
                (
                    action.client,
                    action.level,
                    action.state,
                    action.planned_date.isoformat(),
                    action.amount_due,
                    action.interest,
                    action.fee,
                )
            ).encode()
        )
        for line in action.invoices:
            digest.update(
                repr(
                    (
                        line.number,
                        line.due_date.isoformat(),
                        line.outstanding,
                        line.days_late,
                        line.interest,
                        line.fee,
                    )
                ).encode()
            )
    return digest.hexdigest()[:12]


def facts(balance: AgedBalance, actions: tuple[Action, ...]) -> dict:
    """What both sides must agree on."""
    return {
        "clients en balance": len(balance.rows),
        "actions": len(actions),
        "lignes de factures": sum(len(action.invoices) for action in actions),
        "empreinte": fingerprint(balance, actions),
    }


def _ledger(params: dict) -> Ledger:
    return data.load_ledger(Path(params["fichier"]))


def _run_review(ledger: Ledger) -> dict:
    result = review(ledger, data.AS_OF)
    return facts(result.balance, result.actions)


def _books(params: dict) -> Books:
    return records_of(_ledger(params))


def _run_loop(books: Books) -> dict:
    result = review_loop(books, data.AS_OF)
    return facts(result.balance, result.actions)


SIDES = {
    "relance_xl": Side("relance_xl (review)", _ledger, _run_review),
    "boucle": Side("boucle Python (Decimal)", _books, _run_loop),
}


def run(small: bool = False, folder: Path = data.CACHE, sizes: dict | None = None) -> Comparison:
    """Prepare the ledger (cached), then measure both sides in their own processes."""
    params = dict(sizes or (SMALL if small else FULL))
    ledger = data.ledger_file(params["factures"], params["clients"], data.SEED, folder)
    params["fichier"] = str(ledger)  # the children read this very file
    invoices, clients = params["factures"], params["clients"]
    return compare(
        case=CASE,
        size=f"{invoices:_} factures, {clients:_} clients".replace("_", " "),
        module="benchmarks.bench_compute",
        params=params,
        target=TARGET,
        ours="relance_xl",
        baseline="boucle",
        repeat=2,
    )


def main(argv: list[str] | None = None) -> None:
    """Command line: sizes, data folder."""
    sized_main(argv, __doc__.splitlines()[0], (FULL, SMALL), run, data.CACHE)


if __name__ == "__main__":
    main()
