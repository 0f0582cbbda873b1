"""Reporting's read models, built only from events.

Loan state is kept as change rows (`loan_state`: one row per loan per day on which
something about it changed) rather than as a daily snapshot of every loan. Loan events
and the business-day clock travel on different partitions of postloan.monitoring.v1, so
a snapshot taken when `business-day.aged` arrives would see a different set of loan
events live than in a replay; change rows depend only on each loan's own ordered events,
so a rebuild gives the same figures, and storage grows with changes, not loans x days.
An as-of query takes each loan's newest row on or before the date."""
from __future__ import annotations

from services.reporting.models.activity import (
    Case, Complaint, Contact, CostFact, Promise, Recovery, Survey, Warning,
)
from services.reporting.models.audit import audit_record
from services.reporting.models.base import Base, audit, delivery
from services.reporting.models.loans import BusinessDay, Cure, Loan, LoanState, RepaymentFact

__all__ = ["Base", "BusinessDay", "Case", "Complaint", "Contact", "CostFact", "Cure", "Loan",
           "LoanState", "Promise", "Recovery", "RepaymentFact", "Survey", "Warning", "audit",
           "audit_record", "delivery"]
