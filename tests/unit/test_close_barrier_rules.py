"""Which records the close-of-day barrier counts as published after a close: a later
broker timestamp, or the close's own millisecond with a later business date."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from aiokafka import TopicPartition

from shared.events.bank.business_day import business_date_of
from shared.kafka.close_barrier import (
    CloseBarrierSpec, PendingClose, closed_date_of, published_after,
)

SPEC = CloseBarrierSpec(calendar_topic="bank.calendar.v1", gated_topics=frozenset({"bank.loans.v1"}),
                        close_type="bank.business-day.closed.v1", business_date_of=business_date_of)
CLOSE = PendingClose(TopicPartition("bank.calendar.v1", 0), None, date(2030, 2, 8), 1_000)


@dataclass
class Record:
    timestamp: int
    value: bytes


def _repayment(timestamp: int, paid: str) -> Record:
    return Record(timestamp, json.dumps({"type": "bank.repayment.received.v1",
                                         "data": {"loan_id": "L-1", "paid_date": paid}}).encode())


def test_a_record_stamped_before_or_after_the_close_is_ordered_by_its_stamp() -> None:
    assert not published_after(CLOSE, _repayment(999, "2030-02-09"), SPEC)
    assert published_after(CLOSE, _repayment(1_001, "2030-02-01"), SPEC)


def test_in_the_closes_millisecond_a_later_business_date_is_after_it() -> None:
    assert published_after(CLOSE, _repayment(1_000, "2030-02-09"), SPEC)
    assert not published_after(CLOSE, _repayment(1_000, "2030-02-08"), SPEC)
    assert not published_after(CLOSE, Record(1_000, b"not json"), SPEC)


def test_a_record_without_a_timestamp_is_never_held() -> None:
    assert not published_after(CLOSE, _repayment(-1, "2030-03-01"), SPEC)


def test_only_a_readable_close_is_a_close() -> None:
    close = {"type": "bank.business-day.closed.v1", "data": {"business_date": "2030-02-08"}}
    assert closed_date_of(Record(1, json.dumps(close).encode()), SPEC.close_type) == date(2030, 2, 8)
    assert closed_date_of(Record(1, b"{"), SPEC.close_type) is None
    assert closed_date_of(Record(1, json.dumps({**close, "data": {}}).encode()),
                          SPEC.close_type) is None


def test_each_inbound_event_names_its_business_date_and_contact_changes_none() -> None:
    assert business_date_of({"loan_id": "L-1", "closed_date": "2030-02-08"}) == date(2030, 2, 8)
    assert business_date_of({"customer_id": "C-1", "period_end": "2029-12-31"}) == date(2029, 12, 31)
    assert business_date_of({"customer_id": "C-1", "phone": "+86"}) is None
