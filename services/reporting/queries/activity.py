"""Collection, customer-relationship and warning figures for a date range, optionally for
one collection team (the case's assigned team) or one branch (the region of the loan that
opened the case)."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.models import (
    Case, Complaint, Contact, CostFact, Loan, LoanState, Promise, Recovery, Survey, Warning,
)
from services.reporting.queries.asof import money, share


def scoped(stmt: Select, case_id: Any, *, team: str | None, branch: str | None) -> Select:
    if team:
        stmt = stmt.where(case_id.in_(select(Case.case_id).where(Case.team == team)))
    if branch:
        stmt = stmt.where(case_id.in_(
            select(Case.case_id).join(Loan, Loan.loan_id == Case.trigger_loan_id)
            .where(Loan.region_code == branch)))
    return stmt


async def _one(session: AsyncSession, stmt: Select) -> Any:
    return (await session.execute(stmt)).one()


async def collection(session: AsyncSession, *, start: date, end: date, team: str | None = None,
                     branch: str | None = None) -> dict:
    """Cases closed in the range: cured or settled over closed, recovered over amount due
    (the overdue amount when the case opened)."""
    won = Case.outcome.in_(("cured", "settled"))
    row = await _one(session, scoped(
        select(func.count(), func.sum(case((won, 1), else_=0)), func.sum(Case.total_recovered),
               func.sum(Case.amount_due)).where(Case.closed_date.between(start, end)),
        Case.case_id, team=team, branch=branch))
    return {"cases_closed": int(row[0]), "cases_cured_or_settled": int(row[1] or 0),
            "case_success_rate": share(row[1], row[0]), "recovered_on_closed": money(row[2]),
            "amount_due_on_closed": money(row[3]), "recovery_rate": share(row[2], row[3])}


async def cost(session: AsyncSession, *, start: date, end: date, team: str | None = None,
               branch: str | None = None) -> dict:
    """Collection cost in the range (contacts, legal steps, disposals) per amount recovered."""
    contact = await _one(session, scoped(select(func.sum(Contact.cost)).where(
        Contact.attempted_date.between(start, end)), Contact.case_id, team=team, branch=branch))
    other = await _one(session, scoped(select(func.sum(CostFact.cost)).where(
        CostFact.cost_date.between(start, end)), CostFact.case_id, team=team, branch=branch))
    recovered = await _one(session, scoped(select(func.sum(Recovery.amount)).where(
        Recovery.recovered_date.between(start, end)), Recovery.case_id, team=team, branch=branch))
    total = money(contact[0]) + money(other[0])
    return {"collection_cost": total, "contact_cost": money(contact[0]),
            "legal_and_disposal_cost": money(other[0]), "recovered": money(recovered[0]),
            "cost_per_recovered": share(total, recovered[0])}


async def compliance(session: AsyncSession, *, start: date, end: date, team: str | None = None,
                     branch: str | None = None) -> dict:
    """Contact attempts the compliance guard allowed over all attempts; complaints decided
    by their deadline over complaints decided (both in the range)."""
    contacts = await _one(session, scoped(
        select(func.count(), func.sum(case((Contact.allowed.is_(True), 1), else_=0)))
        .where(Contact.attempted_date.between(start, end)), Contact.case_id,
        team=team, branch=branch))
    decided = select(func.count(), func.sum(case((Complaint.on_time.is_(True), 1), else_=0))
                     ).where(Complaint.decided_date.between(start, end))
    breached = select(func.count()).where(Complaint.breached_date.between(start, end))
    if team or branch:
        decided, breached = (scoped(q, Complaint.case_id, team=team, branch=branch)
                             for q in (decided, breached))
    complaints, breaches = await _one(session, decided), await _one(session, breached)
    return {"contact_attempts": int(contacts[0]), "contacts_allowed": int(contacts[1] or 0),
            "contacts_refused": int(contacts[0]) - int(contacts[1] or 0),
            "contact_compliance": share(contacts[1], contacts[0]),
            "complaints_decided": int(complaints[0]),
            "complaints_on_time": int(complaints[1] or 0),
            "complaints_on_time_rate": share(complaints[1], complaints[0]),
            "deadlines_breached": int(breaches[0])}


async def satisfaction(session: AsyncSession, *, start: date, end: date,
                       team: str | None = None) -> dict:
    """Average score of surveys answered in the range; response rate of surveys sent in
    the range (answered at any time since)."""
    answered = select(func.count(), func.avg(Survey.score)).where(
        Survey.answered_date.between(start, end))
    sent = select(func.count(), func.sum(case((Survey.answered_date.is_not(None), 1), else_=0))
                  ).where(Survey.sent_date.between(start, end))
    if team:
        answered, sent = (q.where(Survey.team == team) for q in (answered, sent))
    a, s = await _one(session, answered), await _one(session, sent)
    return {"surveys_answered": int(a[0]),
            "survey_average": None if a[1] is None else round(float(a[1]), 4),
            "surveys_sent": int(s[0]), "sent_and_answered": int(s[1] or 0),
            "survey_response_rate": share(s[1], s[0])}


async def funnel(session: AsyncSession, *, start: date, end: date, team: str | None = None,
                 branch: str | None = None) -> dict:
    """Contacts -> promises -> kept -> recovered, with the cost, for the range."""
    in_range = Promise.recorded_date.between(start, end)
    decided = Promise.decided_date.between(start, end)
    promises = await _one(session, scoped(select(
        func.sum(case((in_range, 1), else_=0)), func.sum(case((in_range, Promise.amount), else_=0)),
        func.sum(case((and_(decided, Promise.status == "kept"), 1), else_=0)),
        func.sum(case((and_(decided, Promise.status == "broken"), 1), else_=0)),
    ), Promise.case_id, team=team, branch=branch))
    contacts = await compliance(session, start=start, end=end, team=team, branch=branch)
    spend = await cost(session, start=start, end=end, team=team, branch=branch)
    return {"contact_attempts": contacts["contact_attempts"],
            "contacts_made": contacts["contacts_allowed"],
            "promises": int(promises[0] or 0), "promised_amount": money(promises[1]),
            "promises_kept": int(promises[2] or 0), "promises_broken": int(promises[3] or 0),
            "recovered": spend["recovered"], "cost": spend["collection_cost"]}


async def warnings(session: AsyncSession, *, start: date, end: date) -> list[dict]:
    """Warnings raised in the range per rule and level (the level first raised), with the
    warning service's effectiveness: confirmed over confirmed + false alarms, and the hit
    rate: the share whose loan was 30+ days past due on or after the warning date."""
    hit = exists().where(LoanState.loan_id == Warning.loan_id,
                         LoanState.effective_date >= Warning.raised_date, LoanState.dpd >= 30)
    rows = (await session.execute(
        select(Warning.rule_id, Warning.raised_level, func.count(),
               func.sum(case((Warning.escalations > 0, 1), else_=0)),
               func.sum(case((Warning.status == "cleared", 1), else_=0)),
               func.sum(case((Warning.resolution == "confirmed", 1), else_=0)),
               func.sum(case((Warning.resolution == "false_alarm", 1), else_=0)),
               func.sum(case((hit, 1), else_=0)))
        .where(Warning.raised_date.between(start, end))
        .group_by(Warning.rule_id, Warning.raised_level)
        .order_by(Warning.rule_id, Warning.raised_level))).all()
    return [{"rule_id": r[0], "level": r[1], "raised": int(r[2]), "escalated": int(r[3] or 0),
             "cleared": int(r[4] or 0), "confirmed": int(r[5] or 0),
             "false_alarms": int(r[6] or 0),
             "precision": share(r[5], (r[5] or 0) + (r[6] or 0)),
             "hit_30dpd": int(r[7] or 0), "hit_rate": share(r[7], r[2])} for r in rows]
