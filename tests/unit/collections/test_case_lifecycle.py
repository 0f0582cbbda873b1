"""One case per customer, through the handlers on a SQLite file: opening at DPD 1 or on a
red warning, linking every delinquent loan, idempotence under duplicate and reordered
events, cure, closure by the bank, reopening, escalation and recoveries."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from services.collections.models import CaseLoan, CollectionCase
from tests.support import collections as ev
from tests.support.collections import CollectionsHarness

D = date(2026, 12, 1)


@pytest.fixture
async def harness(tmp_path):  # type: ignore[no-untyped-def]
    async with CollectionsHarness(f"sqlite+aiosqlite:///{tmp_path}/collections.db",
                                  challenger_share="0") as h:
        await h.feed(ev.customer_registered("C-1"))
        yield h


async def _cases(h: CollectionsHarness, customer: str = "C-1") -> list[CollectionCase]:
    async with h.sessions() as session:
        return list((await session.scalars(select(CollectionCase).where(
            CollectionCase.customer_id == customer))).all())


async def _links(h: CollectionsHarness, case_id: str) -> dict[str, str]:
    async with h.sessions() as session:
        rows = (await session.scalars(select(CaseLoan).where(CaseLoan.case_id == case_id))).all()
        return {r.loan_id: r.resolution for r in rows}


def late(loan: str, day: date, dpd: int, bucket: str = "M1", overdue: str = "1050.00"):  # type: ignore[no-untyped-def]
    return ev.ageing(loan, "C-1", on=day, dpd=dpd, bucket=bucket, overdue=overdue)


async def test_a_case_opens_when_a_loan_reaches_one_day_past_due(harness) -> None:
    await harness.feed(late("L-1", D, 0, "current", "0.00"))
    assert await _cases(harness) == []
    await harness.feed(late("L-1", D + timedelta(days=1), 1))
    [case] = await _cases(harness)
    assert (case.status, case.reason, case.path, case.step, case.bucket) == \
        ("open", "delinquency", "standard", "reminder_message", "M1")
    [opened] = await harness.published("collections.case.opened")
    assert opened["data"]["loan_ids"] == ["L-1"] and opened["data"]["overdue_amount"] == "1050.00"


async def test_all_delinquent_loans_of_a_customer_share_one_case(harness) -> None:
    await harness.feed(late("L-1", D, 1), late("L-2", D, 3), late("L-3", D, 0, "current", "0"))
    [case] = await _cases(harness)
    assert await _links(harness, case.case_id) == {"L-1": "delinquent", "L-2": "delinquent"}
    assert case.overdue_amount == 2100


async def test_duplicate_events_never_open_a_second_case(harness) -> None:
    event = late("L-1", D, 1)
    await harness.feed(event, event, late("L-1", D, 1), late("L-1", D + timedelta(days=1), 2))
    assert len(await _cases(harness)) == 1
    assert len(await harness.published("collections.case.opened")) == 1


async def test_reordered_events_keep_the_newest_position_and_one_case(harness) -> None:
    # The cure of day 5 overtakes the delinquency of day 3: no case is left open.
    await harness.feed(ev.cured("L-1", "C-1", on=D + timedelta(days=5)),
                       late("L-1", D + timedelta(days=3), 3))
    assert await _cases(harness) == []
    # Two loans arriving in any order still share one case.
    await harness.feed(late("L-2", D + timedelta(days=6), 2), late("L-3", D + timedelta(days=4), 1))
    [case] = await _cases(harness)
    assert set(await _links(harness, case.case_id)) == {"L-2", "L-3"}


async def test_cure_of_every_linked_loan_closes_the_case_as_cured(harness) -> None:
    await harness.feed(late("L-1", D, 1), late("L-2", D, 1))
    await harness.feed(ev.cured("L-1", "C-1", on=D + timedelta(days=1)))
    [case] = await _cases(harness)
    assert case.status == "open", "L-2 is still behind"
    await harness.feed(ev.repayment("L-2", "C-1", "P-9", "1050.00", on=D + timedelta(days=2),
                                    overdue_after="0.00"))
    [case] = await _cases(harness)
    assert (case.status, case.outcome, case.closed_date) == \
        ("closed", "cured", D + timedelta(days=2))
    [closed] = await harness.published("collections.case.closed")
    assert closed["data"]["outcome"] == "cured"
    assert closed["data"]["total_recovered"] == "1050.00"
    [recovered] = await harness.published("collections.amount.recovered")
    assert recovered["data"]["source"] == "repayment" and recovered["data"]["amount"] == "1050.00"


async def test_new_delinquency_after_a_cure_reopens_the_same_case(harness) -> None:
    await harness.feed(late("L-1", D, 1), ev.cured("L-1", "C-1", on=D + timedelta(days=1)),
                       late("L-1", D + timedelta(days=40), 1))
    [case] = await _cases(harness)
    assert (case.status, case.reopen_count) == ("open", 1)
    opened = await harness.published("collections.case.opened")
    assert [o["data"]["reopened"] for o in opened] == [False, True]


async def test_a_written_off_loan_closes_the_case_and_later_arrears_open_a_new_one(
        harness) -> None:
    await harness.feed(late("L-1", D, 200, "M5+"),
                       ev.loan_closed("L-1", "C-1", on=D + timedelta(days=1), reason="written_off"))
    [case] = await _cases(harness)
    assert (case.status, case.outcome) == ("closed", "written_off")
    await harness.feed(late("L-2", D + timedelta(days=30), 1))
    cases = await _cases(harness)
    assert sorted(c.status for c in cases) == ["closed", "open"]


async def test_a_red_warning_opens_a_case_even_before_any_arrears(harness) -> None:
    await harness.feed(ev.warning("L-1", "C-1", level="orange", on=D))
    assert await _cases(harness) == []
    await harness.feed(ev.warning("L-1", "C-1", level="red", on=D))
    [case] = await _cases(harness)
    assert (case.reason, case.risk_segment, case.path) == ("red_warning", "high", "intensive")
    await harness.feed(ev.warning("L-1", "C-1", level="red", on=D, type_="cleared"))
    [case] = await _cases(harness)
    assert (case.status, case.outcome) == ("closed", "cured")


async def test_a_bucket_roll_escalates_the_case_when_its_business_day_closes(harness) -> None:
    await harness.feed(late("L-1", D, 30), late("L-1", D + timedelta(days=1), 31, "M2"))
    [case] = await _cases(harness)
    assert (case.bucket, case.step) == ("M2", "reminder_message"), "waits for the close"
    await harness.feed(ev.business_day(D + timedelta(days=1)))
    [case] = await _cases(harness)
    assert (case.bucket, case.step) == ("M2", "phone_call")
    [escalated] = await harness.published("collections.case.escalated")
    assert escalated["data"]["trigger"] == "bucket_roll"


async def test_days_in_step_escalate_on_business_days_once_per_date(harness) -> None:
    await harness.feed(late("L-1", D, 1))
    for n in range(1, 4):
        await harness.feed(ev.business_day(D + timedelta(days=n)))
    await harness.feed(ev.business_day(D + timedelta(days=3)))  # a re-sent close
    [case] = await _cases(harness)
    assert (case.step, case.step_started_date) == ("phone_call", D + timedelta(days=3))
    assert len(await harness.published("collections.case.escalated")) == 1


async def test_new_cases_are_assigned_to_a_collector_with_room(harness) -> None:
    from services.collections.service import allocation
    async with harness.sessions() as session, session.begin():
        await allocation.save_collector(session, collector_id="col-1", team="east",
                                        max_open_cases=1, regions=["31"], languages=[],
                                        active=True)
    await harness.feed(late("L-1", D, 1))
    await harness.feed(ev.customer_registered("C-2"),
                       ev.ageing("L-9", "C-2", on=D, dpd=1, bucket="M1", overdue="10.00"))
    async with harness.sessions() as session:
        assigned = dict((await session.execute(select(
            CollectionCase.customer_id, CollectionCase.collector_id))).all())
        total = await session.scalar(select(func.count()).select_from(CollectionCase))
    assert total == 2
    assert assigned == {"C-1": "col-1", "C-2": None}, "capacity 1: the second case waits"
    [event] = await harness.published("collections.case.assigned")
    assert (event["data"]["collector_id"], event["data"]["mode"]) == ("col-1", "automatic")


async def test_a_current_loan_under_a_red_warning_is_not_cured_by_a_routine_snapshot(
        harness) -> None:
    await harness.feed(ev.warning("L-1", "C-1", level="red", on=D),
                       ev.ageing("L-1", "C-1", on=D + timedelta(days=1), dpd=0, bucket="current",
                                 overdue="0.00", classification="special_mention",
                                 type_="classification-changed"))
    [case] = await _cases(harness)
    assert case.status == "open", "only the warning ending (or arrears then a cure) closes it"
    await harness.feed(late("L-1", D + timedelta(days=5), 1),
                       ev.cured("L-1", "C-1", on=D + timedelta(days=6)))
    [case] = await _cases(harness)
    assert (case.status, case.outcome) == ("closed", "cured")
