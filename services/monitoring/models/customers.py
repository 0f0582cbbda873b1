"""Borrowers as the bank describes them, and every normalised change to them."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import MONEY, BigId, UtcDateTime
from services.monitoring.models import Base


class Customer(Base):
    __tablename__ = "customer"

    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    id_number: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(500))
    timezone: Mapped[str] = mapped_column(String(64))
    region_code: Mapped[str] = mapped_column(String(32), index=True)
    industry_code: Mapped[str] = mapped_column(String(32))
    employer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    employment_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    monthly_income: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    credit_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    credit_report_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    overdue_accounts_elsewhere: Mapped[int | None] = mapped_column(Integer, nullable=True)
    total_debt_elsewhere: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    bankrupt: Mapped[bool] = mapped_column(Boolean, default=False)
    evading_debts: Mapped[bool] = mapped_column(Boolean, default=False)
    deceased: Mapped[bool] = mapped_column(Boolean, default=False)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CustomerChange(Base):
    __tablename__ = "customer_change"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    change_kind: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[dict] = mapped_column(JSON)
    new_value: Mapped[dict] = mapped_column(JSON)
    effective_date: Mapped[date] = mapped_column(Date)
    event_id: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_customer_change_customer", "customer_id", "id"),)


class FinancialStatement(Base):
    __tablename__ = "financial_statement"

    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    period_end: Mapped[date] = mapped_column(Date, primary_key=True)
    revenue: Mapped[Decimal] = mapped_column(MONEY)
    net_profit: Mapped[Decimal] = mapped_column(MONEY)
    total_assets: Mapped[Decimal] = mapped_column(MONEY)
    total_liabilities: Mapped[Decimal] = mapped_column(MONEY)
    current_assets: Mapped[Decimal] = mapped_column(MONEY)
    current_liabilities: Mapped[Decimal] = mapped_column(MONEY)
    operating_cash_flow: Mapped[Decimal] = mapped_column(MONEY)


class LegalEvent(Base):
    __tablename__ = "legal_event"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    event_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    case_no: Mapped[str | None] = mapped_column(String(100), nullable=True)


class MarketRisk(Base):
    __tablename__ = "market_risk"

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    effective_date: Mapped[date] = mapped_column(Date)
