"""The Fineract source's record handling on a real database without a broker: inbox
de-duplication on idempotencyKey, dead-letter reasons, skipping, bulk, parking."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shared.kafka.dlq import header_map
from shared.kafka.processing import Outcome
from shared.kafka.records import RawRecord
from services.monitoring.fineract import metrics
from services.monitoring.fineract.consumer import FineractOptions, FineractSource, fineract_source
from services.monitoring.models import Loan, Payment
from tests.support.monitoring import MonitoringHarness
from tests.support.fineract import (
    ACCOUNT, ADJUSTMENT, NEEDS_SCHEMAS, SCHEMA_DIR, TRANSACTION, account, bulk, loan_key, message, store,
    transaction,
)

DAY = date(2026, 1, 5)
FIRST_DUE = date(2026, 2, 5)
TOPIC = "external-events"
pytestmark = NEEDS_SCHEMAS


class FakeSender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes | None, dict]] = []

    async def send_and_wait(self, topic, value=None, key=None, headers=None):  # type: ignore[no-untyped-def]
        self.sent.append((topic, value, header_map(headers or [])))


@pytest.fixture
async def source(sqlite_database_url):  # type: ignore[no-untyped-def]
    async with MonitoringHarness(sqlite_database_url, consumer_max_retries=0) as h:
        src = FineractSource(options=FineractOptions(enabled=True, schema_dir=str(SCHEMA_DIR)),
                             store=store(), settings=h.settings, sessions=h.sessions,
                             dlq_sender=FakeSender())
        src.harness = h  # type: ignore[attr-defined]
        yield src


_offset = iter(range(1_000_000))


async def _feed(src: FineractSource, value: bytes | None, loan_id: int = 42) -> Outcome:
    return await src.process(RawRecord(topic=TOPIC, partition=0, offset=next(_offset),
                                       key=loan_key(loan_id), value=value))


def _disbursal(key: str | None = None) -> bytes:
    return message("LoanDisbursalBusinessEvent", ACCOUNT,
                   account(42, disbursed=DAY, first_due=FIRST_DUE), business_date=DAY, key=key)


async def _loan(src: FineractSource) -> Loan | None:
    async with src.sessions() as session:
        return await session.get(Loan, "42")


async def test_a_disbursal_registers_the_loan_and_a_redelivery_is_a_no_op(source) -> None:
    assert await _feed(source, _disbursal("idem-1")) is Outcome.applied
    assert await _feed(source, _disbursal("idem-1")) is Outcome.duplicate
    loan = await _loan(source)
    assert (loan.customer_id, loan.principal, loan.outstanding_principal) == \
        ("7", Decimal("12000.00"), Decimal("12000.00"))
    registered = await source.harness.published("monitoring.loan.registered")
    assert len(registered) == 1 and registered[0]["data"]["loan_id"] == "42"


async def test_the_same_repayment_under_a_new_idempotency_key_is_recorded_once(source) -> None:
    await _feed(source, _disbursal())
    repay = transaction(42, 901, "1050.00", FIRST_DUE)
    for _ in range(2):
        await _feed(source, message("LoanTransactionMakeRepaymentPostBusinessEvent", TRANSACTION,
                                    repay, business_date=FIRST_DUE))
    async with source.sessions() as session:
        payment = await session.get(Payment, "901")
    assert payment.amount == Decimal("1050.00")
    assert len(await source.harness.published("monitoring.repayment.recorded")) == 1


async def test_a_repayment_before_its_disbursal_is_parked_then_applied(source) -> None:
    await _feed(source, message("LoanTransactionMakeRepaymentPostBusinessEvent", TRANSACTION,
                                transaction(42, 901, "1050.00", FIRST_DUE), business_date=FIRST_DUE))
    assert await _loan(source) is None
    await _feed(source, _disbursal())
    assert (await _loan(source)).outstanding_principal == Decimal("11000.00")


async def test_a_bulk_message_applies_all_its_items_in_one_transaction(source) -> None:
    value = bulk([("LoanDisbursalBusinessEvent", ACCOUNT,
                   account(42, disbursed=DAY, first_due=FIRST_DUE)),
                  ("LoanTransactionMakeRepaymentPostBusinessEvent", TRANSACTION,
                   transaction(42, 901, "1050.00", FIRST_DUE)),
                  ("LoanApprovedBusinessEvent", ACCOUNT,
                   account(42, disbursed=DAY, first_due=FIRST_DUE))], business_date=FIRST_DUE)
    assert await _feed(source, value) is Outcome.applied
    assert (await _loan(source)).outstanding_principal == Decimal("11000.00")


async def test_types_that_do_not_matter_are_counted_and_skipped_not_dead_lettered(source) -> None:
    before = metrics.EVENTS.labels("other", "skipped")._value.get()
    outcome = await _feed(source, message("LoanApprovedBusinessEvent", ACCOUNT,
                                          account(42, disbursed=DAY, first_due=FIRST_DUE),
                                          business_date=DAY))
    assert outcome is Outcome.ignored and source.dlq_sender.sent == []
    assert metrics.EVENTS.labels("other", "skipped")._value.get() == before + 1


async def test_another_tenants_events_are_skipped_when_a_tenant_is_configured(source) -> None:
    source.processor.tenant = "bank-a"
    value = message("LoanDisbursalBusinessEvent", ACCOUNT,
                    account(42, disbursed=DAY, first_due=FIRST_DUE), business_date=DAY,
                    tenant="bank-b")
    assert await _feed(source, value) is Outcome.ignored
    assert await _loan(source) is None


@pytest.mark.parametrize("value, reason", [
    (b"not avro at all", "not_single_object"),
    (b"\xc3\x01" + b"\xff" * 8 + b"\x00", "unknown_schema"),
    (None, "empty_value"),
])
async def test_undecodable_records_go_to_the_dlq_with_the_reason(source, value, reason) -> None:
    assert await _feed(source, value) is Outcome.dead_lettered
    [(topic, sent, headers)] = source.dlq_sender.sent
    assert (topic, sent, headers["dlq.reason"]) == (f"{TOPIC}.dlq", value, reason)
    assert headers["dlq.original.topic"] == TOPIC


async def test_a_mapped_event_that_cannot_be_mapped_is_dead_lettered_with_the_cause(source) -> None:
    record = account(42, disbursed=DAY, first_due=FIRST_DUE)
    record["repaymentSchedule"]["periods"] = []
    await _feed(source, message("LoanDisbursalBusinessEvent", ACCOUNT, record, business_date=DAY))
    [(_, _, headers)] = source.dlq_sender.sent
    assert headers["dlq.reason"] == "schema_violation"
    assert headers["dlq.error.message"].startswith("LoanDisbursalBusinessEvent:")


async def test_a_ledger_rule_violation_is_dead_lettered_with_its_code(source) -> None:
    await _feed(source, _disbursal())
    unknown = transaction(42, 777, "10.00", FIRST_DUE, reversed_on=FIRST_DUE)
    await _feed(source, message("LoanAdjustTransactionBusinessEvent", ADJUSTMENT,
                                {"transactionToAdjust": unknown, "newTransactionDetail": None},
                                business_date=FIRST_DUE))
    [(_, _, headers)] = source.dlq_sender.sent
    assert headers["dlq.error.type"] == "RejectEvent"


async def test_undoing_a_charge_off_puts_the_loan_back_on_the_book(source) -> None:
    await _feed(source, _disbursal())
    off = transaction(42, 950, "12000.00", date(2026, 6, 1), kind="chargeOff")
    await _feed(source, message("LoanChargeOffPostBusinessEvent", TRANSACTION, off,
                                business_date=date(2026, 6, 1)))
    assert ((await _loan(source)).status, (await _loan(source)).close_reason) == ("closed", "written_off")
    await _feed(source, message("LoanUndoChargeOffBusinessEvent", TRANSACTION,
                                {**off, "reversedOnDate": "2026-06-02"}, business_date=date(2026, 6, 2)))
    loan = await _loan(source)
    assert (loan.status, loan.closed_date, loan.close_reason) == ("active", None, None)


def test_the_source_is_off_unless_enabled_and_needs_the_schema_directory() -> None:
    class Off:
        consumer_group = "monitoring"
    assert fineract_source(Off()) is None

    class NoDir(Off):
        fineract_enabled = True
    with pytest.raises(ValueError):
        fineract_source(NoDir())

    class On(NoDir):
        fineract_schema_dir = str(SCHEMA_DIR)
    topic, factory = fineract_source(On())
    assert topic == "external-events" and callable(factory)
    assert FineractOptions.from_settings(On()).consumer_group == "monitoring-fineract"
    assert FineractOptions.from_settings(On()).topic == "external-events"


def test_fineracts_topic_is_read_behind_the_close_of_day_barrier(tmp_path) -> None:
    from services.monitoring.config import Settings
    from services.monitoring.worker import build_worker

    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/m.db",
                        fineract_enabled=True, fineract_schema_dir=str(SCHEMA_DIR))
    (spec,) = build_worker(settings, serve_ops=False).consumer_specs
    assert "external-events" in spec.topics and "external-events" in spec.sources
    assert "external-events" in spec.barrier.gated_topics
    assert "bank.loans.v1" in spec.barrier.gated_topics
