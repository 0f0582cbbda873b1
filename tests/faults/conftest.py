"""Fixtures of the fault suite: one fault-free baseline run and one faulty run of the same
seeded feed per session, each on its own broker and PostgreSQL cluster (the scenarios
restart them, so the session servers other tests share are never used here).

POSTLOAN_FAULTS_PROFILE=long selects a bigger book and more days (and the determinism
check of two fault-free runs); POSTLOAN_FAULT_SEED repeats a logged fault plan."""
from __future__ import annotations

import os
import random
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.faults.feeder import Profile
from tests.faults.scenario import Feed, RunResult, run_platform

PROFILES = {
    # CI: with this seed cases open before the run and on days 1 and 11, and warnings fire
    # from day 1.
    "ci": Profile(loans=40, days=12, seed=11),
    "long": Profile(loans=120, days=60, seed=11),
}


# The bank's speed: each day's events and its close back to back, on each database, at
# full speed and with every consumer slowed so each close is published into a lag.
BANK_SPEED = {
    "back-to-back-postgresql": Feed(wait=False),
    "back-to-back-sqlite": Feed("sqlite", wait=False),
    "lagging-postgresql": Feed(wait=False, slow=True),
    "lagging-sqlite": Feed("sqlite", wait=False, slow=True),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.faults)
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def profile_name() -> str:
    name = os.environ.get("POSTLOAN_FAULTS_PROFILE", "ci")
    if name not in PROFILES:
        raise pytest.UsageError(f"POSTLOAN_FAULTS_PROFILE must be one of {sorted(PROFILES)}")
    return name


@pytest.fixture(scope="session")
def profile(profile_name: str) -> Profile:
    return PROFILES[profile_name]


@pytest.fixture(scope="session")
def fault_seed() -> int:
    seed = int(os.environ.get("POSTLOAN_FAULT_SEED") or random.SystemRandom().randrange(10**6))
    print(f"\nfault suite: POSTLOAN_FAULT_SEED={seed}")
    return seed


@pytest.fixture(scope="session")
def runs(profile: Profile, fault_seed: int) -> tuple[RunResult, RunResult]:
    """(fault-free, faulty), run side by side: each waits on its pipeline far more than it
    computes, and they share nothing, so together they take little more than the faulty
    one alone."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        clean = pool.submit(run_platform, profile, fault_seed=None, name="baseline")
        faulty = pool.submit(run_platform, profile, fault_seed=fault_seed, name="faulty")
        return clean.result(), faulty.result()


@pytest.fixture(scope="session")
def baseline(runs: tuple[RunResult, RunResult]) -> RunResult:
    return runs[0]


@pytest.fixture(scope="session")
def faulty(runs: tuple[RunResult, RunResult]) -> RunResult:
    return runs[1]


@pytest.fixture(scope="session")
def bank_speed_runs(profile: Profile) -> dict[str, RunResult]:
    """Every BANK_SPEED feed of the same seed, without faults, two at a time."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(run_platform, profile, fault_seed=None, name=name,
                                     feed=feed) for name, feed in BANK_SPEED.items()}
        return {name: future.result() for name, future in futures.items()}
