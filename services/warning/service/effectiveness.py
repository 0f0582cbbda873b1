"""Effectiveness use case: load every warning and default, measure per rule and version, and
publish the figures as gauges."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.warning import metrics, repository as repo
from services.warning.service import business_day as clock
from services.warning.domain.effectiveness import RaisedWarning, RuleEffect, measure


async def rule_effectiveness(session: AsyncSession, *, as_of: date, settings: Any) -> list[RuleEffect]:
    warnings = [RaisedWarning(rule_id, version, loan_id, raised)
                for rule_id, version, loan_id, raised in await repo.raised_warnings(session)]
    effects = measure(warnings, await repo.defaults(session), as_of=as_of,
                      horizon_days=settings.effectiveness_horizon_days,
                      min_lead_days=settings.effectiveness_min_lead_days)
    export(effects)
    return effects


async def refresh_gauges(session: AsyncSession, *, settings: Any) -> list[RuleEffect]:
    """Open warnings, and effectiveness as of the latest close: a warning's outcome is
    known once its horizon has passed in business days, whatever day it is now. Before
    the first close there is nothing to measure."""
    await refresh_open_gauge(session)
    as_of = await clock.latest(session)
    return [] if as_of is None else await rule_effectiveness(session, as_of=as_of,
                                                             settings=settings)


def export(effects: list[RuleEffect]) -> None:
    for effect in effects:
        labels = (effect.rule_id, str(effect.rule_version))
        for gauge, value in ((metrics.RULE_PRECISION, effect.precision),
                             (metrics.RULE_RECALL, effect.recall),
                             (metrics.RULE_LEAD, None if effect.median_lead_days is None
                              else effect.median_lead_days * 86400)):
            if value is not None:
                gauge.labels(*labels).set(value)


async def refresh_open_gauge(session: AsyncSession) -> None:
    metrics.OPEN_WARNINGS.clear()
    for family, level, count in await repo.open_warning_counts(session):
        metrics.OPEN_WARNINGS.labels(family, level).set(count)
    _, on_list = await repo.watchlist(session, limit=1, offset=0)
    metrics.WATCHLIST.set(on_list)
