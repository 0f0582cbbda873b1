from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import pytest

from tests.support.warning import WarningHarness


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[WarningHarness]:
    async with WarningHarness(f"sqlite+aiosqlite:///{tmp_path}/warning.db") as h:
        yield h
