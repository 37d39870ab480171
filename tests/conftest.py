"""Shared test fixtures: the real third-party files of ../shared/realdata (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
REALDATA = PROJECT.parent / "shared" / "realdata"


@pytest.fixture
def realdata():
    """Path of a file of ../shared/realdata, or skip the test with the reason."""

    def locate(relative: str) -> Path:
        path = REALDATA / relative
        if not path.exists():
            pytest.skip(f"données réelles absentes : {path} (../shared n'est pas à côté du projet)")
        return path

    return locate
