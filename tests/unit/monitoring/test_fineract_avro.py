"""Single-object decoding of Fineract messages: fingerprints, errors, bulk unwrap."""
from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import fastavro
import pytest
from fastavro.schema import fingerprint, to_parsing_canonical_form

from services.monitoring.fineract.avro import (
    MESSAGE_V1, AvroDecodeError, SchemaStore, decode_message, fingerprint_bytes,
    loan_id_from_key, rabin_fingerprint,
)
from tests.support.fineract import (
    ACCOUNT, NEEDS_SCHEMAS, SCHEMA_DIR, TRANSACTION, account, bulk, loan_key, message,
    single_object, store, transaction,
)

DAY = date(2026, 1, 5)
pytestmark = NEEDS_SCHEMAS


def test_crc64_avro_matches_the_specification_and_fastavro() -> None:
    # The Avro specification's value for the schema "null".
    assert rabin_fingerprint(b'"null"') == 0x63DD24E7CC258F8A
    for text in ('"int"', '{"type":"fixed","name":"f","size":16}', "x" * 300):
        assert fingerprint_bytes(rabin_fingerprint(text.encode())).hex() == \
            fingerprint(text, "CRC-64-AVRO")


def test_message_fingerprint_equals_the_one_computed_from_the_schema_file_alone() -> None:
    raw = json.loads((SCHEMA_DIR / "MessageV1.avsc").read_text())
    expected = fingerprint(to_parsing_canonical_form(fastavro.parse_schema(raw)), "CRC-64-AVRO")
    assert fingerprint_bytes(store().get(MESSAGE_V1).fingerprint).hex() == expected


def test_named_types_are_written_out_once_and_decimals_use_the_bigdecimal_template() -> None:
    schema = store().get(ACCOUNT)
    canonical = schema.canonical_form
    definition = '"name":"org.apache.fineract.avro.generic.v1.EnumOptionDataV1","type":"record"'
    assert canonical.count(definition) == 1
    assert "bigdecimal" not in canonical
    fastavro.parse_schema(json.loads(canonical))  # a valid standalone schema
    assert len(store().by_fingerprint) == len(store().by_name)


def test_the_schema_directory_must_exist_and_hold_message_v1(tmp_path) -> None:
    with pytest.raises(FileNotFoundError):
        SchemaStore.from_directory(tmp_path / "missing")
    with pytest.raises(FileNotFoundError):
        SchemaStore.from_directory(tmp_path)


@pytest.mark.parametrize("value, reason", [
    (None, "empty_value"),
    (b"{\"json\": true}", "not_single_object"),
    (b"\xc3\x01" + b"\x00" * 8 + b"\x02", "unknown_schema"),
])
def test_values_that_are_not_fineract_messages_name_their_reason(value, reason) -> None:
    with pytest.raises(AvroDecodeError) as caught:
        decode_message(store(), value)
    assert caught.value.reason == reason


def test_a_truncated_body_is_invalid_avro() -> None:
    value = message("LoanDisbursalBusinessEvent", ACCOUNT,
                    account(1, disbursed=DAY, first_due=date(2026, 2, 5)), business_date=DAY)
    with pytest.raises(AvroDecodeError) as caught:
        decode_message(store(), value[:40])
    assert caught.value.reason == "invalid_avro"


def test_a_payload_written_with_another_schema_than_dataschema_names_is_a_mismatch() -> None:
    wrong = single_object(TRANSACTION, transaction(1, 9, "10.00", DAY))
    _, items = decode_message(store(), message("LoanDisbursalBusinessEvent", ACCOUNT, wrong,
                                               business_date=DAY))
    with pytest.raises(AvroDecodeError) as caught:
        store().decode(items[0].data, expect=items[0].dataschema)
    assert caught.value.reason == "schema_mismatch"


def test_the_outer_value_must_be_a_message_v1() -> None:
    with pytest.raises(AvroDecodeError) as caught:
        decode_message(store(), single_object(TRANSACTION, transaction(1, 9, "10.00", DAY)))
    assert caught.value.reason == "schema_mismatch"


def test_a_bulk_message_unwraps_into_its_items_in_order() -> None:
    value = bulk([("LoanTransactionMakeRepaymentPostBusinessEvent", TRANSACTION,
                   transaction(5, 1, "10.00", DAY)),
                  ("LoanBalanceChangedBusinessEvent", ACCOUNT,
                   account(5, disbursed=DAY, first_due=date(2026, 2, 5)))],
                 business_date=DAY, key="bulk-1")
    outer, items = decode_message(store(), value)
    assert outer["idempotencyKey"] == "bulk-1"
    assert [(i.id, i.type, i.dataschema) for i in items] == [
        (1, "LoanTransactionMakeRepaymentPostBusinessEvent", TRANSACTION),
        (2, "LoanBalanceChangedBusinessEvent", ACCOUNT)]
    _, first = store().decode(items[0].data, expect=TRANSACTION)
    assert first["loanId"] == 5


def test_the_record_key_is_the_loan_id_as_a_big_endian_long() -> None:
    assert loan_id_from_key(loan_key(123456789)) == 123456789
    assert loan_id_from_key(b"123") is None
    assert loan_id_from_key(None) is None


@NEEDS_SCHEMAS
def test_a_message_built_here_decodes_on_both_levels_with_the_real_schemas() -> None:
    day = date(2026, 1, 5)
    value = message("LoanDisbursalBusinessEvent", ACCOUNT,
                    account(42, disbursed=day, first_due=day + timedelta(days=31)),
                    business_date=day, key="k-1")
    schema, outer = store().decode(value)
    assert (schema.name, outer["type"], outer["idempotencyKey"]) == (MESSAGE_V1, "LoanDisbursalBusinessEvent", "k-1")
    inner_schema, inner = store().decode(outer["data"], expect=outer["dataschema"])
    assert inner_schema.name == ACCOUNT
    assert inner["principal"] == Decimal("12000.00000000")  # decimal(20,8) on the wire
    assert loan_key(42) == b"\x00\x00\x00\x00\x00\x00\x00\x2a"
