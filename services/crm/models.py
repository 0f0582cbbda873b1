"""Tables owned by the crm service only. Ids are random strings with a readable prefix,
so records can be quoted to a customer and tests never collide."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.audit.store import audit_table
from shared.db.base import MONEY, UtcDateTime, new_metadata
from shared.db.business_day import business_day_table
from shared.db.delivery import delivery_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


delivery = delivery_tables(Base.metadata)
audit = audit_table(Base.metadata)
business_day = business_day_table(Base.metadata)


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


class Complaint(Base):
    __tablename__ = "complaint"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    loan_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    case_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    category: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    received_date: Mapped[date] = mapped_column(Date)
    received_by: Mapped[str] = mapped_column(String(100))
    deadline_date: Mapped[date] = mapped_column(Date)
    extension_stage: Mapped[int] = mapped_column(Integer, default=0)
    pending_extension_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    pending_extension_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    extensions: Mapped[list] = mapped_column(JSON, default=list)
    involved_staff: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16))
    handler: Mapped[str | None] = mapped_column(String(100), nullable=True)
    handler_team: Mapped[str | None] = mapped_column(String(64), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(24), nullable=True)
    root_cause: Mapped[str | None] = mapped_column(String(32), nullable=True)
    resolution_summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    informed_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    informed_channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    on_time: Mapped[bool | None] = mapped_column(nullable=True)
    closed_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    breached: Mapped[bool] = mapped_column(default=False)
    reminders_sent: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_complaint_status_deadline", "status", "deadline_date"),)


class LoanView(Base):
    """What crm knows of a loan, kept current from monitoring's events."""

    __tablename__ = "loan_view"

    loan_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    principal: Mapped[Decimal] = mapped_column(MONEY)
    outstanding_principal: Mapped[Decimal] = mapped_column(MONEY)
    dpd: Mapped[int] = mapped_column(Integer, default=0)
    installments: Mapped[int] = mapped_column(Integer)
    first_due_date: Mapped[date] = mapped_column(Date)
    maturity_date: Mapped[date] = mapped_column(Date)
    annual_rate: Mapped[Decimal | None] = mapped_column(Numeric(12, 8), nullable=True)
    last_restructured_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CaseStaff(Base):
    """Everyone ever assigned to a collection case: they may not handle a complaint about it."""

    __tablename__ = "case_staff"

    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    team: Mapped[str | None] = mapped_column(String(64), nullable=True)
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RestructuringRequest(Base):
    __tablename__ = "restructuring_request"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    loan_id: Mapped[str] = mapped_column(String(64), index=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    hardship_reason: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    arrangement: Mapped[dict] = mapped_column(JSON)
    terms: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    proposed_by: Mapped[str] = mapped_column(String(100))
    requested_date: Mapped[date] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    effective_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    schedule: Mapped[list | None] = mapped_column(JSON, nullable=True)
    waived_interest: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    waived_fees: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ContactStop(Base):
    __tablename__ = "contact_stop"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    # The complaint, request or pause behind the stop; one stop per reference.
    reference_id: Mapped[str] = mapped_column(String(64), unique=True)
    effective_date: Mapped[date] = mapped_column(Date)
    until_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_by: Mapped[str] = mapped_column(String(100))
    lifted_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lifted_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CareTask(Base):
    __tablename__ = "care_task"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    loan_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reason: Mapped[str] = mapped_column(String(32))
    # "first_overdue:<loan>" or "warning:<warning id>": a cause creates one task, ever.
    dedupe_key: Mapped[str] = mapped_column(String(150), unique=True)
    warning_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    assignee: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_date: Mapped[date] = mapped_column(Date)
    completed_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    completed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_care_task_status_due", "status", "due_date"),)


class Interaction(Base):
    __tablename__ = "interaction"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    loan_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    channel: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    outcome: Mapped[str] = mapped_column(String(32))
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(100))
    care_task_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    complaint_id: Mapped[str | None] = mapped_column(String(40), nullable=True)


class Survey(Base):
    __tablename__ = "survey"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    trigger: Mapped[str] = mapped_column(String(24))
    # Unique with the trigger: one survey per closed complaint or case.
    reference_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    team: Mapped[str] = mapped_column(String(64))
    sent_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="sent")
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_date: Mapped[date | None] = mapped_column(Date, nullable=True)

    __table_args__ = (
        Index("uq_survey_trigger_reference", "trigger", "reference_id", unique=True),
        Index("ix_survey_answered", "answered_date", "team"),
    )
