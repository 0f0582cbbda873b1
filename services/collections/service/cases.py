"""Case lifecycle use cases, driven by monitoring and warning events: keep each loan's
latest position, open or reopen the debtor's one case, link loans, escalate on a bucket
roll, and close the case when no linked loan is delinquent any more."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.publisher import derived_id
from shared.events import collections as out
from shared.events.envelope import Envelope
from services.collections import repository as repo
from services.collections.domain import cases as rules
from services.collections.domain import strategy
from services.collections.domain.policy import Policy
from services.collections.domain.strategy import Trigger, choose_path, escalates_on, next_step
from services.collections.metrics import CASES_CLOSED, CASES_OPENED
from services.collections.models import BusinessDay, CaseLoan, CollectionCase, LoanPosition
from services.collections.publish import publish
from services.collections.service import allocation

Resolution = rules.Resolution
_OPEN_RESOLUTIONS = (Resolution.delinquent.value, Resolution.cured.value)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _snapshot(position: LoanPosition) -> rules.LoanPosition:
    return rules.LoanPosition(position.loan_id, position.dpd, position.bucket,
                              position.overdue_amount, position.as_of_date)


async def on_position(session: AsyncSession, *, position: LoanPosition, policy: Policy,
                      cause: Envelope) -> None:
    """Whatever the event, react to where the loan now stands."""
    case = await repo.open_case_of(session, position.customer_id)
    delinquent = rules.should_open(dpd=position.dpd, open_dpd=policy.settings.open_case_dpd) \
        and position.overdue_amount > 0
    if delinquent and case is None:
        await open_case(session, customer_id=position.customer_id, trigger=position,
                        reason="delinquency", policy=policy, cause=cause)
        return
    if case is None:
        return
    link = await session.get(CaseLoan, (case.case_id, position.loan_id))
    if delinquent and link is None:
        session.add(CaseLoan(case_id=case.case_id, loan_id=position.loan_id,
                             resolution=Resolution.delinquent.value,
                             linked_date=position.as_of_date, was_delinquent=True))
    elif link is not None and link.resolution in _OPEN_RESOLUTIONS:
        link.was_delinquent = link.was_delinquent or delinquent
        # Only a loan that was behind can be cured by its numbers; one linked by a red
        # warning while current is cured by the warning ending instead.
        if link.was_delinquent:
            cured = rules.is_cured(_snapshot(position))
            link.resolution = (Resolution.cured if cured else Resolution.delinquent).value
    await session.flush()
    await refresh(session, case=case, as_of=position.as_of_date, policy=policy, cause=cause)


async def open_case(session: AsyncSession, *, customer_id: str, trigger: LoanPosition,
                    reason: str, policy: Policy, cause: Envelope) -> CollectionCase:
    previous = await repo.latest_case_of(session, customer_id)
    reopened = previous is not None and rules.reopens(previous.outcome)
    case_id = previous.case_id if reopened else derived_id(cause.id, "case", customer_id)
    segment = rules.risk_segment(
        classification=trigger.classification, red_warning=reason == "red_warning",
        high_risk_classifications=policy.settings.high_risk_classifications)
    band = rules.balance_band(trigger.overdue_amount + trigger.outstanding_principal, policy.bands)
    path, variant = choose_path(policy.strategy, case_id=case_id, bucket=trigger.bucket,
                                band=band, segment=segment)
    first = policy.strategy.paths[path][0].action.value
    case = previous if reopened else CollectionCase(
        case_id=case_id, customer_id=customer_id, reopen_count=0, contacts=0,
        total_recovered=Decimal(0), total_cost=Decimal(0))
    if reopened:
        case.reopen_count += 1
    case.status, case.outcome, case.closed_date, case.reason = "open", None, None, reason
    case.opened_date, case.path, case.variant = trigger.as_of_date, path, variant
    case.step_index, case.step, case.step_started_date = 0, first, trigger.as_of_date
    case.roll_pending_date = None
    case.queue, case.bucket = f"{trigger.bucket}:{path}", trigger.bucket
    case.overdue_amount = trigger.overdue_amount
    case.risk_segment, case.balance_band = segment, band
    case.updated_at = _now()
    if not reopened:
        session.add(case)
    await session.flush()
    await _link(session, case=case, loan_id=trigger.loan_id, on=trigger.as_of_date,
                late=trigger.dpd > 0 and trigger.overdue_amount > 0)
    CASES_OPENED.labels(reason, variant).inc()
    await publish(session, type="collections.case.opened.v1", subject=customer_id, cause=cause,
                  data=out.CaseOpened(
                      case_id=case.case_id, customer_id=customer_id, path=path, variant=variant,
                      reason=reason, reopened=reopened, loan_ids=[trigger.loan_id],
                      trigger_loan_id=trigger.loan_id, dpd=trigger.dpd, bucket=trigger.bucket,
                      overdue_amount=trigger.overdue_amount, risk_segment=segment,
                      balance_band=band, queue=case.queue, step=first,
                      opened_date=trigger.as_of_date))
    await allocation.auto_assign(session, case=case, cause=cause)
    return case


async def _link(session: AsyncSession, *, case: CollectionCase, loan_id: str, on: date,
                late: bool = True) -> None:
    link = await session.get(CaseLoan, (case.case_id, loan_id))
    if link is None:
        session.add(CaseLoan(case_id=case.case_id, loan_id=loan_id, linked_date=on,
                             resolution=Resolution.delinquent.value, was_delinquent=late))
    else:
        link.resolution = Resolution.delinquent.value
        link.was_delinquent = link.was_delinquent or late
    await session.flush()


async def refresh(session: AsyncSession, *, case: CollectionCase, as_of: date, policy: Policy,
                  cause: Envelope | None) -> None:
    """Recompute the case's overdue total and worst bucket; escalate on a bucket roll;
    close the case when nothing linked is delinquent."""
    links = await repo.case_loans(session, case.case_id)
    positions = {p.loan_id: p for p in await repo.positions(session, [l.loan_id for l in links])}
    delinquent = [positions[l.loan_id] for l in links
                  if l.resolution == Resolution.delinquent.value and l.loan_id in positions]
    case.overdue_amount = sum((p.overdue_amount for p in delinquent), Decimal(0))
    worst = max((p.bucket for p in delinquent), key=rules.bucket_rank, default=case.bucket)
    rolled = rules.bucket_rank(worst) > rules.bucket_rank(case.bucket)
    case.bucket, case.updated_at = worst, _now()
    case.queue = f"{worst}:{case.path}"
    if rolled and cause is not None:
        await _rolled(session, case=case, as_of=as_of, policy=policy, cause=cause)
    outcome = rules.closing_outcome([Resolution(l.resolution) for l in links])
    if outcome is not None:
        await close(session, case=case, outcome=outcome.value, on=as_of, cause=cause,
                    loan_ids=[l.loan_id for l in links])


async def _rolled(session: AsyncSession, *, case: CollectionCase, as_of: date, policy: Policy,
                  cause: Envelope) -> None:
    # The close of this date comes on another partition, before or after this roll.
    if await session.get(BusinessDay, as_of) is None:
        case.roll_pending_date = strategy.pending_roll(case.roll_pending_date, as_of)
        return
    await escalate(session, case=case, trigger=Trigger.bucket_roll, as_of=as_of,
                   policy=policy, cause=cause)


async def close_business_day(session: AsyncSession, *, case: CollectionCase,
                             business_date: date, policy: Policy, cause: Envelope) -> None:
    """The escalation clock, after the day's promises were decided: the step's allowance
    first, then a bucket roll that waited for this close."""
    steps = policy.strategy.paths[case.path]
    if strategy.escalation_due(steps, index=case.step_index,
                               step_started=case.step_started_date, as_of=business_date):
        await escalate(session, case=case, trigger=Trigger.days_in_step, as_of=business_date,
                       policy=policy, cause=cause)
    if strategy.roll_due(case.roll_pending_date, business_date):
        case.roll_pending_date = None
        await escalate(session, case=case, trigger=Trigger.bucket_roll, as_of=business_date,
                       policy=policy, cause=cause)


async def escalate(session: AsyncSession, *, case: CollectionCase, trigger: Trigger,
                   as_of: date, policy: Policy, cause: Envelope | None) -> bool:
    steps = policy.strategy.paths[case.path]
    if case.status != "open" or (trigger is not Trigger.days_in_step
                                 and not escalates_on(trigger, steps, case.step_index)):
        return False
    if strategy.moved_on(index=case.step_index, step_started=case.step_started_date,
                         as_of=as_of):
        return False
    index = next_step(steps, case.step_index)
    if index is None:
        return False
    before = case.step
    case.step_index, case.step = index, steps[index].action.value
    case.step_started_date, case.updated_at = as_of, _now()
    await session.flush()
    await publish(session, type="collections.case.escalated.v1", subject=case.customer_id,
                  cause=cause, discriminator=f"{case.case_id}:{trigger.value}:{index}",
                  data=out.CaseEscalated(case_id=case.case_id, customer_id=case.customer_id,
                                         path=case.path, variant=case.variant, from_step=before,
                                         to_step=case.step, trigger=trigger.value,
                                         as_of_date=as_of))
    return True


async def close(session: AsyncSession, *, case: CollectionCase, outcome: str, on: date,
                cause: Envelope | None, loan_ids: list[str]) -> None:
    case.status, case.outcome, case.closed_date, case.updated_at = "closed", outcome, on, _now()
    await session.flush()
    CASES_CLOSED.labels(outcome, case.variant).inc()
    await publish(session, type="collections.case.closed.v1", subject=case.customer_id,
                  cause=cause, discriminator=f"{case.case_id}:{case.reopen_count}",
                  data=out.CaseClosed(case_id=case.case_id, customer_id=case.customer_id,
                                      path=case.path, variant=case.variant, outcome=outcome,
                                      closed_date=on, loan_ids=loan_ids,
                                      total_recovered=case.total_recovered,
                                      total_cost=case.total_cost, contacts=case.contacts))


async def resolve_loan(session: AsyncSession, *, loan_id: str, customer_id: str,
                       resolution: Resolution, on: date, policy: Policy,
                       cause: Envelope | None) -> None:
    """A loan left collection by closure, settlement or disposal."""
    case = await repo.open_case_of(session, customer_id)
    if case is None:
        return
    link = await session.get(CaseLoan, (case.case_id, loan_id))
    if link is None:
        return
    link.resolution = resolution.value
    await session.flush()
    await refresh(session, case=case, as_of=on, policy=policy, cause=cause)


async def on_warning(session: AsyncSession, *, loan_id: str, customer_id: str, level: str,
                     as_of: date, policy: Policy, cause: Envelope) -> None:
    if not rules.opens_on_warning(level, policy.settings.open_case_warning_levels):
        return
    case = await repo.open_case_of(session, customer_id)
    if case is not None:
        position = await session.get(LoanPosition, loan_id)
        await _link(session, case=case, loan_id=loan_id, on=as_of,
                    late=position is not None and position.overdue_amount > 0)
        return
    position = await session.get(LoanPosition, loan_id) or LoanPosition(
        loan_id=loan_id, customer_id=customer_id, dpd=0, bucket="current",
        overdue_amount=Decimal(0), outstanding_principal=Decimal(0), as_of_date=as_of,
        status="active")
    if position.as_of_date is None or position.as_of_date < as_of:
        position.as_of_date = as_of
    session.add(position)
    await session.flush()
    await open_case(session, customer_id=customer_id, trigger=position, reason="red_warning",
                    policy=policy, cause=cause)


async def on_warning_cleared(session: AsyncSession, *, loan_id: str, customer_id: str,
                             as_of: date, policy: Policy, cause: Envelope) -> None:
    """A case a red warning opened ends as cured once the warning is gone and the loan
    is not behind."""
    case = await repo.open_case_of(session, customer_id)
    position = await session.get(LoanPosition, loan_id)
    if case is None or case.reason != "red_warning":
        return
    if position is not None and not rules.is_cured(_snapshot(position)):
        return
    await resolve_loan(session, loan_id=loan_id, customer_id=customer_id,
                       resolution=Resolution.cured, on=as_of, policy=policy, cause=cause)


async def end_warning(session: AsyncSession, *, loan_id: str, customer_id: str,
                      resolution: str | None, as_of: date, policy: Policy,
                      cause: Envelope) -> None:
    if not rules.ends_warning_case(resolution):
        return
    await on_warning_cleared(session, loan_id=loan_id, customer_id=customer_id, as_of=as_of,
                             policy=policy, cause=cause)
