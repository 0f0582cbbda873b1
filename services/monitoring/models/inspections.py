"""On-site inspection tasks and their reports (现场检查)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import BigId, UtcDateTime
from services.monitoring.models import Base


class InspectionTask(Base):
    __tablename__ = "inspection_task"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    loan_id: Mapped[str] = mapped_column(String(64), index=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(300))
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    # The warning that caused the task; unique so a re-delivered or escalated warning
    # never schedules a second visit.
    warning_id: Mapped[str | None] = mapped_column(String(100), nullable=True, unique=True)
    assignee: Mapped[str | None] = mapped_column(String(100), nullable=True)
    assigned_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    overdue_reported: Mapped[bool] = mapped_column(default=False)
    report: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # Copied out of the report so the routine schedule can be computed in SQL.
    inspected_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    submitted_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_inspection_task_status_due", "status", "due_date"),
        Index("ix_inspection_task_loan_kind_status", "loan_id", "kind", "status"),
    )
