"""Fineract as the bank: its loan events, encoded here with Fineract's real Avro schemas and
published in Fineract's framing (key = loan id as a big-endian long, value = single-object
MessageV1 around a single-object payload), drive a loan in monitoring through disbursal,
repayments, an overdue period and a charge-off."""
from __future__ import annotations

import asyncio
import json
import random
from contextlib import asynccontextmanager
from datetime import date, timedelta

import pytest

from shared.config import CommonSettings
from shared.events import topics
from shared.events.registry import spec_for
from shared.kafka.admin import ensure_topics
from shared.kafka.dlq import header_map
from services.monitoring.config import Settings as MonitoringSettings
from services.monitoring.worker import build_worker
from tests.support import bank_events as bank
from tests.support.kafka import (
    create_topics, produce, publish_envelopes, read_all, unique, wait_for,
)
from tests.support.services import api_client, migrate
from tests.support.fineract import (
    ACCOUNT, NEEDS_SCHEMAS, REPAYMENT_DUE, SCHEMA_DIR, TRANSACTION, account, loan_key, message,
    repayment_due, transaction,
)

pytestmark = [pytest.mark.integration, NEEDS_SCHEMAS]
TOPIC = "external-events"
DISBURSED = date(2026, 1, 5)
FIRST_DUE = date(2026, 2, 5)
SECOND_DUE = date(2026, 3, 5)


class FineractMonitoringSettings(MonitoringSettings):
    """Until these fields live in the monitoring settings."""

    fineract_enabled: bool = True
    fineract_topic: str = TOPIC
    fineract_schema_dir: str | None = str(SCHEMA_DIR)


@asynccontextmanager
async def running_monitoring(settings):  # type: ignore[no-untyped-def]
    worker = build_worker(settings, serve_ops=False)
    await worker.start()
    task = asyncio.create_task(worker.run())
    try:
        yield worker
    finally:
        await worker.stop()
        await task


async def test_a_fineract_loan_is_disbursed_repaid_falls_overdue_and_is_charged_off(
    private_kafka: str, service_databases,
) -> None:
    await ensure_topics(CommonSettings(kafka_bootstrap_servers=private_kafka))
    await create_topics(private_kafka, [TOPIC, f"{TOPIC}.dlq"])
    settings = FineractMonitoringSettings(database_url=service_databases("monitoring"),
                                          kafka_bootstrap_servers=private_kafka,
                                          consumer_group=unique("g"))
    await migrate("monitoring", settings.database_url)
    loan = random.randint(10**6, 10**9)
    key, loan_id = loan_key(loan), str(loan)

    async def fineract(*values: bytes) -> None:
        await produce(private_kafka, TOPIC, [(key, value) for value in values])

    async with running_monitoring(settings), \
            api_client("monitoring", settings, "risk_officer") as client:
        async def view() -> dict:
            response = await client.get(f"/v1/loans/{loan_id}")
            return response.json() if response.status_code == 200 else {}

        disbursal = message("LoanDisbursalBusinessEvent", ACCOUNT,
                            account(loan, disbursed=DISBURSED, first_due=FIRST_DUE),
                            business_date=DISBURSED, key="idem-disbursal")
        await fineract(
            message("LoanApprovedBusinessEvent", ACCOUNT,
                    account(loan, disbursed=DISBURSED, first_due=FIRST_DUE), business_date=DISBURSED),
            disbursal, disbursal,  # Fineract re-sent it: the inbox makes it a no-op
            b"\x00garbage that is not Avro",
            message("LoanRepaymentDueBusinessEvent", REPAYMENT_DUE,
                    repayment_due(loan, 1, FIRST_DUE), business_date=FIRST_DUE - timedelta(days=3)),
            message("LoanTransactionMakeRepaymentPostBusinessEvent", TRANSACTION,
                    transaction(loan, 9001, "1050.00000000", FIRST_DUE), business_date=FIRST_DUE))

        async def repaid() -> bool:
            return len((await view()).get("payments", [])) == 1
        await wait_for(repaid, timeout=60, message="the disbursal and first repayment applied")
        state = await view()
        assert (state["customer_id"], state["principal"], state["outstanding_principal"]) == \
            ("7", "12000.00", "11000.00"), state

        # The second installment is missed: business days close past its due date.
        days = [SECOND_DUE + timedelta(days=d) for d in (1, 8, 31)]
        await fineract(message("LoanRepaymentOverdueBusinessEvent", REPAYMENT_DUE,
                               repayment_due(loan, 2, SECOND_DUE), business_date=days[0]))
        await publish_envelopes(private_kafka, [(spec_for(e.type).topic, e)
                                                for e in map(bank.business_day, days)])

        async def aged() -> bool:
            return (await view()).get("as_of_date") == days[-1].isoformat()
        await wait_for(aged, timeout=60, message="the loan aged to the last business day")
        state = await view()
        assert (state["dpd"], state["bucket"], state["classification"]) == \
            (31, "M2", "special_mention"), state
        assert state["overdue_amount"] == "1050.00", state  # the third falls due that day

        # A late partial repayment, then Fineract charges the loan off.
        late = days[-1] + timedelta(days=1)
        await fineract(
            message("LoanTransactionMakeRepaymentPostBusinessEvent", TRANSACTION,
                    transaction(loan, 9002, "500.00", late), business_date=late),
            message("LoanChargeOffPostBusinessEvent", TRANSACTION,
                    transaction(loan, 9003, "10500.00", late, kind="chargeOff"), business_date=late))

        async def charged_off() -> bool:
            return (await view()).get("status") == "closed"
        await wait_for(charged_off, timeout=60, message="the charge-off closed the loan")
        state = await view()
        assert (state["close_reason"], state["closed_date"]) == ("written_off", late.isoformat())
        assert [p["payment_id"] for p in state["payments"]] == ["9001", "9002"]

    published = [json.loads(r.value) for r in await read_all(private_kafka, topics.MONITORING,
                                                             expect=10_000, timeout=5)
                 if r.key == loan_id.encode()]
    kinds = [e["type"] for e in published]
    assert kinds.count("monitoring.loan.registered.v1") == 1
    assert kinds.count("monitoring.repayment.recorded.v1") == 2
    changes = [e["data"]["classification"] for e in published
               if e["type"] == "monitoring.loan.classification-changed.v1"]
    assert changes[:1] == ["special_mention"]
    [closed] = [e for e in published if e["type"] == "monitoring.loan.closed.v1"]
    assert (closed["data"]["reason"], closed["source"]) == ("written_off", "postloan.monitoring")
    dead = await read_all(private_kafka, f"{TOPIC}.dlq", expect=1, timeout=10)
    assert [header_map(r.headers)["dlq.reason"] for r in dead] == ["not_single_object"]


async def test_a_fineract_repayment_published_before_the_close_is_applied_before_it(
    private_kafka: str, service_databases,
) -> None:
    """Fineract's events pass the same close-of-day barrier as the native bank topics: the
    due date's repayments, then the close a week later published right after them, read
    by a monitoring that was stopped meanwhile (so it lags), never age a payer as late."""
    await ensure_topics(CommonSettings(kafka_bootstrap_servers=private_kafka))
    await create_topics(private_kafka, [TOPIC, f"{TOPIC}.dlq"], partitions=3)
    settings = FineractMonitoringSettings(database_url=service_databases("monitoring"),
                                          kafka_bootstrap_servers=private_kafka,
                                          consumer_group=unique("g"), consumer_batch_size=5)
    await migrate("monitoring", settings.database_url)
    loans = [random.randint(10**6, 10**9) for _ in range(24)]

    async def each_loan(event_type: str, schema: str, data, on: date) -> None:  # type: ignore[no-untyped-def]
        await produce(private_kafka, TOPIC, [
            (loan_key(loan), message(event_type, schema, data(loan), business_date=on))
            for loan in loans])

    async def aged_to(client, day: date) -> None:  # type: ignore[no-untyped-def]
        async def aged() -> bool:
            views = [(await client.get(f"/v1/loans/{loan}")).json() for loan in loans]
            return all(v.get("as_of_date") == day.isoformat() for v in views)
        await wait_for(aged, timeout=90, message=f"every loan aged to {day}")

    await each_loan("LoanDisbursalBusinessEvent", ACCOUNT, lambda loan: account(
        loan, disbursed=DISBURSED, first_due=FIRST_DUE), DISBURSED)
    await publish_envelopes(private_kafka, [(topics.BANK_CALENDAR, bank.business_day(DISBURSED))])
    async with running_monitoring(settings), \
            api_client("monitoring", settings, "risk_officer") as client:
        await aged_to(client, DISBURSED)

    await each_loan("LoanTransactionMakeRepaymentPostBusinessEvent", TRANSACTION,
                    lambda loan: transaction(loan, loan + 1, "1050.00000000", FIRST_DUE),
                    FIRST_DUE)
    week_later = FIRST_DUE + timedelta(days=7)
    await publish_envelopes(private_kafka, [(topics.BANK_CALENDAR, bank.business_day(week_later))])
    async with running_monitoring(settings), \
            api_client("monitoring", settings, "risk_officer") as client:
        await aged_to(client, week_later)
        for loan in loans:
            state = (await client.get(f"/v1/loans/{loan}")).json()
            assert (state["dpd"], len(state["payments"])) == (0, 1), state
    published = [json.loads(r.value)["type"] for r in await read_all(
        private_kafka, topics.MONITORING, expect=10_000, timeout=5)]
    assert "monitoring.installment.missed.v1" not in published
