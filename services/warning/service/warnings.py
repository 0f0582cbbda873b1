"""Warning use cases: judge a loan against its rule set, and move warnings through their
lifecycle (raise, escalate, clear, acknowledge, resolve), publishing each step via the outbox."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from shared.api.errors import Conflict, NotFound, Unprocessable
from shared.auth import Principal
from shared.db.publisher import derived_id
from shared.events import warning as out
from shared.events.envelope import Envelope
from services.warning import metrics, repository as repo
from services.warning.service import business_day as clock, watchlist
from services.warning.domain.catalogue import Rule, RuleSet
from services.warning.domain.lifecycle import (
    Decision, Status, WarningStateError, check_acknowledge, check_resolve, decide,
)
from services.warning.domain.rules import Clear, Fire, Signal, evaluate
from services.warning.models import Loan, EarlyWarning, WarningHistory
from services.warning.publish import publish
from services.warning.service.rulesets import effective_rule_set


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def judge(session: AsyncSession, *, loans: Sequence[Loan], signal: Signal, settings: Any,
                cause: Envelope) -> None:
    """Evaluate one signal for each loan it concerns and act on every rule's outcome."""
    rule_sets: dict[str, RuleSet] = {}
    for loan in loans:
        if loan.product not in rule_sets:
            rule_sets[loan.product] = await effective_rule_set(
                session, segment=loan.product, settings=settings, on=signal.as_of)
        rule_set = rule_sets[loan.product]
        active = await repo.active_warnings_of_loan(session, loan.loan_id)
        outcomes = evaluate(rule_set, signal, {k: w.evidence for k, w in active.items()})
        for rule_id, outcome in sorted(outcomes.items()):
            if isinstance(outcome, Fire):
                await _fire(session, loan=loan, rule=rule_set.rules[rule_id], rule_set=rule_set,
                            fire=outcome, current=active.get(rule_id), as_of=signal.as_of,
                            cause=cause, settings=settings)
            elif isinstance(outcome, Clear) and rule_id in active:
                await clear(session, warning=active[rule_id], reason=outcome.reason,
                            as_of=signal.as_of, cause=cause)


async def judge_loan(session: AsyncSession, *, loan_id: str, signal: Signal, settings: Any,
                     cause: Envelope) -> None:
    """A signal about one loan judges it only while the loan is known and active."""
    loan = await session.get(Loan, loan_id)
    if loan is not None and loan.active:
        await judge(session, loans=[loan], signal=signal, settings=settings, cause=cause)


async def judge_on(session: AsyncSession, *, loans: Sequence[Loan], signal: Signal,
                   settings: Any, cause: Envelope) -> None:
    """Judge the loans active on the signal's date; one closed since then ends the
    warnings the signal gave it at its close, as if the close had come after."""
    await judge(session, loans=loans, signal=signal, settings=settings, cause=cause)
    for loan in loans:
        if not loan.active and loan.closed_date is not None:
            await clear_all(session, loan=loan, on=loan.closed_date, cause=cause)


async def clear_all(session: AsyncSession, *, loan: Loan, on: date, cause: Envelope) -> None:
    for warning in (await repo.active_warnings_of_loan(session, loan.loan_id)).values():
        await clear(session, warning=warning, reason="loan_closed", as_of=on, cause=cause)


async def _fire(session: AsyncSession, *, loan: Loan, rule: Rule, rule_set: RuleSet, fire: Fire,
                current: EarlyWarning | None, as_of: date, cause: Envelope, settings: Any) -> None:
    decision = decide(current.level if current else None, fire.level)
    if decision is Decision.keep:
        return
    if decision is Decision.raise_:
        warning = await _raise(session, loan=loan, rule=rule, rule_set=rule_set, fire=fire,
                               as_of=as_of, cause=cause)
    else:
        warning = await _escalate(session, warning=current, rule=rule, fire=fire, as_of=as_of,
                                  cause=cause)
    metrics.EVENT_TO_WARNING.observe(max(0.0, (_now() - cause.time).total_seconds()))
    await watchlist.enter(session, warning=warning, as_of=as_of, settings=settings)


async def _raise(session: AsyncSession, *, loan: Loan, rule: Rule, rule_set: RuleSet,
                 fire: Fire, as_of: date, cause: Envelope) -> EarlyWarning:
    # The id derives from the cause, so a replayed event names the same warning.
    warning = EarlyWarning(
        id=derived_id(cause.id, "warning", loan.loan_id, rule.rule_id), loan_id=loan.loan_id,
        customer_id=loan.customer_id, rule_id=rule.rule_id, rule_version=rule.version,
        rule_set=rule_set.segment, rule_set_version=rule_set.version, family=rule.family,
        level=fire.level, status=Status.open.value, active=True, measure=rule.measure,
        evidence=fire.evidence, raised_date=as_of, raised_at=_now())
    session.add(warning)
    _history(session, warning, "raised", event_id=cause.id, on=as_of, evidence=fire.evidence)
    await session.flush()
    await publish(session, type="warning.warning.raised.v1", subject=loan.loan_id, cause=cause,
                  discriminator=rule.rule_id, data=out.WarningRaised(
                      **_fields(warning, as_of), measure=warning.measure, evidence=fire.evidence))
    metrics.WARNINGS_RAISED.labels(warning.family, warning.level).inc()
    return warning


async def _escalate(session: AsyncSession, *, warning: EarlyWarning, rule: Rule, fire: Fire,
                    as_of: date, cause: Envelope) -> EarlyWarning:
    previous = warning.level
    warning.level, warning.evidence, warning.escalated_date = fire.level, fire.evidence, as_of
    _history(session, warning, "escalated", event_id=cause.id, on=as_of, evidence=fire.evidence)
    await session.flush()
    await publish(session, type="warning.warning.escalated.v1", subject=warning.loan_id,
                  cause=cause, discriminator=warning.rule_id, data=out.WarningEscalated(
                      **_fields(warning, as_of), previous_level=previous, evidence=fire.evidence,
                      measure=warning.measure))
    metrics.WARNINGS_ESCALATED.labels(warning.family, warning.level).inc()
    return warning


async def clear(session: AsyncSession, *, warning: EarlyWarning, reason: str, as_of: date,
                cause: Envelope) -> None:
    warning.status, warning.active = Status.cleared.value, False
    warning.closed_date, warning.clear_reason = as_of, reason
    _history(session, warning, "cleared", event_id=cause.id, on=as_of)
    await session.flush()
    await publish(session, type="warning.warning.cleared.v1", subject=warning.loan_id,
                  cause=cause, discriminator=warning.rule_id,
                  data=out.WarningCleared(**_fields(warning, as_of), reason=reason))
    metrics.WARNINGS_CLOSED.labels(warning.family, "cleared").inc()


async def get_warning(session: AsyncSession, *, warning_id: str, lock: bool = False) -> EarlyWarning:
    warning = await session.get(EarlyWarning, warning_id, with_for_update=lock)
    if warning is None:
        raise NotFound(f"no warning {warning_id}")
    return warning


async def acknowledge(session: AsyncSession, *, warning_id: str, principal: Principal) -> EarlyWarning:
    warning = await get_warning(session, warning_id=warning_id, lock=True)
    try:
        check_acknowledge(warning.status)
    except WarningStateError as exc:
        raise Conflict(exc.message, code=exc.code) from exc
    warning.status = Status.acknowledged.value
    warning.acknowledged_by, warning.acknowledged_at = principal.subject, _now()
    _history(session, warning, "acknowledged", actor=principal.subject,
             on=await _business_today(session, warning))
    await session.flush()
    return warning


async def resolve(session: AsyncSession, *, warning_id: str, resolution: str, comment: str,
                  principal: Principal) -> EarlyWarning:
    warning = await get_warning(session, warning_id=warning_id, lock=True)
    try:
        check_resolve(warning.status, comment)
    except WarningStateError as exc:
        error = Unprocessable if exc.code == "comment_required" else Conflict
        raise error(exc.message, code=exc.code) from exc
    today = await _business_today(session, warning)
    warning.status, warning.active, warning.closed_date = Status.resolved.value, False, today
    warning.resolution, warning.resolution_comment = resolution, comment
    warning.resolved_by = principal.subject
    _history(session, warning, "resolved", actor=principal.subject, on=today)
    await session.flush()
    await publish(session, type="warning.warning.resolved.v1", subject=warning.loan_id,
                  data=out.WarningResolved(**_fields(warning, today), resolution=resolution,
                                           comment=comment, resolved_by=principal.subject))
    metrics.WARNINGS_CLOSED.labels(warning.family, resolution).inc()
    return warning


async def _business_today(session: AsyncSession, warning: EarlyWarning) -> date:
    # An officer's step is dated by the warning clock, never before the warning's own
    # latest date: a warning cannot end before it was raised or escalated.
    return await clock.today(session, not_before=warning.escalated_date or warning.raised_date)


def _fields(warning: EarlyWarning, as_of: date) -> dict[str, Any]:
    return {"warning_id": warning.id, "loan_id": warning.loan_id,
            "customer_id": warning.customer_id, "rule_id": warning.rule_id,
            "rule_version": warning.rule_version, "family": warning.family,
            "level": warning.level, "as_of_date": as_of, "rule_set": warning.rule_set,
            "rule_set_version": warning.rule_set_version}


def _history(session: AsyncSession, warning: EarlyWarning, action: str, *, on: date,
             event_id: str | None = None, actor: str | None = None,
             evidence: dict | None = None) -> None:
    session.add(WarningHistory(warning_id=warning.id, action=action, level=warning.level,
                               evidence=evidence, actor=actor, event_id=event_id, on_date=on,
                               recorded_at=_now()))
