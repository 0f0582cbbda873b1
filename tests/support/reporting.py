"""Builders for the events reporting reads, a harness that feeds them straight into the
HANDLERS (no broker), and the constructed history the reporting tests compute by hand."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import Any

from shared.db.engine import create_engine, session_factory
from shared.events.envelope import Envelope, new_event
from shared.events.registry import parse_payload, spec_for
from services.reporting.config import Settings
from services.reporting.consumers import HANDLERS
from services.reporting.models import Base
from services.reporting.reports import REPORTS, Params

D = date.fromisoformat


def event(type_: str, day: str, **data: Any) -> Envelope:
    """An envelope dated `day` (noon UTC) whose subject is the topic key, as producers do."""
    full = f"{type_}.v1"
    spec = spec_for(full)
    payload = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}
    moment = datetime.combine(D(day), time(12, 0), tzinfo=timezone.utc)
    return new_event(type=full, source=f"postloan.{spec.producer}",
                     subject=str(payload[spec.key_field]), data=payload, time=moment)


def registered(loan: str, principal: str, disbursed: str, region: str) -> Envelope:
    return event("monitoring.loan.registered", disbursed, loan_id=loan, customer_id="C" + loan,
                 product="consumer_installment", currency="CNY", principal=principal,
                 disbursed_date=disbursed, maturity_date="2028-01-01", payment_mode="entrusted",
                 industry_code="F52", region_code=region, installments=24,
                 first_due_date="2026-12-01")


def aged(kind: str, loan: str, day: str, dpd: int, bucket: str, classification: str,
         outstanding: str, stage: int = 1, **extra: Any) -> Envelope:
    """kind: delinquency-changed, classification-changed or cured."""
    fields = {"delinquency-changed": {"previous_dpd": 0, "previous_bucket": "current"},
              "classification-changed": {"previous_classification": "normal",
                                         "previous_ifrs9_stage": 1, "reason": "dpd",
                                         "rule_version": "2023"},
              "cured": {"previous_dpd": 8}}[kind]
    return event(f"monitoring.loan.{kind}", day, loan_id=loan, customer_id="C" + loan,
                 as_of_date=day, product="consumer_installment", dpd=dpd, bucket=bucket,
                 classification=classification, ifrs9_stage=stage,
                 outstanding_principal=outstanding, overdue_principal="0",
                 overdue_interest="0", **{**fields, **extra})


def repaid(loan: str, payment: str, day: str, amount: str, outstanding: str) -> Envelope:
    return event("monitoring.repayment.recorded", day, loan_id=loan, customer_id="C" + loan,
                 payment_id=payment, amount=amount, paid_date=day, channel="bank",
                 allocated_interest="0", allocated_principal=amount, unallocated="0",
                 outstanding_principal=outstanding, overdue_amount="0")


def closed(loan: str, day: str, reason: str, outstanding: str, classification: str) -> Envelope:
    return event("monitoring.loan.closed", day, loan_id=loan, customer_id="C" + loan,
                 closed_date=day, reason=reason, outstanding_principal=outstanding,
                 classification=classification)


def business_day(day: str) -> Envelope:
    return event("monitoring.business-day.aged", day, business_date=day, loans_aged=6,
                 changes=1, missed_installments=0)


_PATH = {"path": "standard", "variant": "champion"}


def case_opened(case: str, loan: str, day: str, overdue: str) -> Envelope:
    return event("collections.case.opened", day, case_id=case, customer_id="C" + loan,
                 reason="delinquency", reopened=False, loan_ids=[loan], trigger_loan_id=loan,
                 dpd=1, bucket="M1", overdue_amount=overdue, risk_segment="low",
                 balance_band="small", queue="early", step="sms", opened_date=day, **_PATH)


def case_assigned(case: str, loan: str, day: str, team: str) -> Envelope:
    return event("collections.case.assigned", day, case_id=case, customer_id="C" + loan,
                 collector_id="u1", team=team, previous_collector_id=None, mode="automatic")


def case_closed(case: str, loan: str, day: str, outcome: str, recovered: str,
                cost: str) -> Envelope:
    return event("collections.case.closed", day, case_id=case, customer_id="C" + loan,
                 outcome=outcome, closed_date=day, loan_ids=[loan], total_recovered=recovered,
                 total_cost=cost, contacts=1, **_PATH)


def contact(contact_id: str, case: str, loan: str, day: str, allowed: bool,
            cost: str) -> Envelope:
    return event("collections.contact.attempted", day, contact_id=contact_id, case_id=case,
                 customer_id="C" + loan, loan_id=loan, channel="phone", contact_type="debtor",
                 purpose="reminder", attempted_at=f"{day}T10:00:00+00:00", allowed=allowed,
                 refusal_reason=None if allowed else "outside_hours",
                 outcome="answered" if allowed else None, collector_id="u1",
                 jurisdiction="CN", action_type="call", cost=cost)


def promise(kind: str, promise_id: str, case: str, loan: str, day: str, amount: str) -> Envelope:
    """kind: recorded, kept or broken."""
    extra = ({"grace_days": 3, "recorded_by": "u1", "recorded_date": day} if kind == "recorded"
             else {"paid_amount": amount if kind == "kept" else "0", "decided_date": day})
    return event(f"collections.promise.{kind}", day, case_id=case, customer_id="C" + loan,
                 loan_id=loan, promise_id=promise_id, amount=amount, due_date=day, **extra)


def legal(case: str, loan: str, day: str, cost: str) -> Envelope:
    return event("collections.legal.stage-recorded", day, case_id=case, customer_id="C" + loan,
                 loan_id=loan, stage="letter_sent", stage_date=day, recorded_by="u1",
                 action_type="lawyer_letter", cost=cost)


def disposal(case: str, loan: str, day: str, cost: str) -> Envelope:
    return event("collections.disposal.approved", day, case_id=case, customer_id="C" + loan,
                 disposal_id="D-" + case, loan_id=loan, kind="write_off",
                 exposure_amount="3000", expected_recovery="0", proposed_by="u1",
                 approved_by=["m1", "m2"], approval_level="head", cost=cost)


def recovered(case: str, loan: str, day: str, amount: str, reference: str) -> Envelope:
    return event("collections.amount.recovered", day, case_id=case, customer_id="C" + loan,
                 loan_id=loan, amount=amount, source="repayment", reference_id=reference,
                 recovered_date=day, **_PATH)


def warning(kind: str, warning_id: str, loan: str, day: str, rule: str, level: str,
            **extra: Any) -> Envelope:
    """kind: raised, escalated, cleared or resolved."""
    defaults = {"raised": {"measure": "call", "evidence": {}},
                "escalated": {"previous_level": "yellow", "evidence": {}},
                "cleared": {"reason": "cured"},
                "resolved": {"resolution": "confirmed", "comment": "", "resolved_by": "r1"}}[kind]
    return event(f"warning.warning.{kind}", day, warning_id=warning_id, loan_id=loan,
                 customer_id="C" + loan, rule_id=rule, rule_version=1, family="behavioural",
                 level=level, as_of_date=day, **{**defaults, **extra})


def complaint(kind: str, complaint_id: str, day: str, case: str | None = None,
              **extra: Any) -> Envelope:
    """kind: opened, decided or deadline-breached."""
    return event(f"crm.complaint.{kind}", day, complaint_id=complaint_id, customer_id="C-Q",
                 category="collection_conduct", case_id=case, **extra)


def survey(kind: str, survey_id: str, day: str, team: str, score: int | None = None) -> Envelope:
    extra = {"sent_date": day} if kind == "sent" else {"score": score, "answered_date": day}
    return event(f"crm.survey.{kind}", day, survey_id=survey_id, customer_id="C-S",
                 trigger="collection_case", team=team, **extra)


class ReportingHarness:
    """Reporting's read models on a database file, fed through the real HANDLERS."""

    def __init__(self, database_url: str, **settings: Any) -> None:
        self.settings = Settings(database_url=database_url, **settings)
        self.engine = create_engine(database_url)
        self.sessions = session_factory(self.engine)

    async def __aenter__(self) -> "ReportingHarness":
        async with self.engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.engine.dispose()

    async def feed(self, *envelopes: Envelope) -> None:
        for envelope in envelopes:
            async with self.sessions() as session, session.begin():
                await HANDLERS[envelope.type](session, envelope, parse_payload(envelope))


async def report_figures(settings: Settings, database_url: str, params: Params) -> dict:
    """Every report's table for `params`, read from one store."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            return {name: (await build(session, settings, params)).rows
                    for name, build in REPORTS.items()}
    finally:
        await engine.dispose()


def march_history() -> list[Envelope]:
    """Six loans in two branches (R1, R2), four collection cases in two teams, warnings,
    complaints and surveys; the figures for 2026-02-28 and March 2026 are worked out by
    hand in tests/unit/reporting/test_read_model_figures.py."""
    loans = [
        registered("L1", "10000", "2026-01-10", "R1"),
        repaid("L1", "P1", "2026-03-05", "2000", "8000"),
        registered("L2", "20000", "2026-01-15", "R1"),
        aged("delinquency-changed", "L2", "2026-02-20", 31, "M2", "special_mention", "20000", 2),
        aged("classification-changed", "L2", "2026-03-20", 91, "M4", "substandard", "20000", 3),
        registered("L3", "5000", "2026-02-03", "R2"),
        aged("delinquency-changed", "L3", "2026-03-10", 8, "M1", "special_mention", "5000"),
        aged("cured", "L3", "2026-03-25", 0, "current", "normal", "4500"),
        registered("L4", "6000", "2025-06-01", "R2"),
        aged("classification-changed", "L4", "2026-02-27", 271, "M5+", "doubtful", "6000", 3),
        registered("L5", "3000", "2025-06-10", "R1"),
        aged("delinquency-changed", "L5", "2026-01-31", 61, "M3", "special_mention", "3000", 2),
        closed("L5", "2026-03-12", "written_off", "3000", "loss"),
        registered("L6", "7500", "2026-01-20", "R1"),
        aged("delinquency-changed", "L6", "2026-03-28", 31, "M2", "special_mention", "7500", 2),
        business_day("2026-03-31"),
    ]
    return loans + _collections() + _warnings_complaints_surveys()


def _collections() -> list[Envelope]:
    return [
        case_opened("K1", "L2", "2026-02-21", "2000"), case_assigned("K1", "L2", "2026-02-21", "north"),
        case_opened("K2", "L3", "2026-03-11", "500"), case_assigned("K2", "L3", "2026-03-11", "south"),
        case_opened("K3", "L5", "2026-01-31", "1000"), case_assigned("K3", "L5", "2026-01-31", "north"),
        case_opened("K4", "L6", "2026-03-28", "800"), case_assigned("K4", "L6", "2026-03-28", "south"),
        contact("C1", "K1", "L2", "2026-03-02", True, "5.00"),
        contact("C2", "K1", "L2", "2026-03-03", False, "0"),
        contact("C3", "K2", "L3", "2026-03-12", True, "5.00"),
        contact("C4", "K4", "L6", "2026-03-29", True, "10.00"),
        contact("C5", "K3", "L5", "2026-02-15", True, "5.00"),
        legal("K3", "L5", "2026-03-05", "200.00"),
        disposal("K3", "L5", "2026-03-10", "50.00"),
        promise("recorded", "PR1", "K1", "L2", "2026-03-04", "1500"),
        promise("kept", "PR1", "K1", "L2", "2026-03-20", "1500"),
        promise("recorded", "PR2", "K4", "L6", "2026-03-29", "800"),
        promise("recorded", "PR3", "K3", "L5", "2026-02-20", "500"),
        promise("broken", "PR3", "K3", "L5", "2026-03-01", "500"),
        recovered("K1", "L2", "2026-03-20", "1500", "PAY-1"),
        recovered("K2", "L3", "2026-03-24", "500", "PAY-2"),
        case_closed("K1", "L2", "2026-03-25", "settled", "1500", "100"),
        case_closed("K2", "L3", "2026-03-25", "cured", "500", "20"),
        case_closed("K3", "L5", "2026-03-12", "written_off", "0", "300"),
    ]


def _warnings_complaints_surveys() -> list[Envelope]:
    return [
        warning("raised", "W1", "L2", "2026-03-01", "R-DPD", "yellow"),
        warning("escalated", "W1", "L2", "2026-03-20", "R-DPD", "orange"),
        warning("resolved", "W1", "L2", "2026-03-22", "R-DPD", "orange"),
        warning("raised", "W2", "L3", "2026-03-10", "R-DPD", "yellow"),
        warning("cleared", "W2", "L3", "2026-03-25", "R-DPD", "yellow"),
        warning("raised", "W3", "L1", "2026-03-05", "R-INCOME", "blue"),
        warning("resolved", "W3", "L1", "2026-03-06", "R-INCOME", "blue", resolution="false_alarm"),
        complaint("opened", "Q1", "2026-03-02", "K1", channel="phone", received_date="2026-03-02",
                  deadline_date="2026-03-17"),
        complaint("decided", "Q1", "2026-03-10", "K1", **_decision("2026-03-02", "2026-03-17",
                                                                    "2026-03-10", True)),
        complaint("opened", "Q2", "2026-02-20", channel="web", received_date="2026-02-20",
                  deadline_date="2026-03-07"),
        complaint("deadline-breached", "Q2", "2026-03-08", deadline_date="2026-03-07",
                  as_of_date="2026-03-08"),
        complaint("decided", "Q2", "2026-03-15", **_decision("2026-02-20", "2026-03-07",
                                                              "2026-03-15", False)),
        complaint("opened", "Q3", "2026-03-20", channel="web", received_date="2026-03-20",
                  deadline_date="2026-04-04"),
        survey("sent", "S1", "2026-03-01", "north"), survey("answered", "S1", "2026-03-03", "north", 4),
        survey("sent", "S2", "2026-03-05", "north"), survey("answered", "S2", "2026-03-08", "north", 5),
        survey("sent", "S3", "2026-03-10", "south"), survey("answered", "S3", "2026-03-12", "south", 3),
        survey("sent", "S4", "2026-03-15", "south"),
        survey("sent", "S5", "2026-02-25", "north"), survey("answered", "S5", "2026-03-02", "north", 2),
    ]


def _decision(received: str, deadline: str, informed: str, on_time: bool) -> dict:
    return {"outcome": "upheld", "root_cause": "conduct", "informed_date": informed,
            "informed_channel": "phone", "received_date": received, "deadline_date": deadline,
            "on_time": on_time, "days_taken": (D(informed) - D(received)).days, "handler": "h1"}
