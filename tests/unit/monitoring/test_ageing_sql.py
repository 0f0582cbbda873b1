"""The set-based ageing run against real databases (SQLite file and PostgreSQL): its
results equal the pure rules, and it reports changes, cures and misses exactly once."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, AsyncIterator

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db.engine import create_engine, session_factory
from services.monitoring.ageing import AgeingOutcome, age_loans
from services.monitoring.domain.classification import AgeingPolicy, LoanFacts, classify
from services.monitoring.models import (
    AgeingResult, Base, ClassificationChange, Customer, Installment, Loan,
)

AS_OF = date(2025, 6, 30)
NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)
POLICY = AgeingPolicy()
PERIOD = timedelta(days=30)
DUE, INTEREST = Decimal("100.00"), Decimal("5.00")


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


def customer(customer_id: str, kind: str = "individual", **flags: bool) -> Customer:
    return Customer(customer_id=customer_id, kind=kind, name=customer_id, id_number="x",
                    phone="x", address="x", timezone="Asia/Shanghai", region_code="R1",
                    industry_code="I1", registered_at=NOW, updated_at=NOW, **flags)


def loan(loan_id: str, customer_id: str = "C-1", product: str = "consumer",
         **fields: Any) -> Loan:
    return Loan(loan_id=loan_id, customer_id=customer_id, product=product, currency="CNY",
                principal=Decimal("600.00"), annual_rate=Decimal("0.05"),
                disbursed_date=date(2024, 1, 1), maturity_date=date(2026, 12, 31),
                payment_mode="annuity", updated_at=NOW, **fields)


def schedule(loan_id: str, dpd: int, paid: int = 1, count: int = 6, version: int = 1,
             superseded: bool = False) -> list[Installment]:
    """`paid` settled installments 30 days apart, then the first unpaid one due `dpd` days
    before AS_OF (on AS_OF itself when dpd is 0), then the rest, 30 days apart."""
    first_unpaid = AS_OF - timedelta(days=dpd)
    return [Installment(
        loan_id=loan_id, schedule_version=version, installment_no=k + 1,
        due_date=first_unpaid + PERIOD * (k - paid), principal_due=DUE, interest_due=INTEREST,
        principal_paid=DUE if k < paid else Decimal(0),
        interest_paid=INTEREST if k < paid else Decimal(0), superseded=superseded,
        missed_reported=superseded) for k in range(count)]


async def add(sessions: async_sessionmaker[AsyncSession], *rows: Any) -> None:
    async with sessions() as session, session.begin():
        for row in rows:
            session.add_all(row if isinstance(row, list) else [row])
            await session.flush()


async def age(sessions: async_sessionmaker[AsyncSession], as_of: date = AS_OF,
              loan_ids: list[str] | None = None) -> AgeingOutcome:
    async with sessions() as session, session.begin():
        return await age_loans(session, as_of=as_of, policy=POLICY, loan_ids=loan_ids)


async def stored(sessions: async_sessionmaker[AsyncSession], loan_id: str) -> Loan:
    async with sessions() as session:
        found = await session.get(Loan, loan_id)
        assert found is not None
        return found


async def test_dpd_is_zero_on_the_due_date_and_one_the_day_after(sessions) -> None:
    await add(sessions, customer("C-1"), loan("L-1"), schedule("L-1", dpd=0))
    assert (await age(sessions)).loans_aged == 1
    assert (await stored(sessions, "L-1")).dpd == 0
    await age(sessions, AS_OF + timedelta(days=1))
    aged = await stored(sessions, "L-1")
    assert (aged.dpd, aged.bucket, aged.as_of_date) == (1, "M1", AS_OF + timedelta(days=1))


@pytest.mark.parametrize("left_unpaid, dpd", [("1.00", 0), ("1.01", 40)])
async def test_partial_payment_counts_only_above_the_materiality_threshold(
        sessions, left_unpaid: str, dpd: int) -> None:
    rows = schedule("L-1", dpd=40, count=2)
    rows[1].interest_paid, rows[1].principal_paid = INTEREST, DUE - Decimal(left_unpaid)
    await add(sessions, customer("C-1"), loan("L-1"), rows)
    await age(sessions)
    aged = await stored(sessions, "L-1")
    assert aged.dpd == dpd
    # Overdue amounts count every unpaid cent, material or not.
    assert (aged.overdue_principal, aged.overdue_interest) == (Decimal(left_unpaid), Decimal(0))
    assert aged.outstanding_principal == Decimal(left_unpaid)


async def test_reversed_payment_makes_the_installment_missed_again(sessions) -> None:
    await add(sessions, customer("C-1"), loan("L-1"), schedule("L-1", dpd=0, paid=2))
    assert (await age(sessions)).missed_installments == []
    async with sessions() as session, session.begin():  # the reversal undoes installment 2
        await session.execute(update(Installment).where(Installment.installment_no == 2)
                              .values(principal_paid=Decimal("40.00"), interest_paid=0))
    outcome = await age(sessions)
    assert [(m.installment_no, m.unpaid_amount) for m in outcome.missed_installments] == \
        [(2, Decimal("65.00"))]
    assert (await stored(sessions, "L-1")).dpd == 30


@pytest.mark.parametrize("dpd, classification, stage, bucket", [
    (7, "normal", 1, "M1"), (8, "special_mention", 2, "M1"),
    (90, "special_mention", 2, "M3"), (91, "substandard", 3, "M4"),
    (270, "substandard", 3, "M5+"), (271, "doubtful", 3, "M5+"),
    (360, "doubtful", 3, "M5+"), (361, "loss", 3, "M5+"),
])
async def test_grace_90_270_360_boundaries_in_sql(sessions, dpd: int, classification: str,
                                                  stage: int, bucket: str) -> None:
    await add(sessions, customer("C-1"), loan("L-1"), schedule("L-1", dpd=dpd, count=15))
    await age(sessions)
    aged = await stored(sessions, "L-1")
    assert (aged.dpd, aged.classification, aged.ifrs9_stage, aged.bucket) == \
        (dpd, classification, stage, bucket)
    assert aged.classification_rule_version == "cn-2023-07-v1"


def restructured(loan_id: str, dpd: int) -> list[Any]:
    return [loan(loan_id, restructure_count=1, schedule_version=2,
                 restructured_date=AS_OF - timedelta(days=60),
                 observation_start_date=AS_OF - timedelta(days=45),
                 observation_end_date=AS_OF + timedelta(days=320)),
            schedule(loan_id, dpd=200, paid=0, superseded=True),
            schedule(loan_id, dpd=dpd, version=2)]


async def test_restructured_loan_ignores_superseded_installments_and_is_special_mention(
        sessions) -> None:
    await add(sessions, customer("C-1"), *restructured("L-1", dpd=0))
    outcome = await age(sessions)
    aged = await stored(sessions, "L-1")
    assert (aged.dpd, aged.classification, aged.ifrs9_stage) == (0, "special_mention", 2)
    assert aged.classification_reason.startswith("restructured_in_observation: ")
    assert outcome.missed_installments == [] and not aged.observation_breached


async def test_missed_payment_in_observation_breaches_it_for_good(sessions) -> None:
    await add(sessions, customer("C-1"), *restructured("L-1", dpd=3))
    await age(sessions)
    aged = await stored(sessions, "L-1")
    assert (aged.classification, aged.observation_breached) == ("substandard", True)
    async with sessions() as session, session.begin():  # the borrower catches up
        await session.execute(update(Installment).where(Installment.superseded.is_(False))
                              .values(principal_paid=DUE, interest_paid=INTEREST))
    await age(sessions)
    cured = await stored(sessions, "L-1")
    assert (cured.dpd, cured.classification) == (0, "substandard")
    assert cured.classification_reason.startswith("observation_breached: ")


def corporate_book(npl_principal_share: str) -> list[Any]:
    """Debtor K-1: loan K-BAD 100 DPD with the given outstanding principal, K-GOOD current
    with the rest of 1000.00."""
    bad_outstanding = Decimal(npl_principal_share)
    bad = schedule("K-BAD", dpd=100, paid=0, count=1)
    bad[0].principal_due = bad_outstanding
    good = schedule("K-GOOD", dpd=0, paid=0, count=1)
    good[0].principal_due = Decimal("1000.00") - bad_outstanding
    return [customer("K-1", kind="corporate"), loan("K-BAD", "K-1"), loan("K-GOOD", "K-1"),
            bad, good]


@pytest.mark.parametrize("bad_share, contagion", [("100.00", False), ("100.01", True)])
async def test_corporate_contagion_above_ten_percent_floors_all_loans(
        sessions, bad_share: str, contagion: bool) -> None:
    await add(sessions, *corporate_book(bad_share))
    outcome = await age(sessions)
    good = await stored(sessions, "K-GOOD")
    assert (good.classification == "substandard") is contagion
    assert good.classification_reason.startswith("corporate_npl_contagion: ") is contagion
    assert any(c.loan_id == "K-GOOD" for c in outcome.changes) is contagion


async def test_individual_debtor_is_never_contagious(sessions) -> None:
    book = corporate_book("900.00")
    book[0] = customer("K-1", kind="individual")
    await add(sessions, *book)
    await age(sessions)
    assert (await stored(sessions, "K-GOOD")).classification == "normal"


async def test_re_ageing_one_loan_weighs_the_debtors_other_loans(sessions) -> None:
    await add(sessions, *corporate_book("500.00"))
    await age(sessions)
    await age(sessions, loan_ids=["K-GOOD"])
    assert (await stored(sessions, "K-GOOD")).classification == "substandard"
    async with sessions() as session, session.begin():  # K-BAD repaid in full
        await session.execute(update(Installment).where(Installment.loan_id == "K-BAD")
                              .values(principal_paid=Installment.principal_due,
                                      interest_paid=INTEREST))
    await age(sessions, loan_ids=["K-BAD"])
    # K-GOOD's stored substandard came from contagion itself, so it does not re-infect.
    assert (await stored(sessions, "K-BAD")).classification == "normal"


async def test_milestones_buckets_and_classification_changes_are_reported(sessions) -> None:
    await add(sessions, customer("C-1"), loan("L-1"), schedule("L-1", dpd=0, count=12))
    reported = {}
    for days in (0, 1, 5, 8, 31, 35):
        outcome = await age(sessions, AS_OF + timedelta(days=days))
        reported[days] = [(c.old_dpd, c.new_dpd, c.new_bucket, c.classification_changed,
                           c.delinquency_changed) for c in outcome.changes]
    assert reported == {
        0: [], 1: [(0, 1, "M1", False, True)], 5: [], 8: [(5, 8, "M1", True, True)],
        31: [(8, 31, "M2", False, True)], 35: [],
    }
    async with sessions() as session:
        history = (await session.scalars(select(ClassificationChange))).all()
    assert [(h.old_classification, h.new_classification, h.old_stage, h.new_stage)
            for h in history] == [("normal", "special_mention", 1, 2)]
    assert history[0].reason == "overdue_beyond_7_days: 8 days past due (rule cn-2023-07-v1)"


async def test_cure_is_reported_when_the_arrears_are_cleared(sessions) -> None:
    await add(sessions, customer("C-1"), loan("L-1"), schedule("L-1", dpd=20))
    await age(sessions)
    async with sessions() as session, session.begin():
        await session.execute(update(Installment).where(Installment.installment_no == 2)
                              .values(principal_paid=DUE, interest_paid=INTEREST))
    outcome = await age(sessions)
    [change] = outcome.changes
    assert (change.cured, change.old_dpd, change.new_dpd, change.new_classification,
            change.old_classification) == (True, 20, 0, "normal", "special_mention")
    assert change.overdue_principal == Decimal("0.00")


async def test_missed_installments_are_reported_once_only(sessions) -> None:
    await add(sessions, customer("C-1"), loan("L-1"), schedule("L-1", dpd=65))
    first = await age(sessions)
    assert [(m.loan_id, m.customer_id, m.installment_no, m.unpaid_amount)
            for m in first.missed_installments] == [
        ("L-1", "C-1", 2, Decimal("105.00")), ("L-1", "C-1", 3, Decimal("105.00")),
        ("L-1", "C-1", 4, Decimal("105.00"))]
    assert (await age(sessions)).missed_installments == []
    later = await age(sessions, AS_OF + timedelta(days=30))
    assert [m.installment_no for m in later.missed_installments] == [5]


async def test_each_missed_installment_names_its_own_loans_debtor(sessions) -> None:
    # Several debtors, and the first loan row is not the first debtor's: a debtor lookup
    # that lost its correlation to the loan would name one debtor for every miss.
    book = {"L-1": "C-2", "L-2": "C-1", "L-3": "C-3", "L-4": "C-1"}
    await add(sessions, *[customer(c) for c in sorted(set(book.values()))],
              *[loan(loan_id, owner) for loan_id, owner in book.items()],
              *[schedule(loan_id, dpd=40) for loan_id in book])
    restricted = await age(sessions, loan_ids=["L-3", "L-4"])
    full = await age(sessions)
    for outcome, loans in ((restricted, {"L-3", "L-4"}), (full, {"L-1", "L-2"})):
        named = {(m.loan_id, m.customer_id) for m in outcome.missed_installments}
        assert named == {(loan_id, book[loan_id]) for loan_id in loans}


CASES: list[tuple[str, int, str, str | None, dict[str, bool], dict[str, bool]]] = [
    # loan id, dpd, product, customer kind, customer flags, loan flags
    ("T-01", 0, "consumer", "individual", {}, {}),
    ("T-02", 8, "consumer", "individual", {}, {}),
    ("T-03", 95, "mortgage", None, {}, {}),
    ("T-04", 45, "credit_card", "individual", {}, {}),
    ("T-05", 150, "credit_card", "individual", {}, {}),
    ("T-06", 200, "credit_card", "individual", {}, {}),
    ("T-07", 0, "consumer", "individual", {"bankrupt": True}, {}),
    ("T-08", 10, "consumer", "individual", {"evading_debts": True}, {}),
    ("T-09", 400, "consumer", "individual", {"evading_debts": True}, {}),
    ("T-10", 0, "consumer", "individual", {}, {"fund_misuse": True}),
    ("T-11", 0, "sme", "corporate", {}, {"observation": True}),
    ("T-12", 2, "sme", "corporate", {}, {"observation": True}),
    ("T-13", 0, "sme", "corporate", {}, {"observation_breached": True}),
    ("T-14", 3, "consumer", None, {}, {}),
]


async def test_sql_results_equal_the_pure_classify_for_a_table_of_cases(sessions) -> None:
    for loan_id, dpd, product, kind, flags, loan_flags in CASES:
        owner = f"C-{loan_id}"
        observation = {"restructured_date": AS_OF - PERIOD, "observation_start_date": AS_OF,
                       "observation_end_date": AS_OF + PERIOD * 12} \
            if loan_flags.get("observation") else {}
        rows: list[Any] = [loan(loan_id, owner, product, **observation,
                                fund_misuse=loan_flags.get("fund_misuse", False),
                                observation_breached=loan_flags.get("observation_breached",
                                                                    False)),
                           schedule(loan_id, dpd=dpd, count=16)]
        await add(sessions, *([customer(owner, kind, **flags)] if kind else []), *rows)
    await age(sessions)
    for loan_id, dpd, product, kind, flags, loan_flags in CASES:
        expected = classify(LoanFacts(
            dpd=dpd, product=product, customer_kind=kind, **flags,
            fund_misuse=loan_flags.get("fund_misuse", False),
            in_observation=loan_flags.get("observation", False),
            observation_breached=loan_flags.get("observation_breached", False)), POLICY)
        aged = await stored(sessions, loan_id)
        assert (aged.dpd, aged.classification, aged.ifrs9_stage, aged.classification_reason) \
            == (dpd, expected.classification.value, expected.ifrs9_stage, expected.reason), loan_id


async def test_loan_ids_restrict_the_run_to_those_loans(sessions) -> None:
    await add(sessions, customer("C-1"), loan("L-1"), loan("L-2"), loan("L-3", status="closed"),
              schedule("L-1", dpd=40), schedule("L-2", dpd=40), schedule("L-3", dpd=40))
    outcome = await age(sessions, loan_ids=["L-2", "L-3"])
    assert outcome.loans_aged == 1 and [c.loan_id for c in outcome.changes] == ["L-2"]
    assert {m.loan_id for m in outcome.missed_installments} == {"L-2"}
    assert [(await stored(sessions, i)).dpd for i in ("L-1", "L-2", "L-3")] == [0, 40, 0]
    assert (await age(sessions, loan_ids=[])).loans_aged == 0
    assert (await age(sessions)).loans_aged == 2, "closed loans are never aged"
    async with sessions() as session:
        assert (await session.scalars(select(AgeingResult))).all() == [], "work table emptied"
