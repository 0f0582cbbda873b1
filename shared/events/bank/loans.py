"""Payloads on `bank.loans.v1` (record key loan_id): loan lifecycle and repayments."""
from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

from pydantic import AfterValidator, Field, field_validator, model_validator

from shared.events.bank.common import Currency, PositiveMoney, Rate, Text
from shared.events.registry import Payload, event
from shared.events.topics import BANK_LOANS
from shared.events.types import IsoDate, Money


class PaymentMode(str, Enum):
    ENTRUSTED = "entrusted"  # the bank pays the supplier directly
    SELF = "self"  # the borrower receives the funds and pays


class CloseReason(str, Enum):
    REPAID = "repaid"
    WRITTEN_OFF = "written_off"
    TRANSFERRED = "transferred"


class ScheduleItem(Payload):
    installment_no: int = Field(ge=1, description="Installment number, from 1")
    due_date: IsoDate = Field(description="Date the installment falls due")
    principal_due: Money = Field(description="Principal due on that date")
    interest_due: Money = Field(description="Interest due on that date")


class CollateralItem(Payload):
    collateral_id: Text = Field(description="Bank's collateral id")
    kind: Text = Field(description="Collateral kind, e.g. real_estate, vehicle, deposit")
    value: Money = Field(description="Appraised value")
    valued_date: IsoDate = Field(description="Date of the appraisal")


def check_schedule(items: list[ScheduleItem]) -> list[ScheduleItem]:
    numbers = [item.installment_no for item in items]
    if len(set(numbers)) != len(numbers):
        raise ValueError("installment numbers must be unique")
    ordered = sorted(items, key=lambda item: item.installment_no)
    dues = [item.due_date for item in ordered]
    if any(later <= earlier for earlier, later in zip(dues, dues[1:])):
        raise ValueError("due dates must ascend with the installment number")
    return items


Schedule = Annotated[list[ScheduleItem], Field(min_length=1), AfterValidator(check_schedule)]


def check_dues_between(items: list[ScheduleItem], first: date, last: date | None) -> None:
    if any(item.due_date < first for item in items):
        raise ValueError("a schedule due date falls before the start of the schedule")
    if last is not None and any(item.due_date > last for item in items):
        raise ValueError("a schedule due date falls after maturity_date")


@event("bank.loan.disbursed.v1", topic=BANK_LOANS, key_field="loan_id", producer="bank")
class LoanDisbursed(Payload):
    """A loan was paid out; carries the repayment schedule and the collateral."""

    loan_id: Text = Field(description="Bank's loan id")
    customer_id: Text = Field(description="Borrower's customer id")
    product: Text = Field(description="Loan product code")
    currency: Currency = Field(description="ISO 4217 currency code")
    principal: PositiveMoney = Field(description="Amount disbursed")
    annual_rate: Rate = Field(description="Nominal annual rate as a fraction, 0.05 = 5%")
    disbursed_date: IsoDate = Field(description="Date the funds were paid out")
    maturity_date: IsoDate = Field(description="Final due date")
    payment_mode: PaymentMode = Field(strict=False, description="Who receives the funds")
    purpose: Text = Field(description="Declared purpose of the loan")
    industry_code: Text = Field(description="Industry the funds go to")
    region_code: Text = Field(description="Region of the borrower or project")
    schedule: Schedule = Field(description="Repayment schedule")
    collateral: list[CollateralItem] = Field(description="Collateral; empty when unsecured")

    @field_validator("collateral")
    @classmethod
    def _unique_collateral(cls, items: list[CollateralItem]) -> list[CollateralItem]:
        if len({item.collateral_id for item in items}) != len(items):
            raise ValueError("collateral ids must be unique")
        return items

    @model_validator(mode="after")
    def _dates_in_order(self) -> "LoanDisbursed":
        if self.maturity_date < self.disbursed_date:
            raise ValueError("maturity_date must not be before disbursed_date")
        check_dues_between(self.schedule, self.disbursed_date, self.maturity_date)
        return self


@event("bank.repayment.received.v1", topic=BANK_LOANS, key_field="loan_id", producer="bank")
class RepaymentReceived(Payload):
    """The bank received a repayment on a loan."""

    loan_id: Text = Field(description="Bank's loan id")
    payment_id: Text = Field(description="Bank's payment id; a reversal names it")
    amount: PositiveMoney = Field(description="Amount received")
    paid_date: IsoDate = Field(description="Value date of the payment")
    channel: Text = Field(description="How it was paid, e.g. auto_debit, counter, transfer")


@event("bank.repayment.reversed.v1", topic=BANK_LOANS, key_field="loan_id", producer="bank")
class RepaymentReversed(Payload):
    """An earlier repayment was reversed (bounced, refunded or booked in error)."""

    loan_id: Text = Field(description="Bank's loan id")
    payment_id: Text = Field(description="The payment being reversed")
    reversed_date: IsoDate = Field(description="Date of the reversal")
    reason: Text = Field(description="Reason code, e.g. insufficient_funds")


@event("bank.loan.restructured.v1", topic=BANK_LOANS, key_field="loan_id", producer="bank")
class LoanRestructured(Payload):
    """The loan's remaining schedule was replaced from effective_date on."""

    loan_id: Text = Field(description="Bank's loan id")
    effective_date: IsoDate = Field(description="Date the new schedule takes effect")
    reason: Text = Field(description="Reason code, e.g. hardship_extension")
    schedule: Schedule = Field(description="The new remaining schedule")

    @model_validator(mode="after")
    def _dues_from_effective_date(self) -> "LoanRestructured":
        check_dues_between(self.schedule, self.effective_date, None)
        return self


@event("bank.collateral.revalued.v1", topic=BANK_LOANS, key_field="loan_id", producer="bank")
class CollateralRevalued(Payload):
    """A collateral item securing the loan was appraised again."""

    loan_id: Text = Field(description="Bank's loan id")
    collateral_id: Text = Field(description="Bank's collateral id")
    value: Money = Field(description="New appraised value")
    valued_date: IsoDate = Field(description="Date of the appraisal")


@event("bank.loan.closed.v1", topic=BANK_LOANS, key_field="loan_id", producer="bank")
class LoanClosed(Payload):
    """The loan left the book."""

    loan_id: Text = Field(description="Bank's loan id")
    closed_date: IsoDate = Field(description="Date the loan was closed")
    reason: CloseReason = Field(strict=False, description="Why the loan was closed")
