"""Settlements, waivers and disposals through the approval ladder; legal stages; recovered
amounts from disposals. Each approved action closes its loan's part of the case."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import collections as out
from services.collections import repository as repo
from services.collections.domain import offers as rules
from services.collections.domain.cases import Resolution
from services.collections.domain.policy import Policy
from services.collections.models import CaseLoan, CollectionCase, LegalStage, LoanPosition, Offer
from services.collections.publish import publish
from services.collections.service import business_day, cases

class OfferError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def _check_case_loan(session: AsyncSession, case: CollectionCase,
                           loan_id: str) -> LoanPosition:
    if case.status != "open":
        raise OfferError("case_closed", "the case is closed")
    if await session.get(CaseLoan, (case.case_id, loan_id)) is None:
        raise OfferError("loan_not_in_case", f"loan {loan_id} is not part of this case")
    position = await session.get(LoanPosition, loan_id)
    if position is None:
        raise OfferError("loan_unknown", f"no position known for loan {loan_id}")
    return position


async def propose_settlement(session: AsyncSession, *, case: CollectionCase, loan_id: str,
                             kind: str, settlement_amount: Decimal, waived_amount: Decimal,
                             by: str, policy: Policy) -> Offer:
    """The ladder is driven by what the bank gives up: the waived amount."""
    await _check_case_loan(session, case, loan_id)
    if waived_amount <= 0:
        raise OfferError("invalid_offer", "a settlement or waiver must waive a positive amount")
    return await _add(session, case=case, loan_id=loan_id, category="settlement", kind=kind,
                      at_stake=waived_amount, settlement=settlement_amount,
                      expected=settlement_amount, by=by, policy=policy)


async def propose_disposal(session: AsyncSession, *, case: CollectionCase, loan_id: str,
                           kind: str, expected_recovery: Decimal, by: str,
                           policy: Policy) -> Offer:
    """The ladder is driven by the exposure leaving the book."""
    position = await _check_case_loan(session, case, loan_id)
    exposure = position.outstanding_principal + position.overdue_amount
    return await _add(session, case=case, loan_id=loan_id, category="disposal", kind=kind,
                      at_stake=max(exposure - expected_recovery, Decimal(0)), settlement=Decimal(0),
                      expected=expected_recovery, by=by, policy=policy)


async def _add(session: AsyncSession, *, case: CollectionCase, loan_id: str, category: str,
               kind: str, at_stake: Decimal, settlement: Decimal, expected: Decimal, by: str,
               policy: Policy) -> Offer:
    offer = Offer(offer_id=str(uuid4()), category=category, kind=kind, case_id=case.case_id,
                  customer_id=case.customer_id, loan_id=loan_id, amount_at_stake=at_stake,
                  settlement_amount=settlement, expected_recovery=expected,
                  recovered_amount=Decimal(0), level=policy.ladder.level_for(at_stake).value,
                  status="proposed", proposed_by=by, proposed_at=_now(), approvals=[])
    session.add(offer)
    await session.flush()
    return offer


async def approve(session: AsyncSession, *, offer: Offer, approver: str, roles: set[str],
                  policy: Policy) -> Offer:
    if offer.status != "proposed":
        raise OfferError("offer_decided", f"the offer is already {offer.status}")
    level = rules.Level(offer.level)
    votes = [rules.Vote(v["approver"], frozenset(v["roles"])) for v in offer.approvals]
    rules.check_approver(level=level, proposer=offer.proposed_by, approver=approver,
                          roles=roles, earlier=votes)
    offer.approvals = [*offer.approvals, {"approver": approver, "roles": sorted(roles),
                                          "at": _now().isoformat()}]
    votes.append(rules.Vote(approver, frozenset(roles)))
    if rules.is_approved(level, votes):
        await _approved(session, offer=offer, policy=policy)
    await session.flush()
    return offer


async def _approved(session: AsyncSession, *, offer: Offer, policy: Policy) -> None:
    offer.status, offer.decided_at = "approved", _now()
    case = await session.get(CollectionCase, offer.case_id)
    approvers = [v["approver"] for v in offer.approvals]
    # The loan leaves the case on the business date, like every other resolution.
    today = await business_day.today(session, not_before=case.opened_date)
    if offer.category == "settlement":
        data = out.SettlementApproved(
            case_id=offer.case_id, customer_id=offer.customer_id, offer_id=offer.offer_id,
            loan_id=offer.loan_id, kind=offer.kind, settlement_amount=offer.settlement_amount,
            waived_amount=offer.amount_at_stake, proposed_by=offer.proposed_by,
            approved_by=approvers, approval_level=offer.level)
        # A settlement is full and final; a waiver forgives part and collection goes on.
        resolution = Resolution.settled if offer.kind == "settlement" else None
    else:
        cost = policy.cost_of("disposal")
        case.total_cost += cost
        data = out.DisposalApproved(
            case_id=offer.case_id, customer_id=offer.customer_id, disposal_id=offer.offer_id,
            loan_id=offer.loan_id, kind=offer.kind, exposure_amount=offer.amount_at_stake
            + offer.expected_recovery, expected_recovery=offer.expected_recovery,
            proposed_by=offer.proposed_by, approved_by=approvers, approval_level=offer.level,
            cost=cost)
        resolution = rules.DISPOSAL_RESOLUTION[offer.kind]
    await session.flush()
    await publish(session, type=f"collections.{offer.category}.approved.v1",
                  subject=offer.customer_id, data=data)
    if resolution is not None:
        await cases.resolve_loan(session, loan_id=offer.loan_id, customer_id=offer.customer_id,
                                 resolution=resolution, on=today, policy=policy, cause=None)


async def record_disposal_recovery(session: AsyncSession, *, offer: Offer, amount: Decimal,
                                   on: date) -> Offer:
    if offer.category != "disposal" or offer.status != "approved":
        raise OfferError("disposal_not_approved", "recoveries are recorded on approved disposals")
    case = await session.get(CollectionCase, offer.case_id)
    offer.recovered_amount += amount
    case.total_recovered += amount
    await session.flush()
    await publish(session, type="collections.amount.recovered.v1", subject=offer.customer_id,
                  data=out.AmountRecovered(case_id=case.case_id, customer_id=case.customer_id,
                                           path=case.path, variant=case.variant,
                                           loan_id=offer.loan_id, amount=amount,
                                           source="disposal", reference_id=offer.offer_id,
                                           recovered_date=on))
    return offer


async def record_legal_stage(session: AsyncSession, *, case: CollectionCase, loan_id: str,
                             stage: str, stage_date: date, by: str, policy: Policy) -> LegalStage:
    await _check_case_loan(session, case, loan_id)
    done = [s for s in await repo.legal_stages(session, case.case_id) if s.loan_id == loan_id]
    order = rules.LEGAL_STAGES
    if done and order.index(stage) <= order.index(done[-1].stage):
        raise OfferError("legal_stage_order", f"{stage} cannot follow {done[-1].stage}")
    if done and stage_date < done[-1].stage_date:
        raise OfferError("legal_stage_order", "a legal stage cannot predate the previous one")
    action = rules.LEGAL_STAGE_ACTION[stage]
    # Litigation is costed once, when the claim is filed; later stages ride on it.
    cost = policy.cost_of(action) if stage in ("letter_sent", "filed") else Decimal(0)
    row = LegalStage(case_id=case.case_id, loan_id=loan_id, stage=stage, stage_date=stage_date,
                     recorded_by=by, cost=cost)
    session.add(row)
    case.total_cost += cost
    await session.flush()
    await publish(session, type="collections.legal.stage-recorded.v1", subject=case.customer_id,
                  data=out.LegalStageRecorded(case_id=case.case_id, customer_id=case.customer_id,
                                              loan_id=loan_id, stage=stage, stage_date=stage_date,
                                              recorded_by=by, action_type=action, cost=cost))
    return row
