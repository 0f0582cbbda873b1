"""Personal data never reaches logs, metrics or dead-letter headers. The simulator's feed
runs through every service's worker on real Kafka with JSON logging at DEBUG, together
with poison records that carry personal data; then the captured logs, the headers of every
dead-lettered record and each worker's /metrics text are searched for every name, id
number, phone and address the feed and the poison records contained."""
from __future__ import annotations

import asyncio
import importlib
import io
import json
import logging
import socket
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from typing import AsyncIterator, Iterator

import httpx
import pytest

from shared.cli import SERVICES
from shared.config import CommonSettings
from shared.events.envelope import new_event
from shared.events.topics import ALL_TOPICS, BANK_CUSTOMERS, MONITORING, dlq
from shared.kafka.admin import ensure_topics
from shared.observability.logging import configure_logging
from shared.simulator.feed import SimulationOptions, generate
from shared.simulator.publish import publish
from tests.support.kafka import caught_up, produce, read_all, unique, wait_for
from tests.support.services import migrate

pytestmark = pytest.mark.integration

PERSONAL_FIELDS = ("name", "id_number", "phone", "address")
POISON_PERSON = {"name": "Wilhelmina Quarterstaff", "id_number": "110101199003074477",
                 "phone": "+86 139 0713 8842", "address": "88 Nanjing West Road, Flat 1701"}


def personal_values(feed: list) -> set[str]:  # type: ignore[type-arg]
    values = set(POISON_PERSON.values())
    for _, _, envelope in feed:
        if envelope.type.startswith("bank.customer."):
            values |= {str(envelope.data[f]) for f in PERSONAL_FIELDS if envelope.data.get(f)}
    return values


def poison_records() -> list[tuple[str, bytes | None, bytes, list[tuple[str, bytes]]]]:
    """(topic, key, value, headers): each is dead-lettered, and each carries the person."""
    person = POISON_PERSON
    registered = new_event(type="bank.customer.registered.v1", source="core-banking",
                           subject="C-poison-1", data={
                               "customer_id": "C-poison-1", "kind": "alien", **person,
                               "timezone": "Asia/Shanghai", "region_code": "31",
                               "industry_code": "I65", "employer": person["name"],
                               "monthly_income": "abc"}).model_dump(mode="json")
    # Decimal and date validators quote the offending text in their messages.
    bad_income = dict(registered, id=unique("e"), data={
        **registered["data"], "kind": "individual", "monthly_income": person["address"]})
    unknown = new_event(type="bank.customer.teleported.v1", source="core-banking",
                        subject=person["id_number"], data=person).to_bytes()
    header = [("x-customer-phone", person["phone"].encode()),
              ("x-customer-name", person["name"].encode())]
    text = f"name={person['name']};phone={person['phone']};id={person['id_number']}".encode()
    return [
        (BANK_CUSTOMERS, person["phone"].encode(), json.dumps(registered).encode(), header),
        (BANK_CUSTOMERS, person["id_number"].encode(), json.dumps(bad_income).encode(), header),
        (BANK_CUSTOMERS, None, text, header),
        (BANK_CUSTOMERS, person["id_number"].encode(), unknown, header),
        (BANK_CUSTOMERS, b"C-poison-2", text * 4_000, header),
        (MONITORING, person["phone"].encode(), text, header),
        (MONITORING, b"C-poison-3", unknown, header),
    ]


@contextmanager
def captured_json_logs(level: str = "DEBUG") -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging("pii-test", level)
    buffer = io.StringIO()
    root.handlers[0].setStream(buffer)  # type: ignore[attr-defined]
    try:
        yield buffer
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _settings(bootstrap: str, tmp_path) -> dict:  # type: ignore[no-untyped-def]
    suffix = unique("pii")
    settings = {}
    for name in SERVICES:
        config = importlib.import_module(f"services.{name}.config")
        extra = {"faust_app_id": f"warning-{suffix}"} if name == "warning" else {}
        settings[name] = config.Settings(
            kafka_bootstrap_servers=bootstrap, consumer_group=f"{name}-{suffix}",
            database_url=f"sqlite+aiosqlite:///{tmp_path}/{name}.db", log_level="DEBUG",
            worker_ops_port=_free_port(), consumer_max_retries=1,
            max_event_bytes=200_000, **extra)
        await migrate(name, settings[name].database_url)
    return settings


@asynccontextmanager
async def serving_worker(service: str, settings) -> AsyncIterator[object]:  # type: ignore[no-untyped-def]
    worker = importlib.import_module(f"services.{service}.worker").build_worker(settings)
    await worker.start()
    task = asyncio.create_task(worker.run())
    try:
        yield worker
    finally:
        await worker.stop()
        await task


async def _metrics(settings: dict) -> dict[str, str]:
    texts = {}
    async with httpx.AsyncClient(timeout=10, follow_redirects=True) as client:
        for name, config in settings.items():
            url = f"http://127.0.0.1:{config.worker_ops_port}/metrics"
            await wait_for(lambda: _answers(client, url), message=f"{name} serves /metrics")
            texts[name] = (await client.get(url)).text
    return texts


async def _answers(client: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await client.get(url)).status_code == 200
    except httpx.TransportError:
        return False


async def _dead_letter_headers(bootstrap: str) -> list[tuple[str, dict[str, bytes]]]:
    found = []
    for topic in ALL_TOPICS:
        for record in await read_all(bootstrap, dlq(topic), expect=100, timeout=3):
            found.append((topic, {name: value or b"" for name, value in record.headers}))
    return found


def _leaks(values: set[str], where: str, text: str) -> list[str]:
    return [f"{where}: {value!r}" for value in values if value in text]


async def test_personal_data_never_reaches_logs_metrics_or_dead_letter_headers(
    private_kafka: str, tmp_path,
) -> None:
    feed = list(generate(SimulationOptions(loans=12, days=20, seed=29)))
    values = personal_values(feed)
    assert len(values) > 30, "the feed should carry plenty of personal data"
    await ensure_topics(CommonSettings(kafka_bootstrap_servers=private_kafka))
    settings = await _settings(private_kafka, tmp_path)
    poison = poison_records()
    with captured_json_logs() as logs:
        async with AsyncExitStack() as stack:
            for name in SERVICES:
                await stack.enter_async_context(serving_worker(name, settings[name]))
            await publish(private_kafka, iter(feed))
            for topic, key, value, headers in poison:
                await produce(private_kafka, topic, [(key, value)], headers=headers)
            await wait_for(lambda: caught_up(private_kafka, settings), timeout=300,
                           interval=1, message="every service consumed the feed")
            await wait_for(lambda: caught_up(private_kafka, settings), timeout=120,
                           interval=1, message="every service consumed the others' events")
            metrics = await _metrics(settings)
    dead = await _dead_letter_headers(private_kafka)
    reasons = sorted(h["dlq.reason"].decode() for topic, h in dead if topic == BANK_CUSTOMERS)
    assert reasons == ["invalid_json", "oversize", "schema_violation", "schema_violation",
                       "unknown_type"]
    # Every consumer of the monitoring topic dead-letters the two poison records there.
    assert sum(topic == MONITORING for topic, _ in dead) >= 2 * 3
    log_text = logs.getvalue()
    assert '"level": "DEBUG"' in log_text and "dead-lettered" in log_text
    leaks = _leaks(values, "log", log_text)
    for name, text in metrics.items():
        leaks += _leaks(values, f"{name} /metrics", text)
    for _, headers in dead:
        for header, raw in headers.items():
            leaks += _leaks(values, f"DLQ header {header}", raw.decode("utf-8", "replace"))
    assert not leaks, "personal data leaked:\n" + "\n".join(sorted(leaks)[:40])
