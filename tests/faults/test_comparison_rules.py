"""The suite's own tools must be able to fail: the state comparison sees a changed figure
but not a wall-clock time or a random id, the reordering keeps each key's order, and only
an unreachable server counts as an outage to wait for."""
from __future__ import annotations

import random
from collections import Counter

from shared.events.envelope import new_event
from shared.runtime.outage import unreachable
from tests.faults.feeder import interleave_keeping_key_order
from tests.faults.snapshot import TableState, _normal, diff


def _loans(*rows: tuple[str, ...]) -> dict[str, TableState]:
    return {"monitoring.loan": TableState(("loan_id", "dpd", "classification"),
                                          Counter(rows))}


def test_a_changed_dpd_or_a_missing_row_is_a_difference_with_both_sides_shown() -> None:
    baseline = _loans(("L-000001", "0", "normal"), ("L-000002", "31", "special_mention"))
    faulty = _loans(("L-000001", "0", "normal"), ("L-000002", "32", "special_mention"))
    text = diff(baseline, faulty)
    assert "monitoring.loan: 1 rows missing, 1 unexpected" in text
    assert "- L-000002 | 31 | special_mention" in text
    assert "+ L-000002 | 32 | special_mention" in text
    assert diff(baseline, _loans(("L-000001", "0", "normal")))


def test_a_row_applied_twice_is_a_difference() -> None:
    once = _loans(("P-1", "100", "x"))
    twice = _loans(("P-1", "100", "x"), ("P-1", "100", "x"))
    assert "1 unexpected" in diff(once, twice)


def test_random_ids_are_masked_but_simulated_ids_are_compared() -> None:
    assert _normal("CARE-206f23d8594c4161") == _normal("CARE-674b6342704c43dc")
    assert _normal("warning:0b1e9a2c-3f5d-4c1a-9e7b-2d6f8a0c4e11") == "warning:<uuid>"
    assert _normal("L-000007") != _normal("L-000008")
    assert _normal({"b": 1, "a": 2}) == _normal({"a": 2, "b": 1})


def test_reordering_changes_the_order_across_keys_but_never_within_a_key() -> None:
    events = [("bank.loans.v1", f"L-{i % 4}", new_event(
        type="t", source="s", subject=f"L-{i % 4}", data={"n": i})) for i in range(40)]
    shuffled = interleave_keeping_key_order(events, random.Random(3))
    assert sorted(id(e) for e in shuffled) == sorted(id(e) for e in events)
    assert shuffled != events
    for key in {e[1] for e in events}:
        assert [e[2].data["n"] for e in shuffled if e[1] == key] == \
            [e[2].data["n"] for e in events if e[1] == key]


def test_only_an_unreachable_server_counts_as_an_outage() -> None:
    from sqlalchemy.exc import IntegrityError

    try:
        try:
            raise ConnectionRefusedError(111, "Connect call failed")
        except OSError as exc:
            raise RuntimeError("wrapped by a driver") from exc
    except RuntimeError as wrapped:
        assert unreachable(wrapped)
    assert not unreachable(ValueError("bad amount"))
    assert not unreachable(IntegrityError("INSERT", {}, Exception("duplicate key")))


def test_an_action_compares_without_random_ids_times_or_task_numbers_and_poison_is_none() -> None:
    from tests.faults.actions import action_diff, action_of

    def case(case_id: str, at: str, task: int, customer: str = "C-000001") -> bytes:
        return new_event(type="collections.case.opened.v1", source="t", subject=case_id, data={
            "case_id": case_id, "customer_id": customer, "opened_date": "2026-01-02",
            "recorded_at": at, "task_id": task}).to_bytes()

    first = action_of(case("3f2b8c1e-1111-4a4a-9b9b-000000000001", "2026-12-04T10:00:00Z", 7))
    again = action_of(case("3f2b8c1e-2222-4a4a-9b9b-000000000002", "2026-12-05T11:30:00Z", 9))
    other = action_of(case("3f2b8c1e-1111-4a4a-9b9b-000000000001", "2026-12-04T10:00:00Z", 7,
                           customer="C-000002"))
    assert first == again and first != other
    assert action_diff(Counter([first]), Counter([other]))
    assert action_of(b"{not json") is None and action_of(b"[1]") is None
