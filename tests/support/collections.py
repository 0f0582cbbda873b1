"""Driving the collections use cases directly (no broker), and builders for the monitoring,
warning and crm events it consumes."""
from __future__ import annotations

import uuid
from datetime import date, datetime, time, timezone
from decimal import Decimal

from shared.events.envelope import Envelope, new_event
from services.collections.domain.policy import Policy
from tests.support.harness import ServiceHarness


def _at(day: date) -> datetime:
    return datetime.combine(day, time(18, 0), tzinfo=timezone.utc)


def _event(type_: str, subject: str, day: date, data: dict, source: str,
           event_id: str | None = None) -> Envelope:
    return new_event(type=type_, source=source, subject=subject, time=_at(day), data=data,
                     id=event_id or str(uuid.uuid4()))


def customer_registered(customer_id: str, *, tz: str = "Asia/Shanghai", region: str = "310000",
                        on: date = date(2026, 1, 1)) -> Envelope:
    return _event("monitoring.customer.registered.v1", customer_id, on, {
        "customer_id": customer_id, "kind": "individual", "timezone": tz, "region_code": region,
        "industry_code": "F52"}, "postloan.monitoring")


def ageing(loan_id: str, customer_id: str, *, on: date, dpd: int, bucket: str,
           overdue: str, outstanding: str = "10000.00", classification: str = "normal",
           type_: str = "delinquency-changed", previous_dpd: int = 0,
           previous_bucket: str = "current") -> Envelope:
    data = {"loan_id": loan_id, "customer_id": customer_id, "as_of_date": on.isoformat(),
            "product": "consumer_installment", "dpd": dpd, "bucket": bucket,
            "classification": classification, "ifrs9_stage": 1,
            "outstanding_principal": outstanding, "overdue_principal": overdue,
            "overdue_interest": "0.00"}
    if type_ == "delinquency-changed":
        data |= {"previous_dpd": previous_dpd, "previous_bucket": previous_bucket}
    elif type_ == "cured":
        data |= {"previous_dpd": previous_dpd}
    elif type_ == "classification-changed":
        data |= {"previous_classification": "normal", "previous_ifrs9_stage": 1,
                 "reason": "test", "rule_version": "test-v1"}
    return _event(f"monitoring.loan.{type_}.v1", loan_id, on, data, "postloan.monitoring")


def cured(loan_id: str, customer_id: str, *, on: date, previous_dpd: int = 5) -> Envelope:
    return ageing(loan_id, customer_id, on=on, dpd=0, bucket="current", overdue="0.00",
                  type_="cured", previous_dpd=previous_dpd)


def repayment(loan_id: str, customer_id: str, payment_id: str, amount: str, *, on: date,
              overdue_after: str) -> Envelope:
    return _event("monitoring.repayment.recorded.v1", loan_id, on, {
        "loan_id": loan_id, "customer_id": customer_id, "payment_id": payment_id,
        "amount": amount, "paid_date": on.isoformat(), "channel": "auto_debit",
        "allocated_interest": "0.00", "allocated_principal": amount, "unallocated": "0.00",
        "outstanding_principal": "9000.00", "overdue_amount": overdue_after},
        "postloan.monitoring")


def reversal(loan_id: str, customer_id: str, payment_id: str, amount: str, *, on: date,
             overdue_after: str) -> Envelope:
    return _event("monitoring.repayment.reversed.v1", loan_id, on, {
        "loan_id": loan_id, "customer_id": customer_id, "payment_id": payment_id,
        "amount": amount, "reversed_date": on.isoformat(), "reason": "insufficient_funds",
        "outstanding_principal": "10000.00", "overdue_amount": overdue_after},
        "postloan.monitoring")


def loan_closed(loan_id: str, customer_id: str, *, on: date, reason: str) -> Envelope:
    return _event("monitoring.loan.closed.v1", loan_id, on, {
        "loan_id": loan_id, "customer_id": customer_id, "closed_date": on.isoformat(),
        "reason": reason, "outstanding_principal": "0.00", "classification": "loss"},
        "postloan.monitoring")


def business_day(day: date) -> Envelope:
    return _event("monitoring.business-day.aged.v1", day.isoformat(), day, {
        "business_date": day.isoformat(), "loans_aged": 1, "changes": 0,
        "missed_installments": 0}, "postloan.monitoring")


def legal_event(customer_id: str, kind: str, *, on: date) -> Envelope:
    return _event("monitoring.customer.profile-changed.v1", customer_id, on, {
        "customer_id": customer_id, "change_kind": "legal_event", "effective_date": on.isoformat(),
        "old": {}, "new": {"kind": kind, "event_date": on.isoformat(), "amount": None,
                           "case_no": None}}, "postloan.monitoring")


def warning(loan_id: str, customer_id: str, *, level: str, on: date,
            type_: str = "raised") -> Envelope:
    data = {"warning_id": f"W-{loan_id}", "loan_id": loan_id, "customer_id": customer_id,
            "rule_id": "R-1", "rule_version": 1, "family": "behavioural", "level": level,
            "as_of_date": on.isoformat()}
    if type_ == "raised":
        data |= {"measure": "collect", "evidence": {}}
    elif type_ == "cleared":
        data |= {"reason": "cured"}
    return _event(f"warning.warning.{type_}.v1", loan_id, on, data, "postloan.warning")


def contact_stopped(customer_id: str, reason: str, reference_id: str, *, on: date,
                    until: date | None = None) -> Envelope:
    data = {"customer_id": customer_id, "reason": reason, "reference_id": reference_id,
            "effective_date": on.isoformat()}
    if until is not None:
        data["until_date"] = until.isoformat()
    return _event("crm.contact.stopped.v1", customer_id, on, data, "postloan.crm")


def contact_resumed(customer_id: str, reason: str, reference_id: str, *, on: date) -> Envelope:
    return _event("crm.contact.resumed.v1", customer_id, on, {
        "customer_id": customer_id, "reason": reason, "reference_id": reference_id,
        "effective_date": on.isoformat()}, "postloan.crm")


class CollectionsHarness(ServiceHarness):
    service = "collections"

    def __init__(self, database_url: str, **settings) -> None:  # type: ignore[no-untyped-def]
        super().__init__(database_url, **settings)
        self.policy = Policy.from_settings(self.settings)


def money(value: str) -> Decimal:
    return Decimal(value)
