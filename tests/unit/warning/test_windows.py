"""The windowed rules: contact changes within 30 days and consecutive missed installments,
including expiry, reset on cure, and redelivery that must not double-count."""
from __future__ import annotations

from datetime import date, timedelta

from services.warning.domain.windows import add_dated, count_within, longest_run
from tests.support import warning as ev
from tests.support.warning import WarningHarness

D0 = date(2026, 5, 1)


def test_contact_window_prunes_entries_older_than_retention() -> None:
    window = add_dated({}, event_id="a", when=D0, as_of=D0, retention_days=30)
    window = add_dated(window, event_id="b", when=D0 + timedelta(31), as_of=D0 + timedelta(31),
                       retention_days=30)
    assert window == {"b": (D0 + timedelta(31)).isoformat()}


def test_window_counts_both_ends_inclusive_and_ignores_future_dates() -> None:
    dates = [D0, D0 + timedelta(30), D0 + timedelta(40)]
    assert count_within(dates, as_of=D0 + timedelta(30), window_days=30) == 2


def test_longest_run_of_installment_numbers() -> None:
    assert longest_run([]) == 0 and longest_run([4]) == 1
    assert longest_run([1, 3, 4, 5, 9]) == 3


async def test_two_contact_changes_within_30_days_fire(harness: WarningHarness) -> None:
    await harness.feed(ev.registered(), ev.contact_changed(D0))
    assert await harness.rules_fired() == {}
    await harness.feed(ev.contact_changed(D0 + timedelta(30)))
    assert await harness.rules_fired() == {"BEH_CONTACT_CHANGES": "yellow"}
    evidence = (await harness.warnings(rule_id="BEH_CONTACT_CHANGES"))[0].evidence
    assert evidence["changes"] == 2 and evidence["window_days"] == 30


async def test_contact_changes_window_expires_after_30_days(harness: WarningHarness) -> None:
    await harness.feed(ev.registered(), ev.contact_changed(D0), ev.contact_changed(D0 + timedelta(31)))
    assert await harness.rules_fired() == {}
    await harness.feed(ev.contact_changed(D0 + timedelta(45)))
    assert await harness.rules_fired() == {"BEH_CONTACT_CHANGES": "yellow"}


async def test_a_redelivered_contact_change_is_not_counted_twice(harness: WarningHarness) -> None:
    change = ev.contact_changed(D0)
    await harness.feed(ev.registered(), change, change)
    assert await harness.rules_fired() == {}
    assert len(harness.contacts_table["C-1"]) == 1


async def test_two_consecutive_missed_installments_fire(harness: WarningHarness) -> None:
    await harness.feed(ev.registered(), ev.missed(3, D0))
    assert "BEH_CONSECUTIVE_MISSED" not in await harness.rules_fired()
    await harness.feed(ev.missed(4, D0 + timedelta(30)))
    assert (await harness.rules_fired())["BEH_CONSECUTIVE_MISSED"] == "orange"


async def test_a_cure_between_missed_installments_restarts_the_run(harness: WarningHarness) -> None:
    await harness.feed(ev.registered(), ev.missed(3, D0), ev.cured(D0 + timedelta(10)),
                       ev.missed(4, D0 + timedelta(30)))
    assert "BEH_CONSECUTIVE_MISSED" not in await harness.rules_fired()
    assert harness.missed_table["L-1"] == {"4": (D0 + timedelta(30)).isoformat()}


async def test_a_full_repayment_restarts_the_run_but_a_partial_one_does_not(
        harness: WarningHarness) -> None:
    await harness.feed(ev.registered(), ev.missed(3, D0), ev.repayment(D0 + timedelta(5), "100.00"),
                       ev.missed(4, D0 + timedelta(30)))
    assert "BEH_CONSECUTIVE_MISSED" in await harness.rules_fired()
    await harness.feed(ev.repayment(D0 + timedelta(40), "0"), ev.missed(5, D0 + timedelta(60)))
    assert harness.missed_table["L-1"] == {"5": (D0 + timedelta(60)).isoformat()}
