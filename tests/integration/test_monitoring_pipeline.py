"""Monitoring on real Kafka: the bank's events in, ledger state and classification events
out, inspection tasks created; and the thin slice through reporting."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from shared.config import CommonSettings
from shared.events import topics
from shared.events.registry import spec_for
from shared.kafka.admin import ensure_topics
from services.monitoring.config import Settings as MonitoringSettings
from services.reporting.config import Settings as ReportingSettings
from tests.support import bank_events as bank
from tests.support.kafka import publish_envelopes, read_all, unique, wait_for
from tests.support.services import api_client, migrate, running_worker

pytestmark = pytest.mark.integration
FIRST_DUE = date(2026, 2, 5)


async def _publish(bootstrap: str, *envelopes) -> None:  # type: ignore[no-untyped-def]
    await publish_envelopes(bootstrap, [(spec_for(e.type).topic, e) for e in envelopes])


async def test_a_repayment_flows_from_the_bank_through_monitoring_to_reporting(
    private_kafka: str, service_databases,
) -> None:
    await ensure_topics(CommonSettings(kafka_bootstrap_servers=private_kafka))
    common = {"kafka_bootstrap_servers": private_kafka, "consumer_group": unique("g")}
    monitoring = MonitoringSettings(database_url=service_databases("monitoring"), **common)
    reporting = ReportingSettings(database_url=service_databases("reporting"), **common)
    await migrate("monitoring", monitoring.database_url)
    await migrate("reporting", reporting.database_url)
    loan_id = unique("L")
    async with running_worker("monitoring", monitoring), running_worker("reporting", reporting):
        await _publish(private_kafka, bank.customer_registered("C-1", on=date(2026, 1, 2)),
                       bank.disbursed(loan_id, "C-1", on=date(2026, 1, 5), first_due=FIRST_DUE),
                       bank.repayment(loan_id, "P-1", "1050.00", FIRST_DUE))
        async with api_client("reporting", reporting, "risk_officer") as client:
            async def counted() -> bool:
                body = (await client.get("/v1/portfolio/repayments",
                                         params={"period": "2026-02"})).json()
                return body.get("repayments") == 1
            await wait_for(counted, timeout=60, message="reporting counted the repayment")
            body = (await client.get("/v1/portfolio/repayments", params={"period": "2026-02"})).json()
            assert body["amount"] == "1050.00"
        async with api_client("monitoring", monitoring, "risk_officer") as client:
            loan = (await client.get(f"/v1/loans/{loan_id}")).json()
            assert loan["outstanding_principal"] == "11000.00", loan
            assert loan["payments"][0]["payment_id"] == "P-1"


async def test_missed_payments_across_business_days_publish_classification_changes_and_inspections(
    private_kafka: str, service_databases,
) -> None:
    await ensure_topics(CommonSettings(kafka_bootstrap_servers=private_kafka))
    monitoring = MonitoringSettings(database_url=service_databases("monitoring"),
                                    kafka_bootstrap_servers=private_kafka,
                                    consumer_group=unique("g"))
    await migrate("monitoring", monitoring.database_url)
    loan_id = unique("L")
    days = [FIRST_DUE + timedelta(days=d) for d in (1, 8, 91)]
    async with running_worker("monitoring", monitoring):
        await _publish(private_kafka, bank.disbursed(loan_id, "C-2", on=date(2026, 1, 5),
                                                     first_due=FIRST_DUE, payment_mode="self"))
        async with api_client("monitoring", monitoring, "risk_officer") as client:
            async def known() -> bool:
                return (await client.get(f"/v1/loans/{loan_id}")).status_code == 200
            # Loans and the calendar are different topics: wait for the loan so the
            # business days below age it one at a time.
            await wait_for(known, timeout=60, message="the loan was registered")
            await _publish(private_kafka, *(bank.business_day(d) for d in days))

            async def aged() -> bool:
                loan = (await client.get(f"/v1/loans/{loan_id}")).json()
                return loan.get("as_of_date") == days[-1].isoformat()
            await wait_for(aged, timeout=60, message="the loan aged to the last business day")
            loan = (await client.get(f"/v1/loans/{loan_id}")).json()
            assert (loan["dpd"], loan["classification"], loan["ifrs9_stage"]) == (91, "substandard", 3)
            tasks = (await client.get("/v1/inspections", params={"loan_id": loan_id})).json()
            assert {t["kind"] for t in tasks["items"]} >= {"first_check", "fund_usage"}
    published = [json.loads(r.value) for r in await read_all(private_kafka, topics.MONITORING,
                                                             expect=10_000, timeout=5)
                 if r.key == loan_id.encode()]
    changes = [e["data"]["classification"] for e in published
               if e["type"] == "monitoring.loan.classification-changed.v1"]
    assert changes == ["special_mention", "substandard"]
    assert any(e["type"] == "monitoring.inspection.scheduled.v1" for e in published)
