"""Fineract loan business events onto the native bank contract (pure: no I/O).

Each mapped event becomes a list of effects: `Native` (a bank payload the monitoring
handlers apply exactly as if the bank had sent it), `Reopen` (an undone charge-off or
write-off) or `Observe` (a fact that matters but changes nothing postloan derives itself,
such as Fineract's own delinquency bucket). `translate` returns None for event types that
do not matter; the caller counts and skips those."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable

from pydantic import BaseModel, ValidationError

from shared.events import bank

CENT = Decimal("0.01")
LOAN = "org.apache.fineract.avro.loan.v1."
ACCOUNT = LOAN + "LoanAccountDataV1"
TRANSACTION = LOAN + "LoanTransactionDataV1"
ADJUSTMENT = LOAN + "LoanTransactionAdjustmentDataV1"
REPAYMENT_DUE = LOAN + "LoanRepaymentDueDataV1"
DELINQUENCY_RANGE = LOAN + "LoanAccountDelinquencyRangeDataV1"
UNSPECIFIED = "unspecified"  # Fineract has no industry or region code on a loan
REPAYMENT_FLAGS = ("repayment", "repaymentAtDisbursement", "merchantIssuedRefund",
                   "payoutRefund", "goodwillCredit", "recoveryRepayment")


class MappingError(Exception):
    """A mapped event whose content cannot become a native payload (dead-lettered)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Native:
    type: str
    payload: BaseModel

    @property
    def loan_id(self) -> str:
        return self.payload.loan_id  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Reopen:
    loan_id: str
    on: date
    undone: str  # "charge_off" or "write_off"


@dataclass(frozen=True)
class Observe:
    kind: str
    loan_id: str
    principal_outstanding: Decimal | None = None


Effect = Native | Reopen | Observe


@dataclass(frozen=True)
class Context:
    business_date: date


def money(value: Decimal | None) -> Decimal:
    """Fineract's decimal(20,8) as money: cents, half up."""
    return (value or Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)


def _date(value: str | None, field: str) -> date:
    if not value:
        raise MappingError("unmappable", f"{field} is missing")
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise MappingError("unmappable", f"{field} is not an ISO date") from None


def _require(record: dict, field: str, schema: str) -> Any:
    value = record.get(field)
    if value is None:
        raise MappingError("unmappable", f"{schema.rpartition('.')[2]}.{field} is missing")
    return value


def _native(type_: str, model: type[BaseModel], **fields: Any) -> Native:
    try:
        return Native(type_, model(**fields))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in exc.errors(include_input=False, include_url=False))
        raise MappingError("schema_violation", f"{type_}: {problems}"[:900]) from None


# -- loan account (LoanAccountDataV1) ------------------------------------------------------

def _schedule(account: dict) -> list[dict]:
    periods = ((account.get("repaymentSchedule") or {}).get("periods")) or []
    return [{"installment_no": p["period"], "due_date": _date(p.get("dueDate"), "dueDate"),
             "principal_due": money(_first(p, "principalOriginalDue", "principalDue")),
             "interest_due": money(_first(p, "interestOriginalDue", "interestDue"))}
            for p in periods if p.get("period") is not None and p.get("dueDate")]


def _remaining(account: dict, effective: date) -> tuple[date, list[dict]]:
    """The unpaid part of a replaced schedule, for a re-age, re-amortization or reschedule."""
    periods = ((account.get("repaymentSchedule") or {}).get("periods")) or []
    items = []
    for p in periods:
        if p.get("period") is None or not p.get("dueDate") or p.get("complete"):
            continue
        principal = money(_first(p, "principalOutstanding", "principalDue"))
        interest = money(_first(p, "interestOutstanding", "interestDue"))
        if principal + interest > 0:
            items.append({"installment_no": p["period"], "principal_due": principal,
                          "interest_due": interest, "due_date": _date(p["dueDate"], "dueDate")})
    if not items:
        raise MappingError("unmappable", "the new schedule has no unpaid installment")
    return min([effective] + [i["due_date"] for i in items]), items


def _first(record: dict, *fields: str) -> Decimal | None:
    for field in fields:
        if record.get(field) is not None:
            return record[field]
    return None


def _currency(account: dict) -> str:
    for holder in (account.get("summary"), account.get("repaymentSchedule")):
        code = ((holder or {}).get("currency") or {}).get("code")
        if code:
            return code
    raise MappingError("unmappable", "LoanAccountDataV1 has no currency code")


def disbursed(account: dict, ctx: Context) -> list[Effect]:
    loan_id = str(_require(account, "id", ACCOUNT))
    timeline = account.get("timeline") or {}
    schedule = _schedule(account)
    on = _date(timeline.get("actualDisbursementDate") or ctx.business_date.isoformat(),
               "timeline.actualDisbursementDate")
    maturity = timeline.get("expectedMaturityDate")
    principal = (account.get("summary") or {}).get("principalDisbursed") or account.get("principal")
    rate = account.get("annualInterestRate") or Decimal(0)
    return [_native(
        "bank.loan.disbursed.v1", bank.LoanDisbursed,
        loan_id=loan_id, customer_id=str(_require(account, "clientId", ACCOUNT)),
        product=(account.get("loanProductName") or str(account.get("loanProductId") or ""))[:64],
        currency=_currency(account), principal=money(principal),
        annual_rate=(Decimal(rate) / 100).normalize(), disbursed_date=on,
        maturity_date=(_date(maturity, "timeline.expectedMaturityDate") if maturity
                       else max((i["due_date"] for i in schedule), default=on)),
        payment_mode="self", purpose=account.get("loanPurposeName") or UNSPECIFIED,
        industry_code=UNSPECIFIED, region_code=UNSPECIFIED, schedule=schedule, collateral=[])]


def _restructured(reason: str) -> Callable[[dict, Context], list[Effect]]:
    def mapper(account: dict, ctx: Context) -> list[Effect]:
        effective, items = _remaining(account, ctx.business_date)
        return [_native("bank.loan.restructured.v1", bank.LoanRestructured,
                        loan_id=str(_require(account, "id", ACCOUNT)), effective_date=effective,
                        reason=reason, schedule=items)]
    return mapper


def _closed_as(reason: str) -> Callable[[dict, Context], list[Effect]]:
    def mapper(account: dict, ctx: Context) -> list[Effect]:
        closed_on = (account.get("timeline") or {}).get("closedOnDate")
        return [_native("bank.loan.closed.v1", bank.LoanClosed,
                        loan_id=str(_require(account, "id", ACCOUNT)),
                        closed_date=_date(closed_on, "closedOnDate") if closed_on
                        else ctx.business_date, reason=reason)]
    return mapper


def status_changed(account: dict, ctx: Context) -> list[Effect]:
    status = account.get("status") or {}
    for flag, reason in (("closedObligationsMet", "repaid"), ("closedWrittenOff", "written_off"),
                         ("closedRescheduled", "transferred")):
        if status.get(flag):
            return _closed_as(reason)(account, ctx)
    return [Observe("status", str(_require(account, "id", ACCOUNT)))]


def balance_changed(account: dict, ctx: Context) -> list[Effect]:
    outstanding = (account.get("summary") or {}).get("principalOutstanding")
    return [Observe("balance", str(_require(account, "id", ACCOUNT)),
                    None if outstanding is None else money(outstanding))]


def _observed(kind: str, field: str) -> Callable[[dict, Context], list[Effect]]:
    def mapper(record: dict, ctx: Context) -> list[Effect]:
        return [Observe(kind, str(_require(record, field, "record")))]
    return mapper


# -- loan transactions (LoanTransactionDataV1) ---------------------------------------------

def is_repayment_like(txn: dict) -> bool:
    kind = txn.get("type") or {}
    return (any(kind.get(flag) for flag in REPAYMENT_FLAGS)
            or str(kind.get("code") or "").endswith("downPayment"))


def _channel(txn: dict, fallback: str) -> str:
    payment_type = ((txn.get("paymentDetailData") or {}).get("paymentType") or {}).get("name")
    return (payment_type or fallback)[:32]


def _repayment(txn: dict, channel: str) -> Native:
    return _native("bank.repayment.received.v1", bank.RepaymentReceived,
                   loan_id=str(_require(txn, "loanId", TRANSACTION)),
                   payment_id=str(_require(txn, "id", TRANSACTION)),
                   amount=money(txn.get("amount")), paid_date=_date(txn.get("date"), "date"),
                   channel=_channel(txn, channel))


def repayment(channel: str) -> Callable[[dict, Context], list[Effect]]:
    return lambda txn, ctx: [_repayment(txn, channel)]


def adjusted(adjustment: dict, ctx: Context) -> list[Effect] | None:
    old = adjustment.get("transactionToAdjust")
    if not old or not is_repayment_like(old):
        return None  # only repayments feed the ledger
    new = adjustment.get("newTransactionDetail")
    reversed_on = old.get("reversedOnDate")
    effects: list[Effect] = [_native(
        "bank.repayment.reversed.v1", bank.RepaymentReversed,
        loan_id=str(_require(old, "loanId", TRANSACTION)),
        payment_id=str(_require(old, "id", TRANSACTION)),
        reversed_date=_date(reversed_on, "reversedOnDate") if reversed_on else ctx.business_date,
        reason="fineract_adjusted" if new else "fineract_undone")]
    if new and money(new.get("amount")) > 0:
        effects.append(_repayment(new, "fineract"))
    return effects


def written_off(txn: dict, ctx: Context) -> list[Effect]:
    return [_native("bank.loan.closed.v1", bank.LoanClosed,
                    loan_id=str(_require(txn, "loanId", TRANSACTION)),
                    closed_date=_date(txn.get("date"), "date"), reason="written_off")]


def reopened(undone: str) -> Callable[[dict, Context], list[Effect]]:
    def mapper(txn: dict, ctx: Context) -> list[Effect]:
        on = txn.get("reversedOnDate") or txn.get("date")
        return [Reopen(str(_require(txn, "loanId", TRANSACTION)),
                       _date(on, "date") if on else ctx.business_date, undone)]
    return mapper


Mapper = Callable[[dict, Context], "list[Effect] | None"]

# Fineract event type -> (the schema its data must have, mapper).
MAPPERS: dict[str, tuple[str, Mapper]] = {
    "LoanDisbursalBusinessEvent": (ACCOUNT, disbursed),
    "LoanTransactionMakeRepaymentPostBusinessEvent": (TRANSACTION, repayment("fineract")),
    "LoanTransactionDownPaymentPostBusinessEvent": (TRANSACTION, repayment("down_payment")),
    "LoanTransactionGoodwillCreditPostBusinessEvent": (TRANSACTION, repayment("goodwill_credit")),
    "LoanTransactionMerchantIssuedRefundPostBusinessEvent":
        (TRANSACTION, repayment("merchant_refund")),
    "LoanTransactionPayoutRefundPostBusinessEvent": (TRANSACTION, repayment("payout_refund")),
    "LoanTransactionRecoveryPaymentPostBusinessEvent": (TRANSACTION, repayment("recovery")),
    "LoanAdjustTransactionBusinessEvent": (ADJUSTMENT, adjusted),
    "LoanChargeOffPostBusinessEvent": (TRANSACTION, written_off),
    "LoanUndoChargeOffBusinessEvent": (TRANSACTION, reopened("charge_off")),
    "LoanWrittenOffPostBusinessEvent": (TRANSACTION, written_off),
    "LoanUndoWrittenOffBusinessEvent": (TRANSACTION, reopened("write_off")),
    "LoanReAgeBusinessEvent": (ACCOUNT, _restructured("fineract_re_age")),
    "LoanReAmortizeBusinessEvent": (ACCOUNT, _restructured("fineract_re_amortize")),
    "LoanRescheduledDueAdjustScheduleBusinessEvent": (ACCOUNT, _restructured("fineract_reschedule")),
    "LoanCloseBusinessEvent": (ACCOUNT, _closed_as("repaid")),
    "LoanCloseAsRescheduleBusinessEvent": (ACCOUNT, _closed_as("transferred")),
    "LoanStatusChangedBusinessEvent": (ACCOUNT, status_changed),
    "LoanBalanceChangedBusinessEvent": (ACCOUNT, balance_changed),
    "LoanRepaymentDueBusinessEvent": (REPAYMENT_DUE, _observed("repayment_due", "loanId")),
    "LoanRepaymentOverdueBusinessEvent": (REPAYMENT_DUE, _observed("repayment_overdue", "loanId")),
    "LoanDelinquencyRangeChangeBusinessEvent":
        (DELINQUENCY_RANGE, _observed("delinquency_range", "loanId")),
    "LoanAccountDelinquencyPauseChangedBusinessEvent":
        (ACCOUNT, _observed("delinquency_pause", "id")),
}


def is_mapped(event_type: str) -> bool:
    return event_type in MAPPERS


def translate(event_type: str, schema_name: str, record: dict, ctx: Context) -> list[Effect] | None:
    """The effects of one Fineract event; None when the type does not matter here."""
    entry = MAPPERS.get(event_type)
    if entry is None:
        return None
    expected, mapper = entry
    if schema_name != expected:
        raise MappingError("schema_mismatch",
                           f"{event_type} carries {schema_name}, expected {expected}")
    return mapper(record, ctx)
