"""A synthetic, deterministic loan book for the ageing benchmark.

The mix: ~85% of loans current (everything due is paid, some with sub-threshold dust),
the rest 1-400 DPD; ~10% of loans belong to corporate debtors holding 2-5 loans each;
~2% restructured (3 superseded installments plus a live schedule, some in observation);
~5% credit cards; a few bankrupt, evading or fund-misuse cases. 12 live installments each.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Iterator

CENT = Decimal("0.01")
NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)
PERIOD = timedelta(days=30)

LOAN_COLUMNS = (
    "loan_id", "customer_id", "product", "currency", "principal", "annual_rate",
    "disbursed_date", "maturity_date", "payment_mode", "purpose", "industry_code",
    "region_code", "status", "schedule_version", "advance_balance", "restructure_count",
    "restructured_date", "observation_start_date", "observation_end_date",
    "observation_breached", "fund_misuse", "dpd", "bucket", "classification", "ifrs9_stage",
    "classification_reason", "classification_rule_version", "outstanding_principal",
    "overdue_principal", "overdue_interest", "updated_at",
)
INSTALLMENT_COLUMNS = (
    "loan_id", "schedule_version", "installment_no", "due_date", "principal_due",
    "interest_due", "principal_paid", "interest_paid", "superseded", "missed_reported",
)
CUSTOMER_COLUMNS = (
    "customer_id", "kind", "name", "id_number", "phone", "address", "timezone", "region_code",
    "industry_code", "bankrupt", "evading_debts", "deceased", "registered_at", "updated_at",
)


@dataclass
class Batch:
    customers: list[tuple[Any, ...]] = field(default_factory=list)
    loans: list[tuple[Any, ...]] = field(default_factory=list)
    installments: list[tuple[Any, ...]] = field(default_factory=list)


def batches(loans: int, as_of: date, *, size: int = 50_000, seed: int = 7) -> Iterator[Batch]:
    rng = random.Random(seed)
    batch, customer_no, left_for_customer, kind = Batch(), 0, 0, "individual"
    for n in range(loans):
        if left_for_customer == 0:
            customer_no += 1
            kind = "corporate" if rng.random() < 0.03 else "individual"
            left_for_customer = rng.randint(2, 5) if kind == "corporate" else 1
            batch.customers.append(_customer(f"C{customer_no:08d}", kind, rng))
        left_for_customer -= 1
        _add_loan(batch, f"L{n:09d}", f"C{customer_no:08d}", as_of, rng)
        if len(batch.loans) >= size:
            yield batch
            batch = Batch()
    if batch.loans:
        yield batch


def _customer(customer_id: str, kind: str, rng: random.Random) -> tuple[Any, ...]:
    flag = rng.random()
    return (customer_id, kind, f"Borrower {customer_id}", customer_id, "+86 10 0000 0000",
            "1 Bank Street", "Asia/Shanghai", f"R{rng.randint(1, 30):02d}",
            f"I{rng.randint(1, 20):02d}", flag < 0.001, 0.001 <= flag < 0.002, False, NOW, NOW)


def _add_loan(batch: Batch, loan_id: str, customer_id: str, as_of: date,
              rng: random.Random) -> None:
    delinquent = rng.random() < 0.15
    dpd = rng.randint(1, 400) if delinquent else 0
    # Index (0-based) of the oldest unpaid installment; its due date is as_of - dpd.
    oldest = rng.randint(0, 11) if delinquent else None
    first_due = (as_of - timedelta(days=dpd) - PERIOD * oldest if delinquent
                 else as_of - PERIOD * rng.randint(0, 11) + timedelta(days=rng.randint(-15, 15)))
    restructured = rng.random() < 0.02
    product = "credit_card" if rng.random() < 0.05 else rng.choice(("consumer", "mortgage", "sme"))
    principal = Decimal(rng.randint(12_000, 600_000)).quantize(CENT)
    rate = Decimal("0.0485")
    schedule = _schedule(loan_id, first_due, principal, rate, as_of, oldest, rng, version=1
                         + restructured)
    if restructured:
        schedule += _superseded(loan_id, first_due, principal, rate)
    batch.installments.extend(schedule)
    outstanding = sum((row[4] - row[6] for row in schedule if not row[8]), Decimal(0))
    batch.loans.append(_loan_row(loan_id, customer_id, product, principal, rate, first_due,
                                 restructured, outstanding, as_of, rng))


def _schedule(loan_id: str, first_due: date, principal: Decimal, rate: Decimal, as_of: date,
              oldest_unpaid: int | None, rng: random.Random, version: int) -> list[tuple[Any, ...]]:
    part = (principal / 12).quantize(CENT)
    interest = (principal * rate / 12).quantize(CENT)
    rows = []
    for k in range(12):
        due = first_due + PERIOD * k
        paid = due < as_of and (oldest_unpaid is None or k < oldest_unpaid)
        dust = Decimal("0.50") if paid and rng.random() < 0.05 else Decimal(0)
        rows.append((loan_id, version, k + 1, due, part, interest,
                     part - dust if paid else Decimal(0), interest if paid else Decimal(0),
                     False, False))
    return rows


def _superseded(loan_id: str, first_due: date, principal: Decimal,
                rate: Decimal) -> list[tuple[Any, ...]]:
    part, interest = (principal / 12).quantize(CENT), (principal * rate / 12).quantize(CENT)
    return [(loan_id, 1, k + 1, first_due - PERIOD * (3 - k), part, interest, Decimal(0),
             Decimal(0), True, True) for k in range(3)]


def _loan_row(loan_id: str, customer_id: str, product: str, principal: Decimal, rate: Decimal,
              first_due: date, restructured: bool, outstanding: Decimal, as_of: date,
              rng: random.Random) -> tuple[Any, ...]:
    observation = (first_due - PERIOD, first_due, first_due + timedelta(days=365)) \
        if restructured else (None, None, None)
    return (loan_id, customer_id, product, "CNY", principal, rate, first_due - PERIOD,
            first_due + PERIOD * 11, "annuity", "working capital", "I01", "R01",
            "active", 1 + restructured, Decimal(0), int(restructured), *observation, False,
            rng.random() < 0.002, 0, "current", "normal", 1, "new loan", "", outstanding,
            Decimal(0), Decimal(0), NOW)
