"""Proactive care from warnings and first delinquency, interaction history, contact stops
recorded by hand and ended by the clock, and satisfaction surveys with their results."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from tests.support.crm import (
    CrmHarness, business_day_aged, delinquency_changed, event, loan_registered,
)


@pytest.fixture
async def crm(tmp_path: Path) -> AsyncIterator[CrmHarness]:
    async with CrmHarness(f"sqlite+aiosqlite:///{tmp_path}/crm.db") as harness:
        # A closed business day: the date of any step that states none.
        await harness.feed(business_day_aged(date(2026, 5, 1)))
        yield harness


def _warning(warning_id: str, level: str, type_: str = "warning.warning.raised.v1") -> Any:
    data = {"warning_id": warning_id, "loan_id": "L-1", "customer_id": "C-1",
            "rule_id": "R-dpd", "rule_version": 1, "family": "behavioural", "level": level,
            "as_of_date": "2026-05-04", "evidence": {}, "measure": "call the customer"}
    if type_.endswith("escalated.v1"):
        data["previous_level"] = "yellow"
    return event(type_, data)


async def test_orange_warning_creates_one_watch_list_task_with_a_due_date(
        crm: CrmHarness) -> None:
    await crm.feed(_warning("W-1", "yellow"), _warning("W-2", "orange"),
                   _warning("W-2", "red", "warning.warning.escalated.v1"))
    [created] = await crm.published("crm.care-task.created")
    assert created["data"]["reason"] == "watch_list"
    assert (created["data"]["warning_id"], created["data"]["due_date"]) == ("W-2", "2026-05-06")


async def test_a_loan_first_going_overdue_creates_one_care_task(crm: CrmHarness) -> None:
    await crm.feed(loan_registered("L-1", "C-1"))
    await crm.feed(delinquency_changed("L-1", "C-1", dpd=1, previous_dpd=0,
                                       as_of=date(2026, 5, 16)),
                   delinquency_changed("L-1", "C-1", dpd=8, previous_dpd=1,
                                       as_of=date(2026, 5, 23)))
    tasks = (await crm.call("GET", "/care-tasks", params={"customer_id": "C-1"})).json()
    assert [(t["reason"], t["due_date"]) for t in tasks["items"]] == [
        ("first_overdue", "2026-05-19")]


async def test_an_interaction_completes_its_care_task_and_joins_the_history(
        crm: CrmHarness) -> None:
    await crm.feed(_warning("W-3", "red"))
    task = (await crm.call("GET", "/care-tasks")).json()["items"][0]
    response = await crm.call("POST", "/interactions", json_body={
        "customer_id": "C-1", "channel": "call", "occurred_at": "2026-05-05T10:00:00+08:00",
        "outcome": "arrangement_discussed", "notes": "offered an extension",
        "care_task_id": task["id"], "completes_task": True})
    assert response.status_code == 201, response.text
    done = (await crm.call("GET", f"/care-tasks/{task['id']}")).json()
    assert (done["status"], done["outcome"]) == ("done", "arrangement_discussed")
    history = (await crm.call("GET", "/interactions", role="auditor",
                              params={"customer_id": "C-1"})).json()
    assert [i["channel"] for i in history["items"]] == ["call"]


async def test_cease_request_stops_and_lifting_resumes_contact(crm: CrmHarness) -> None:
    created = await crm.call("POST", "/contact-stops", json_body={
        "customer_id": "C-5", "reason": "cease_request", "effective_date": "2026-05-01"})
    stop = created.json()
    lifted = await crm.call("POST", f"/contact-stops/{stop['id']}/lift",
                            json_body={"lifted_date": "2026-05-20"})
    assert lifted.json()["status"] == "lifted"
    stopped = (await crm.published("crm.contact.stopped"))[0]["data"]
    resumed = (await crm.published("crm.contact.resumed"))[0]["data"]
    assert (stopped["reason"], resumed["reason"]) == ("cease_request", "cease_request")
    assert stopped["reference_id"] == resumed["reference_id"] == stop["reference_id"]


async def test_hardship_pause_ends_the_business_day_after_its_until_date(
        crm: CrmHarness) -> None:
    await crm.call("POST", "/contact-stops", json_body={
        "customer_id": "C-6", "reason": "hardship_pause", "effective_date": "2026-05-01",
        "until_date": "2026-05-31"})
    stopped = (await crm.published("crm.contact.stopped"))[0]["data"]
    assert stopped["until_date"] == "2026-05-31"
    await crm.feed(business_day_aged(date(2026, 5, 31)))
    assert await crm.published("crm.contact.resumed") == []
    await crm.feed(business_day_aged(date(2026, 6, 1)))
    [resumed] = await crm.published("crm.contact.resumed")
    assert (resumed["data"]["reason"], resumed["data"]["effective_date"]) == (
        "hardship_pause", "2026-06-01")


async def test_hardship_pause_without_an_end_is_refused(crm: CrmHarness) -> None:
    response = await crm.call("POST", "/contact-stops", json_body={
        "customer_id": "C-6", "reason": "hardship_pause"})
    assert (response.status_code, response.json()["code"]) == (422, "until_required")


async def test_a_complaints_stop_is_not_lifted_by_hand(crm: CrmHarness) -> None:
    await crm.call("POST", "/complaints", json_body={
        "customer_id": "C-7", "category": "collection_conduct", "channel": "app",
        "description": "rude collector"})
    stop = (await crm.call("GET", "/contact-stops", params={"customer_id": "C-7"})).json()
    response = await crm.call("POST", f"/contact-stops/{stop['items'][0]['id']}/lift",
                              json_body={})
    assert response.json()["code"] == "stop_owned_by_complaint"


async def test_a_closed_collection_case_sends_one_survey_to_the_case_team(
        crm: CrmHarness) -> None:
    assigned = event("collections.case.assigned.v1", {
        "case_id": "CASE-1", "customer_id": "C-1", "collector_id": "col-1", "team": "east",
        "previous_collector_id": None, "mode": "automatic"})
    closed = event("collections.case.closed.v1", {
        "case_id": "CASE-1", "customer_id": "C-1", "path": "standard", "variant": "champion",
        "outcome": "cured", "closed_date": "2026-05-10", "loan_ids": ["L-1"],
        "total_recovered": "1000.00", "total_cost": "20.00", "contacts": 3})
    await crm.feed(assigned, closed, closed)
    [sent] = await crm.published("crm.survey.sent")
    assert (sent["data"]["trigger"], sent["data"]["team"]) == ("collection_case", "east")


async def _survey(crm: CrmHarness, team: str, sent: str) -> str:
    response = await crm.call("POST", "/surveys", json_body={
        "customer_id": "C-1", "team": team, "sent_date": sent})
    return str(response.json()["id"])


async def test_survey_results_per_month_and_team(crm: CrmHarness) -> None:
    answers = [("east", 5), ("east", 4), ("east", 2), ("west", 3)]
    for team, score in answers:
        survey_id = await _survey(crm, team, "2026-05-02")
        await crm.call("POST", f"/surveys/{survey_id}/answer", role="bank_system",
                       json_body={"score": score, "answered_date": "2026-05-20"})
    await _survey(crm, "east", "2026-05-30")  # sent, not answered
    await _survey(crm, "east", "2026-06-01")  # another month
    results = (await crm.call("GET", "/surveys/results", role="collection_manager",
                              params={"period": "2026-05"})).json()
    east, west = results["teams"]
    assert (east["team"], east["sent"], east["answered"]) == ("east", 4, 3)
    assert (east["average_score"], east["satisfied_share"]) == ("3.67", "0.6667")
    assert (west["team"], west["answered"], west["average_score"]) == ("west", 1, "3.00")
    assert len(await crm.published("crm.survey.answered")) == 4


async def test_a_survey_is_answered_once_with_a_score_of_one_to_five(crm: CrmHarness) -> None:
    survey_id = await _survey(crm, "east", "2026-05-02")
    bad = await crm.call("POST", f"/surveys/{survey_id}/answer", json_body={"score": 6})
    assert bad.status_code == 422
    first = await crm.call("POST", f"/surveys/{survey_id}/answer",
                           json_body={"score": 4, "answered_date": "2026-05-03"})
    assert first.status_code == 200
    again = await crm.call("POST", f"/surveys/{survey_id}/answer",
                           json_body={"score": 5, "answered_date": "2026-05-04"})
    assert again.json()["code"] == "survey_answered"


async def test_bankruptcy_reported_by_monitoring_stops_contact_once(crm: CrmHarness) -> None:
    legal = event("monitoring.customer.profile-changed.v1", {
        "customer_id": "C-8", "change_kind": "legal_event", "effective_date": "2026-05-12",
        "old": {}, "new": {"kind": "bankruptcy", "event_date": "2026-05-12"}})
    lawsuit = event("monitoring.customer.profile-changed.v1", {
        "customer_id": "C-8", "change_kind": "legal_event", "effective_date": "2026-05-13",
        "old": {}, "new": {"kind": "lawsuit", "event_date": "2026-05-13"}})
    await crm.feed(legal, lawsuit, event(legal.type, legal.data))
    [stopped] = await crm.published("crm.contact.stopped")
    assert (stopped["data"]["reason"], stopped["data"]["effective_date"]) == (
        "bankruptcy", "2026-05-12")
