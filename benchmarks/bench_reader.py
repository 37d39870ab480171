"""Banc d'essai de la lecture : un classeur de factures, relance_xl contre pandas + openpyxl.

Usage : ``python benchmarks/bench_reader.py [--factures 100000] [--clients 5000] [--petit]``

relance_xl's :func:`relance_xl.pipeline.load` (python-calamine, then
:func:`relance_xl.workbook.parse_workbook`) against ``pandas.read_excel(engine="openpyxl")`` of
every sheet, whose values are handed as grids to the same ``parse_workbook``: only the reading of
the file differs. Both must give the same ledger (a fingerprint of the invoice frame, the clients,
the history and the anomalies is printed for each side).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
if str(PROJECT) not in sys.path:  # run as a plain script from a checkout
    sys.path.insert(0, str(PROJECT))

import pandas as pd  # noqa: E402

from benchmarks import data  # noqa: E402
from benchmarks._measure import Comparison, Side, Target, compare, sized_main  # noqa: E402
from relance_xl.model import Ledger, ReadOptions  # noqa: E402
from relance_xl.pipeline import load  # noqa: E402
from relance_xl.reader import uses_date1904  # noqa: E402
from relance_xl.workbook import parse_workbook  # noqa: E402

CASE = "Lecture d'un classeur de factures"
TARGET = Target(ratio=4)
FULL = {"factures": 100_000, "clients": 5_000}
SMALL = {"factures": 5_000, "clients": 500}


def fingerprint(ledger: Ledger) -> str:
    """Short digest of what was read: invoice frame, clients, history, plans, anomalies."""
    digest = hashlib.sha256()
    frame = ledger.invoices
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    for part in (
        sorted(ledger.clients.items()),
        ledger.history,
        ledger.instalments,
        ledger.anomalies,
        ledger.settings,
    ):
        digest.update(repr(part).encode())
    return digest.hexdigest()[:12]


def facts(ledger: Ledger) -> dict:
    """What both readings must agree on."""
    return {
        "factures lues": len(ledger.invoices),
        "anomalies": len(ledger.anomalies),
        "lignes d'historique": len(ledger.history),
        "empreinte": fingerprint(ledger),
    }


def read_with_pandas(path: Path) -> Ledger:
    """The baseline: every sheet with ``pandas.read_excel(engine="openpyxl")``, then the same
    parsing (cells as grids from A1, empty cells as None)."""
    frames = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
    sheets = {name: _grid(frame) for name, frame in frames.items()}
    return parse_workbook(sheets, ReadOptions(), source=path.name, date1904=uses_date1904(path))


def _grid(frame: pd.DataFrame) -> list[list[object]]:
    values = frame.astype(object)
    return values.where(values.notna(), None).to_numpy().tolist()


def _path(params: dict) -> Path:
    return Path(params["fichier"])


SIDES = {
    "relance_xl": Side("relance_xl (calamine)", _path, lambda path: facts(load(path))),
    "pandas": Side("pandas + openpyxl", _path, lambda path: facts(read_with_pandas(path))),
}


def run(small: bool = False, folder: Path = data.CACHE, sizes: dict | None = None) -> Comparison:
    """Write the workbook (cached), then measure both readings in their own processes."""
    params = dict(sizes or (SMALL if small else FULL))
    path = data.workbook_file(params["factures"], params["clients"], data.SEED, folder)
    params["fichier"] = str(path)  # the children read this very file
    megabytes = path.stat().st_size / 1024 / 1024
    invoices = f"{params['factures']:_}".replace("_", " ")
    return compare(
        case=CASE,
        size=f"{invoices} factures, fichier de {megabytes:.1f} Mo".replace(".", ","),
        module="benchmarks.bench_reader",
        params=params,
        target=TARGET,
        ours="relance_xl",
        baseline="pandas",
        repeat=2,
    )


def main(argv: list[str] | None = None) -> None:
    """Command line: sizes, data folder."""
    sized_main(argv, __doc__.splitlines()[0], (FULL, SMALL), run, data.CACHE)


if __name__ == "__main__":
    main()
