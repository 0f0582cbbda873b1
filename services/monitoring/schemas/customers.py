"""HTTP response models for customers (never ORM classes)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from services.monitoring.schemas.loans import LoanSummary


class CustomerChangeOut(BaseModel):
    change_kind: str
    effective_date: date
    old: dict[str, Any]
    new: dict[str, Any]
    recorded_at: datetime


class CustomerProfile(BaseModel):
    customer_id: str
    kind: str
    name: str
    id_number: str | None
    phone: str | None
    address: str | None
    timezone: str
    region_code: str
    industry_code: str
    employer: str | None
    employment_status: str | None
    monthly_income: Decimal | None
    credit_score: int | None
    overdue_accounts_elsewhere: int | None
    total_debt_elsewhere: Decimal | None
    bankrupt: bool
    evading_debts: bool
    deceased: bool
    personal_data_masked: bool


class Customer360(CustomerProfile):
    loans: list[LoanSummary]
    total_outstanding: Decimal
    total_overdue: Decimal
    worst_classification: str | None
    recent_changes: list[CustomerChangeOut]


class DataQuality(BaseModel):
    customers: int
    field_completeness: dict[str, float]
    parked_events: int
