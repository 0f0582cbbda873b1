"""HTTP response models for loans (never ORM classes)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pydantic import BaseModel, ConfigDict


class _FromRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class InstallmentOut(_FromRow):
    schedule_version: int
    installment_no: int
    due_date: date
    principal_due: Decimal
    interest_due: Decimal
    principal_paid: Decimal
    interest_paid: Decimal
    superseded: bool


class PaymentOut(_FromRow):
    payment_id: str
    amount: Decimal
    paid_date: date
    channel: str
    status: str
    unallocated: Decimal
    reversed_date: date | None


class CollateralOut(_FromRow):
    collateral_id: str
    kind: str
    value: Decimal
    valued_date: date


class ClassificationChangeOut(_FromRow):
    as_of_date: date
    old_classification: str
    new_classification: str
    old_stage: int
    new_stage: int
    reason: str
    rule_version: str


class LoanSummary(_FromRow):
    loan_id: str
    customer_id: str
    product: str
    currency: str
    principal: Decimal
    status: str
    dpd: int
    bucket: str
    classification: str
    ifrs9_stage: int
    outstanding_principal: Decimal
    overdue_principal: Decimal
    overdue_interest: Decimal
    overdue_amount: Decimal
    as_of_date: date | None
    region_code: str


class LoanDetail(LoanSummary):
    annual_rate: Decimal
    disbursed_date: date
    maturity_date: date
    payment_mode: str
    purpose: str
    industry_code: str
    classification_reason: str
    classification_rule_version: str
    restructured: bool
    restructure_count: int
    observation_start_date: date | None
    observation_end_date: date | None
    observation_breached: bool
    fund_misuse: bool
    advance_balance: Decimal
    closed_date: date | None
    close_reason: str | None
    schedule: list[InstallmentOut]
    payments: list[PaymentOut]
    collateral: list[CollateralOut]
    classification_history: list[ClassificationChangeOut]
