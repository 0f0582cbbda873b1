"""Each repayment segment pays the way its name says."""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from shared.simulator import behaviour as b
from shared.simulator.schedule import annuity_schedule

DUES = annuity_schedule(Decimal("60000"), Decimal("0.08"), 12, date(2025, 6, 10))
SEEDS = range(40)


def _plan(segment: b.Segment, seed: int) -> b.Plan:
    return b.plan_payments(segment, random.Random(seed), DUES)


def _lateness(plan: b.Plan) -> list[int]:
    return [(p.paid_date - d.due_date).days for p, d in zip(plan.payments, DUES)]


def test_on_time_pays_every_installment_in_full_on_its_due_date() -> None:
    plan = _plan(b.Segment.ON_TIME, 1)
    paid = [(p.paid_date, p.amount) for p in plan.payments]
    assert paid == [(d.due_date, d.amount) for d in DUES]
    assert plan.default_date is None


@pytest.mark.parametrize("seed", SEEDS)
def test_occasionally_late_pays_in_full_at_most_six_days_late(seed: int) -> None:
    plan = _plan(b.Segment.OCCASIONALLY_LATE, seed)
    assert [p.amount for p in plan.payments] == [d.amount for d in DUES]
    assert all(0 <= late <= 6 for late in _lateness(plan))


def test_occasionally_late_is_sometimes_late_and_mostly_on_time() -> None:
    plans = [_plan(b.Segment.OCCASIONALLY_LATE, seed) for seed in SEEDS]
    lateness = [late for plan in plans for late in _lateness(plan)]
    late_share = sum(1 for late in lateness if late > 0) / len(lateness)
    assert 0.1 < late_share < 0.4


@pytest.mark.parametrize("seed", SEEDS)
def test_chronically_late_pays_every_installment_over_a_week_late_in_order(seed: int) -> None:
    plan = _plan(b.Segment.CHRONICALLY_LATE, seed)
    assert [p.amount for p in plan.payments] == [d.amount for d in DUES]
    assert all(late >= 8 for late in _lateness(plan))
    dates = [p.paid_date for p in plan.payments]
    assert dates == sorted(dates)


@pytest.mark.parametrize("seed", SEEDS)
def test_drifting_into_default_pays_later_and_later_then_stops(seed: int) -> None:
    plan = _plan(b.Segment.DRIFTING_INTO_DEFAULT, seed)
    paid = len(plan.payments)
    assert 2 <= paid <= 6
    assert plan.default_date == DUES[paid].due_date
    assert all(p.paid_date < plan.default_date + timedelta(days=28) for p in plan.payments)
    lateness = _lateness(plan)
    assert lateness[-2] > 0 and lateness[-1] > lateness[-2]  # drifting, not falling off a cliff


@pytest.mark.parametrize("seed", SEEDS)
def test_curing_after_contact_misses_two_then_catches_up_in_one_payment(seed: int) -> None:
    plan = _plan(b.Segment.CURING_AFTER_CONTACT, seed)
    catch_up = next(p for p in plan.payments if p.channel == "transfer")
    index = plan.payments.index(catch_up)
    first, second = DUES[index], DUES[index + 1]
    assert catch_up.amount == first.amount + second.amount
    assert catch_up.paid_date > second.due_date
    assert all(p.paid_date == d.due_date for p, d in zip(plan.payments[:index], DUES))
    # Cured: every later installment paid in full, none later than the catch-up.
    later = plan.payments[index + 1:]
    assert [p.amount for p in later] == [d.amount for d in DUES[index + 2:]]
    assert all(p.paid_date == max(d.due_date, catch_up.paid_date)
               for p, d in zip(later, DUES[index + 2:]))
    assert sum(p.amount for p in plan.payments) == sum(d.amount for d in DUES)


@pytest.mark.parametrize("seed", SEEDS)
def test_partial_payer_pays_part_of_every_installment(seed: int) -> None:
    plan = _plan(b.Segment.PARTIAL_PAYER, seed)
    assert len(plan.payments) == len(DUES)
    assert all(0 < p.amount < d.amount for p, d in zip(plan.payments, DUES))
    assert all(0 <= late <= 3 for late in _lateness(plan))


def test_every_segment_is_drawn() -> None:
    rng = random.Random(3)
    assert {b.pick_segment(rng) for _ in range(2000)} == set(b.Segment)
