"""Promises decided from repayment events and the business-day clock; contact stops set and
cleared by crm and legal events, enforced when a contact is attempted."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from services.collections.domain import contacts as guard
from services.collections.domain.promises import PromiseError
from services.collections.models import CollectionCase, ContactAttempt, Promise
from services.collections.service import contacts, promises
from tests.support import collections as ev
from tests.support.collections import CollectionsHarness

D = date(2026, 12, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
async def harness(tmp_path):  # type: ignore[no-untyped-def]
    async with CollectionsHarness(f"sqlite+aiosqlite:///{tmp_path}/collections.db",
                                  challenger_share="0") as h:
        await h.feed(ev.customer_registered("C-1"),
                     ev.ageing("L-1", "C-1", on=D, dpd=5, bucket="M1", overdue="1050.00"))
        yield h


async def _case(h: CollectionsHarness) -> CollectionCase:
    async with h.sessions() as session:
        return await session.scalar(
            select(CollectionCase).where(CollectionCase.customer_id == "C-1"))


async def _promise(h: CollectionsHarness, amount: str = "500.00", due: date = D + timedelta(days=5),
                   loan: str = "L-1") -> Promise:
    async with h.sessions() as session, session.begin():
        case = await session.get(CollectionCase, (await _case(h)).case_id)
        return await promises.record_promise(session, case=case, loan_id=loan,
                                             amount=Decimal(amount), due_date=due, today=D,
                                             by="col-1", policy=h.policy)


async def _status(h: CollectionsHarness, promise_id: str) -> tuple[str, Decimal]:
    async with h.sessions() as session:
        p = await session.get(Promise, promise_id)
        return p.status, p.paid_amount


async def test_a_promise_is_kept_by_repayments_reaching_the_amount(harness) -> None:
    promise = await _promise(harness)
    await harness.feed(ev.repayment("L-1", "C-1", "P-1", "200.00", on=D + timedelta(days=2),
                                    overdue_after="850.00"))
    assert await _status(harness, promise.promise_id) == ("active", Decimal("200.00"))
    await harness.feed(ev.repayment("L-1", "C-1", "P-2", "300.00", on=D + timedelta(days=6),
                                    overdue_after="550.00"))
    assert await _status(harness, promise.promise_id) == ("kept", Decimal("500.00"))
    [kept] = await harness.published("collections.promise.kept")
    expected = {"loan_id": "L-1", "promise_id": promise.promise_id, "amount": "500.00",
                "due_date": "2026-12-06", "paid_amount": "500.00"}
    assert {k: kept["data"][k] for k in expected} == expected


async def test_a_promise_is_broken_on_the_first_business_day_after_due_plus_grace(harness) -> None:
    promise = await _promise(harness)  # due 6 Dec, grace 2 days -> last day 8 Dec
    await harness.feed(ev.repayment("L-1", "C-1", "P-1", "100.00", on=D + timedelta(days=3),
                                    overdue_after="950.00"))
    await harness.feed(ev.business_day(date(2026, 12, 8)))
    assert (await _status(harness, promise.promise_id))[0] == "active"
    await harness.feed(ev.business_day(date(2026, 12, 9)))
    assert await _status(harness, promise.promise_id) == ("broken", Decimal("100.00"))
    [broken] = await harness.published("collections.promise.broken")
    assert broken["data"]["paid_amount"] == "100.00" and broken["data"]["amount"] == "500.00"
    escalations = [e["data"]["trigger"]
                   for e in await harness.published("collections.case.escalated")]
    assert "broken_promise" in escalations


async def test_a_reversed_repayment_no_longer_counts_towards_an_open_promise(harness) -> None:
    promise = await _promise(harness)
    await harness.feed(ev.repayment("L-1", "C-1", "P-1", "400.00", on=D + timedelta(days=1),
                                    overdue_after="650.00"),
                       ev.reversal("L-1", "C-1", "P-1", "400.00", on=D + timedelta(days=2),
                                   overdue_after="1050.00"),
                       ev.repayment("L-1", "C-1", "P-2", "100.00", on=D + timedelta(days=3),
                                    overdue_after="950.00"))
    assert await _status(harness, promise.promise_id) == ("active", Decimal("100.00"))


async def test_only_one_active_promise_per_loan_is_accepted(harness) -> None:
    await _promise(harness)
    with pytest.raises(PromiseError) as caught:
        await _promise(harness, amount="50.00")
    assert caught.value.code == "promise_already_active"


async def test_a_new_promise_may_follow_a_decided_one(harness) -> None:
    first = await _promise(harness)
    await harness.feed(ev.repayment("L-1", "C-1", "P-1", "500.00", on=D + timedelta(days=1),
                                    overdue_after="550.00"))
    assert (await _status(harness, first.promise_id))[0] == "kept"
    second = await _promise(harness, amount="550.00")
    assert (await _status(harness, second.promise_id))[0] == "active"


def _at(day: date, hh: int) -> datetime:
    return datetime.combine(day, time(hh), tzinfo=SHANGHAI).astimezone(timezone.utc)


async def _attempt(h: CollectionsHarness, at: datetime) -> ContactAttempt:
    async with h.sessions() as session, session.begin():
        case = await session.get(CollectionCase, (await _case(h)).case_id)
        return await contacts.attempt_contact(
            session, case=case, loan_id="L-1", outcome="no_answer", note=None,
            collector_id="col-1", policy=h.policy,
            attempt=guard.Attempt("L-1", guard.Channel.phone, guard.ContactType.debtor, at))


@pytest.mark.parametrize("reason", ["collection_complaint", "cease_request", "dispute",
                                    "hardship_pause", "bankruptcy", "deceased"])
async def test_each_crm_stop_blocks_contact_until_its_resume_clears_it(harness, reason) -> None:  # type: ignore[no-untyped-def]
    await harness.feed(ev.contact_stopped("C-1", reason, f"REF-{reason}", on=D))
    refused = await _attempt(harness, _at(D, 10))
    assert (refused.allowed, refused.refusal_reason) == (False, f"contact_stopped:{reason}")
    await harness.feed(ev.contact_resumed("C-1", reason, f"REF-{reason}", on=D))
    assert (await _attempt(harness, _at(D, 11))).allowed


async def test_contact_stays_stopped_while_any_stop_is_active(harness) -> None:
    await harness.feed(ev.contact_stopped("C-1", "dispute", "D-1", on=D),
                       ev.contact_stopped("C-1", "collection_complaint", "CMP-7", on=D),
                       ev.contact_resumed("C-1", "dispute", "D-1", on=D))
    assert (await _attempt(harness, _at(D, 10))).refusal_reason == \
        "contact_stopped:collection_complaint"
    await harness.feed(ev.contact_resumed("C-1", "collection_complaint", "CMP-7", on=D))
    assert (await _attempt(harness, _at(D, 11))).allowed


async def test_a_resume_that_overtakes_its_stop_keeps_contact_open(harness) -> None:
    await harness.feed(ev.contact_resumed("C-1", "dispute", "D-2", on=D),
                       ev.contact_stopped("C-1", "dispute", "D-2", on=D))
    assert (await _attempt(harness, _at(D, 10))).allowed


async def test_a_hardship_pause_ends_by_itself_after_its_until_date(harness) -> None:
    await harness.feed(ev.contact_stopped("C-1", "hardship_pause", "H-1", on=D,
                                          until=D + timedelta(days=2)))
    assert not (await _attempt(harness, _at(D + timedelta(days=2), 10))).allowed
    assert (await _attempt(harness, _at(D + timedelta(days=3), 10))).allowed


@pytest.mark.parametrize("kind", ["bankruptcy", "deceased"])
async def test_legal_bankruptcy_or_death_from_monitoring_stops_contact(harness, kind) -> None:  # type: ignore[no-untyped-def]
    await harness.feed(ev.legal_event("C-1", "lawsuit", on=D))
    assert (await _attempt(harness, _at(D, 9))).allowed
    await harness.feed(ev.legal_event("C-1", kind, on=D))
    assert (await _attempt(harness, _at(D, 10))).refusal_reason == f"contact_stopped:{kind}"


async def test_refusals_are_recorded_published_and_cost_nothing(harness) -> None:
    for hh in (9, 10, 11, 12):
        await _attempt(harness, _at(D, hh))
    events = await harness.published("collections.contact.attempted")
    assert [(e["data"]["allowed"], e["data"]["refusal_reason"]) for e in events] == \
        [(True, None)] * 3 + [(False, "daily_attempt_cap")]
    assert events[0]["data"]["cost"] == "2.00" and events[-1]["data"]["cost"] == "0"
    case = await _case(harness)
    assert (case.contacts, case.total_cost) == (3, Decimal("6.00"))


async def test_the_debtor_time_zone_from_monitoring_drives_the_window(harness) -> None:
    await harness.feed(ev.customer_registered("C-1", tz="America/New_York"))
    # 10:00 in Shanghai is 21:00 the previous evening in New York.
    refused = await _attempt(harness, _at(D, 10))
    assert refused.refusal_reason == "outside_contact_hours"
