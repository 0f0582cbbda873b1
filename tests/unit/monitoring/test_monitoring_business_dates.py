"""Monitoring dates everything by the bank's business dates and the events' own dates,
never by the wall clock: a Fineract message with an unreadable time or business date is
dated by the other one (or dead-lettered), and a whole feed replayed under two wall-clock
days years apart publishes the same events, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from itertools import count
from typing import Any, Callable

import pytest

from shared.events.envelope import MalformedRecord
from services.monitoring.fineract.apply import message_dates
from tests.support import bank_events as bank
from tests.support.monitoring import MonitoringHarness
from tests.support.wall_clock import WallClock, same_answer_on_two_days

DAY = date(2026, 1, 5)
FIRST_DUE = date(2026, 2, 5)
Fresh = Callable[[], MonitoringHarness]


async def test_a_fineract_message_is_dated_by_its_own_time_and_business_date(
        wall_clock: WallClock) -> None:
    async def scenario() -> list[tuple[datetime, date]]:
        return [message_dates("2026-01-05T10:15:30", "2026-01-04"),
                message_dates("2026-01-05T10:15:30", "not a date"),
                message_dates("garbled", "2026-01-04")]

    assert await same_answer_on_two_days(wall_clock, scenario) == [
        (datetime(2026, 1, 5, 10, 15, 30, tzinfo=timezone.utc), date(2026, 1, 4)),
        (datetime(2026, 1, 5, 10, 15, 30, tzinfo=timezone.utc), date(2026, 1, 5)),
        (datetime(2026, 1, 4, tzinfo=timezone.utc), date(2026, 1, 4))]


def test_a_fineract_message_with_no_readable_date_is_malformed() -> None:
    with pytest.raises(MalformedRecord) as refused:
        message_dates("garbled", "")
    assert refused.value.reason == "schema_violation"


@pytest.fixture
def fresh(service_databases: Callable[[str], str]) -> Fresh:
    numbers = count()
    return lambda: MonitoringHarness(service_databases(f"monitoring{next(numbers)}"))


def _feed() -> list:
    late = FIRST_DUE + timedelta(days=40)
    return [bank.customer_registered("C-1", on=DAY),
            bank.contact_changed("C-1", "+8613900000000", DAY),
            bank.disbursed("L-1", "C-1", on=DAY, first_due=FIRST_DUE, payment_mode="self"),
            *(bank.business_day(FIRST_DUE + timedelta(days=n)) for n in (0, 1, 8, 40)),
            bank.repayment("L-1", "P-1", "1050.00", late), bank.business_day(late + timedelta(1))]


async def test_a_replay_on_another_day_publishes_the_same_events(
        fresh: Fresh, wall_clock: WallClock) -> None:
    events = _feed()  # a replay: the very same events, ids and times

    async def scenario() -> list[tuple[str, Any]]:
        async with fresh() as harness:
            await harness.feed(*events)
            return [(e["type"], e["subject"], e["time"], e["data"])
                    for e in await harness.published()]

    published = await same_answer_on_two_days(wall_clock, scenario)
    types = {t for t, *_ in published}
    assert {"monitoring.loan.delinquency-changed.v1", "monitoring.installment.missed.v1",
            "monitoring.inspection.scheduled.v1", "monitoring.business-day.aged.v1",
            "monitoring.customer.profile-changed.v1"} <= types
