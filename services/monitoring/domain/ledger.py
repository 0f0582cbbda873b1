"""Pure ledger rules: how a repayment is allocated and what a restructuring replaces."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal("0")


@dataclass(frozen=True)
class OpenInstallment:
    installment_id: int
    due_date: date
    interest_unpaid: Decimal
    principal_unpaid: Decimal


@dataclass(frozen=True)
class Allocation:
    installment_id: int
    interest: Decimal
    principal: Decimal


class LedgerError(Exception):
    """A ledger event that contradicts the ledger (e.g. reversing an unknown payment)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def allocate(amount: Decimal, installments: list[OpenInstallment]) -> tuple[list[Allocation], Decimal]:
    """Oldest unpaid installment first; within an installment interest before principal.
    Returns the allocations and what is left over (held as advance credit)."""
    remaining = amount
    allocations: list[Allocation] = []
    for item in sorted(installments, key=lambda i: (i.due_date, i.installment_id)):
        if remaining <= ZERO:
            break
        interest = min(remaining, item.interest_unpaid)
        principal = min(remaining - interest, item.principal_unpaid)
        if interest > ZERO or principal > ZERO:
            allocations.append(Allocation(item.installment_id, interest, principal))
            remaining -= interest + principal
    return allocations, remaining


def check_reversible(status: str | None, payment_id: str) -> None:
    if status is None:
        raise LedgerError("unknown_payment", f"payment {payment_id} is not on this loan")
    if status == "reversed":
        raise LedgerError("already_reversed", f"payment {payment_id} was already reversed")


def loan_to_value(outstanding: Decimal, collateral_total: Decimal) -> Decimal | None:
    if collateral_total <= ZERO:
        return None
    return (outstanding / collateral_total).quantize(Decimal("0.0001"))
