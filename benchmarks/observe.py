"""What the end-to-end benchmark watches while it publishes: warnings arriving on their
topic, collection cases appearing through the API, and every consumer group's lag."""
from __future__ import annotations

import asyncio
import json
import time

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.events.topics import MONITORING, WARNING

DELINQUENCY_CHANGED = "monitoring.loan.delinquency-changed.v1"


class Arrivals:
    """Matches derived events to the bank event that caused them: a derived event carries
    its cause's correlationid, which for a bank event without one is the bank event's id.
    `sent` maps that id to the monotonic time just before the bank event was produced."""

    def __init__(self, bootstrap: str, sent: dict[str, float]) -> None:
        self.bootstrap, self.sent = bootstrap, sent
        self.warning_latencies: list[float] = []
        # The first hop alone: bank event -> monitoring's first derived event from it.
        self.monitoring_latencies: list[float] = []
        self._monitoring_seen: set[str] = set()
        self.warnings_unmatched = 0
        # customer id -> time its delinquency's cause was produced, awaiting a case
        self.became_delinquent: dict[str, float] = {}
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        partitions = await _partitions(self.bootstrap, (WARNING, MONITORING))
        self.consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None,
                                         fetch_max_wait_ms=20)
        await self.consumer.start()
        self.consumer.assign(partitions)
        # Only what happens from now on: earlier runs' events are not this run's effects.
        await self.consumer.seek_to_end(*partitions)
        for tp in partitions:
            await self.consumer.position(tp)
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            batches = await self.consumer.getmany(timeout_ms=100, max_records=2000)
            now = time.monotonic()
            for tp, records in batches.items():
                for record in records:
                    self._note(tp.topic, json.loads(record.value), now)

    def _note(self, topic: str, event: dict, now: float) -> None:
        cause = self.sent.get(event.get("correlationid", ""))
        if topic == WARNING:
            if cause is None:
                self.warnings_unmatched += 1
            else:
                self.warning_latencies.append(now - cause)
            return
        if cause is not None and event["correlationid"] not in self._monitoring_seen:
            self._monitoring_seen.add(event["correlationid"])
            self.monitoring_latencies.append(now - cause)
        if event.get("type") == DELINQUENCY_CHANGED and cause is not None:
            data = event.get("data", {})
            if data.get("dpd", 0) >= 1 and data.get("previous_dpd", 0) == 0:
                self.became_delinquent.setdefault(data["customer_id"], cause)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.consumer.stop()


async def _partitions(bootstrap: str, topics: tuple[str, ...]) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(list(topics))
    finally:
        await admin.close()
    found = [TopicPartition(d["topic"], p["partition"]) for d in described
             for p in d["partitions"]]
    if {tp.topic for tp in found} != set(topics):
        raise RuntimeError(f"topics missing on the broker: {topics}")
    return found


class CaseWatcher:
    """Polls `GET /v1/cases?customer_id=` for customers who became delinquent until their
    case is visible. A bounded number of customers is followed at once so the polling does
    not load the collections API it measures; the figure is an upper bound by at most one
    poll interval."""

    def __init__(self, api: str, token: str, arrivals: Arrivals, *, limit: int = 300,
                 concurrent: int = 16, interval: float = 0.1) -> None:
        self.api, self.arrivals = api, arrivals
        self.headers = {"Authorization": f"Bearer {token}"}
        self.limit, self.concurrent, self.interval = limit, concurrent, interval
        self.latencies: list[float] = []
        self.followed: set[str] = set()
        self.pending: dict[str, float] = {}
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async with httpx.AsyncClient(base_url=self.api, headers=self.headers,
                                     timeout=10) as client:
            while True:
                self._admit()
                await asyncio.gather(*(self._poll(client, c) for c in list(self.pending)))
                await asyncio.sleep(self.interval)

    def _admit(self) -> None:
        for customer, cause in list(self.arrivals.became_delinquent.items()):
            if len(self.pending) >= self.concurrent or len(self.followed) >= self.limit:
                return
            if customer not in self.followed:
                self.followed.add(customer)
                self.pending[customer] = cause

    async def _poll(self, client: httpx.AsyncClient, customer: str) -> None:
        response = await client.get("/v1/cases", params={"customer_id": customer})
        if response.status_code == 200 and response.json()["items"]:
            self.latencies.append(time.monotonic() - self.pending.pop(customer))

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


class LagProbe:
    """Total committed-offset lag of the given consumer groups, one admin and one consumer
    connection kept open for the whole run."""

    def __init__(self, bootstrap: str, groups: list[str]) -> None:
        self.bootstrap, self.groups = bootstrap, groups

    async def start(self) -> None:
        self.admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        self.consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap)
        await self.admin.start()
        await self.consumer.start()

    async def by_group(self) -> dict[str, int]:
        committed = {}
        for group in self.groups:
            for tp, meta in (await self.admin.list_consumer_group_offsets(group)).items():
                if meta.offset >= 0:
                    committed[(group, tp)] = meta.offset
        ends = await self.consumer.end_offsets(list({tp for _, tp in committed}))
        lag = dict.fromkeys(self.groups, 0)
        for (group, tp), offset in committed.items():
            lag[group] += max(0, ends[tp] - offset)
        return lag

    async def total(self) -> int:
        return sum((await self.by_group()).values())

    async def stop(self) -> None:
        await self.admin.close()
        await self.consumer.stop()
