"""The KPI scorecard: pure rules, no I/O.

Each component has a configurable target and a worst value. Its score is

    score = 100 * clamp((worst - actual) / (worst - target), 0, 1)

so 100 at or beyond the target, 0 at or beyond the worst value, linear in between; the
same formula covers higher-is-better (worst < target) and lower-is-better (worst > target).
A KPI's score is the mean of its components that have data; the total is the weighted
mean of the KPIs that have a score, with the seed's weights by default:

    total = sum(weight_k * score_k) / sum(weight_k)   over KPIs k with a score

A component without data in the period (no closed cases, no surveys...) has no score and
is left out rather than counted as 0 or 100; the response shows which ones.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping

KPI_COMPONENTS: dict[str, tuple[str, ...]] = {
    "npl_ratio": ("npl_ratio",),
    "collection_success": ("case_success_rate", "recovery_rate"),
    "customer_satisfaction": ("survey_average", "survey_response_rate"),
    "cost_control": ("cost_per_recovered",),
    "compliance": ("contact_compliance", "complaints_on_time"),
}


@dataclass(frozen=True)
class Component:
    name: str
    actual: float | None
    target: float
    worst: float
    score: float | None


@dataclass(frozen=True)
class Kpi:
    name: str
    weight: float
    score: float | None
    components: tuple[Component, ...]


@dataclass(frozen=True)
class Scorecard:
    kpis: tuple[Kpi, ...]
    total: float | None


def component_score(actual: float | None, target: float, worst: float) -> float | None:
    if actual is None:
        return None
    if worst == target:
        return 100.0 if actual == target else 0.0
    fraction = (worst - actual) / (worst - target)
    return round(100.0 * min(1.0, max(0.0, fraction)), 2)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def scorecard(actuals: Mapping[str, float | None], targets: Mapping[str, list[float]],
              weights: Mapping[str, float]) -> Scorecard:
    kpis = []
    for name, parts in KPI_COMPONENTS.items():
        components = tuple(
            Component(part, actuals.get(part), targets[part][0], targets[part][1],
                      component_score(actuals.get(part), targets[part][0], targets[part][1]))
            for part in parts)
        score = _mean([c.score for c in components if c.score is not None])
        kpis.append(Kpi(name, weights.get(name, 0.0), score, components))
    return Scorecard(tuple(kpis), weighted_total(kpis))


def weighted_total(kpis: list[Kpi]) -> float | None:
    scored = [k for k in kpis if k.score is not None and k.weight > 0]
    weight = sum(k.weight for k in scored)
    if not weight:
        return None
    return round(sum(k.weight * k.score for k in scored) / weight, 2)  # type: ignore[operator]


def ratio(numerator: float, denominator: float) -> float | None:
    return None if not denominator else round(numerator / denominator, 4)


def period_bounds(period: str) -> tuple[date, date]:
    """First and last day of a YYYY-MM period."""
    year, month = (int(p) for p in period.split("-"))
    first = date(year, month, 1)
    return first, month_end(first)


def month_end(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def add_months(period: str, months: int) -> str:
    year, month = (int(p) for p in period.split("-"))
    index = year * 12 + month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(start: str, end: str) -> int:
    (y1, m1), (y2, m2) = ((int(p) for p in s.split("-")) for s in (start, end))
    return (y2 - y1) * 12 + m2 - m1
