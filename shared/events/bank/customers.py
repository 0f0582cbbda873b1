"""Payloads on `bank.customers.v1` (record key customer_id): what the bank learns about
borrowers. Several fields are personal data: never log payload values."""
from __future__ import annotations

from enum import Enum

from pydantic import Field, model_validator

from shared.events.bank.common import Text
from shared.events.registry import Payload, event
from shared.events.topics import BANK_CUSTOMERS
from shared.events.types import Decimal_, IsoDate, Money


class CustomerKind(str, Enum):
    INDIVIDUAL = "individual"
    CORPORATE = "corporate"


class LegalEventKind(str, Enum):
    LAWSUIT = "lawsuit"
    ENFORCEMENT = "enforcement"
    DISHONEST_DEBTOR = "dishonest_debtor"
    TAX_ARREARS = "tax_arrears"
    ADMINISTRATIVE_PENALTY = "administrative_penalty"
    BANKRUPTCY = "bankruptcy"
    DECEASED = "deceased"


def _customer_id() -> object:
    return Field(description="Bank's customer id")


@event("bank.customer.registered.v1", topic=BANK_CUSTOMERS, key_field="customer_id",
       producer="bank")
class CustomerRegistered(Payload):
    """A borrower became known to the bank, with contact and employment details."""

    customer_id: Text = _customer_id()
    kind: CustomerKind = Field(strict=False, description="Individual or corporate borrower")
    name: Text = Field(description="Legal name")
    id_number: Text = Field(description="National id or business registration number")
    phone: Text = Field(description="Contact phone, ideally E.164")
    address: Text = Field(description="Contact address")
    timezone: Text = Field(description="IANA time zone, governs permitted contact hours")
    region_code: Text = Field(description="Region of residence or registration")
    industry_code: Text = Field(description="Industry of the borrower or its employer")
    employer: Text | None = Field(description="Employer; null for corporates or unemployed")
    monthly_income: Money | None = Field(description="Monthly income; null for corporates")


@event("bank.customer.contact-changed.v1", topic=BANK_CUSTOMERS, key_field="customer_id",
       producer="bank")
class ContactChanged(Payload):
    """The borrower's phone or address changed; absent fields are unchanged."""

    customer_id: Text = _customer_id()
    phone: Text | None = Field(default=None, description="New phone, if it changed")
    address: Text | None = Field(default=None, description="New address, if it changed")

    @model_validator(mode="after")
    def _something_changed(self) -> "ContactChanged":
        if self.phone is None and self.address is None:
            raise ValueError("at least one of phone or address must be given")
        return self


@event("bank.customer.employment-changed.v1", topic=BANK_CUSTOMERS, key_field="customer_id",
       producer="bank")
class EmploymentChanged(Payload):
    """The borrower's employer, employment status or income changed."""

    customer_id: Text = _customer_id()
    employer: Text | None = Field(description="New employer; null when not employed")
    status: Text = Field(description="Employment status, e.g. employed, unemployed, retired")
    monthly_income: Money = Field(description="Monthly income after the change")


@event("bank.customer.credit-report-updated.v1", topic=BANK_CUSTOMERS,
       key_field="customer_id", producer="bank")
class CreditReportUpdated(Payload):
    """A new credit bureau report on the borrower arrived."""

    customer_id: Text = _customer_id()
    report_date: IsoDate = Field(description="Date of the report")
    score: int = Field(ge=0, description="Bureau credit score")
    overdue_accounts_elsewhere: int = Field(ge=0, description="Overdue accounts at other lenders")
    total_debt_elsewhere: Money = Field(description="Total debt owed to other lenders")


@event("bank.customer.financials-reported.v1", topic=BANK_CUSTOMERS,
       key_field="customer_id", producer="bank")
class FinancialsReported(Payload):
    """A corporate borrower's financial statements for a period."""

    customer_id: Text = _customer_id()
    period_end: IsoDate = Field(description="Last day of the reporting period")
    revenue: Money = Field(description="Revenue for the period")
    net_profit: Decimal_ = Field(description="Net profit; negative for a loss")
    total_assets: Money = Field(description="Total assets at period end")
    total_liabilities: Money = Field(description="Total liabilities at period end")
    current_assets: Money = Field(description="Current assets at period end")
    current_liabilities: Money = Field(description="Current liabilities at period end")
    operating_cash_flow: Decimal_ = Field(description="Operating cash flow; may be negative")

    @model_validator(mode="after")
    def _parts_within_totals(self) -> "FinancialsReported":
        if self.current_assets > self.total_assets:
            raise ValueError("current_assets must not exceed total_assets")
        if self.current_liabilities > self.total_liabilities:
            raise ValueError("current_liabilities must not exceed total_liabilities")
        return self


@event("bank.customer.legal-event.v1", topic=BANK_CUSTOMERS, key_field="customer_id",
       producer="bank")
class LegalEvent(Payload):
    """A court, tax or registry event concerning the borrower."""

    customer_id: Text = _customer_id()
    kind: LegalEventKind = Field(strict=False, description="What happened")
    event_date: IsoDate = Field(description="Date of the event")
    amount: Money | None = Field(default=None, description="Amount at stake, if known")
    case_no: Text | None = Field(default=None, description="Court or agency case number")
