"""Monitoring defers a repayment's re-ageing to the end of the batch transaction. Applied
as one batch, a stream gives exactly the ledger, classification history and published
events (ids, payloads, order per key) that applying it one event per transaction gives, on both
databases: repeated loans, a corporate debtor's two loans, reversals, a business-day close
in the middle, a parked repayment released by its disbursal, duplicates, and debtor changes
(legal events) while their loans wait to be aged."""
from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import select

from shared.db.engine import create_engine
from shared.events.envelope import Envelope
from shared.events.registry import spec_for
from shared.kafka.consumer import EventConsumer
from shared.kafka.records import RawRecord
from services.monitoring.consumers import consumer_spec
from services.monitoring.models import (
    ClassificationChange, Installment, Loan, Payment, PaymentAllocation, delivery,
)
from tests.support import bank_events as bank
from tests.support.monitoring import MonitoringHarness

FIRST_DUE = date(2026, 2, 5)


def _day(days_after_due: int) -> date:
    return FIRST_DUE + timedelta(days=days_after_due)


def _book() -> list[Envelope]:
    opened = date(2026, 1, 5)
    return [bank.customer_registered("C-1", on=date(2026, 1, 2)),
            bank.customer_registered("C-2", kind="corporate", on=date(2026, 1, 2)),
            bank.disbursed("L-1", "C-1", on=opened, first_due=FIRST_DUE),
            bank.disbursed("L-2", "C-2", on=opened, first_due=FIRST_DUE),
            bank.disbursed("L-3", "C-2", on=opened, first_due=FIRST_DUE),
            bank.disbursed("L-4", "C-1", on=opened, first_due=FIRST_DUE),
            bank.business_day(_day(95))]


def _stream() -> list[Envelope]:
    paid = _day(95)
    duplicate = bank.repayment("L-4", "P-9", "100.00", paid)
    return [bank.repayment("L-1", "P-1", "500.00", paid),
            bank.repayment("L-2", "P-2", "3150.00", paid),   # cures L-2 (3 installments due)
            bank.repayment("L-3", "P-3", "1050.00", paid),   # same corporate debtor as L-2
            bank.repayment("L-1", "P-4", "2650.00", paid),   # the same loan again: cured
            bank.repayment("L-4", "P-5", "9000.00", paid),   # pays ahead
            bank.reversal("L-2", "P-2", paid),               # back into arrears
            bank.legal_event("C-2", "bankruptcy", paid),     # the debtor of L-2, L-3 pending
            bank.repayment("L-9", "P-6", "1050.00", paid),   # unknown loan: parked
            bank.customer_registered("C-3", on=paid),        # while others' loans wait
            bank.disbursed("L-5", "C-3", on=paid, first_due=_day(120)),
            bank.contact_changed("C-1", "13900000001", paid),  # no pending loan of C-1's
            bank.business_day(_day(96)),
            bank.repayment("L-3", "P-7", "2100.00", _day(96)),
            bank.disbursed("L-9", "C-1", on=_day(96), first_due=_day(120)),
            bank.repayment("L-4", "P-5", "9000.00", _day(96)),  # the same payment re-sent
            duplicate, duplicate,
            bank.repayment("L-2", "P-8", "1050.00", _day(96)),
            bank.legal_event("C-1", "dishonest_debtor", _day(96)),  # L-1, L-4 pending
            bank.repayment("L-1", "P-10", "100.00", _day(96))]


def _record(envelope: Envelope, offset: int) -> RawRecord:
    return RawRecord(topic=spec_for(envelope.type).topic, partition=0, offset=offset,
                     key=envelope.subject.encode(), value=envelope.to_bytes())


async def _snapshot(url: str) -> dict:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            async def rows(query) -> list:  # type: ignore[no-untyped-def]
                return [tuple(row) for row in (await connection.execute(query)).all()]
            outbox = delivery.outbox
            return {
                "loans": await rows(select(
                    Loan.loan_id, Loan.dpd, Loan.bucket, Loan.classification, Loan.ifrs9_stage,
                    Loan.classification_reason, Loan.outstanding_principal,
                    Loan.overdue_principal, Loan.overdue_interest, Loan.advance_balance,
                    Loan.observation_breached).order_by(Loan.loan_id)),
                "installments": await rows(select(
                    Installment.loan_id, Installment.installment_no, Installment.principal_paid,
                    Installment.interest_paid, Installment.missed_reported
                ).order_by(Installment.loan_id, Installment.installment_no)),
                "payments": await rows(select(
                    Payment.payment_id, Payment.status, Payment.unallocated
                ).order_by(Payment.payment_id)),
                "allocations": await rows(select(
                    PaymentAllocation.payment_id, PaymentAllocation.interest_amount,
                    PaymentAllocation.principal_amount
                ).order_by(PaymentAllocation.payment_id, PaymentAllocation.installment_id)),
                "changes": await rows(select(
                    ClassificationChange.loan_id, ClassificationChange.as_of_date,
                    ClassificationChange.old_classification,
                    ClassificationChange.new_classification, ClassificationChange.reason
                ).order_by(ClassificationChange.loan_id, ClassificationChange.id)),
                # Audit entries carry the wall-clock time of recording; events do not.
                # The contract orders events per key only; so must the comparison.
                "events": _by_key((await connection.execute(
                    select(outbox.c.message_key, outbox.c.payload)
                    .where(~outbox.c.event_type.startswith("audit."))
                    .order_by(outbox.c.id))).all()),
            }
    finally:
        await engine.dispose()


def _by_key(rows) -> dict[str, list[dict]]:  # type: ignore[no-untyped-def]
    events: dict[str, list[dict]] = {}
    for key, payload in rows:
        events.setdefault(key, []).append(json.loads(payload))
    return events


async def test_a_batch_gives_the_same_ledger_and_events_as_one_event_at_a_time(
        service_databases) -> None:
    one_by_one, batched = service_databases("one_by_one"), service_databases("batched")
    book, stream = _book(), _stream()
    async with MonitoringHarness(one_by_one) as h:
        await h.feed(*book, *stream)
    async with MonitoringHarness(batched) as h:
        await h.feed(*book)
        consumer = EventConsumer(consumer_spec(h.settings), settings=h.settings,
                                 sessions=h.sessions, tables=h.delivery, dlq_sender=None)
        assert await consumer.process_batch([_record(e, n) for n, e in enumerate(stream)])
    expected, actual = await _snapshot(one_by_one), await _snapshot(batched)
    assert actual == expected
    types = {e["type"] for per_key in expected["events"].values() for e in per_key}
    assert {"monitoring.loan.cured.v1", "monitoring.repayment.reversed.v1",
            "monitoring.loan.classification-changed.v1"} <= types, "the stream exercises ageing"
