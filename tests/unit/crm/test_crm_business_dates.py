"""A date a crm agent or officer leaves out is the latest business day crm has seen (never
before the record's own date), never the wall clock: each scenario runs under two
wall-clock days years apart and must answer the same, on SQLite and PostgreSQL. Before the
first close a date that cannot be known is refused, not invented."""
from __future__ import annotations

from datetime import date, timedelta
from itertools import count
from typing import Any, Callable

import pytest

from tests.support.crm import CrmHarness, business_day_aged, loan_registered
from tests.support.wall_clock import WallClock, same_answer_on_two_days

CLOSE = date(2026, 6, 1)
Fresh = Callable[[], CrmHarness]


@pytest.fixture
def fresh(service_databases: Callable[[str], str]) -> Fresh:
    """A crm service on a new, empty database each call (one per wall-clock day)."""
    numbers = count()
    return lambda: CrmHarness(service_databases(f"crm{next(numbers)}"))


def _complaint(**changes: Any) -> dict[str, Any]:
    return {"customer_id": "C-1", "category": "collection_conduct", "channel": "phone",
            "description": "calls at night", **changes}


async def _ok(crm: CrmHarness, method: str, path: str, body: dict[str, Any],
              role: str = "crm_agent", subject: str = "agent-1") -> dict[str, Any]:
    response = await crm.call(method, path, json_body=body, role=role, subject=subject)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def test_a_complaint_received_without_a_date_starts_its_clock_on_the_business_date(
        fresh: Fresh, wall_clock: WallClock) -> None:
    async def scenario() -> tuple[Any, ...]:
        async with fresh() as crm:
            await crm.feed(business_day_aged(CLOSE))
            complaint = await _ok(crm, "POST", "/complaints", _complaint())
            [opened] = await crm.published("crm.complaint.opened")
            [stopped] = await crm.published("crm.contact.stopped")
            return (complaint["received_date"], complaint["deadline_date"],
                    opened["data"]["received_date"], stopped["data"]["effective_date"])

    day, deadline = CLOSE.isoformat(), (CLOSE + timedelta(days=15)).isoformat()
    assert await same_answer_on_two_days(wall_clock, scenario) == (day, deadline, day, day)


async def test_an_extension_and_the_close_of_a_complaint_are_dated_by_the_business_date(
        fresh: Fresh, wall_clock: WallClock) -> None:
    """The extension is judged on the business date (its deadline still stands then), and
    a complaint closed without a date closes, and sends its survey, on that date."""
    async def scenario() -> tuple[Any, ...]:
        async with fresh() as crm:
            await crm.feed(business_day_aged(CLOSE))
            received = CLOSE - timedelta(days=5)
            complaint = await _ok(crm, "POST", "/complaints",
                                  _complaint(received_date=received.isoformat()))
            path = f"/complaints/{complaint['id']}"
            await _ok(crm, "POST", f"{path}/assign", {"handler": "agent-1", "team": "cr-east"})
            extended = await _ok(crm, "POST", f"{path}/extend", {"reason": "complex"})
            await _ok(crm, "POST", f"{path}/decide", {
                "outcome": "upheld", "root_cause": "staff_conduct", "summary": "apologised",
                "informed_date": (CLOSE - timedelta(days=1)).isoformat(),
                "informed_channel": "phone"})
            closed = await _ok(crm, "POST", f"{path}/close", {})
            [survey] = await crm.published("crm.survey.sent")
            [resumed] = await crm.published("crm.contact.resumed")
            return (extended["deadline_date"], closed["closed_date"],
                    survey["data"]["sent_date"], resumed["data"]["effective_date"])

    day = CLOSE.isoformat()
    assert await same_answer_on_two_days(wall_clock, scenario) == (
        (CLOSE + timedelta(days=25)).isoformat(), day, day, day)


async def test_a_contact_stop_and_its_lift_default_to_the_business_date(
        fresh: Fresh, wall_clock: WallClock) -> None:
    async def scenario() -> tuple[Any, ...]:
        async with fresh() as crm:
            await crm.feed(business_day_aged(CLOSE))
            stop = await _ok(crm, "POST", "/contact-stops",
                             {"customer_id": "C-5", "reason": "cease_request"})
            lifted = await _ok(crm, "POST", f"/contact-stops/{stop['id']}/lift", {})
            return stop["effective_date"], lifted["lifted_date"]

    assert await same_answer_on_two_days(wall_clock, scenario) == (
        CLOSE.isoformat(), CLOSE.isoformat())


def _restructuring(**changes: Any) -> dict[str, Any]:
    return {"loan_id": "L-1", "kind": "extension", "hardship_reason": "job_loss",
            "description": "laid off in May", "extra_installments": 6,
            "terms": {"annual_rate": "0.06"}, **changes}


async def test_restructuring_requests_and_decisions_default_to_the_business_date(
        fresh: Fresh, wall_clock: WallClock) -> None:
    async def scenario() -> tuple[Any, ...]:
        async with fresh() as crm:
            await crm.feed(loan_registered("L-1", "C-1"), loan_registered("L-2", "C-2"),
                           business_day_aged(CLOSE))
            first = await _ok(crm, "POST", "/restructuring-requests", _restructuring())
            approved = await _ok(crm, "POST", f"/restructuring-requests/{first['id']}/approve",
                                 {}, role="risk_officer", subject="officer-1")
            second = await _ok(crm, "POST", "/restructuring-requests",
                               _restructuring(loan_id="L-2"))
            rejected = await _ok(crm, "POST", f"/restructuring-requests/{second['id']}/reject",
                                 {"reason": "income covers it"}, role="risk_officer",
                                 subject="officer-1")
            return (first["requested_date"], first["terms"]["next_due_date"],
                    approved["effective_date"], approved["decided_date"],
                    rejected["decided_date"])

    day = CLOSE.isoformat()
    assert await same_answer_on_two_days(wall_clock, scenario) == (
        day, "2026-06-15", day, day, day)


async def test_a_survey_sent_and_answered_without_dates_takes_the_business_date(
        fresh: Fresh, wall_clock: WallClock) -> None:
    async def scenario() -> tuple[Any, ...]:
        async with fresh() as crm:
            await crm.feed(business_day_aged(CLOSE))
            survey = await _ok(crm, "POST", "/surveys", {"customer_id": "C-1", "team": "east"})
            answered = await _ok(crm, "POST", f"/surveys/{survey['id']}/answer",
                                 {"score": 4}, role="bank_system")
            return survey["sent_date"], answered["answered_date"]

    assert await same_answer_on_two_days(wall_clock, scenario) == (
        CLOSE.isoformat(), CLOSE.isoformat())


@pytest.mark.parametrize("path,body", [
    ("/complaints", _complaint()),
    ("/contact-stops", {"customer_id": "C-5", "reason": "cease_request"}),
    ("/surveys", {"customer_id": "C-1", "team": "east"}),
    ("/restructuring-requests", _restructuring())])
async def test_before_the_first_close_a_left_out_date_is_refused(
        fresh: Fresh, path: str, body: dict[str, Any]) -> None:
    async with fresh() as crm:
        await crm.feed(loan_registered("L-1", "C-1"))
        refused = await crm.call("POST", path, json_body=body)
        assert (refused.status_code, refused.json()["code"]) == (409, "no_business_date")
        field = {"/complaints": "received_date", "/contact-stops": "effective_date",
                 "/surveys": "sent_date", "/restructuring-requests": "requested_date"}[path]
        stated = await crm.call("POST", path, json_body={**body, field: CLOSE.isoformat()})
        assert stated.status_code == 201, stated.text


async def test_before_the_first_close_a_step_on_a_record_takes_the_records_own_date(
        fresh: Fresh, wall_clock: WallClock) -> None:
    async def scenario() -> tuple[Any, ...]:
        async with fresh() as crm:
            stop = await _ok(crm, "POST", "/contact-stops", {
                "customer_id": "C-5", "reason": "dispute", "effective_date": "2026-04-03"})
            lifted = await _ok(crm, "POST", f"/contact-stops/{stop['id']}/lift", {})
            return lifted["lifted_date"]

    assert await same_answer_on_two_days(wall_clock, scenario) == "2026-04-03"
