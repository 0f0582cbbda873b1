"""Work table of the set-based ageing run: one row per loan aged in a run.

The run writes every fact and decision here in one INSERT ... SELECT, adjusts it with a
set-based UPDATE (corporate contagion), copies it onto `loan` and removes its rows before
returning, so between transactions the table is empty. Runs are serialised (an advisory
lock on PostgreSQL, BEGIN IMMEDIATE on SQLite); `run_id` still scopes every statement to
its own run. On PostgreSQL the table is UNLOGGED: its rows never outlive the transaction,
so WAL for them is wasted work (a migration should add `ALTER TABLE ageing_result SET
UNLOGGED` on PostgreSQL).
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import DDL, Boolean, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import MONEY
from services.monitoring.models import Base


class AgeingResult(Base):
    __tablename__ = "ageing_result"

    run_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    loan_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    product: Mapped[str] = mapped_column(String(64))
    corporate: Mapped[bool] = mapped_column(Boolean)
    in_observation: Mapped[bool] = mapped_column(Boolean)
    observation_breached: Mapped[bool] = mapped_column(Boolean)
    unreported_missed: Mapped[int] = mapped_column(Integer)
    dpd: Mapped[int] = mapped_column(Integer)
    bucket: Mapped[str] = mapped_column(String(16))
    classification: Mapped[str] = mapped_column(String(24))
    ifrs9_stage: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(300))
    outstanding_principal: Mapped[Decimal] = mapped_column(MONEY)
    overdue_principal: Mapped[Decimal] = mapped_column(MONEY)
    overdue_interest: Mapped[Decimal] = mapped_column(MONEY)
    old_dpd: Mapped[int] = mapped_column(Integer)
    old_bucket: Mapped[str] = mapped_column(String(16))
    old_classification: Mapped[str] = mapped_column(String(24))
    old_stage: Mapped[int] = mapped_column(Integer)


event.listen(AgeingResult.__table__, "after_create",
             DDL("ALTER TABLE ageing_result SET UNLOGGED").execute_if(dialect="postgresql"))
