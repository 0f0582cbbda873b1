"""Tables owned by the collections service only."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.audit.store import audit_table
from shared.db.base import MONEY, BigId, UtcDateTime, new_metadata
from shared.db.delivery import delivery_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


delivery = delivery_tables(Base.metadata)
audit = audit_table(Base.metadata)


class Debtor(Base):
    """What monitoring told us about a borrower: enough to pick a time zone and a team."""

    __tablename__ = "debtor"

    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    region_code: Mapped[str] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)


class LoanPosition(Base):
    """The latest delinquency snapshot of a loan, as of a business date."""

    __tablename__ = "loan_position"

    loan_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    dpd: Mapped[int] = mapped_column(Integer, default=0)
    bucket: Mapped[str] = mapped_column(String(16), default="current")
    classification: Mapped[str | None] = mapped_column(String(24), nullable=True)
    overdue_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    outstanding_principal: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    as_of_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active")
    close_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)


class CollectionCase(Base):
    __tablename__ = "collection_case"

    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    reason: Mapped[str] = mapped_column(String(16))
    opened_date: Mapped[date] = mapped_column(Date)
    closed_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    path: Mapped[str] = mapped_column(String(64))
    variant: Mapped[str] = mapped_column(String(16))
    step_index: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[str] = mapped_column(String(32))
    step_started_date: Mapped[date] = mapped_column(Date)
    # A bucket roll seen before its business date closed: the close escalates for it.
    roll_pending_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    queue: Mapped[str] = mapped_column(String(80), index=True)
    bucket: Mapped[str] = mapped_column(String(16))
    overdue_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    risk_segment: Mapped[str] = mapped_column(String(16))
    balance_band: Mapped[str] = mapped_column(String(16))
    collector_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    team: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    last_contact_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    contacts: Mapped[int] = mapped_column(Integer, default=0)
    total_recovered: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    total_cost: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    # The database itself refuses a second open case for a customer.
    __table_args__ = (
        Index("uq_collection_case_open_customer", "customer_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
    )


class CaseLoan(Base):
    __tablename__ = "case_loan"

    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    loan_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    resolution: Mapped[str] = mapped_column(String(16))
    linked_date: Mapped[date] = mapped_column(Date)
    # Whether the loan was behind while in this case: only such a loan cures by its numbers.
    was_delinquent: Mapped[bool] = mapped_column(Boolean, default=True)


class ContactStop(Base):
    """One row per stop reference (complaint, request, pause, legal event); a resumed
    stop stays as a tombstone so a late re-delivery of its start cannot revive it."""

    __tablename__ = "contact_stop"

    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reference_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    reason: Mapped[str] = mapped_column(String(32))
    effective_date: Mapped[date] = mapped_column(Date)
    until_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(16))
    resumed_date: Mapped[date | None] = mapped_column(Date, nullable=True)


class ContactAttempt(Base):
    __tablename__ = "contact_attempt"

    contact_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), index=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    loan_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    contact_type: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(32))
    discloses_debt: Mapped[bool] = mapped_column(Boolean, default=False)
    attempted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    allowed: Mapped[bool] = mapped_column(Boolean)
    refusal_reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    conversation: Mapped[bool] = mapped_column(Boolean, default=False)
    collector_id: Mapped[str] = mapped_column(String(64))
    jurisdiction: Mapped[str] = mapped_column(String(16))
    action_type: Mapped[str] = mapped_column(String(32))
    cost: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    note: Mapped[str | None] = mapped_column(String(1000), nullable=True)

    __table_args__ = (Index("ix_contact_attempt_customer_at", "customer_id", "attempted_at"),)


class Promise(Base):
    __tablename__ = "promise"

    promise_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), index=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    loan_id: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    due_date: Mapped[date] = mapped_column(Date)
    grace_days: Mapped[int] = mapped_column(Integer)
    recorded_date: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    paid_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    decided_date: Mapped[date | None] = mapped_column(Date, nullable=True)

    __table_args__ = (
        Index("uq_promise_active_loan", "loan_id", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
    )


class Repayment(Base):
    __tablename__ = "repayment"

    payment_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    loan_id: Mapped[str] = mapped_column(String(64), index=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    paid_date: Mapped[date] = mapped_column(Date)
    reversed: Mapped[bool] = mapped_column(Boolean, default=False)


class Collector(Base):
    __tablename__ = "collector"

    collector_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team: Mapped[str | None] = mapped_column(String(64), nullable=True)
    max_open_cases: Mapped[int] = mapped_column(Integer)
    regions: Mapped[list] = mapped_column(JSON, default=list)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Offer(Base):
    """A settlement/waiver or a disposal proposal and its approvals."""

    __tablename__ = "offer"

    offer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    category: Mapped[str] = mapped_column(String(16))  # settlement | disposal
    kind: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[str] = mapped_column(String(64), index=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    loan_id: Mapped[str] = mapped_column(String(64))
    amount_at_stake: Mapped[Decimal] = mapped_column(MONEY)
    settlement_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    expected_recovery: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    recovered_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    level: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    approvals: Mapped[list] = mapped_column(JSON, default=list)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class LegalStage(Base):
    __tablename__ = "legal_stage"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(64), index=True)
    loan_id: Mapped[str] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(16))
    stage_date: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    cost: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))


class BusinessDay(Base):
    """Business dates monitoring finished ageing: the clock for promises and escalation."""

    __tablename__ = "business_day"

    business_date: Mapped[date] = mapped_column(Date, primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime)
