"""Reporting's read models, built only from events."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Index, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db.base import MONEY, UtcDateTime, new_metadata
from shared.db.delivery import delivery_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


delivery = delivery_tables(Base.metadata)


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
