"""The monthly KPI scorecard: figures from the read models, scored by `domain.scorecard`."""
from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting import domain
from services.reporting.config import Settings
from services.reporting.queries import activity, portfolio


async def scorecard(session: AsyncSession, *, settings: Settings, period: str,
                    team: str | None = None, branch: str | None = None) -> dict:
    """NPL ratio at the period's last day (the branch's loans when a branch is given);
    collection, cost and compliance for the team's or branch's cases; satisfaction for
    the team's surveys."""
    start, end = domain.period_bounds(period)
    scope = {"start": start, "end": end, "team": team, "branch": branch}
    quality = await portfolio.quality(session, as_of=end, branch=branch)
    collection = await activity.collection(session, **scope)
    cost = await activity.cost(session, **scope)
    compliance = await activity.compliance(session, **scope)
    satisfaction = await activity.satisfaction(session, start=start, end=end, team=team)
    card = domain.scorecard(_actuals(settings, quality, collection, cost, compliance,
                                     satisfaction), settings.kpi_targets, settings.kpi_weights)
    return {"period": period, "team": team, "branch": branch, "as_of": end,
            "total_score": card.total, "kpis": [asdict(k) for k in card.kpis],
            "figures": {"portfolio": quality, "collection": collection, "cost": cost,
                        "compliance": compliance, "satisfaction": satisfaction}}


def _actuals(settings: Settings, quality: dict, collection: dict, cost: dict,
             compliance: dict, satisfaction: dict) -> dict[str, float | None]:
    cost_per = cost["cost_per_recovered"]
    if cost_per is None and cost["collection_cost"] > 0:
        # Money spent and nothing recovered: the worst value, so the component scores 0.
        cost_per = settings.kpi_targets["cost_per_recovered"][1]
    return {"npl_ratio": quality["npl_ratio"],
            "case_success_rate": collection["case_success_rate"],
            "recovery_rate": collection["recovery_rate"],
            "survey_average": satisfaction["survey_average"],
            "survey_response_rate": satisfaction["survey_response_rate"],
            "cost_per_recovered": cost_per,
            "contact_compliance": compliance["contact_compliance"],
            "complaints_on_time": compliance["complaints_on_time_rate"]}
