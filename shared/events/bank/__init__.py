"""Payload models for every event the bank publishes (the inbound CONTRACT topics).
Importing this package registers them all."""
from shared.events.bank.business_day import BusinessDayClosed
from shared.events.bank.customers import (
    ContactChanged, CreditReportUpdated, CustomerKind, CustomerRegistered, EmploymentChanged,
    FinancialsReported, LegalEvent, LegalEventKind,
)
from shared.events.bank.loans import (
    CloseReason, CollateralItem, CollateralRevalued, LoanClosed, LoanDisbursed, LoanRestructured,
    PaymentMode, RepaymentReceived, RepaymentReversed, ScheduleItem,
)
from shared.events.bank.market import IndustryRiskChanged, RegionRiskChanged, RiskLevel

__all__ = [
    "BusinessDayClosed", "CloseReason", "CollateralItem", "CollateralRevalued", "ContactChanged",
    "CreditReportUpdated", "CustomerKind", "CustomerRegistered", "EmploymentChanged",
    "FinancialsReported", "IndustryRiskChanged", "LegalEvent", "LegalEventKind", "LoanClosed",
    "LoanDisbursed", "LoanRestructured", "PaymentMode", "RegionRiskChanged", "RepaymentReceived",
    "RepaymentReversed", "RiskLevel", "ScheduleItem",
]
