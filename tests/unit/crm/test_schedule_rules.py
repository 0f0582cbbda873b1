"""Re-amortisation: the new schedule always repays exactly the remaining principal."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from services.crm.domain import schedule as s
from services.crm.domain.schedule import ScheduleError, Terms

TERMS = Terms(remaining_principal=D("100000.00"), annual_rate=D("0.06"),
              remaining_installments=12, next_due_date=date(2026, 4, 15))


def test_annuity_payment_matches_the_textbook_figure() -> None:
    # 100 000 at 6 % a year over 12 months: 8 606.64 a month.
    assert s.annuity_payment(D("100000"), D("0.005"), 12) == D("8606.64")


def test_re_amortised_principal_sums_to_the_remaining_principal() -> None:
    items = s.re_amortise(TERMS)
    assert s.total_principal(items) == D("100000.00")
    assert [i.installment_no for i in items] == list(range(1, 13))


def test_every_installment_but_the_last_pays_the_same_total() -> None:
    items = s.re_amortise(TERMS)
    assert {i.total for i in items[:-1]} == {D("8606.64")}
    # Rounding each month's interest leaves at most a cent per period for the last one.
    assert abs(items[-1].total - D("8606.64")) <= D("0.12")


def test_amounts_are_rounded_to_the_cent() -> None:
    for item in s.re_amortise(TERMS, extra_installments=7):
        assert item.principal_due == item.principal_due.quantize(D("0.01"))
        assert item.interest_due == item.interest_due.quantize(D("0.01"))


def test_extension_adds_installments_and_lowers_the_payment() -> None:
    items = s.re_amortise(TERMS, extra_installments=12)
    assert len(items) == 24 and items[-1].due_date == date(2028, 3, 15)
    assert items[0].total < D("8606.64")
    assert s.total_principal(items) == D("100000.00")


def test_zero_rate_spreads_principal_evenly_and_the_last_takes_the_remainder() -> None:
    items = s.re_amortise(Terms(D("100.00"), D("0"), 3, date(2026, 4, 1)))
    assert [i.principal_due for i in items] == [D("33.33"), D("33.33"), D("33.34")]
    assert s.total_interest(items) == D("0")


def test_due_dates_are_monthly_and_clamped_to_month_end() -> None:
    items = s.re_amortise(Terms(D("900"), D("0.05"), 3, date(2026, 1, 31)))
    assert [i.due_date for i in items] == [date(2026, 1, 31), date(2026, 2, 28),
                                          date(2026, 3, 31)]


def test_payment_holiday_defers_due_dates_and_charges_the_holiday_interest_once() -> None:
    items = s.payment_holiday(TERMS, holiday_months=3)
    assert items[0].due_date == date(2026, 7, 15) and len(items) == 12
    assert s.total_principal(items) == D("100000.00")
    plain = s.amortise(D("100000.00"), D("0.005"), 12, date(2026, 7, 15))
    # Three months of 500.00 interest, simple and never capitalised.
    assert items[0].interest_due - plain[0].interest_due == D("1500.00")


def test_reduced_installment_keeps_the_final_due_date_and_repays_everything() -> None:
    items = s.reduced_installment(TERMS, reduced_months=3, reduced_amount=D("2000.00"))
    assert len(items) == 12 and items[-1].due_date == s.re_amortise(TERMS)[-1].due_date
    assert [i.total for i in items[:3]] == [D("2000.00")] * 3
    assert s.total_principal(items) == D("100000.00")


def test_reduced_amount_below_the_interest_is_refused() -> None:
    with pytest.raises(ScheduleError):
        s.reduced_installment(TERMS, reduced_months=2, reduced_amount=D("400.00"))


def test_reduced_period_must_leave_a_full_installment() -> None:
    with pytest.raises(ScheduleError):
        s.reduced_installment(TERMS, reduced_months=12, reduced_amount=D("2000"))


def test_interest_waiver_cuts_earliest_interest_first_and_keeps_principal() -> None:
    base = s.re_amortise(TERMS)
    items = s.waive_interest(base, D("700.00"))
    assert items[0].interest_due == D("0.00")
    assert items[1].interest_due == base[1].interest_due - (D("700.00") - base[0].interest_due)
    assert s.total_interest(base) - s.total_interest(items) == D("700.00")
    assert s.total_principal(items) == D("100000.00")


def test_interest_waiver_above_the_total_interest_is_refused() -> None:
    with pytest.raises(ScheduleError):
        s.waive_interest(s.re_amortise(TERMS), D("100000"))


def test_arrears_interest_is_carried_into_the_first_new_installment() -> None:
    terms = Terms(D("100000.00"), D("0.06"), 12, date(2026, 4, 15), arrears_interest=D("321.50"))
    items = s.re_amortise(terms)
    assert items[0].interest_due == s.re_amortise(TERMS)[0].interest_due + D("321.50")


@pytest.mark.parametrize("principal,rate,count", [
    ("12345.67", "0.0435", 7), ("0.05", "0.12", 5), ("999999.99", "0.2", 360),
])
def test_re_amortisation_sums_exactly_for_awkward_amounts(principal: str, rate: str,
                                                         count: int) -> None:
    items = s.re_amortise(Terms(D(principal), D(rate), count, date(2026, 1, 1)))
    assert s.total_principal(items) == D(principal)
    assert all(i.principal_due >= 0 for i in items)


def test_terms_refuse_a_percentage_given_as_a_whole_number() -> None:
    with pytest.raises(ScheduleError):
        Terms(D("1000"), D("6"), 12, date(2026, 1, 1))
