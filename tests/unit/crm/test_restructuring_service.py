"""Restructuring requests through the HTTP API: eligibility from crm's loan view,
maker-checker, and the approved event monitoring applies as a restructuring."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any, AsyncIterator

import httpx
import pytest

from shared.events.registry import parse_payload
from shared.events.envelope import Envelope
from tests.support.crm import CrmHarness, delinquency_changed, event, loan_registered


@pytest.fixture
async def crm(tmp_path: Path) -> AsyncIterator[CrmHarness]:
    async with CrmHarness(f"sqlite+aiosqlite:///{tmp_path}/crm.db") as harness:
        await harness.feed(loan_registered("L-1", "C-1"))
        yield harness


def _body(**changes: Any) -> dict[str, Any]:
    return {"loan_id": "L-1", "kind": "extension", "hardship_reason": "job_loss",
            "description": "laid off in May", "extra_installments": 6,
            "requested_date": "2026-06-01", "terms": {"annual_rate": "0.06"}, **changes}


async def _requested(crm: CrmHarness, **changes: Any) -> dict[str, Any]:
    response = await crm.call("POST", "/restructuring-requests", json_body=_body(**changes))
    assert response.status_code == 201, response.text
    return response.json()


async def _approve(crm: CrmHarness, request_id: str,
                   subject: str = "officer-1") -> httpx.Response:
    return await crm.call("POST", f"/restructuring-requests/{request_id}/approve",
                          role="risk_officer", subject=subject,
                          json_body={"effective_date": "2026-06-10"})


async def test_terms_default_from_the_loan_view(crm: CrmHarness) -> None:
    request = await _requested(crm)
    # 24 monthly dues from 2026-02-15; those after 2026-06-01 start on 2026-06-15.
    assert request["terms"] == {"remaining_principal": "120000.00", "annual_rate": "0.06",
                                "remaining_installments": 20, "next_due_date": "2026-06-15",
                                "arrears_interest": "0"}
    assert request["status"] == "pending"


async def test_approval_publishes_the_new_schedule_summing_to_the_remaining_principal(
        crm: CrmHarness) -> None:
    request = await _requested(crm)
    response = await _approve(crm, request["id"])
    assert response.status_code == 200, response.text
    [approved] = await crm.published("crm.restructuring.approved")
    data = approved["data"]
    assert (data["loan_id"], data["customer_id"], data["kind"]) == ("L-1", "C-1", "extension")
    assert data["reason"] == "hardship_extension" and data["effective_date"] == "2026-06-10"
    assert len(data["schedule"]) == 26
    assert sum(D(i["principal_due"]) for i in data["schedule"]) == D("120000.00")
    assert set(data["schedule"][0]) == {"installment_no", "due_date", "principal_due",
                                        "interest_due"}
    # The payload validates against the registered contract, as a consumer would see it.
    parse_payload(Envelope.model_validate(approved))


async def test_the_proposer_cannot_approve_their_own_request(crm: CrmHarness) -> None:
    request = await _requested(crm)
    response = await crm.call("POST", f"/restructuring-requests/{request['id']}/approve",
                              role="admin", subject="agent-1", json_body={})
    assert (response.status_code, response.json()["code"]) == (409, "maker_checker")
    agent = await crm.call("POST", f"/restructuring-requests/{request['id']}/approve",
                           subject="agent-2", json_body={})
    assert agent.status_code == 403


async def test_rejection_is_published_and_final(crm: CrmHarness) -> None:
    request = await _requested(crm)
    rejected = await crm.call("POST", f"/restructuring-requests/{request['id']}/reject",
                              role="risk_officer", subject="officer-1",
                              json_body={"reason": "income covers the installment"})
    assert rejected.json()["status"] == "rejected"
    again = await _approve(crm, request["id"])
    assert again.json()["code"] == "request_decided"
    assert len(await crm.published("crm.restructuring.rejected")) == 1


async def test_a_loan_restructured_within_twelve_months_is_refused(crm: CrmHarness) -> None:
    await _approve(crm, (await _requested(crm))["id"])
    response = await crm.call("POST", "/restructuring-requests",
                              json_body=_body(requested_date="2026-09-01"))
    assert (response.status_code, response.json()["code"]) == (422, "not_eligible")
    assert "within the last 12 months" in response.json()["message"]


async def test_delinquency_beyond_the_limit_is_refused(crm: CrmHarness) -> None:
    await crm.feed(delinquency_changed("L-1", "C-1", dpd=95, previous_dpd=60,
                                       as_of=date(2026, 5, 30)))
    response = await crm.call("POST", "/restructuring-requests", json_body=_body())
    assert "above the limit of 90" in response.json()["message"]


async def test_unknown_rate_must_be_stated(crm: CrmHarness) -> None:
    response = await crm.call("POST", "/restructuring-requests", json_body=_body(terms={}))
    assert (response.status_code, response.json()["code"]) == (422, "terms_required")


async def test_a_rate_carried_by_loan_registered_is_used(crm: CrmHarness) -> None:
    await crm.feed(loan_registered("L-2", "C-2", annual_rate="0.048"))
    request = await _requested(crm, loan_id="L-2", terms={})
    assert request["terms"]["annual_rate"] == "0.04800000"


async def test_impossible_reduced_installment_is_refused_at_intake(crm: CrmHarness) -> None:
    response = await crm.call("POST", "/restructuring-requests", json_body=_body(
        kind="reduced_installment", reduced_months=3, reduced_amount="10.00"))
    assert (response.status_code, response.json()["code"]) == (422, "invalid_arrangement")


async def test_interest_waiver_is_carried_in_the_event(crm: CrmHarness) -> None:
    request = await _requested(crm, kind="interest_waiver", waived_amount="300.00",
                               extra_installments=0)
    await _approve(crm, request["id"])
    [approved] = await crm.published("crm.restructuring.approved")
    assert approved["data"]["waived_interest"] == "300.00"
    assert approved["data"]["waived_fees"] == "0.00"


async def test_a_closed_loan_cannot_be_approved(crm: CrmHarness) -> None:
    request = await _requested(crm)
    await crm.feed(event("monitoring.loan.closed.v1", {
        "loan_id": "L-1", "customer_id": "C-1", "closed_date": "2026-06-05",
        "reason": "repaid", "outstanding_principal": "0", "classification": "normal"}))
    response = await _approve(crm, request["id"])
    assert (response.status_code, response.json()["code"]) == (422, "not_eligible")
