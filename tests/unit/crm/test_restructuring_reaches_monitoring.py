"""An approved restructuring published by crm is applied by monitoring's consumer as a
restructuring: the loan shows the new schedule and the restructured flag."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

from shared.events.envelope import Envelope
from services.monitoring import repository as monitoring_repo
from services.monitoring.models import Loan
from tests.support import bank_events as bank
from tests.support.crm import CrmHarness
from tests.support.monitoring import MonitoringHarness

async def test_approved_restructuring_shows_in_monitoring_as_new_schedule_and_flag(
        tmp_path: Path) -> None:
    async with MonitoringHarness(f"sqlite+aiosqlite:///{tmp_path}/m.db") as monitoring, \
            CrmHarness(f"sqlite+aiosqlite:///{tmp_path}/crm.db") as crm:
        await monitoring.feed(bank.customer_registered("C-1", on=date(2026, 1, 10)),
                              bank.disbursed("L-1", "C-1", on=date(2026, 1, 15),
                                             first_due=date(2026, 2, 15), count=12))
        registered = await monitoring.published("monitoring.loan.registered")
        await crm.feed(*[Envelope.model_validate(e) for e in registered])

        request = await crm.call("POST", "/restructuring-requests", json_body={
            "loan_id": "L-1", "kind": "extension", "hardship_reason": "illness",
            "description": "hospitalised", "extra_installments": 6,
            "requested_date": "2026-01-20", "terms": {"annual_rate": "0.06"}})
        assert request.status_code == 201, request.text
        await crm.call("POST", f"/restructuring-requests/{request.json()['id']}/approve",
                       role="risk_officer", subject="officer-1",
                       json_body={"effective_date": "2026-01-25"})
        [approved] = await crm.published("crm.restructuring.approved")

        await monitoring.feed(Envelope.model_validate(approved))
        async with monitoring.sessions() as session:
            loan = await session.get(Loan, "L-1")
            current = [i for i in await monitoring_repo.schedule(session, "L-1")
                       if not i.superseded]
        assert loan.restructured and loan.restructured_date == date(2026, 1, 25)
        assert [(i.installment_no, i.due_date.isoformat(), str(i.principal_due),
                 str(i.interest_due)) for i in current] == [
            (s["installment_no"], s["due_date"], s["principal_due"], s["interest_due"])
            for s in approved["data"]["schedule"]]
        assert len(current) == 18
        assert sum(i.principal_due for i in current) == D("12000.00")
