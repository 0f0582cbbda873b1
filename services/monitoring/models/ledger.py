"""The loan ledger: loans, schedules, payments and their allocation, ageing results."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, LargeBinary, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import MONEY, BigId, UtcDateTime
from services.monitoring.models import Base

ZERO = Decimal("0")


class Loan(Base):
    __tablename__ = "loan"

    loan_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    product: Mapped[str] = mapped_column(String(64), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    principal: Mapped[Decimal] = mapped_column(MONEY)
    annual_rate: Mapped[Decimal] = mapped_column(Numeric(12, 8))
    disbursed_date: Mapped[date] = mapped_column(Date)
    maturity_date: Mapped[date] = mapped_column(Date)
    payment_mode: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(500), default="")
    industry_code: Mapped[str] = mapped_column(String(32), default="")
    region_code: Mapped[str] = mapped_column(String(32), index=True, default="")
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    closed_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    close_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    schedule_version: Mapped[int] = mapped_column(Integer, default=1)
    advance_balance: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    # Restructuring and its observation period (domain.md: at least 2 periods and 1 year).
    restructure_count: Mapped[int] = mapped_column(Integer, default=0)
    restructured_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    observation_start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    observation_end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    observation_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    fund_misuse: Mapped[bool] = mapped_column(Boolean, default=False)
    # Results of the latest ageing run.
    as_of_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    dpd: Mapped[int] = mapped_column(Integer, default=0)
    bucket: Mapped[str] = mapped_column(String(16), default="current", index=True)
    classification: Mapped[str] = mapped_column(String(24), default="normal", index=True)
    ifrs9_stage: Mapped[int] = mapped_column(Integer, default=1)
    classification_reason: Mapped[str] = mapped_column(String(300), default="new loan")
    classification_rule_version: Mapped[str] = mapped_column(String(64), default="")
    outstanding_principal: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    overdue_principal: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    overdue_interest: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_loan_status_customer", "status", "customer_id"),)

    @property
    def overdue_amount(self) -> Decimal:
        return self.overdue_principal + self.overdue_interest

    @property
    def restructured(self) -> bool:
        return self.restructure_count > 0


class Installment(Base):
    __tablename__ = "installment"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    loan_id: Mapped[str] = mapped_column(ForeignKey("loan.loan_id"))
    schedule_version: Mapped[int] = mapped_column(Integer)
    installment_no: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)
    principal_due: Mapped[Decimal] = mapped_column(MONEY)
    interest_due: Mapped[Decimal] = mapped_column(MONEY)
    principal_paid: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    interest_paid: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    # Replaced by a restructuring: kept for history, ignored by ageing.
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    missed_reported: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        UniqueConstraint("loan_id", "schedule_version", "installment_no",
                         name="uq_installment_loan_version_no"),
        Index("ix_installment_open", "loan_id", "superseded", "due_date"),
    )


class Payment(Base):
    __tablename__ = "payment"

    payment_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    loan_id: Mapped[str] = mapped_column(ForeignKey("loan.loan_id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    paid_date: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="posted")
    unallocated: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    reversed_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    reversal_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PaymentAllocation(Base):
    __tablename__ = "payment_allocation"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    payment_id: Mapped[str] = mapped_column(ForeignKey("payment.payment_id"), index=True)
    installment_id: Mapped[int] = mapped_column(ForeignKey("installment.id"))
    interest_amount: Mapped[Decimal] = mapped_column(MONEY)
    principal_amount: Mapped[Decimal] = mapped_column(MONEY)


class Collateral(Base):
    __tablename__ = "collateral"

    loan_id: Mapped[str] = mapped_column(ForeignKey("loan.loan_id"), primary_key=True)
    collateral_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    value: Mapped[Decimal] = mapped_column(MONEY)
    valued_date: Mapped[date] = mapped_column(Date)


class ClassificationChange(Base):
    __tablename__ = "classification_change"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    loan_id: Mapped[str] = mapped_column(ForeignKey("loan.loan_id"), index=True)
    as_of_date: Mapped[date] = mapped_column(Date)
    old_classification: Mapped[str] = mapped_column(String(24))
    new_classification: Mapped[str] = mapped_column(String(24))
    old_stage: Mapped[int] = mapped_column(Integer)
    new_stage: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(300))
    rule_version: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class BusinessDay(Base):
    __tablename__ = "business_day"

    business_date: Mapped[date] = mapped_column(Date, primary_key=True)
    closed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    aged_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    loans_aged: Mapped[int] = mapped_column(Integer, default=0)
    ageing_seconds: Mapped[float | None] = mapped_column(Numeric(12, 3), nullable=True)


class ParkedEvent(Base):
    """An event that arrived before the loan or customer it names; applied on arrival."""

    __tablename__ = "parked_event"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entity_kind: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(200))
    envelope: Mapped[bytes] = mapped_column(LargeBinary)
    parked_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_parked_event_entity", "entity_kind", "entity_id", "id"),)
