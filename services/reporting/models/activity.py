"""Collection, warning and customer-relationship facts (postloan.collections/warning/crm)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import MONEY
from services.reporting.models.base import Base


class Case(Base):
    __tablename__ = "collection_case"

    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    trigger_loan_id: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(64))
    team: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    opened_date: Mapped[date] = mapped_column(Date)
    amount_due: Mapped[Decimal] = mapped_column(MONEY)
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    closed_date: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    total_recovered: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    total_cost: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))


class Contact(Base):
    __tablename__ = "contact"

    contact_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), index=True)
    attempted_date: Mapped[date] = mapped_column(Date, index=True)
    channel: Mapped[str] = mapped_column(String(32))
    allowed: Mapped[bool] = mapped_column(Boolean)
    refusal_reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    cost: Mapped[Decimal] = mapped_column(MONEY)


class CostFact(Base):
    """Collection cost that is not a contact: legal steps and disposals."""

    __tablename__ = "cost_fact"

    cost_id: Mapped[str] = mapped_column(String(96), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    cost_date: Mapped[date] = mapped_column(Date, index=True)
    cost: Mapped[Decimal] = mapped_column(MONEY)


class Promise(Base):
    __tablename__ = "promise"

    promise_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    recorded_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    decided_date: Mapped[date | None] = mapped_column(Date, nullable=True)


class Recovery(Base):
    __tablename__ = "recovery"

    recovery_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), index=True)
    loan_id: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    source: Mapped[str] = mapped_column(String(16))
    recovered_date: Mapped[date] = mapped_column(Date, index=True)


class Warning(Base):
    __tablename__ = "warning"

    warning_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    loan_id: Mapped[str] = mapped_column(String(64), index=True)
    rule_id: Mapped[str] = mapped_column(String(64))
    family: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(16))
    raised_level: Mapped[str] = mapped_column(String(16))
    raised_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    resolution: Mapped[str | None] = mapped_column(String(16), nullable=True)
    escalations: Mapped[int] = mapped_column(Integer, default=0)


class Complaint(Base):
    __tablename__ = "complaint"

    complaint_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    category: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    received_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    deadline_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    decided_date: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    on_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    breached_date: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)


class Survey(Base):
    __tablename__ = "survey"

    survey_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team: Mapped[str] = mapped_column(String(64), index=True)
    sent_date: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    answered_date: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
