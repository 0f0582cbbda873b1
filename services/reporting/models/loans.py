"""Loans, their state history and the repayment facts (from postloan.monitoring.v1)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import MONEY, UtcDateTime
from services.reporting.models.base import Base


class Loan(Base):
    """A registered loan with its current state (the newest `loan_state` row, denormalised)."""

    __tablename__ = "loan"

    loan_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    product: Mapped[str] = mapped_column(String(64))
    region_code: Mapped[str] = mapped_column(String(32), index=True)
    principal: Mapped[Decimal] = mapped_column(MONEY)
    disbursed_date: Mapped[date] = mapped_column(Date)
    vintage: Mapped[str] = mapped_column(String(7), index=True)
    closed_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    close_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    dpd: Mapped[int] = mapped_column(Integer, default=0)
    bucket: Mapped[str] = mapped_column(String(16), default="current")
    classification: Mapped[str] = mapped_column(String(32), default="normal")
    ifrs9_stage: Mapped[int] = mapped_column(Integer, default=1)
    outstanding_principal: Mapped[Decimal] = mapped_column(MONEY)
    overdue_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))


class LoanState(Base):
    """A loan's state after the last event of `effective_date` (only days with a change)."""

    __tablename__ = "loan_state"

    loan_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    effective_date: Mapped[date] = mapped_column(Date, primary_key=True)
    dpd: Mapped[int] = mapped_column(Integer)
    bucket: Mapped[str] = mapped_column(String(16))
    classification: Mapped[str] = mapped_column(String(32))
    ifrs9_stage: Mapped[int] = mapped_column(Integer)
    outstanding_principal: Mapped[Decimal] = mapped_column(MONEY)
    overdue_amount: Mapped[Decimal] = mapped_column(MONEY)
    closed: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (Index("ix_loan_state_effective_date", "effective_date"),)


class Cure(Base):
    """A delinquent loan back to zero days past due."""

    __tablename__ = "cure"

    loan_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    cured_date: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    previous_dpd: Mapped[int] = mapped_column(Integer)


class BusinessDay(Base):
    """A business date monitoring finished ageing: the clock of as-of figures."""

    __tablename__ = "business_day"

    business_date: Mapped[date] = mapped_column(Date, primary_key=True)
    loans_aged: Mapped[int] = mapped_column(Integer)
    changes: Mapped[int] = mapped_column(Integer)


class RepaymentFact(Base):
    """One row per repayment monitoring recorded; a reversal marks it."""

    __tablename__ = "repayment_fact"

    payment_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    loan_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    paid_date: Mapped[date] = mapped_column(Date)
    period: Mapped[str] = mapped_column(String(7))
    reversed_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_repayment_fact_period", "period"),)
