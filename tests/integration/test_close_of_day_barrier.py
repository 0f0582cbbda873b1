"""The close-of-day barrier on real Kafka: the bank publishes a day's events and its close
back to back, and the next day's after it, while monitoring lags (it starts only after
everything was published, reading small batches from many partitions). Whatever order the
partitions are fetched in, ageing must see exactly what was published before each close."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from shared.config import CommonSettings
from shared.db.engine import create_engine, session_factory
from shared.events.registry import spec_for
from shared.kafka.admin import ensure_topics
from services.monitoring.config import Settings as MonitoringSettings
from services.monitoring.models import Loan, delivery
from tests.support import bank_events as bank
from tests.support.kafka import caught_up, publish_envelopes, unique, wait_for
from tests.support.services import migrate, running_worker

pytestmark = pytest.mark.integration
DISBURSED, FIRST_DUE = date(2030, 1, 2), date(2030, 2, 1)
WEEK_LATER, NEXT_DAY = date(2030, 2, 8), date(2030, 2, 9)
INSTALLMENT = "1050.00"
FILLERS = 60


def _bank_feed() -> list:  # type: ignore[type-arg]
    """Three loans that matter among busy fillers: L-PAY pays on its due date (published
    before the week-later close), L-NEXT pays the day after that close (published after
    it), L-LATE never pays."""
    fillers = [f"L-F{n:03d}" for n in range(FILLERS)]
    named = {"L-PAY": "C-PAY", "L-NEXT": "C-NEXT", "L-LATE": "C-LATE"}
    disbursals = [bank.disbursed(loan, customer, on=DISBURSED, first_due=FIRST_DUE)
                  for loan, customer in named.items()]
    disbursals += [bank.disbursed(loan, f"C-F{loan[-3:]}", on=DISBURSED, first_due=FIRST_DUE)
                   for loan in fillers]
    due_day = [bank.repayment(loan, f"P-{loan}", INSTALLMENT, FIRST_DUE) for loan in fillers]
    return [*disbursals, bank.business_day(DISBURSED),
            *due_day, bank.repayment("L-PAY", "P-PAY", INSTALLMENT, FIRST_DUE),
            bank.business_day(WEEK_LATER),
            bank.repayment("L-NEXT", "P-NEXT", INSTALLMENT, NEXT_DAY),
            bank.business_day(NEXT_DAY)]


async def _missed_by_loan(url: str) -> dict[str, int]:
    import json

    outbox = delivery.outbox
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            payloads = (await session.execute(select(outbox.c.payload).where(
                outbox.c.event_type == "monitoring.installment.missed.v1"))).scalars().all()
    finally:
        await engine.dispose()
    counts: dict[str, int] = {}
    for payload in payloads:
        loan_id = json.loads(payload)["data"]["loan_id"]
        counts[loan_id] = counts.get(loan_id, 0) + 1
    return counts


async def _dpd(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            return dict((await session.execute(select(Loan.loan_id, Loan.dpd))).all())
    finally:
        await engine.dispose()


async def test_a_close_published_right_after_the_days_events_ages_them_all_and_nothing_later(
    private_kafka: str, service_databases,
) -> None:
    await ensure_topics(CommonSettings(kafka_bootstrap_servers=private_kafka))
    settings = MonitoringSettings(database_url=service_databases("monitoring"),
                                  kafka_bootstrap_servers=private_kafka,
                                  consumer_group=unique("g"), consumer_batch_size=10)
    await migrate("monitoring", settings.database_url)
    feed = _bank_feed()
    await publish_envelopes(private_kafka, [(spec_for(e.type).topic, e) for e in feed])

    async with running_worker("monitoring", settings):
        await wait_for(lambda: caught_up(private_kafka, {"monitoring": settings}), timeout=180,
                       interval=0.5, message="monitoring consumed the bank's feed")

    missed = await _missed_by_loan(settings.database_url)
    dpd = await _dpd(settings.database_url)
    # The on-time payer was never late, not even for a moment.
    assert "L-PAY" not in missed and dpd["L-PAY"] == 0, (missed, dpd["L-PAY"])
    # The payment published after the close did not hide the week of arrears before it.
    assert missed.get("L-NEXT") == 1 and dpd["L-NEXT"] == 0, (missed, dpd["L-NEXT"])
    assert missed.get("L-LATE") == 1 and dpd["L-LATE"] == (NEXT_DAY - FIRST_DUE).days
    assert not any(loan.startswith("L-F") for loan in missed), missed
