"""One generated feed shared by the feed tests (generation is pure, so sharing is safe)."""
from __future__ import annotations

from datetime import date

import pytest

from shared.simulator.feed import SimulationOptions, generate

OPTIONS = SimulationOptions(loans=400, days=120, start=date(2026, 1, 1), seed=11)


@pytest.fixture(scope="session")
def feed() -> list:
    return list(generate(OPTIONS))
