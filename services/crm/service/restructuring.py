"""Hardship and restructuring requests: eligibility at intake, maker-checker approval, and
on approval the re-amortised schedule in crm.restructuring.approved.v1, which monitoring
applies as a restructuring."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.api.errors import Unprocessable
from shared.auth import Principal
from shared.events import crm as out
from shared.events.bank.loans import ScheduleItem
from services.crm import repository as repo
from services.crm.domain import restructuring as rules
from services.crm.domain.restructuring import (
    Arrangement, EligibilityPolicy, HardshipReason, Kind, LoanFacts, Status,
)
from services.crm.domain.schedule import Installment, Terms, money, remaining_dues
from services.crm.errors import as_api_errors
from services.crm.models import LoanView, RestructuringRequest, new_id
from services.crm.publish import publish


def _ref(r: RestructuringRequest) -> dict[str, Any]:
    return {"request_id": r.id, "loan_id": r.loan_id, "customer_id": r.customer_id,
            "kind": r.kind}


def _facts(loan: LoanView | None, *, pending: bool) -> LoanFacts:
    if loan is None:
        return LoanFacts(None, 0, None, pending)
    return LoanFacts(loan.status, loan.dpd, loan.last_restructured_date, pending)


def resolve_terms(loan: LoanView | None, on: date, overrides: dict[str, Any]) -> Terms:
    """Defaults come from crm's loan view; the agent may state any term from the bank's
    books (the rate is not in monitoring's events, so it usually comes from the agent)."""
    count, next_due = (remaining_dues(loan.first_due_date, loan.installments, on)
                       if loan else (0, None))
    values = {
        "remaining_principal": loan.outstanding_principal if loan else None,
        "annual_rate": loan.annual_rate if loan else None,
        "remaining_installments": count or None, "next_due_date": next_due,
        "arrears_interest": Decimal("0"),
    }
    values.update({k: v for k, v in overrides.items() if v is not None})
    missing = sorted(k for k, v in values.items() if v is None)
    if missing:
        raise Unprocessable(f"state the loan terms crm does not know: {', '.join(missing)}",
                            code="terms_required")
    with as_api_errors():
        return Terms(**values)


def _terms_json(terms: Terms) -> dict[str, str | int]:
    return {k: (v if isinstance(v, int) else str(v)) for k, v in asdict(terms).items()}


def _terms_from_json(raw: dict[str, Any]) -> Terms:
    return Terms(remaining_principal=Decimal(raw["remaining_principal"]),
                 annual_rate=Decimal(raw["annual_rate"]),
                 remaining_installments=int(raw["remaining_installments"]),
                 next_due_date=date.fromisoformat(raw["next_due_date"]),
                 arrears_interest=Decimal(raw["arrears_interest"]))


async def request(session: AsyncSession, *, loan_id: str, arrangement: Arrangement,
                  hardship_reason: HardshipReason, description: str, requested_date: date,
                  principal: Principal, policy: EligibilityPolicy,
                  terms: dict[str, Any] | None = None) -> RestructuringRequest:
    loan = await session.get(LoanView, loan_id)
    facts = _facts(loan, pending=await repo.has_pending_request(session, loan_id))
    with as_api_errors():
        rules.check_eligible(rules.Request(hardship_reason, description, arrangement,
                                           requested_date, facts), policy)
    resolved = resolve_terms(loan, requested_date, terms or {})
    with as_api_errors():  # refuse at intake what could never be approved
        rules.new_schedule(arrangement, resolved)
    row = RestructuringRequest(
        id=new_id("RST"), loan_id=loan_id, customer_id=loan.customer_id,  # type: ignore[union-attr]
        kind=arrangement.kind.value, hardship_reason=hardship_reason.value,
        description=description, arrangement=_arrangement_json(arrangement),
        terms=_terms_json(resolved), status=Status.pending.value,
        proposed_by=principal.subject, requested_date=requested_date,
        created_at=datetime.now(timezone.utc))
    session.add(row)
    await session.flush()
    await publish(session, type="crm.restructuring.requested.v1", subject=row.customer_id,
                  discriminator=row.id, data=out.RestructuringRequested(
                      **_ref(row), hardship_reason=row.hardship_reason,
                      proposed_by=row.proposed_by, requested_date=requested_date))
    return row


def _arrangement_json(a: Arrangement) -> dict[str, Any]:
    return {k: (v.value if isinstance(v, Kind) else v if isinstance(v, int) else str(v))
            for k, v in asdict(a).items()}


def arrangement_from_json(raw: dict[str, Any]) -> Arrangement:
    return Arrangement(kind=Kind(raw["kind"]), extra_installments=int(raw["extra_installments"]),
                       holiday_months=int(raw["holiday_months"]),
                       reduced_months=int(raw["reduced_months"]),
                       reduced_amount=Decimal(raw["reduced_amount"]),
                       waived_amount=Decimal(raw["waived_amount"]))


async def approve(session: AsyncSession, *, req: RestructuringRequest, principal: Principal,
                  effective_date: date) -> RestructuringRequest:
    with as_api_errors():
        rules.check_may_decide(status=Status(req.status), proposed_by=req.proposed_by,
                               decided_by=principal.subject)
    loan = await session.get(LoanView, req.loan_id)
    if loan is None or loan.status != "active":
        raise Unprocessable(f"loan {req.loan_id} is no longer active", code="not_eligible")
    arrangement = arrangement_from_json(req.arrangement)
    with as_api_errors():
        items = rules.new_schedule(arrangement, _terms_from_json(req.terms))
        rules.check_schedule_starts_after(items, effective_date)
    _decide(req, principal, Status.approved, effective_date)
    req.effective_date, req.schedule = effective_date, [_item_json(i) for i in items]
    req.waived_interest, req.waived_fees = _waived(arrangement)
    loan.last_restructured_date = effective_date  # the 12-month rule applies from now on
    await session.flush()
    await publish(session, type="crm.restructuring.approved.v1", subject=req.customer_id,
                  discriminator=req.id, data=out.RestructuringApproved(
                      **_ref(req), effective_date=effective_date, reason=f"hardship_{req.kind}",
                      schedule=[ScheduleItem(**_item_json(i, as_text=False)) for i in items],
                      remaining_principal=money(Decimal(req.terms["remaining_principal"])),
                      waived_interest=req.waived_interest, waived_fees=req.waived_fees,
                      proposed_by=req.proposed_by, approved_by=principal.subject))
    return req


def _waived(a: Arrangement) -> tuple[Decimal, Decimal]:
    amount = money(a.waived_amount)
    return (amount if a.kind is Kind.interest_waiver else money(Decimal(0)),
            amount if a.kind is Kind.fee_waiver else money(Decimal(0)))


def _item_json(i: Installment, as_text: bool = True) -> dict[str, Any]:
    return {"installment_no": i.installment_no,
            "due_date": i.due_date.isoformat() if as_text else i.due_date,
            "principal_due": str(i.principal_due) if as_text else i.principal_due,
            "interest_due": str(i.interest_due) if as_text else i.interest_due}


def _decide(req: RestructuringRequest, principal: Principal, status: Status, on: date) -> None:
    req.status, req.decided_by, req.decided_date = status.value, principal.subject, on


async def reject(session: AsyncSession, *, req: RestructuringRequest, principal: Principal,
                 reason: str, decided_date: date) -> RestructuringRequest:
    with as_api_errors():
        rules.check_may_decide(status=Status(req.status), proposed_by=req.proposed_by,
                               decided_by=principal.subject)
    _decide(req, principal, Status.rejected, decided_date)
    req.decision_reason = reason
    await session.flush()
    await publish(session, type="crm.restructuring.rejected.v1", subject=req.customer_id,
                  discriminator=req.id, data=out.RestructuringRejected(
                      **_ref(req), rejected_by=principal.subject, reason=reason,
                      decided_date=decided_date))
    return req
