"""Consumers survive malformed keys and headers: binary and non-UTF-8 keys, null keys,
non-UTF-8, huge and null header values. A good event is applied whatever its key and
headers; a bad one is dead-lettered with clean headers; nothing raises."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from aiokafka.errors import MessageSizeTooLargeError

from shared.events.envelope import new_event
from shared.events.topics import BANK_LOANS, dlq
from shared.kafka.dlq import header_map
from shared.kafka.faust_guard import raw_record
from shared.kafka.processing import Outcome, RecordProcessor
from shared.kafka.records import RawRecord

REPAYMENT = "bank.repayment.received.v1"
BAD_KEYS = [None, b"", b"\xff\xfe\xfa", b"\x00" * 16, "贷款".encode("gbk"), b"k" * 300_000]
BAD_HEADERS = [
    (("ce_type", b"\xff\xfe\xfa"),),
    (("trace", None),),
    (("huge", b"h" * 300_000),),
    (("", b""), ("dup", b"1"), ("dup", b"\x80")),
]


class RecordingSender:
    def __init__(self, refuse_larger_than: int | None = None) -> None:
        self.sent: list[dict] = []
        self.refuse_larger_than = refuse_larger_than

    async def send_and_wait(self, topic: str, value: bytes | None = None,
                            key: bytes | None = None, headers: list | None = None) -> None:
        assert value is not None or key is not None, "a Kafka record needs a key or a value"
        size = len(value or b"") + len(key or b"")
        if self.refuse_larger_than is not None and size > self.refuse_larger_than:
            raise MessageSizeTooLargeError("too large")
        self.sent.append({"topic": topic, "key": key, "value": value, "headers": headers})


def _processor(sender: RecordingSender) -> RecordProcessor:
    return RecordProcessor(service="security-test", consumer="security-test",
                           handled_types={REPAYMENT}, dlq_sender=sender, max_retries=0,
                           retry_backoff_seconds=0)


def _repayment(loan_id: str = "L-1") -> bytes:
    return new_event(type=REPAYMENT, source="core-banking", subject=loan_id, data={
        "loan_id": loan_id, "payment_id": "P-1", "amount": "10.00", "paid_date": "2026-12-01",
        "channel": "counter"}).to_bytes()


def _record(value: bytes | None, key: bytes | None = b"L-1", headers=(), offset: int = 7) -> RawRecord:  # type: ignore[no-untyped-def]
    return RawRecord(topic=BANK_LOANS, partition=0, offset=offset, key=key, value=value,
                     headers=headers)


class Applied:
    def __init__(self) -> None:
        self.loans: list[str] = []

    async def __call__(self, record, envelope, payload) -> bool:  # type: ignore[no-untyped-def]
        self.loans.append(payload.loan_id)
        return True


def _assert_clean_dlq_headers(headers: list[tuple[str, bytes]]) -> None:
    names = [name for name, _ in headers]
    assert all(name.startswith("dlq.") for name in names), "original headers are not copied"
    for _, value in headers:
        assert value is not None and len(value) <= 1000
        value.decode("utf-8")


@pytest.mark.parametrize("key", BAD_KEYS, ids=lambda k: "none" if k is None else f"{len(k)}b")
async def test_a_good_event_is_applied_whatever_its_key(key: bytes | None) -> None:
    sender, apply = RecordingSender(), Applied()
    outcome = await _processor(sender).process(_record(_repayment(), key=key), apply)
    assert (outcome, apply.loans, sender.sent) == (Outcome.applied, ["L-1"], [])


@pytest.mark.parametrize("headers", BAD_HEADERS, ids=["non-utf8", "null", "huge", "odd-names"])
async def test_a_good_event_is_applied_whatever_its_headers(headers) -> None:  # type: ignore[no-untyped-def]
    sender, apply = RecordingSender(), Applied()
    outcome = await _processor(sender).process(_record(_repayment(), headers=headers), apply)
    assert (outcome, apply.loans) == (Outcome.applied, ["L-1"])


@pytest.mark.parametrize("key", BAD_KEYS, ids=lambda k: "none" if k is None else f"{len(k)}b")
async def test_a_bad_event_with_a_malformed_key_and_headers_is_dead_lettered_cleanly(
    key: bytes | None,
) -> None:
    sender = RecordingSender()
    headers = BAD_HEADERS[0] + BAD_HEADERS[1] + BAD_HEADERS[2]
    for value in (b"\xff\xfe not json", None, b"{}", b"[1, 2]"):
        outcome = await _processor(sender).process(
            _record(value, key=key, headers=headers), Applied())
        assert outcome is Outcome.dead_lettered, value
    assert len(sender.sent) == 4
    for sent in sender.sent:
        assert (sent["topic"], sent["key"]) == (dlq(BANK_LOANS), key)
        _assert_clean_dlq_headers(sent["headers"])
    null_value = sender.sent[1]
    if key is None:
        assert null_value["value"] == b"" and \
            header_map(null_value["headers"])["dlq.original.value"] == "null"
    else:
        assert null_value["value"] is None


async def test_a_record_too_large_to_copy_is_dead_lettered_without_its_payload() -> None:
    sender = RecordingSender(refuse_larger_than=100_000)
    outcome = await _processor(sender).process(
        _record(b"not json", key=b"k" * 200_000, offset=41), Applied())
    assert outcome is Outcome.dead_lettered
    [sent] = sender.sent
    assert (sent["key"], sent["value"]) == (None, b"")
    headers = header_map(sent["headers"])
    assert headers["dlq.original.offset"] == "41" and headers["dlq.reason"] == "invalid_json"
    assert "dlq.payload.dropped" in headers


def test_faust_messages_with_odd_headers_become_raw_records() -> None:
    for headers in (None, {"a": None, "b": b"\xff"}, [("a", None)], ()):
        message = SimpleNamespace(topic=BANK_LOANS, partition=1, offset=3, key=b"\xff",
                                  value=b"x", headers=headers)
        record = raw_record(message)
        assert record.key == b"\xff" and record.value == b"x"
        assert all(isinstance(name, str) for name, _ in record.headers)


def test_header_map_reads_null_and_non_utf8_values() -> None:
    assert header_map([("a", None), ("b", b"\xff")]) == {"a": "", "b": "\ufffd"}
