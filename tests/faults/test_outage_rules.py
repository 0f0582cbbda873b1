"""A database or broker outage is waited for, never blamed on the record: a handler that
fails because its server is away is retried past the retry limit and applies once the
server is back, while a handler that fails for any other reason is still dead-lettered
after its bounded retries."""
from __future__ import annotations

from datetime import date

import pytest

import shared.kafka.processing as processing
from shared.events.topics import BANK_LOANS
from shared.kafka.processing import Outcome, RecordProcessor
from shared.kafka.records import RawRecord
from tests.support.bank_events import repayment


class _DeadLetters:
    def __init__(self) -> None:
        self.reasons: list[str] = []

    async def send_and_wait(self, topic, value=None, key=None, headers=None):  # type: ignore[no-untyped-def]
        self.reasons.append(dict(headers)["dlq.reason"].decode())


def _record() -> RawRecord:
    value = repayment("L-1", "P-1", "10.00", date(2026, 12, 15)).to_bytes()
    return RawRecord(topic=BANK_LOANS, partition=0, offset=7, key=b"L-1", value=value,
                     headers=())


def _processor(dead: _DeadLetters) -> RecordProcessor:
    return RecordProcessor(service="t", consumer="outage-test",
                           handled_types={"bank.repayment.received.v1"}, dlq_sender=dead,
                           max_retries=2, retry_backoff_seconds=0)


@pytest.fixture(autouse=True)
def _no_outage_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(processing, "OUTAGE_PAUSE_SECONDS", 0)


async def test_a_handler_failing_while_the_database_is_away_waits_and_applies_once_it_is_back(
) -> None:
    attempts = 0

    async def apply(record, envelope, payload) -> bool:  # type: ignore[no-untyped-def]
        nonlocal attempts
        attempts += 1
        if attempts <= 6:  # twice the retry limit: an outage longer than the retries
            raise ConnectionRefusedError(111, "Connect call failed")
        return True

    dead = _DeadLetters()
    assert await _processor(dead).process(_record(), apply) == Outcome.applied
    assert attempts == 7 and dead.reasons == []


async def test_a_handler_failing_for_another_reason_is_still_dead_lettered_after_its_retries(
) -> None:
    attempts = 0

    async def apply(record, envelope, payload) -> bool:  # type: ignore[no-untyped-def]
        nonlocal attempts
        attempts += 1
        raise ValueError("cannot apply this event")

    dead = _DeadLetters()
    assert await _processor(dead).process(_record(), apply) == Outcome.dead_lettered
    assert attempts == 3 and dead.reasons == ["handler_failed"]
