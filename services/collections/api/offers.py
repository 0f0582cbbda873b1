"""Settlement and waiver offers, disposals (maker-checker) with recoveries, legal stages."""
from __future__ import annotations

from fastapi import APIRouter

from shared.api.deps import SessionDep
from shared.auth import Principal
from services.collections.api.deps import (
    Approver, CaseDep, DisposalDep, PolicyDep, SettlementDep, Worker, locked,
)
from services.collections.models import CollectionCase, Offer
from services.collections.schemas import (
    DisposalIn, LegalStageIn, LegalStageOut, OfferOut, RecoveryIn, SettlementIn,
)
from services.collections.service import offers

router = APIRouter(tags=["settlements and disposals"])


def _roles(principal: Principal) -> set[str]:
    return {role.value for role in principal.roles}


@router.post("/cases/{case_id}/settlements", response_model=OfferOut, status_code=201)
async def propose_settlement(principal: Worker, case: CaseDep, body: SettlementIn,
                             session: SessionDep, policy: PolicyDep) -> OfferOut:
    async with session.begin():
        offer = await offers.propose_settlement(
            session, case=await locked(session, CollectionCase, case.case_id),
            loan_id=body.loan_id, kind=body.kind, settlement_amount=body.settlement_amount,
            waived_amount=body.waived_amount, by=principal.subject, policy=policy)
        return OfferOut.model_validate(offer)


@router.post("/settlements/{offer_id}/approvals", response_model=OfferOut,
             responses={403: {"description": "own proposal, or a level this role cannot approve"}})
async def approve_settlement(principal: Approver, offer: SettlementDep, session: SessionDep,
                             policy: PolicyDep) -> OfferOut:
    async with session.begin():
        row = await locked(session, Offer, offer.offer_id)
        await offers.approve(session, offer=row, approver=principal.subject,
                             roles=_roles(principal), policy=policy)
        return OfferOut.model_validate(row)


@router.post("/cases/{case_id}/disposals", response_model=OfferOut, status_code=201)
async def propose_disposal(principal: Approver, case: CaseDep, body: DisposalIn,
                           session: SessionDep, policy: PolicyDep) -> OfferOut:
    async with session.begin():
        offer = await offers.propose_disposal(
            session, case=await locked(session, CollectionCase, case.case_id),
            loan_id=body.loan_id, kind=body.kind, expected_recovery=body.expected_recovery,
            by=principal.subject, policy=policy)
        return OfferOut.model_validate(offer)


@router.post("/disposals/{offer_id}/approvals", response_model=OfferOut,
             responses={403: {"description": "own proposal, or a level this role cannot approve"}})
async def approve_disposal(principal: Approver, offer: DisposalDep, session: SessionDep,
                           policy: PolicyDep) -> OfferOut:
    async with session.begin():
        row = await locked(session, Offer, offer.offer_id)
        await offers.approve(session, offer=row, approver=principal.subject,
                             roles=_roles(principal), policy=policy)
        return OfferOut.model_validate(row)


@router.post("/disposals/{offer_id}/recoveries", response_model=OfferOut)
async def record_recovery(_: Approver, offer: DisposalDep, body: RecoveryIn,
                          session: SessionDep) -> OfferOut:
    async with session.begin():
        row = await locked(session, Offer, offer.offer_id)
        await offers.record_disposal_recovery(session, offer=row, amount=body.amount,
                                              on=body.recovered_date)
        return OfferOut.model_validate(row)


@router.post("/cases/{case_id}/legal-stages", response_model=LegalStageOut, status_code=201)
async def record_legal_stage(principal: Approver, case: CaseDep, body: LegalStageIn,
                             session: SessionDep, policy: PolicyDep) -> LegalStageOut:
    async with session.begin():
        stage = await offers.record_legal_stage(
            session, case=await locked(session, CollectionCase, case.case_id),
            loan_id=body.loan_id, stage=body.stage, stage_date=body.stage_date,
            by=principal.subject, policy=policy)
        return LegalStageOut.model_validate(stage)
