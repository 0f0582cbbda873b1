"""One run of the platform over the seeded feed, with or without faults, and what it left
behind for the invariant checks. The fault plan is drawn from its own seed and logged, so
a failing run can be repeated exactly (POSTLOAN_FAULT_SEED)."""
from __future__ import annotations

import asyncio
import logging
import random
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from shared.cli import SERVICES
from tests.faults.feeder import BatchWindowFeeder, Profile
from tests.faults.platform import MAX_EVENT_BYTES, FaultPlatform
from tests.faults.actions import read_actions
from tests.faults.poison import Poison, all_poison, read_dead_letters
from tests.faults.snapshot import Snapshot, snapshot

log = logging.getLogger(__name__)
SLOW_SERVICE = "reporting"
SLOW_ENV = {"REPORTING_CONSUMER_FAULT_DELAY_SECONDS": "0.2",
            "REPORTING_CONSUMER_BATCH_SIZE": "10"}
DUPLICATES_PER_DAY = 12
MONITORING_GROUP = "monitoring"


@dataclass(frozen=True)
class Feed:
    """How the bank publishes, and onto what. `wait`: each day absorbed before its close
    (the gentle batch window); otherwise back to back. `slow`: every consumer delayed per
    record for the whole run, so each close is published into a lag."""

    database: str = "postgresql"
    wait: bool = True
    slow: bool = False

    @property
    def env(self) -> dict[str, str]:
        return {"POSTLOAN_CONSUMER_FAULT_DELAY_SECONDS": "0.03"} if self.slow else {}


GENTLE = Feed()


@dataclass
class RunResult:
    state: Snapshot
    dead_letters: dict[str, list]
    poison: list[Poison] = field(default_factory=list)
    plan: dict[int, list[str]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    sigterm_exit_codes: dict[str, int] = field(default_factory=dict)
    slow_lag_peak: int = 0
    final_lags: dict[str, int | None] = field(default_factory=dict)
    final_outbox: dict[str, int] = field(default_factory=dict)
    logs_dir: Path | None = None
    close_lags: list[int | None] = field(default_factory=list)  # monitoring's, as each close was sent
    actions: Counter = field(default_factory=Counter)


def fault_plan(days: int, rng: random.Random) -> dict[int, list[str]]:
    """Which fault lands on which day: each worker SIGKILLed once, the broker and the
    database restarted once, poison, a SIGTERM drain and the slow consumer once each, and
    duplicates every few days. Day 0 stays clean so every consumer group exists first."""
    singles = [f"kill:{s}" for s in SERVICES] + [
        "restart:kafka", "restart:postgres", "poison", "sigterm:monitoring", "slow"]
    plan: dict[int, list[str]] = {}
    for fault in singles:
        plan.setdefault(rng.randrange(1, days - 1), []).append(fault)
    for day in range(2, days, 3):
        plan.setdefault(day, []).append("duplicates")
    return plan


class FaultInjector:
    def __init__(self, platform: FaultPlatform, feeder: BatchWindowFeeder,
                 plan: dict[int, list[str]], rng: random.Random, result: RunResult) -> None:
        self.platform, self.feeder, self.plan, self.rng = platform, feeder, plan, rng
        self.result = result
        self._slow: asyncio.Task | None = None

    async def __call__(self, day: int, events: list) -> None:
        await self.finish()  # one worker restart at a time: the slow phase ends first
        for fault in self.plan.get(day, []):
            pause = round(self.rng.uniform(0.0, 1.5), 2)
            await asyncio.sleep(pause)  # a random point in the day's processing
            self.result.log.append(f"day {day}: {fault} after {pause}s")
            log.warning("fault suite: day %s: %s after %ss", day, fault, pause)
            await self._inject(fault)

    async def _inject(self, fault: str) -> None:
        kind, _, target = fault.partition(":")
        platform = self.platform
        if kind == "kill":
            await asyncio.to_thread(platform.kill_worker, target)
        elif kind == "sigterm":
            code = await asyncio.to_thread(platform.restart_worker, target)
            self.result.sigterm_exit_codes[target] = code
        elif fault == "restart:kafka":
            await asyncio.to_thread(platform.restart_kafka)
        elif fault == "restart:postgres":
            await self._postgres_outage_under_load()
        elif kind == "poison":
            await self._poison()
        elif kind == "duplicates":
            sample = self.rng.sample(self.feeder.sent, min(DUPLICATES_PER_DAY,
                                                           len(self.feeder.sent)))
            await self.feeder.send(sample)
        elif kind == "slow":
            await self._slow_consumer()

    async def _postgres_outage_under_load(self, down_seconds: float = 3.0) -> None:
        """Crash PostgreSQL, then deliver records while it is down (redeliveries of
        already published events): every consumer must wait for its database rather than
        dead-letter good records, and resume on its own when the server is back."""
        await asyncio.to_thread(self.platform.postgres.kill)
        try:
            sample = self.rng.sample(self.feeder.sent, min(DUPLICATES_PER_DAY,
                                                           len(self.feeder.sent)))
            await self.feeder.send(sample)
            await asyncio.sleep(down_seconds)
        finally:
            await asyncio.to_thread(self.platform.postgres.start)

    async def _poison(self) -> None:
        from aiokafka import AIOKafkaProducer

        poison = all_poison(f"d{len(self.result.log)}", MAX_EVENT_BYTES)
        producer = AIOKafkaProducer(bootstrap_servers=self.platform.kafka.bootstrap,
                                    max_request_size=4 * MAX_EVENT_BYTES)
        await producer.start()
        try:
            for item in poison:
                await producer.send_and_wait(item.topic, item.value, key=item.key.encode())
        finally:
            await producer.stop()
        self.result.poison += poison

    async def _slow_consumer(self) -> None:
        """Restart one worker with a per-record delay; in the background, watch its lag
        grow while the feed goes on, then restart it without the delay while it still
        lags, and let the feeder's settle see it catch up."""
        await asyncio.to_thread(self.platform.restart_worker, SLOW_SERVICE, SLOW_ENV)
        # Lag while it starts up would prove nothing about slowness: measure once it serves.
        await asyncio.to_thread(self.platform.wait_ready, [SLOW_SERVICE])
        self._slow = asyncio.create_task(self._end_slowness_once_lagging())

    async def _end_slowness_once_lagging(self, lagging_for: float = 3.0) -> None:
        platform, since = self.platform, None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while loop.time() < deadline and (since is None or loop.time() - since < lagging_for):
            try:
                lag = (await platform.lags("slow")).get(SLOW_SERVICE) or 0
            except Exception:  # noqa: BLE001 - another fault restarting the broker
                await platform.close_probe("slow")
                lag = 0
            self.result.slow_lag_peak = max(self.result.slow_lag_peak, lag)
            if lag and since is None:
                since = loop.time()
            await asyncio.sleep(0.2)
        await platform.close_probe("slow")
        code = await asyncio.to_thread(platform.restart_worker, SLOW_SERVICE)
        self.result.sigterm_exit_codes[f"{SLOW_SERVICE} (slow)"] = code
        self.result.log.append(f"{SLOW_SERVICE} back to normal speed at lag peak "
                               f"{self.result.slow_lag_peak}")

    async def finish(self) -> None:
        if self._slow is not None:
            slow, self._slow = self._slow, None
            await slow


def run_platform(profile: Profile, *, fault_seed: int | None, name: str,
                 feed: Feed = GENTLE) -> RunResult:
    """Start a private platform, feed it (faults when `fault_seed` is set), wait until it
    settled, and collect its final state and the actions it published."""
    base = Path(tempfile.mkdtemp(prefix=f"postloan-{name}-", dir="/tmp"))
    platform = FaultPlatform(base, name, feed.database, feed.env)
    result = RunResult(state={}, dead_letters={}, logs_dir=platform.logs)
    try:
        platform.start()
        feeder = BatchWindowFeeder(platform.kafka.bootstrap, platform.settle)
        hook = reorder = None
        if fault_seed is not None:
            rng = random.Random(fault_seed)
            result.plan = fault_plan(profile.days, rng)
            log.warning("fault suite: seed %s, plan %s", fault_seed, result.plan)
            hook = FaultInjector(platform, feeder, result.plan, rng, result)
            reorder = random.Random(fault_seed + 1)
        asyncio.run(_feed_and_collect(platform, feeder, profile, hook, reorder, result, feed))
    finally:
        platform.stop()
    return result


async def _feed_and_collect(platform, feeder, profile, hook, reorder, result, feed) -> None:  # type: ignore[no-untyped-def]
    async def measure_lag(day: int) -> None:
        # None: monitoring has committed nothing yet, so all it was sent still waits.
        result.close_lags.append((await platform.lags("close")).get(MONITORING_GROUP))

    try:
        await feeder.run(profile, on_day=hook, reorder=reorder, wait=feed.wait,
                         on_close=None if feed.wait else measure_lag)
        await platform.close_probe("close")
        if hook is not None:
            await hook.finish()
        await platform.settle()
    except TimeoutError as exc:
        # A platform that never settles is a finding too: collect what it left behind so
        # every invariant reports its own difference instead of one setup error.
        result.log.append(f"stalled: {exc}")
        log.warning("fault suite: %s", exc)
    result.final_lags = await platform.lags()
    result.final_outbox = await platform.outbox_backlog()
    await platform.close_probe()
    result.state = await snapshot(platform.database_urls)
    result.dead_letters = await read_dead_letters(platform.kafka.bootstrap)
    result.actions = await read_actions(platform.kafka.bootstrap)

