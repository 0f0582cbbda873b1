"""The faust agents in test contexts: guarded processing into the warning database, windows
in the faust tables, dead-lettering of bad records, and the collections agent."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any, AsyncIterator

import pytest
from faust.types import TP
from sqlalchemy import select

from shared.db.engine import create_engine, session_factory
from shared.events.topics import MONITORING, dlq
from shared.kafka.processing import Outcome
from services.warning.config import Settings
from services.warning.models import Base, EarlyWarning
from services.warning.streams import WarningStreams, build_streams
from tests.support import warning as ev

D0 = date(2026, 5, 1)


class RecordingDlq:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []

    async def send_and_wait(self, topic: str, value: bytes | None = None,
                            key: bytes | None = None, headers: list | None = None) -> None:
        self.sent.append((topic, {k: v.decode() for k, v in headers or ()}))


@pytest.fixture
async def streams(tmp_path: Path) -> AsyncIterator[tuple[WarningStreams, Any, RecordingDlq]]:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/w.db",
                        faust_app_id=f"warning-test-{tmp_path.name}", consumer_max_retries=0)
    engine = create_engine(settings.database_url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    sender = RecordingDlq()
    built = build_streams(settings, session_factory(engine), dlq_sender=sender)
    built.app.finalize()
    built.app.flow_control.resume()
    yield built, session_factory(engine), sender
    await engine.dispose()


async def _put(agent: Any, *envelopes: Any) -> list[Outcome]:
    for envelope in envelopes:
        await agent.put(key=(envelope.subject or "").encode(), value=envelope.to_bytes())
    return list(agent.results.values())


async def _warnings(sessions: Any) -> dict[str, str]:
    async with sessions() as session:
        rows = (await session.scalars(select(EarlyWarning).where(EarlyWarning.active.is_(True)))).all()
        return {w.rule_id: w.level for w in rows}


async def test_monitoring_agent_raises_the_dpd_warning_through_the_guard(streams) -> None:  # type: ignore[no-untyped-def]
    built, sessions, _ = streams
    async with built.monitoring_agent.test_context() as agent:
        outcomes = await _put(agent, ev.registered(), ev.delinquency(1, D0))
    assert outcomes == [Outcome.applied, Outcome.applied]
    assert await _warnings(sessions) == {"BEH_DPD": "blue"}


async def test_monitoring_agent_keeps_consecutive_missed_installments_in_its_table(streams) -> None:  # type: ignore[no-untyped-def]
    built, sessions, _ = streams
    async with built.monitoring_agent.test_context() as agent:
        await _put(agent, ev.registered(), ev.missed(3, D0), ev.missed(4, D0 + timedelta(30)))
    assert dict(built.missed["L-1"]) == {"3": D0.isoformat(),
                                        "4": (D0 + timedelta(30)).isoformat()}
    assert (await _warnings(sessions))["BEH_CONSECUTIVE_MISSED"] == "orange"


async def test_monitoring_agent_counts_contact_changes_in_its_table(streams) -> None:  # type: ignore[no-untyped-def]
    built, sessions, _ = streams
    async with built.monitoring_agent.test_context() as agent:
        await _put(agent, ev.registered(), ev.contact_changed(D0),
                   ev.contact_changed(D0 + timedelta(12)))
    assert len(built.contacts["C-1"]) == 2
    assert await _warnings(sessions) == {"BEH_CONTACT_CHANGES": "yellow"}


async def test_a_redelivered_record_is_a_duplicate(streams) -> None:  # type: ignore[no-untyped-def]
    built, _, _ = streams
    event = ev.delinquency(1, D0)
    async with built.monitoring_agent.test_context() as agent:
        outcomes = await _put(agent, ev.registered(), event, event)
    assert outcomes[-1] is Outcome.duplicate


async def test_a_malformed_record_is_dead_lettered_and_the_agent_goes_on(streams) -> None:  # type: ignore[no-untyped-def]
    built, sessions, sender = streams
    async with built.monitoring_agent.test_context() as agent:
        await agent.put(key=b"L-1", value=b"{not json")
        outcomes = await _put(agent, ev.registered(), ev.delinquency(30, D0))
    assert outcomes[0] is Outcome.dead_lettered
    assert sender.sent[0][0] == dlq(MONITORING)
    assert "invalid_json" in sender.sent[0][1].values()
    assert await _warnings(sessions) == {"BEH_DPD": "yellow"}


async def test_collections_agent_raises_the_broken_promise_warning(streams) -> None:  # type: ignore[no-untyped-def]
    built, sessions, _ = streams
    assert built.collections_agent is not None
    async with built.monitoring_agent.test_context() as agent:
        await _put(agent, ev.registered())
    async with built.collections_agent.test_context() as agent:
        outcomes = await _put(agent, ev.promise_broken(D0))
    assert outcomes == [Outcome.applied]
    assert await _warnings(sessions) == {"BEH_PROMISE_BROKEN": "orange"}


async def test_a_window_write_is_not_refused_while_the_consumer_has_no_changelog_metadata(
        streams, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # After a broker restart or a fresh join the consumer's metadata snapshot counts the
    # changelog as 0 partitions until its next refresh; faust's own check then raised
    # PartitionsMismatch and the good record was dead-lettered.
    built, sessions, sender = streams
    monkeypatch.setattr(built.app.consumer, "topic_partitions",
                        lambda topic: 0 if topic.endswith("-changelog") else 6)
    async with built.monitoring_agent.test_context() as agent:
        outcomes = await _put(agent, ev.registered(), ev.missed(3, D0), ev.contact_changed(D0))
    assert outcomes == [Outcome.applied] * 3 and not sender.sent
    assert dict(built.missed["L-1"]) == {"3": D0.isoformat()} and len(built.contacts["C-1"]) == 1


async def test_an_acknowledged_record_behind_a_missing_one_is_never_committed_over(streams) -> None:  # type: ignore[no-untyped-def]
    # Committed 82 is the next record to read; 82 never reached the agent, 83 did. Stock
    # faust committed 84 here and 82 was lost.
    built, _, _ = streams
    consumer, tp = built.app.consumer, TP(MONITORING, 3)
    consumer._committed_offset[tp] = 82
    consumer._acked[tp].append(83)
    assert consumer._new_offset(tp) is None
    consumer._acked[tp].insert(0, 82)  # re-delivered and processed
    assert consumer._new_offset(tp) == 84
