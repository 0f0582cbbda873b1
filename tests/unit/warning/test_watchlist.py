"""Watch list (关注名单): entry with an open orange or red warning; exit only when no such
warning is open and the quiet period has passed, or by a risk officer with a reason."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from shared.api.errors import NotFound, Unprocessable
from shared.auth import Principal, Role
from services.warning import repository as repo
from services.warning.service import watchlist
from services.warning.domain.watchlist import may_exit
from tests.support import warning as ev
from tests.support.warning import WarningHarness

D0 = date(2026, 5, 1)
OFFICER = Principal("carol", frozenset({Role.risk_officer}))


async def _on_list(harness: WarningHarness) -> list[str]:
    async with harness.sessions() as session:
        rows, _ = await repo.watchlist(session, limit=100, offset=0)
        return [r.customer_id for r in rows]


def test_exit_needs_no_open_watch_warning_and_the_quiet_period() -> None:
    assert not may_exit(active_watch_warnings=1, last_closed=None, today=D0, quiet_days=0)
    assert not may_exit(active_watch_warnings=0, last_closed=D0, today=D0 + timedelta(89),
                        quiet_days=90)
    assert may_exit(active_watch_warnings=0, last_closed=D0, today=D0 + timedelta(90),
                    quiet_days=90)


async def test_yellow_warning_does_not_put_the_customer_on_the_watch_list(
        harness: WarningHarness) -> None:
    await harness.feed(ev.registered(), ev.delinquency(30, D0))
    assert await _on_list(harness) == []


async def test_orange_escalation_puts_the_customer_on_the_watch_list_once(
        harness: WarningHarness) -> None:
    await harness.feed(ev.registered(), ev.registered("L-2"), ev.delinquency(30, D0),
                       ev.delinquency(60, D0 + timedelta(30)), ev.legal("bankruptcy", D0))
    assert await _on_list(harness) == ["C-1"]


async def test_customer_leaves_after_the_quiet_period_without_an_open_orange_warning(
        harness: WarningHarness) -> None:
    await harness.feed(ev.registered(), ev.delinquency(60, D0), ev.cured(D0 + timedelta(10)),
                       ev.business_day(D0 + timedelta(99)))
    assert await _on_list(harness) == ["C-1"]
    await harness.feed(ev.business_day(D0 + timedelta(100)))
    assert await _on_list(harness) == []


async def test_customer_stays_while_an_orange_warning_is_open(harness: WarningHarness) -> None:
    await harness.feed(ev.registered(), ev.revalued("0.95", D0), ev.business_day(D0 + timedelta(365)))
    assert await _on_list(harness) == ["C-1"]


async def test_risk_officer_removes_a_customer_with_a_reason(harness: WarningHarness) -> None:
    await harness.feed(ev.registered(), ev.revalued("0.95", D0))
    async with harness.sessions() as session, session.begin():
        with pytest.raises(Unprocessable):
            await watchlist.remove(session, customer_id="C-1", comment=" ", principal=OFFICER)
    async with harness.sessions() as session, session.begin():
        entry = await watchlist.remove(session, customer_id="C-1", comment="collateral topped up",
                                       principal=OFFICER)
    assert (entry.exit_reason, entry.removed_by) == ("removed_by_officer", "carol")
    assert await _on_list(harness) == []
    async with harness.sessions() as session, session.begin():
        with pytest.raises(NotFound):
            await watchlist.remove(session, customer_id="C-1", comment="again", principal=OFFICER)
