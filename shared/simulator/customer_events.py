"""What the bank learns about a borrower over time: registration, credit reports, corporate
financial statements, and changes of contact, employment and legal standing. Borrowers who
drift into default show it elsewhere first or soon after: a lost job, a worse bureau score,
a lawsuit."""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from shared.simulator import agenda as a
from shared.simulator import identity, reference as ref
from shared.simulator.agenda import Planned
from shared.simulator.behaviour import Segment
from shared.simulator.population import Customer
from shared.simulator.schedule import cents

QUARTER = 91
CONTACT_CHANGE_PER_QUARTER = 0.04
JOB_CHANGE_PER_QUARTER = 0.03
PENALTY_PER_QUARTER = 0.02  # corporates: tax arrears or an administrative penalty
BASE_SCORE = {Segment.ON_TIME: (690, 820), Segment.OCCASIONALLY_LATE: (630, 750),
              Segment.CHRONICALLY_LATE: (560, 680), Segment.DRIFTING_INTO_DEFAULT: (580, 700),
              Segment.CURING_AFTER_CONTACT: (600, 720), Segment.PARTIAL_PAYER: (540, 660)}


def plan_customer(customer: Customer, rng: random.Random, *, first_loan: date,
                  default_date: date | None, end: date) -> list[Planned]:
    registered = first_loan - timedelta(days=rng.randint(1, 10))
    score = rng.randint(*BASE_SCORE[customer.segment])
    items = [_registered(customer, registered), _credit_report(customer, rng, registered, score)]
    if customer.kind == "corporate":
        items += _financials(customer, rng, registered, end, default_date)
    items += _routine_changes(customer, rng, registered, end, score)
    if default_date is not None:
        items += _distress(customer, rng, default_date, score, registered)
    return items


def _event(on: date, rank: int, type_: str, customer: Customer, **data: object) -> Planned:
    return Planned(on, rank, type_, {"customer_id": customer.customer_id, **data})


def _registered(c: Customer, on: date) -> Planned:
    return _event(on, a.REGISTERED, "bank.customer.registered.v1", c, kind=c.kind, name=c.name,
                  id_number=c.id_number, phone=c.phone, address=c.address,
                  timezone=c.region.timezone, region_code=c.region.code,
                  industry_code=c.industry_code, employer=c.employer,
                  monthly_income=None if c.monthly_income is None else str(c.monthly_income))


def _credit_report(c: Customer, rng: random.Random, on: date, score: int,
                   overdue_elsewhere: int = 0, rank: int = a.PROFILE) -> Planned:
    debt = cents(Decimal(rng.randint(0, 400) * 500))
    return _event(on, rank, "bank.customer.credit-report-updated.v1", c,
                  report_date=on.isoformat(), score=max(300, min(850, score)),
                  overdue_accounts_elsewhere=overdue_elsewhere, total_debt_elsewhere=str(debt))


def _quarter_end_before(day: date) -> date:
    month = (day.month - 1) // 3 * 3 + 1
    return date(day.year, month, 1) - timedelta(days=1)


def _financials(c: Customer, rng: random.Random, registered: date, end: date,
                default_date: date | None) -> list[Planned]:
    """The last statement at onboarding, then each quarter's about 30 days after it ends."""
    revenue = Decimal(rng.randint(2, 200) * 100_000)
    items = [_statement(c, rng, registered, _quarter_end_before(registered), revenue, False)]
    period = _quarter_end_before(registered)
    while True:
        period = _quarter_end_before(period + timedelta(days=QUARTER + 5))
        reported = period + timedelta(days=rng.randint(25, 35))
        if reported > end:
            return items
        if reported > registered:
            distressed = default_date is not None and period >= default_date - timedelta(days=60)
            items.append(_statement(c, rng, reported, period, revenue, distressed))


def _statement(c: Customer, rng: random.Random, on: date, period_end: date, revenue: Decimal,
               distressed: bool) -> Planned:
    revenue = revenue * Decimal(rng.randint(60, 80) if distressed else rng.randint(92, 112)) / 100
    margin = Decimal(rng.randint(-15, -3) if distressed else rng.randint(2, 12)) / 100
    assets = revenue * Decimal(rng.randint(120, 250)) / 100
    liabilities = assets * Decimal(rng.randint(75, 95) if distressed else rng.randint(35, 65)) / 100
    current_assets = assets * Decimal(rng.randint(30, 60)) / 100
    # A distressed firm's current ratio falls below 1: current liabilities outgrow current assets.
    current_share = Decimal(rng.randint(70, 95) if distressed else rng.randint(30, 60)) / 100
    cash_flow = revenue * Decimal(rng.randint(-12, -2) if distressed else rng.randint(1, 10)) / 100
    whole = Decimal("0.01")
    return _event(on, a.PROFILE, "bank.customer.financials-reported.v1", c,
                  period_end=period_end.isoformat(), revenue=str(revenue.quantize(whole)),
                  net_profit=str((revenue * margin).quantize(whole)),
                  total_assets=str(assets.quantize(whole)),
                  total_liabilities=str(liabilities.quantize(whole)),
                  current_assets=str(current_assets.quantize(whole)),
                  current_liabilities=str((liabilities * current_share).quantize(whole)),
                  operating_cash_flow=str(cash_flow.quantize(whole)))


def _routine_changes(c: Customer, rng: random.Random, registered: date, end: date,
                     score: int) -> list[Planned]:
    items: list[Planned] = []
    quarter = registered
    while (quarter := quarter + timedelta(days=QUARTER)) <= end:
        on = quarter - timedelta(days=rng.randint(0, QUARTER - 1))
        items.append(_credit_report(c, rng, quarter, score + rng.randint(-20, 20),
                                    rank=a.CUSTOMER_CHANGE))
        if rng.random() < CONTACT_CHANGE_PER_QUARTER:
            items.append(_contact_changed(c, rng, on))
        if c.kind == "individual" and rng.random() < JOB_CHANGE_PER_QUARTER:
            items.append(_new_job(c, rng, on))
        if c.kind == "corporate" and rng.random() < PENALTY_PER_QUARTER:
            kind = rng.choice(("tax_arrears", "administrative_penalty"))
            items.append(_legal(c, rng, on, kind))
    return items


def _contact_changed(c: Customer, rng: random.Random, on: date) -> Planned:
    if rng.random() < 0.5:
        return _event(on, a.CUSTOMER_CHANGE, "bank.customer.contact-changed.v1", c,
                      phone=identity.phone(rng, c.region))
    return _event(on, a.CUSTOMER_CHANGE, "bank.customer.contact-changed.v1", c,
                  address=identity.address(rng, c.region))


def _new_job(c: Customer, rng: random.Random, on: date) -> Planned:
    employers = ref.EMPLOYERS_CN if c.region.country == "CN" else ref.EMPLOYERS_US
    income = (c.monthly_income or Decimal(0)) * Decimal(rng.randint(95, 125)) / 100
    return _event(on, a.CUSTOMER_CHANGE, "bank.customer.employment-changed.v1", c,
                  employer=rng.choice(employers), status="employed",
                  monthly_income=str(income.quantize(Decimal("0.01"))))


def _legal(c: Customer, rng: random.Random, on: date, kind: str) -> Planned:
    case_no = f"({on.year})-{rng.randint(1000, 99999)}"
    amount = cents(Decimal(rng.randint(10, 500) * 1000))
    return _event(on, a.CUSTOMER_CHANGE, "bank.customer.legal-event.v1", c, kind=kind,
                  event_date=on.isoformat(), amount=str(amount), case_no=case_no)


def _distress(c: Customer, rng: random.Random, default_date: date, score: int,
              registered: date) -> list[Planned]:
    items = []
    if c.kind == "individual" and rng.random() < 0.5:
        lost = default_date - timedelta(days=rng.randint(10, 40))
        lost = max(lost, registered + timedelta(days=1))
        items.append(_event(lost, a.CUSTOMER_CHANGE, "bank.customer.employment-changed.v1", c,
                            employer=None, status="unemployed", monthly_income="0.00"))
    worse = default_date + timedelta(days=rng.randint(20, 40))
    items.append(_credit_report(c, rng, worse, score - rng.randint(80, 160),
                                overdue_elsewhere=rng.randint(1, 3), rank=a.CUSTOMER_CHANGE))
    if rng.random() < 0.2:
        items.append(_contact_changed(c, rng, default_date + timedelta(days=rng.randint(5, 30))))
    if rng.random() < 0.3:
        kinds = ("lawsuit", "enforcement", "dishonest_debtor")
        # The rare ends: a firm goes bankrupt, a borrower dies; both stop all contact.
        rare = "bankruptcy" if c.kind == "corporate" else "deceased"
        kind = rare if rng.random() < 0.15 else rng.choice(kinds)
        items.append(_legal(c, rng, default_date + timedelta(days=rng.randint(30, 120)), kind))
    return items
