"""Rule sets and their effectiveness (`/v1/rules`): list, propose a change, approve or
reject it (maker-checker: the approver must differ from the proposer)."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from shared.api.deps import SessionDep
from shared.db.business_day import NO_BUSINESS_DATE_RESPONSE
from services.warning import repository as repo
from services.warning.service import business_day as clock, rulesets
from services.warning.api.roles import Reader, RiskOfficer
from services.warning.domain.catalogue import DEFAULT_SEGMENT
from services.warning.service.effectiveness import rule_effectiveness
from services.warning.schemas import (
    EffectiveRuleSetOut, EffectivenessOut, EffectOut, ProposalIn, RuleSetOut, RulesOut,
)

router = APIRouter(prefix="/rules", tags=["rules"])
ProposalId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("", response_model=RulesOut)
async def list_rule_sets(_: Reader, session: SessionDep, request: Request) -> RulesOut:
    async with session.begin():
        effective = await rulesets.effective_rule_set(
            session, segment=DEFAULT_SEGMENT, settings=request.app.state.settings)
        rows = [RuleSetOut.model_validate(r) for r in await repo.all_rule_sets(session)]
    return RulesOut(effective_default=EffectiveRuleSetOut(
        segment=effective.segment, version=effective.version, rules=effective.to_data()),
        rule_sets=rows)


@router.get("/effectiveness", response_model=EffectivenessOut,
            responses=NO_BUSINESS_DATE_RESPONSE)
async def effectiveness(_: Reader, session: SessionDep, request: Request,
                        as_of: Annotated[date | None, Query(
                            description="default: the latest business date")] = None,
                        ) -> EffectivenessOut:
    settings = request.app.state.settings
    async with session.begin():
        day = as_of or await clock.today(session, needed_for="rule effectiveness")
        effects = await rule_effectiveness(session, as_of=day, settings=settings)
    return EffectivenessOut(as_of=day, horizon_days=settings.effectiveness_horizon_days,
                            min_lead_days=settings.effectiveness_min_lead_days,
                            rules=[EffectOut.of(e) for e in effects])


@router.post("/proposals", response_model=RuleSetOut, status_code=201,
             responses={422: {"description": "unknown rule or parameter, or no effect"}})
async def propose_change(principal: RiskOfficer, body: ProposalIn, session: SessionDep,
                         request: Request) -> RuleSetOut:
    async with session.begin():
        row = await rulesets.propose(
            session, segment=body.segment, comment=body.comment, principal=principal,
            changes={k: v.to_domain() for k, v in body.changes.items()},
            settings=request.app.state.settings)
        return RuleSetOut.model_validate(row)


@router.post("/proposals/{proposal_id}/approve", response_model=RuleSetOut, responses={
    403: {"description": "the proposer cannot approve their own change"},
    409: {"description": "already decided, or a newer version is in force"}})
async def approve_change(principal: RiskOfficer, proposal_id: ProposalId,
                         session: SessionDep) -> RuleSetOut:
    async with session.begin():
        row = await rulesets.approve(session, proposal_id=proposal_id, principal=principal)
        return RuleSetOut.model_validate(row)


@router.post("/proposals/{proposal_id}/reject", response_model=RuleSetOut)
async def reject_change(principal: RiskOfficer, proposal_id: ProposalId,
                        session: SessionDep) -> RuleSetOut:
    async with session.begin():
        row = await rulesets.reject(session, proposal_id=proposal_id, principal=principal)
        return RuleSetOut.model_validate(row)
