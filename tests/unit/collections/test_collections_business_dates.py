"""Collections decides by the latest business day monitoring aged, never by the wall clock:
which promise is due today on the worklist, the date a promise is taken on, and the date a
settlement closes the case. Each scenario runs under two wall-clock days years apart and
must answer the same, on SQLite and PostgreSQL."""
from __future__ import annotations

from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import date, timedelta
from itertools import count
from typing import Any, AsyncIterator, Callable

import httpx
import pytest

from shared.auth import mint_local_token
from services.collections.app import create_app
from services.collections.config import Settings
from tests.support import collections as ev
from tests.support.collections import CollectionsHarness
from tests.support.wall_clock import WallClock, same_answer_on_two_days

D = date(2026, 12, 1)
CLOSE = D + timedelta(days=2)
COLLECTOR, MANAGER = ("col-1", "collector", "east"), ("mgr-1", "collection_manager")


class Api:
    def __init__(self, client: httpx.AsyncClient, harness: CollectionsHarness,
                 settings: Settings) -> None:
        self.client, self.harness, self.settings = client, harness, settings

    async def call(self, method: str, path: str, who: tuple[str, ...],
                   body: dict | None = None) -> httpx.Response:
        subject, role, *team = who
        token = mint_local_token(self.settings, roles=[role], subject=subject,
                                 team=team[0] if team else None)
        return await self.client.request(method, f"/v1{path}", json=body,
                                         headers={"Authorization": f"Bearer {token}"})

    async def case_of(self, customer_id: str) -> str:
        body = (await self.client.get(
            "/v1/cases", params={"customer_id": customer_id},
            headers={"Authorization": "Bearer " + mint_local_token(
                self.settings, roles=["collection_manager"])})).json()
        return str(body["items"][0]["case_id"])


Fresh = Callable[[], AbstractAsyncContextManager[Api]]


@pytest.fixture
def fresh(service_databases: Callable[[str], str]) -> Fresh:
    """Collections (handlers and API) on a new, empty database each call."""
    numbers = count()

    @asynccontextmanager
    async def start() -> AsyncIterator[Api]:
        url = service_databases(f"collections{next(numbers)}")
        async with CollectionsHarness(url, challenger_share="0") as harness:
            settings = Settings(database_url=url, challenger_share="0")
            app = create_app(settings)
            async with app.router.lifespan_context(app), httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
                api = Api(client, harness, settings)
                assert (await api.call("PUT", "/collectors/col-1", MANAGER, {
                    "team": "east", "max_open_cases": 5, "regions": ["31"]})).status_code == 200
                yield api
    return start


def _delinquent(customer_id: str, loan_id: str) -> list:
    return [ev.customer_registered(customer_id),
            ev.ageing(loan_id, customer_id, on=D, dpd=5, bucket="M1", overdue="3000.00")]


async def _promise_and_worklist(api: Api, due: date) -> tuple[Any, ...]:
    promise = await api.call("POST", f"/cases/{await api.case_of('C-2')}/promises", COLLECTOR,
                             {"loan_id": "L-2", "amount": "1000.00", "due_date": due.isoformat()})
    worklist = (await api.call("GET", "/worklist", COLLECTOR)).json()
    return (promise.status_code, promise.json().get("recorded_date"),
            [(item["customer_id"], item["promise_due_today"]) for item in worklist])


async def test_promises_and_the_worklist_follow_the_latest_business_day(
        fresh: Fresh, wall_clock: WallClock) -> None:
    """A promise due on the business date may be taken and puts its case first among
    equals; the wall clock's date would call it a promise in the past."""
    async def scenario() -> tuple[Any, ...]:
        async with fresh() as api:
            await api.harness.feed(*_delinquent("C-1", "L-1"), *_delinquent("C-2", "L-2"),
                                   ev.business_day(CLOSE))
            return await _promise_and_worklist(api, CLOSE)

    assert await same_answer_on_two_days(wall_clock, scenario) == (
        201, CLOSE.isoformat(), [("C-2", True), ("C-1", False)])


async def test_before_the_first_close_the_newest_ageing_date_stands_in(
        fresh: Fresh, wall_clock: WallClock) -> None:
    async def scenario() -> tuple[Any, ...]:
        async with fresh() as api:
            await api.harness.feed(*_delinquent("C-1", "L-1"), *_delinquent("C-2", "L-2"))
            return await _promise_and_worklist(api, D)

    assert await same_answer_on_two_days(wall_clock, scenario) == (
        201, D.isoformat(), [("C-2", True), ("C-1", False)])


async def test_a_worklist_with_no_date_known_at_all_is_refused(fresh: Fresh) -> None:
    async with fresh() as api:
        response = await api.call("GET", "/worklist", COLLECTOR)
    assert (response.status_code, response.json()["code"]) == (409, "no_business_date")


async def test_an_approved_settlement_closes_the_case_on_the_business_date(
        fresh: Fresh, wall_clock: WallClock) -> None:
    async def scenario() -> tuple[Any, ...]:
        async with fresh() as api:
            await api.harness.feed(*_delinquent("C-1", "L-1"), ev.business_day(CLOSE))
            case_id = await api.case_of("C-1")
            offer = (await api.call("POST", f"/cases/{case_id}/settlements", COLLECTOR, {
                "loan_id": "L-1", "kind": "settlement", "settlement_amount": "2500.00",
                "waived_amount": "500.00"})).json()
            approved = await api.call("POST", f"/settlements/{offer['offer_id']}/approvals",
                                      MANAGER)
            case = (await api.call("GET", f"/cases/{case_id}", MANAGER)).json()
            [closed] = await api.harness.published("collections.case.closed")
            return (approved.json()["status"], case["status"], case["outcome"],
                    case["closed_date"], closed["data"]["closed_date"])

    day = CLOSE.isoformat()
    assert await same_answer_on_two_days(wall_clock, scenario) == (
        "approved", "closed", "settled", day, day)
