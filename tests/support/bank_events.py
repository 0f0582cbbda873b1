"""Builders for the bank's inbound events, for tests (the simulator has its own)."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from decimal import Decimal

from shared.events.envelope import Envelope, new_event


def _at(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=timezone.utc)


def _event(type_: str, subject: str, day: date, data: dict) -> Envelope:
    return new_event(type=type_, source="core-banking", subject=subject, time=_at(day), data=data)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, 28))


def schedule(first_due: date, count: int, principal: str, interest: str,
             start_no: int = 1) -> list[dict]:
    return [{"installment_no": start_no + n, "due_date": add_months(first_due, n).isoformat(),
             "principal_due": principal, "interest_due": interest} for n in range(count)]


def disbursed(loan_id: str, customer_id: str, *, on: date, first_due: date, count: int = 12,
              principal_per: str = "1000.00", interest_per: str = "50.00",
              product: str = "consumer_installment", payment_mode: str = "entrusted",
              collateral: list[dict] | None = None) -> Envelope:
    total = Decimal(principal_per) * count
    return _event("bank.loan.disbursed.v1", loan_id, on, {
        "loan_id": loan_id, "customer_id": customer_id, "product": product, "currency": "CNY",
        "principal": str(total), "annual_rate": "0.0600", "disbursed_date": on.isoformat(),
        "maturity_date": add_months(first_due, count - 1).isoformat(),
        "payment_mode": payment_mode, "purpose": "working capital", "industry_code": "F52",
        "region_code": "310000", "schedule": schedule(first_due, count, principal_per, interest_per),
        "collateral": collateral or [],
    })


def repayment(loan_id: str, payment_id: str, amount: str, on: date) -> Envelope:
    return _event("bank.repayment.received.v1", loan_id, on, {
        "loan_id": loan_id, "payment_id": payment_id, "amount": amount,
        "paid_date": on.isoformat(), "channel": "auto_debit"})


def reversal(loan_id: str, payment_id: str, on: date) -> Envelope:
    return _event("bank.repayment.reversed.v1", loan_id, on, {
        "loan_id": loan_id, "payment_id": payment_id, "reversed_date": on.isoformat(),
        "reason": "insufficient_funds"})


def restructured(loan_id: str, *, on: date, first_due: date, count: int, principal_per: str,
                 interest_per: str = "30.00") -> Envelope:
    return _event("bank.loan.restructured.v1", loan_id, on, {
        "loan_id": loan_id, "effective_date": on.isoformat(), "reason": "hardship_extension",
        "schedule": schedule(first_due, count, principal_per, interest_per, start_no=101)})


def closed(loan_id: str, on: date, reason: str = "repaid") -> Envelope:
    return _event("bank.loan.closed.v1", loan_id, on, {
        "loan_id": loan_id, "closed_date": on.isoformat(), "reason": reason})


def business_day(day: date) -> Envelope:
    return _event("bank.business-day.closed.v1", "calendar", day,
                  {"business_date": day.isoformat()})


def customer_registered(customer_id: str, *, kind: str = "individual", on: date) -> Envelope:
    return _event("bank.customer.registered.v1", customer_id, on, {
        "customer_id": customer_id, "kind": kind, "name": "Zhang Wei",
        "id_number": "110101199003071234", "phone": "+8613812345678",
        "address": "88 Century Avenue, Pudong, Shanghai", "timezone": "Asia/Shanghai",
        "region_code": "310000", "industry_code": "F52", "employer": "Acme Trading",
        "monthly_income": "15000.00"})


def legal_event(customer_id: str, kind: str, on: date) -> Envelope:
    return _event("bank.customer.legal-event.v1", customer_id, on, {
        "customer_id": customer_id, "kind": kind, "event_date": on.isoformat(),
        "amount": "50000.00", "case_no": "(2026)沪0115民初1234号"})


def contact_changed(customer_id: str, phone: str, on: date) -> Envelope:
    return _event("bank.customer.contact-changed.v1", customer_id, on,
                  {"customer_id": customer_id, "phone": phone})
