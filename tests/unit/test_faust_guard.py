"""A guarded faust agent has the consumer semantics: bad records are dead-lettered with a
reason, failing handlers are retried then dead-lettered, and the agent never raises (faust
would acknowledge, and so lose, a record whose agent raised)."""
from __future__ import annotations

import faust

from shared.events.topics import BANK_LOANS
from shared.kafka.faust_guard import guarded_events
from shared.kafka.processing import Outcome, RecordProcessor
from tests.support.bank_events import repayment


class _CapturedDeadLetters:
    """Stands in for the broker's dead-letter topic; the Kafka path is covered by the
    integration tests of shared.kafka.consumer."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, str]]] = []

    async def send_and_wait(self, topic, value=None, key=None, headers=None):  # type: ignore[no-untyped-def]
        self.sent.append((topic, {k: v.decode() for k, v in headers}))


def _agent(apply):  # type: ignore[no-untyped-def]
    app = faust.App("guard-test", broker="kafka://127.0.0.1:1", store="memory://")
    topic = app.topic(BANK_LOANS, key_type=bytes, value_type=bytes, value_serializer="raw")
    dead = _CapturedDeadLetters()
    processor = RecordProcessor(service="t", consumer="guard-test",
                                handled_types={"bank.repayment.received.v1"}, dlq_sender=dead,
                                max_retries=2, retry_backoff_seconds=0)
    outcomes: list[Outcome] = []

    @app.agent(topic)
    async def agent(stream):  # type: ignore[no-untyped-def]
        async for outcome in guarded_events(stream, processor, apply):
            outcomes.append(outcome)
            yield outcome

    return agent, dead, outcomes


async def test_a_guarded_agent_dead_letters_bad_records_and_applies_good_ones() -> None:
    applied: list[str] = []

    async def apply(record, envelope, payload) -> bool:  # type: ignore[no-untyped-def]
        applied.append(payload.payment_id)
        return True

    agent, dead, outcomes = _agent(apply)
    async with agent.test_context() as context:
        await context.put(b"{not json", key=b"L-1")
        await context.put(repayment("L-1", "P-1", "10.00", _day()).to_bytes(), key=b"L-1")
    assert outcomes == [Outcome.dead_lettered, Outcome.applied]
    assert applied == ["P-1"]
    assert dead.sent[0][0] == "bank.loans.v1.dlq"
    assert dead.sent[0][1]["dlq.reason"] == "invalid_json"


async def test_a_guarded_agent_retries_a_failing_handler_then_dead_letters_without_raising() -> None:
    attempts = 0

    async def apply(record, envelope, payload) -> bool:  # type: ignore[no-untyped-def]
        nonlocal attempts
        attempts += 1
        raise RuntimeError("database away")

    agent, dead, outcomes = _agent(apply)
    async with agent.test_context() as context:
        await context.put(repayment("L-1", "P-1", "10.00", _day()).to_bytes(), key=b"L-1")
    assert attempts == 3, "one try and two retries"
    assert outcomes == [Outcome.dead_lettered]
    assert dead.sent[0][1]["dlq.reason"] == "handler_failed"


def _day():  # type: ignore[no-untyped-def]
    from datetime import date

    return date(2026, 12, 15)
