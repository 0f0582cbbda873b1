"""Dependencies of the collections routes: the configured policy, the contact clock, role
sets, and case ids validated against what the caller may see."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import Depends, Path, Request
from sqlalchemy.ext.asyncio import AsyncSession

from shared.api.deps import SessionDep
from shared.api.errors import NotFound
from shared.auth import Principal, Role, require_roles
from services.collections.domain.policy import Policy
from services.collections.models import CollectionCase, Offer

T = TypeVar("T")

SEE_ALL = frozenset({Role.collection_manager, Role.risk_officer, Role.auditor, Role.admin})
READERS = (Role.collector, Role.collection_manager, Role.risk_officer, Role.auditor)
WORKERS = (Role.collector, Role.collection_manager)
APPROVERS = (Role.collection_manager, Role.risk_officer)

Reader = Annotated[Principal, Depends(require_roles(*READERS))]
Worker = Annotated[Principal, Depends(require_roles(*WORKERS))]
Approver = Annotated[Principal, Depends(require_roles(*APPROVERS))]
Manager = Annotated[Principal, Depends(require_roles(Role.collection_manager))]


def get_policy(request: Request) -> Policy:
    return request.app.state.policy


def get_now(request: Request) -> datetime:
    # The moment a contact is attempted, for the compliance guard alone (contact hours,
    # caps, cooling-off are about real time); replaceable in tests; never a time the caller
    # sends, so a contact cannot be back-dated into the allowed window. Business decisions
    # take their date from `business_day.today`.
    return request.app.state.clock()


PolicyDep = Annotated[Policy, Depends(get_policy)]
NowDep = Annotated[datetime, Depends(get_now)]


def sees_everything(principal: Principal) -> bool:
    return principal.has_any(SEE_ALL)


def may_see(principal: Principal, case: CollectionCase) -> bool:
    if sees_everything(principal):
        return True
    return case.collector_id == principal.subject or (
        principal.team is not None and case.team == principal.team)


async def valid_case(principal: Reader, case_id: Annotated[str, Path(max_length=64)],
                     session: SessionDep) -> CollectionCase:
    # A short read-only transaction of its own, so the route can open the one that writes
    # (and re-read the row under lock there with `locked`).
    async with session.begin():
        case = await session.get(CollectionCase, case_id)
    if case is None or not may_see(principal, case):
        raise NotFound(f"case {case_id} is not known")
    return case


async def locked(session: AsyncSession, model: type[T], key: str) -> T:
    """Re-read a row validated earlier, inside the writing transaction, under lock."""
    row = await session.get(model, key, with_for_update=True, populate_existing=True)
    if row is None:
        raise NotFound(f"{key} is not known")
    return row


CaseDep = Annotated[CollectionCase, Depends(valid_case)]


def _offer_of(category: str):  # type: ignore[no-untyped-def]
    async def valid(offer_id: Annotated[str, Path(max_length=64)], session: SessionDep) -> Offer:
        async with session.begin():
            offer = await session.get(Offer, offer_id)
        if offer is None or offer.category != category:
            raise NotFound(f"{category} {offer_id} is not known")
        return offer
    return valid


SettlementDep = Annotated[Offer, Depends(_offer_of("settlement"))]
DisposalDep = Annotated[Offer, Depends(_offer_of("disposal"))]
