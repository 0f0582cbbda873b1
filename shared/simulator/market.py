"""Industry and region risk levels: a baseline on the first day, then the occasional shock
(a sector or a region turns high risk) that eases back to medium some weeks later."""
from __future__ import annotations

import random
from datetime import date, timedelta

from shared.simulator import agenda as a
from shared.simulator import reference as ref
from shared.simulator.agenda import Planned

WINDOW_DAYS = 30
INDUSTRY_SHOCK_PER_WINDOW = 0.5
REGION_SHOCK_PER_WINDOW = 0.25


def _level(on: date, kind: str, code: str, level: str) -> Planned:
    return Planned(on, a.MARKET, f"bank.{kind}.risk-changed.v1",
                   {f"{kind}_code": code, "level": level, "effective_date": on.isoformat()})


def plan_market(rng: random.Random, start: date, days: int) -> list[Planned]:
    items = [_level(start, "industry", code, rng.choice(("low", "low", "medium")))
             for code in ref.INDUSTRIES]
    items += [_level(start, "region", r.code, rng.choice(("low", "low", "medium")))
              for r in ref.REGIONS]
    for window in range(0, days, WINDOW_DAYS):
        first = start + timedelta(days=window)
        if rng.random() < INDUSTRY_SHOCK_PER_WINDOW:
            items += _shock(rng, first, "industry", rng.choice(list(ref.INDUSTRIES)))
        if rng.random() < REGION_SHOCK_PER_WINDOW:
            items += _shock(rng, first, "region", rng.choice(ref.REGIONS).code)
    return items


def _shock(rng: random.Random, first: date, kind: str, code: str) -> list[Planned]:
    hit = first + timedelta(days=rng.randint(1, WINDOW_DAYS - 1))
    eased = hit + timedelta(days=rng.randint(20, 45))
    return [_level(hit, kind, code, "high"), _level(eased, kind, code, "medium")]
