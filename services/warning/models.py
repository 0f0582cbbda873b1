"""Tables owned by the warning service only."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.audit.store import audit_table
from shared.db.base import MONEY, BigId, UtcDateTime, new_metadata
from shared.db.business_day import business_day_table
from shared.db.delivery import delivery_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


delivery = delivery_tables(Base.metadata)
audit = audit_table(Base.metadata)
business_day = business_day_table(Base.metadata)


class Loan(Base):
    """Our own view of a loan: who owns it and where it sits, for fan-out and rule sets."""

    __tablename__ = "loan"
    loan_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    product: Mapped[str] = mapped_column(String(64))
    industry_code: Mapped[str] = mapped_column(String(32), index=True)
    region_code: Mapped[str] = mapped_column(String(32), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    registered_date: Mapped[date] = mapped_column(Date)
    closed_date: Mapped[date | None] = mapped_column(Date, nullable=True)


class EarlyWarning(Base):
    __tablename__ = "warning"
    __table_args__ = (
        # One active warning per loan and rule, enforced by the database as well.
        Index("uq_warning_active_loan_rule", "loan_id", "rule_id", unique=True,
              postgresql_where=text("active"), sqlite_where=text("active")),
    )
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    loan_id: Mapped[str] = mapped_column(String(64), index=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    rule_id: Mapped[str] = mapped_column(String(64))
    rule_version: Mapped[int] = mapped_column(Integer)
    rule_set: Mapped[str] = mapped_column(String(64))
    rule_set_version: Mapped[int] = mapped_column(Integer)
    family: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(8), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    measure: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    raised_date: Mapped[date] = mapped_column(Date)
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime)
    escalated_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    closed_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    clear_reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    resolution: Mapped[str | None] = mapped_column(String(16), nullable=True)
    resolution_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class WarningHistory(Base):
    """Every transition of a warning, for the audit trail and the lead-time analysis."""

    __tablename__ = "warning_history"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    warning_id: Mapped[str] = mapped_column(String(40), index=True)
    action: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(8))
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    actor: Mapped[str | None] = mapped_column(String(100), nullable=True)
    event_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    on_date: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RuleSetVersion(Base):
    """A proposed or approved rule set for a segment (a product code or `default`)."""

    __tablename__ = "rule_set_version"
    __table_args__ = (UniqueConstraint("segment", "version"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    segment: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    proposed_by: Mapped[str] = mapped_column(String(100))
    proposed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # The first business date whose signals an approved set judges; None: every date (a
    # set approved before the first close, or before rule sets were dated).
    effective_date: Mapped[date | None] = mapped_column(Date, nullable=True)


class WatchlistEntry(Base):
    __tablename__ = "watchlist_entry"
    __table_args__ = (
        Index("uq_watchlist_entry_on_list", "customer_id", unique=True,
              postgresql_where=text("on_list"), sqlite_where=text("on_list")),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    on_list: Mapped[bool] = mapped_column(Boolean, default=True)
    entered_date: Mapped[date] = mapped_column(Date)
    entry_warning_id: Mapped[str] = mapped_column(String(40))
    entry_level: Mapped[str] = mapped_column(String(8))
    exited_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    exit_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    removed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)


class LoanDefault(Base):
    """The first default of a loan (DPD 90+ or substandard-or-worse), for effectiveness."""

    __tablename__ = "loan_default"
    loan_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    default_date: Mapped[date] = mapped_column(Date)
    trigger: Mapped[str] = mapped_column(String(32))


class CustomerStatement(Base):
    """Revenue per reporting period, so revenue can be compared year on year."""

    __tablename__ = "customer_statement"
    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    period_end: Mapped[date] = mapped_column(Date, primary_key=True)
    revenue: Mapped[Any] = mapped_column(MONEY, nullable=True)


class MarketRisk(Base):
    """The latest risk level of each industry and region, so a loan's market warning clears
    only when neither its industry nor its region is high any more."""

    __tablename__ = "market_risk"
    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    effective_date: Mapped[date] = mapped_column(Date)


class RecentSignal(Base):
    """A customer- or market-level signal of the last weeks with the event that caused it.
    A loan's registration has another Kafka key than its customer's or market's events, so
    it can arrive after a signal dated on or after its disbursal; the signal is then applied
    to the new loan as if the loan had been known (same cause, same dates)."""

    __tablename__ = "recent_signal"
    __table_args__ = (Index("ix_recent_signal_scope_code", "scope", "code", "effective_date"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(16))  # customer | industry | region
    code: Mapped[str] = mapped_column(String(64))
    effective_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(32))
    as_of: Mapped[date] = mapped_column(Date)
    values: Mapped[Any] = mapped_column(JSON)
    cause_event_id: Mapped[str] = mapped_column(String(64))
    cause_type: Mapped[str] = mapped_column(String(128))
    cause_source: Mapped[str] = mapped_column(String(128))
    cause_subject: Mapped[str | None] = mapped_column(String(128), nullable=True)
    cause_correlation_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    cause_time: Mapped[datetime] = mapped_column(UtcDateTime)
