"""Events the monitoring service publishes on `postloan.monitoring.v1` (key: loan or
customer id). Other services read loans and borrowers only through these."""
from __future__ import annotations

from typing import Any

from pydantic import Field

from shared.events.registry import Payload, event
from shared.events.topics import MONITORING
from shared.events.types import IsoDate, Money

_LOAN = {"topic": MONITORING, "key_field": "loan_id", "producer": "monitoring"}
_CUSTOMER = {"topic": MONITORING, "key_field": "customer_id", "producer": "monitoring"}


class LoanRef(Payload):
    loan_id: str
    customer_id: str


@event("monitoring.loan.registered.v1", **_LOAN)
class LoanRegistered(LoanRef):
    """A disbursed loan entered the ledger."""

    product: str
    currency: str
    principal: Money
    annual_rate: str | None = Field(default=None,
                                    description="nominal annual rate, a decimal string fraction")
    disbursed_date: IsoDate
    maturity_date: IsoDate
    payment_mode: str
    industry_code: str
    region_code: str
    installments: int
    first_due_date: IsoDate


@event("monitoring.repayment.recorded.v1", **_LOAN)
class RepaymentRecorded(LoanRef):
    """A repayment was allocated (oldest installment first, interest before principal)."""

    payment_id: str
    amount: Money
    paid_date: IsoDate
    channel: str
    allocated_interest: Money
    allocated_principal: Money
    unallocated: Money = Field(description="Paid beyond every installment; held as credit")
    outstanding_principal: Money
    overdue_amount: Money


@event("monitoring.repayment.reversed.v1", **_LOAN)
class RepaymentReversedOut(LoanRef):
    """An earlier repayment was reversed and its allocation undone."""

    payment_id: str
    amount: Money
    reversed_date: IsoDate
    reason: str
    outstanding_principal: Money
    overdue_amount: Money


@event("monitoring.installment.missed.v1", **_LOAN)
class InstallmentMissed(LoanRef):
    """An installment passed its due date with an unpaid amount above materiality."""

    installment_no: int
    due_date: IsoDate
    unpaid_amount: Money
    as_of_date: IsoDate


class _AgeingFields(LoanRef):
    as_of_date: IsoDate
    product: str
    dpd: int = Field(ge=0)
    bucket: str
    classification: str
    ifrs9_stage: int
    outstanding_principal: Money
    overdue_principal: Money
    overdue_interest: Money


@event("monitoring.loan.delinquency-changed.v1", **_LOAN)
class DelinquencyChanged(_AgeingFields):
    """Days past due crossed a milestone or the delinquency bucket changed."""

    previous_dpd: int
    previous_bucket: str


@event("monitoring.loan.classification-changed.v1", **_LOAN)
class ClassificationChanged(_AgeingFields):
    """The five-category classification or the IFRS 9 stage changed; with the reason."""

    previous_classification: str
    previous_ifrs9_stage: int
    reason: str
    rule_version: str


@event("monitoring.loan.cured.v1", **_LOAN)
class LoanCured(_AgeingFields):
    """A delinquent loan is back to zero days past due."""

    previous_dpd: int


@event("monitoring.loan.restructured.v1", **_LOAN)
class LoanRestructuredOut(LoanRef):
    """The remaining schedule was replaced; an observation period starts."""

    effective_date: IsoDate
    reason: str
    installments: int
    observation_start_date: IsoDate
    observation_end_date: IsoDate
    outstanding_principal: Money


@event("monitoring.loan.closed.v1", **_LOAN)
class LoanClosedOut(LoanRef):
    """The loan left the active book: repaid, written off or transferred."""

    closed_date: IsoDate
    reason: str
    outstanding_principal: Money
    classification: str


@event("monitoring.collateral.revalued.v1", **_LOAN)
class CollateralRevalued(LoanRef):
    """A collateral item was revalued; loan_to_value = outstanding principal / total value."""

    collateral_id: str
    value: Money
    previous_value: Money
    valued_date: IsoDate
    total_collateral_value: Money
    outstanding_principal: Money
    loan_to_value: str | None = Field(description="decimal string, none without collateral")


@event("monitoring.customer.registered.v1", **_CUSTOMER)
class CustomerRegisteredOut(Payload):
    """A borrower is known; carries what downstream rules need, no identity data."""

    customer_id: str
    kind: str
    timezone: str
    region_code: str
    industry_code: str


@event("monitoring.customer.profile-changed.v1", **_CUSTOMER)
class CustomerProfileChanged(Payload):
    """A normalised change to a borrower: contact, employment, income, credit, financials,
    legal. Personal contact values are not repeated; `old`/`new` carry the rest."""

    customer_id: str
    change_kind: str
    effective_date: IsoDate
    old: dict[str, Any]
    new: dict[str, Any]


@event("monitoring.market.risk-changed.v1", topic=MONITORING, key_field="code",
       producer="monitoring")
class MarketRiskChanged(Payload):
    """An industry or region risk level changed (consumers fan out to their own loans)."""

    scope: str
    code: str
    level: str
    previous_level: str | None
    effective_date: IsoDate
    active_loans: int


@event("monitoring.business-day.aged.v1", topic=MONITORING, key_field="business_date",
       producer="monitoring")
class BusinessDayAged(Payload):
    """The ageing run for a business date completed."""

    business_date: IsoDate
    loans_aged: int
    changes: int
    missed_installments: int
