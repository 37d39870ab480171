"""Shared test fixtures: the real third-party files of ../shared/realdata (skipped when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

PROJECT = Path(__file__).resolve().parents[1]
REALDATA = PROJECT.parent / "shared" / "realdata"

# Hypothesis profiles: the default keeps CI short; ``RELANCE_FUZZ=long`` fuzzes for real (many
# more examples, no deadline) and also runs the long reliability cases (tests/test_fuzz.py,
# tests/test_hostile_inputs.py).
settings.register_profile(
    "long",
    max_examples=2_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
if os.environ.get("RELANCE_FUZZ") == "long":
    settings.load_profile("long")


@pytest.fixture
def realdata():
    """Path of a file of ../shared/realdata, or skip the test with the reason."""

    def locate(relative: str) -> Path:
        path = REALDATA / relative
        if not path.exists():
            pytest.skip(f"données réelles absentes : {path} (../shared n'est pas à côté du projet)")
        return path

    return locate
