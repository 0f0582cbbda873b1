"""Query helpers for the crm tables. No rules here, and never a commit."""
from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.api.errors import NotFound
from services.crm.models import (
    Base, CareTask, CaseStaff, Complaint, ContactStop, Interaction, RestructuringRequest, Survey,
)

M = TypeVar("M", bound=Base)


async def get(session: AsyncSession, model: type[M], id_: str, *, what: str,
              for_update: bool = False) -> M:
    # populate_existing: a row read earlier in the request must not be trusted for a change.
    row = await session.get(model, id_, with_for_update=for_update,
                            populate_existing=for_update)
    if row is None:
        raise NotFound(f"{what} {id_} is not known")
    return row


async def page(session: AsyncSession, query: Select[Any], *, limit: int,
               offset: int) -> tuple[list[Any], int]:
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.limit(limit).offset(offset))
    return list(rows.all()), int(total or 0)


def where_equal(query: Select[Any], pairs: list[tuple[Any, Any]]) -> Select[Any]:
    for column, value in pairs:
        if value is not None:
            query = query.where(column == value)
    return query


async def case_staff(session: AsyncSession, case_id: str | None) -> set[str]:
    if case_id is None:
        return set()
    return set((await session.scalars(
        select(CaseStaff.staff_id).where(CaseStaff.case_id == case_id))).all())


async def latest_case_team(session: AsyncSession, case_id: str) -> str | None:
    return await session.scalar(
        select(CaseStaff.team).where(CaseStaff.case_id == case_id, CaseStaff.team.is_not(None))
        .order_by(CaseStaff.assigned_at.desc()).limit(1))


async def open_complaints(session: AsyncSession) -> list[Complaint]:
    return list((await session.scalars(
        select(Complaint).where(Complaint.status.in_(("received", "assigned")))
        .order_by(Complaint.deadline_date, Complaint.id))).all())


async def count_open_complaints(session: AsyncSession, *,
                                past_deadline_on: date | None = None) -> int:
    query = select(func.count()).select_from(Complaint).where(
        Complaint.status.in_(("received", "assigned")))
    if past_deadline_on is not None:
        query = query.where(Complaint.deadline_date < past_deadline_on)
    return int(await session.scalar(query) or 0)


async def stop_for_reference(session: AsyncSession, reference_id: str) -> ContactStop | None:
    return await session.scalar(select(ContactStop).where(ContactStop.reference_id == reference_id))


async def pauses_ended(session: AsyncSession, as_of: date) -> list[ContactStop]:
    return list((await session.scalars(
        select(ContactStop).where(ContactStop.status == "active",
                                  ContactStop.until_date.is_not(None),
                                  ContactStop.until_date < as_of)
        .order_by(ContactStop.id))).all())


async def has_pending_request(session: AsyncSession, loan_id: str) -> bool:
    return bool(await session.scalar(
        select(func.count()).select_from(RestructuringRequest).where(
            RestructuringRequest.loan_id == loan_id, RestructuringRequest.status == "pending")))


async def care_task_by_key(session: AsyncSession, dedupe_key: str) -> CareTask | None:
    return await session.scalar(select(CareTask).where(CareTask.dedupe_key == dedupe_key))


async def survey_for(session: AsyncSession, trigger: str, reference_id: str) -> Survey | None:
    return await session.scalar(select(Survey).where(Survey.trigger == trigger,
                                                     Survey.reference_id == reference_id))


def interactions_query(customer_id: str | None, loan_id: str | None) -> Select[Any]:
    return where_equal(select(Interaction), [(Interaction.customer_id, customer_id),
                                             (Interaction.loan_id, loan_id)]
                       ).order_by(Interaction.occurred_at.desc(), Interaction.id)
