"""Personal data never enters the audit trail unmasked: id numbers, phones and addresses
are masked by field name at any depth, free text loses long digit runs, and values become
plain JSON (money as strings)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.audit.decisions import Decision
from shared.audit.masking import masked_changes, scrub_text

ID_NUMBER, PHONE, ADDRESS = "310101199001011234", "13812345678", "Room 5, 88 Century Avenue"


def test_id_numbers_phones_and_addresses_are_masked_on_both_sides_of_a_change() -> None:
    changes = masked_changes({"id_number": (None, ID_NUMBER), "phone": ("13900001111", PHONE),
                              "home_address": (ADDRESS, None), "status": ("open", "closed")})
    assert changes["id_number"] == [None, "3101**********1234"]
    assert changes["phone"] == ["139****1111", "138****5678"]
    assert changes["home_address"] == ["Room 5" + "*" * (len(ADDRESS) - 6), None]
    assert changes["status"] == ["open", "closed"]


def test_personal_data_nested_in_json_values_is_masked_too() -> None:
    changes = masked_changes({"evidence": (None, {"contact": {"phone": PHONE},
                                                  "ids": [{"id_number": ID_NUMBER}]})})
    text = str(changes)
    assert PHONE not in text and ID_NUMBER not in text


def test_free_text_loses_long_digit_runs_but_keeps_short_numbers() -> None:
    assert scrub_text(f"call {PHONE} after 9pm, 2 tries") == "call 13********* after 9pm, 2 tries"


def test_values_become_plain_json_with_money_as_strings() -> None:
    changes = masked_changes({"amount": (Decimal("1.50"), Decimal("2.00")),
                              "due_date": (None, date(2026, 12, 1))})
    assert changes == {"amount": ["1.50", "2.00"], "due_date": [None, "2026-12-01"]}


def test_a_decision_without_declared_changes_records_its_masked_payload() -> None:
    decision = Decision("customer", "customer_id")
    change = decision.change({"customer_id": "C-1", "phone": PHONE, "reason": f"id {ID_NUMBER}"})
    assert change["customer_id"] == [None, "C-1"]
    assert PHONE not in str(change) and ID_NUMBER not in str(change)
    assert decision.reason({"reason": f"id {ID_NUMBER}"}) == "id 31****************"
