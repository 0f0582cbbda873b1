"""Loan views: `GET /v1/loans/{loan_id}` (CONTRACT fields) and a filtered list."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from shared.api.deps import PageDep, SessionDep
from shared.api.errors import NotFound
from shared.api.schemas import Page
from shared.auth import Principal, Role, require_roles
from services.monitoring import repository as repo
from services.monitoring.models import Loan
from services.monitoring.schemas.loans import (
    ClassificationChangeOut, CollateralOut, InstallmentOut, LoanDetail, LoanSummary, PaymentOut,
)

router = APIRouter(prefix="/loans", tags=["loans"])
# No collector: monitoring cannot tell which loans are assigned to whom, so a collector
# reaches a customer's loans and data through their own case in collections.
READERS = (Role.risk_officer, Role.collection_manager, Role.crm_agent, Role.inspector,
           Role.auditor, Role.bank_system)
Reader = Annotated[Principal, Depends(require_roles(*READERS))]


async def valid_loan(loan_id: Annotated[str, Path(max_length=64)], session: SessionDep) -> Loan:
    loan = await session.get(Loan, loan_id)
    if loan is None:
        raise NotFound(f"loan {loan_id} is not known")
    return loan


@router.get("/{loan_id}", response_model=LoanDetail)
async def get_loan(_: Reader, loan: Annotated[Loan, Depends(valid_loan)],
                   session: SessionDep) -> LoanDetail:
    summary = LoanSummary.model_validate(loan).model_dump()
    return LoanDetail(
        **summary,
        **{name: getattr(loan, name) for name in (
            "annual_rate", "disbursed_date", "maturity_date", "payment_mode", "purpose",
            "industry_code", "classification_reason", "classification_rule_version",
            "restructured", "restructure_count", "observation_start_date",
            "observation_end_date", "observation_breached", "fund_misuse", "advance_balance",
            "closed_date", "close_reason")},
        schedule=[InstallmentOut.model_validate(i) for i in await repo.schedule(session, loan.loan_id)],
        payments=[PaymentOut.model_validate(p) for p in await repo.payments(session, loan.loan_id)],
        collateral=[CollateralOut.model_validate(c) for c in await repo.collateral(session, loan.loan_id)],
        classification_history=[ClassificationChangeOut.model_validate(c)
                                 for c in await repo.classification_history(session, loan.loan_id)],
    )


@router.get("", response_model=Page[LoanSummary])
async def list_loans(
    session: SessionDep, page: PageDep, _: Reader,
    classification: Annotated[str | None, Query(max_length=24)] = None,
    bucket: Annotated[str | None, Query(max_length=16)] = None,
    product: Annotated[str | None, Query(max_length=64)] = None,
    region: Annotated[str | None, Query(max_length=32)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[LoanSummary]:
    rows, total = await repo.list_loans(
        session, limit=page.limit, offset=page.offset, classification=classification,
        bucket=bucket, product=product, region=region, status=status, customer_id=customer_id)
    return Page[LoanSummary](items=[LoanSummary.model_validate(r) for r in rows], total=total,
                             limit=page.limit, offset=page.offset)
