"""The simulated bank's customers and loans: who borrows what, on which terms, with which
collateral. Pure: everything comes from the `random.Random` passed in."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from shared.simulator import identity, reference as ref
from shared.simulator.behaviour import Segment, pick_segment
from shared.simulator.schedule import Installment, annuity_schedule, cents

# About 55% consumer, 20% mortgage, 25% small business loans (corporates borrow only the
# latter). Credit cards are not simulated: revolving credit has no amortising schedule.
CORPORATE_SHARE = 0.25
INDIVIDUAL_PRODUCTS = {"consumer_installment": 55, "mortgage": 20}
REPEAT_BORROWER_SHARE = 0.08


@dataclass
class Customer:
    customer_id: str
    kind: str  # individual | corporate
    region: ref.Region
    industry_code: str
    name: str
    id_number: str
    phone: str
    address: str
    employer: str | None
    monthly_income: Decimal | None
    segment: Segment
    loans: list["Loan"] = field(default_factory=list)


@dataclass(frozen=True)
class Collateral:
    collateral_id: str
    kind: str
    value: Decimal
    valued_date: date


@dataclass
class Loan:
    loan_id: str
    customer: Customer
    product: str
    principal: Decimal
    annual_rate: Decimal
    disbursed: date
    payment_mode: str
    purpose: str
    schedule: list[Installment]
    collateral: list[Collateral]


def disbursement_date(rng: random.Random, start: date, days: int, backbook_share: float,
                      max_seasoning_months: int) -> date:
    """Part of the book is seasoned (disbursed before the run starts, so arrears can already
    be deep on day one); the rest is new business over the first two thirds of the run."""
    if max_seasoning_months > 0 and rng.random() < backbook_share:
        return start - timedelta(days=rng.randint(1, 30 * max_seasoning_months))
    return start + timedelta(days=rng.randrange(max(1, days * 2 // 3)))


def new_customer(rng: random.Random, number: int, kind: str) -> Customer:
    region = rng.choices(ref.REGIONS, weights=[r.weight for r in ref.REGIONS])[0]
    corporate = kind == "corporate"
    industry = rng.choice(list(ref.INDUSTRIES) if corporate else ref.EMPLOYEE_INDUSTRIES)
    income = None if corporate else _monthly_income(rng, region)
    employer = None if corporate else rng.choice(
        ref.EMPLOYERS_CN if region.country == "CN" else ref.EMPLOYERS_US)
    return Customer(
        customer_id=f"C-{number:06d}", kind=kind, region=region, industry_code=industry,
        name=identity.company_name(rng, region) if corporate else identity.person_name(rng, region),
        id_number=identity.id_number(rng, region, corporate),
        phone=identity.phone(rng, region), address=identity.address(rng, region),
        employer=employer, monthly_income=income, segment=pick_segment(rng))


def _monthly_income(rng: random.Random, region: ref.Region) -> Decimal:
    base = rng.randint(6, 60) * 1000 if region.country == "CN" else rng.randint(3, 15) * 1000
    return cents(Decimal(base + rng.randrange(0, 1000, 50)))


def new_loan(rng: random.Random, number: int, customer: Customer, disbursed: date) -> Loan:
    product = _product_for(rng, customer)
    terms = _TERMS[product](rng)
    scale = 1 if customer.region.currency == "CNY" else 7  # USD amounts at roughly CNY/7
    principal = cents(Decimal(terms["principal"] // scale // 100 * 100))
    rate = Decimal(terms["rate_bp"]) / 10000
    loan_id = f"L-{number:06d}"
    schedule = annuity_schedule(principal, rate, terms["months"], disbursed)
    collateral = _collateral(rng, loan_id, product, principal, disbursed)
    return Loan(loan_id=loan_id, customer=customer, product=product, principal=principal,
                annual_rate=rate, disbursed=disbursed, payment_mode=terms["mode"],
                purpose=terms["purpose"], schedule=schedule, collateral=collateral)


def _product_for(rng: random.Random, customer: Customer) -> str:
    if customer.kind == "corporate":
        return "small_business"
    return rng.choices(list(INDIVIDUAL_PRODUCTS), weights=list(INDIVIDUAL_PRODUCTS.values()))[0]


def _consumer(rng: random.Random) -> dict:
    return {"principal": rng.randint(50, 2000) * 100, "rate_bp": rng.randint(600, 1800),
            "months": rng.choice((3, 6, 12, 12, 24, 36)),
            "purpose": rng.choice(ref.CONSUMER_PURPOSES),
            # Entrusted: the bank pays the merchant; self: the borrower receives the funds.
            "mode": "entrusted" if rng.random() < 0.6 else "self"}


def _mortgage(rng: random.Random) -> dict:
    return {"principal": rng.randint(300, 3000) * 1000, "rate_bp": rng.randint(320, 490),
            "months": rng.choice((120, 180, 240, 300, 360)), "purpose": "home purchase",
            "mode": "entrusted"}


def _small_business(rng: random.Random) -> dict:
    return {"principal": rng.randint(200, 5000) * 1000, "rate_bp": rng.randint(400, 900),
            "months": rng.choice((12, 24, 36)), "purpose": rng.choice(ref.BUSINESS_PURPOSES),
            "mode": "self" if rng.random() < 0.6 else "entrusted"}


_TERMS = {"consumer_installment": _consumer, "mortgage": _mortgage,
          "small_business": _small_business}


def _collateral(rng: random.Random, loan_id: str, product: str, principal: Decimal,
                disbursed: date) -> list[Collateral]:
    if product == "mortgage":
        kind = "real_estate"
    elif product == "small_business" and rng.random() < 0.5:
        kind = rng.choice(ref.BUSINESS_COLLATERAL)
    else:
        return []
    loan_to_value = Decimal(rng.randint(50, 80)) / 100
    value = cents(principal / loan_to_value)
    valued = disbursed - timedelta(days=rng.randint(3, 20))
    return [Collateral(f"COL-{loan_id[2:]}-1", kind, value, valued)]


def build_book(rng: random.Random, *, loans: int, start: date, days: int,
               backbook_share: float, max_seasoning_months: int) -> list[Loan]:
    """`loans` loans ordered by disbursement date; a few customers borrow twice."""
    book: list[Loan] = []
    customers: list[Customer] = []
    for number in range(1, loans + 1):
        disbursed = disbursement_date(rng, start, days, backbook_share, max_seasoning_months)
        if customers and rng.random() < REPEAT_BORROWER_SHARE:
            customer = rng.choice(customers)
        else:
            kind = "corporate" if rng.random() < CORPORATE_SHARE else "individual"
            customer = new_customer(rng, len(customers) + 1, kind)
            customers.append(customer)
        loan = new_loan(rng, number, customer, disbursed)
        customer.loans.append(loan)
        book.append(loan)
    book.sort(key=lambda loan: (loan.disbursed, loan.loan_id))
    return book
