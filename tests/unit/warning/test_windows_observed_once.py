"""A record updates the windows once, before its transaction, and observing it again would
change nothing: so observing it once gives the same windows and warnings as twice."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from shared.events.registry import parse_payload
from services.warning import consumers
from services.warning.config import Settings
from services.warning.windowing import MappingWindows, observe
from tests.support import warning as ev
from tests.support.warning import WarningHarness

D0 = date(2026, 5, 1)


def _records() -> list:
    return [ev.registered(), ev.missed(3, D0), ev.missed(4, D0 + timedelta(31)),
            ev.contact_changed(D0), ev.contact_changed(D0 + timedelta(10)),
            ev.missed(5, D0 + timedelta(61)), ev.repayment(D0 + timedelta(62), "0"),
            ev.missed(6, D0 + timedelta(92)), ev.cured(D0 + timedelta(93))]


async def test_each_record_updates_the_windows_once(harness: WarningHarness,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def counting(store: Any, envelope: Any, payload: Any, settings: Any) -> None:
        calls.append(envelope.id)
        observe(store, envelope, payload, settings)

    monkeypatch.setattr(consumers, "observe", counting)
    records = _records()
    await harness.feed(*records)
    assert calls == [record.id for record in records]


def test_observing_a_record_again_changes_no_window() -> None:
    settings = Settings(database_url="sqlite+aiosqlite://")
    once, twice = MappingWindows({}, {}), MappingWindows({}, {})
    for record in _records():
        payload = parse_payload(record)
        observe(once, record, payload, settings)
        observe(twice, record, payload, settings)
        observe(twice, record, payload, settings)
        assert once._tables == twice._tables


async def test_windows_and_warnings_after_a_run(harness: WarningHarness) -> None:
    await harness.feed(*_records()[:6])
    assert harness.missed_table == {ev.LOAN: {"3": str(D0), "4": str(D0 + timedelta(31)),
                                              "5": str(D0 + timedelta(61))}}
    await harness.feed(*_records()[6:])
    assert harness.missed_table == {ev.LOAN: {}}
    assert {k: len(v) for k, v in harness.contacts_table.items()} == {ev.CUSTOMER: 2}
    assert await harness.rules_fired() == {"BEH_CONTACT_CHANGES": "yellow"}
    assert [(p["rule_id"], p["level"]) for p in await harness.published()] == [
        ("BEH_INSTALLMENT_MISSED", "blue"), ("BEH_CONSECUTIVE_MISSED", "orange"),
        ("BEH_CONTACT_CHANGES", "yellow"), ("BEH_CONSECUTIVE_MISSED", "orange"),
        ("BEH_INSTALLMENT_MISSED", "blue")]
