"""The weekly routine as functions: what the CLI and the Excel buttons both call.

``load`` reads a file into a :class:`~relance_xl.model.Ledger`; ``review`` computes the aged
balance and the next actions at a date. Writing results (sheets, letters, history) goes through
the adapters named in each function.
"""

from __future__ import annotations

from pathlib import Path

from relance_xl.model import Ledger, ReadOptions


def load(path: str | Path, options: ReadOptions | None = None) -> Ledger:
    """Read a workbook or CSV file into a Ledger (anomalies included, never raised)."""
    from relance_xl.reader import read_sheets
    from relance_xl.workbook import parse_workbook

    return parse_workbook(read_sheets(Path(path)), options or ReadOptions(), source=Path(path).name)
