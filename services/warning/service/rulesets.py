"""Rule-set use cases: the rules a loan is judged by, and the maker-checker flow that changes
them. Nothing here commits; the route or the consumer owns the transaction."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from shared.api.errors import Conflict, Forbidden, NotFound, Unprocessable
from shared.auth import Principal
from services.warning import repository as repo
from services.warning.service import business_day as clock
from services.warning.domain.catalogue import DEFAULT_SEGMENT, RuleSet, default_rule_set
from services.warning.domain.rulesets import RuleChange, RuleSetError, apply_changes, check_approval
from services.warning.models import RuleSetVersion


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def effective_rule_set(session: AsyncSession, *, segment: str, settings: Any,
                             on: date | None = None) -> RuleSet:
    """The approved set for the loan's product, else the approved default, else the
    catalogue built from settings. With `on` (a signal's business date), the set that was
    effective on that date, so a replay judges each signal by the rules of its own day;
    without, the newest approved set."""
    async def approved(name: str):  # type: ignore[no-untyped-def]
        if on is None:
            return await repo.active_rule_set(session, name)
        return await repo.rule_set_in_force(session, name, on)

    row = await approved(segment)
    if row is None and segment != DEFAULT_SEGMENT:
        row = await approved(DEFAULT_SEGMENT)
    if row is None:
        return default_rule_set(settings)
    return RuleSet.from_data(row.segment, row.version, row.rules)


def _latest_versions(rows: list[RuleSetVersion]) -> dict[str, int]:
    latest: dict[str, int] = {}
    for row in rows:
        for rule_id, data in row.rules.items():
            latest[rule_id] = max(latest.get(rule_id, 0), int(data["version"]))
    return latest


async def propose(session: AsyncSession, *, segment: str, changes: Mapping[str, RuleChange],
                  comment: str, principal: Principal, settings: Any) -> RuleSetVersion:
    base = await effective_rule_set(session, segment=segment, settings=settings)
    rows = list(await repo.all_rule_sets(session))
    try:
        proposed = apply_changes(base, changes, segment=segment,
                                 latest_versions=_latest_versions(rows))
    except RuleSetError as exc:
        raise Unprocessable(exc.message, code=exc.code) from exc
    version = max(await repo.latest_rule_set_version(session, segment),
                  base.version if base.segment == segment else 0) + 1
    row = RuleSetVersion(
        segment=segment, version=version, status="proposed", rules=proposed.to_data(),
        changes={k: {f: v for f, v in vars(c).items() if v is not None} for k, c in changes.items()},
        comment=comment, proposed_by=principal.subject, proposed_at=_now())
    session.add(row)
    await session.flush()
    return row


async def get_proposal(session: AsyncSession, *, proposal_id: int) -> RuleSetVersion:
    row = await session.get(RuleSetVersion, proposal_id, with_for_update=True)
    if row is None:
        raise NotFound(f"no rule set proposal {proposal_id}")
    return row


async def approve(session: AsyncSession, *, proposal_id: int,
                  principal: Principal) -> RuleSetVersion:
    row = await get_proposal(session, proposal_id=proposal_id)
    try:
        check_approval(proposed_by=row.proposed_by, approver=principal.subject, status=row.status)
    except RuleSetError as exc:
        error = Forbidden if exc.code == "same_officer" else Conflict
        raise error(exc.message, code=exc.code) from exc
    current = await repo.active_rule_set(session, row.segment)
    if current is not None and current.version > row.version:
        raise Conflict("a newer version of this rule set is already in force; propose again",
                       code="stale_proposal")
    if current is not None:
        current.status = "superseded"
        await session.flush()  # the old row stops being active before the new one starts
    row.status, row.decided_by, row.decided_at = "active", principal.subject, _now()
    row.effective_date = await effective_from(session)
    await session.flush()
    return row


async def effective_from(session: AsyncSession) -> date | None:
    """An approval takes effect on the business day in progress, the day after the latest
    close: signals of closed days keep the rules they were judged by, in a replay too.
    Before the first close there is nothing to keep, so the set applies to every date."""
    latest = await clock.latest(session)
    return None if latest is None else latest + timedelta(days=1)


async def reject(session: AsyncSession, *, proposal_id: int, principal: Principal) -> RuleSetVersion:
    row = await get_proposal(session, proposal_id=proposal_id)
    if row.status != "proposed":
        raise Conflict(f"the proposal is already {row.status}", code="not_proposed")
    row.status, row.decided_by, row.decided_at = "rejected", principal.subject, _now()
    await session.flush()
    return row
