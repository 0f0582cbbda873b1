"""Events the contract does not order relative to each other (different keys, so possibly
different partitions) must leave collections in the same state whichever arrives first:
the case, its step, the promises, the contact stops and every published payload."""
from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from services.collections.models import CollectionCase, ContactStop, Promise
from services.collections.service import promises
from shared.events.envelope import Envelope
from tests.support import collections as ev
from tests.support.collections import CollectionsHarness

D = date(2026, 12, 1)
# Time stamps written with now(): not part of the outcome.
_VOLATILE = {"updated_at", "last_contact_at"}


def late(loan: str, day: date, dpd: int, bucket: str = "M1", overdue: str = "1050.00"):  # type: ignore[no-untyped-def]
    return ev.ageing(loan, "C-1", on=day, dpd=dpd, bucket=bucket, overdue=overdue)


def _row(row: object) -> dict:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns  # type: ignore[attr-defined]
            if c.key not in _VOLATILE}


async def _outcome(path: Path, setup: list[Envelope], events: list[Envelope],
                   promise_due: date | None = None) -> dict:
    async with CollectionsHarness(f"sqlite+aiosqlite:///{path}", challenger_share="0") as h:
        await h.feed(ev.customer_registered("C-1"), *setup)
        if promise_due is not None:
            await _promise(h, due=promise_due)
        await h.feed(*events)
        async with h.sessions() as session:
            state = {model.__tablename__: sorted(
                (_row(r) for r in (await session.scalars(select(model))).all()), key=repr)
                for model in (CollectionCase, Promise, ContactStop)}
        published = sorted(((e["type"], e["data"]) for e in await h.published("collections.")),
                           key=lambda item: json.dumps(item, sort_keys=True))
        return {"state": state, "published": published}


async def _promise(h: CollectionsHarness, *, due: date) -> None:
    async with h.sessions() as session, session.begin():
        case = await session.scalar(select(CollectionCase))
        await promises.record_promise(session, case=case, loan_id="L-1", amount=Decimal("500"),
                                      due_date=due, today=D, by="col-1", policy=h.policy)


async def _both_orders(tmp_path: Path, setup: list[Envelope], first: Envelope,
                       second: Envelope, **kwargs) -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    forward = await _outcome(tmp_path / "forward.db", setup, [first, second], **kwargs)
    backward = await _outcome(tmp_path / "backward.db", setup, [second, first], **kwargs)
    return forward, backward


def _step(outcome: dict) -> tuple[int, str]:
    [case] = outcome["state"]["collection_case"]
    return case["step_index"], case["step"]


def _days(*offsets: int) -> list[Envelope]:
    return [ev.business_day(D + timedelta(days=n)) for n in offsets]


@pytest.fixture(autouse=True)
def _fixed_promise_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    # Promise ids are random; both runs must be able to name the same promise.
    monkeypatch.setattr(promises, "uuid4", lambda: "PR-1")


async def test_a_bucket_roll_and_the_close_of_its_business_day_commute(tmp_path: Path) -> None:
    # The reminder step (3 days) runs out on D+3, the very day the loan rolls to M2.
    setup = [late("L-1", D, 28), *_days(1, 2)]
    forward, backward = await _both_orders(
        tmp_path, setup, late("L-1", D + timedelta(days=3), 31, "M2"), *_days(3))
    assert forward == backward
    assert _step(forward) == (1, "phone_call"), "one step per business date"


async def test_a_bucket_roll_alone_escalates_at_its_business_day_in_either_order(
        tmp_path: Path) -> None:
    setup = [late("L-1", D, 29), *_days(1)]
    forward, backward = await _both_orders(
        tmp_path, setup, late("L-1", D + timedelta(days=2), 31, "M2"), *_days(2))
    assert forward == backward
    assert _step(forward) == (1, "phone_call")
    [escalated] = [data for type_, data in forward["published"]
                   if type_ == "collections.case.escalated.v1"]
    assert (escalated["trigger"], escalated["as_of_date"]) == \
        ("bucket_roll", (D + timedelta(days=2)).isoformat())


async def test_rolls_of_two_loans_on_one_date_move_the_case_once(tmp_path: Path) -> None:
    setup = [late("L-1", D, 29), late("L-2", D, 50, "M2"), *_days(1)]
    on = D + timedelta(days=2)
    forward, backward = await _both_orders(tmp_path, setup, late("L-1", on, 31, "M2"),
                                           late("L-2", on, 61, "M3"))
    assert forward == backward


async def test_a_late_repayment_and_the_close_that_breaks_its_promise_commute(
        tmp_path: Path) -> None:
    # Due D+1 with 2 days' grace: the close of D+4 breaks it; a payment that day is too late.
    setup = [late("L-1", D, 5), *_days(1, 2, 3)]
    forward, backward = await _both_orders(
        tmp_path, setup,
        ev.repayment("L-1", "C-1", "P-1", "100.00", on=D + timedelta(days=4),
                     overdue_after="950.00"),
        *_days(4), promise_due=D + timedelta(days=1))
    assert forward == backward
    [promise] = forward["state"]["promise"]
    assert (promise["status"], promise["decided_date"]) == ("broken", D + timedelta(days=4))


async def test_a_crm_stop_and_its_resume_commute(tmp_path: Path) -> None:
    setup = [late("L-1", D, 5)]
    forward, backward = await _both_orders(
        tmp_path, setup,
        ev.contact_stopped("C-1", "collection_complaint", "CMP-1", on=D + timedelta(days=1)),
        ev.contact_resumed("C-1", "collection_complaint", "CMP-1", on=D + timedelta(days=4)))
    assert forward == backward
    [stop] = forward["state"]["contact_stop"]
    assert (stop["active"], stop["reason"], stop["effective_date"], stop["resumed_date"]) == \
        (False, "collection_complaint", D + timedelta(days=1), D + timedelta(days=4))
