"""The topic catalogue. CONTRACT names from the architecture document."""
from __future__ import annotations

BANK_LOANS = "bank.loans.v1"
BANK_CUSTOMERS = "bank.customers.v1"
BANK_MARKET = "bank.market.v1"
BANK_CALENDAR = "bank.calendar.v1"

MONITORING = "postloan.monitoring.v1"
WARNING = "postloan.warning.v1"
COLLECTIONS = "postloan.collections.v1"
CRM = "postloan.crm.v1"
AUDIT = "postloan.audit.v1"

INBOUND_TOPICS = (BANK_LOANS, BANK_CUSTOMERS, BANK_MARKET, BANK_CALENDAR)
OUTBOUND_TOPICS = (MONITORING, WARNING, COLLECTIONS, CRM, AUDIT)
ALL_TOPICS = INBOUND_TOPICS + OUTBOUND_TOPICS

# The calendar must keep one partition: every consumer sees business days in order.
SINGLE_PARTITION_TOPICS = frozenset({BANK_CALENDAR})


def dlq(topic: str) -> str:
    return f"{topic}.dlq"


TOPIC_DESCRIPTIONS = {
    BANK_LOANS: "Loan lifecycle and repayments published by the bank's core system; key = loan_id.",
    BANK_CUSTOMERS: "Borrower information changes published by the bank; key = customer_id.",
    BANK_MARKET: "Industry and region risk levels; key = industry or region code.",
    BANK_CALENDAR: "Business-day closes; one partition so ageing runs in date order.",
    MONITORING: "Loan and customer state changes derived by the monitoring service.",
    WARNING: "Early warnings raised, escalated, cleared and resolved.",
    COLLECTIONS: "Collection cases, contacts, promises, settlements and recoveries.",
    CRM: "Complaints, contact stops, hardship and restructuring decisions, surveys.",
    AUDIT: "The audit trail: who or what changed what, when and why.",
}
