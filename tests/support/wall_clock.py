"""Setting the wall clock for a test, without a dependency: `datetime` and `date` in every
loaded `services.*` and `shared.*` module are replaced by subclasses whose `now()`,
`utcnow()` and `today()` answer a fixed moment. Their metaclass keeps `isinstance` checks
against them true for real dates and datetimes, so only the clock changes.

A decision that follows the business date answers the same whatever the wall clock says;
`same_answer_on_two_days` runs a scenario under two wall-clock days far apart and requires
identical answers."""
from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

T = TypeVar("T")
REAL_DATETIME, REAL_DATE = dt.datetime, dt.date
# Far apart and far from every business date the tests use.
WALL_DAYS = (REAL_DATE(2031, 2, 3), REAL_DATE(2044, 11, 27))


class _DatetimeMeta(type):
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, REAL_DATETIME)


class _DateMeta(type):
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, REAL_DATE)


def _frozen_classes(moment: dt.datetime) -> tuple[type, type]:
    class FrozenDatetime(REAL_DATETIME, metaclass=_DatetimeMeta):
        # Every value made through the patched name is a real datetime (drivers adapt by
        # exact type); `combine`, `fromisoformat` and the like construct through here too.
        def __new__(cls, *args: Any, **kwargs: Any) -> dt.datetime:  # type: ignore[misc]
            return REAL_DATETIME(*args, **kwargs)

        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:  # type: ignore[override]
            return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)

        @classmethod
        def utcnow(cls) -> dt.datetime:  # type: ignore[override]
            return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)

        @classmethod
        def today(cls) -> dt.datetime:  # type: ignore[override]
            return moment.replace(tzinfo=None)

        @classmethod
        def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
            # A route or model built while the clock is set sees this class for `datetime`.
            return handler.generate_schema(REAL_DATETIME)

    class FrozenDate(REAL_DATE, metaclass=_DateMeta):
        def __new__(cls, *args: Any, **kwargs: Any) -> dt.date:  # type: ignore[misc]
            return REAL_DATE(*args, **kwargs)

        @classmethod
        def today(cls) -> dt.date:  # type: ignore[override]
            return moment.date()

        @classmethod
        def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
            return handler.generate_schema(REAL_DATE)

    return FrozenDatetime, FrozenDate


class WallClock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def set(self, when: dt.date | dt.datetime) -> None:
        """From now on the platform's code reads `when` (noon UTC for a date) as the time."""
        moment = when if isinstance(when, REAL_DATETIME) else REAL_DATETIME.combine(
            when, dt.time(12), tzinfo=dt.timezone.utc)
        frozen_datetime, frozen_date = _frozen_classes(moment)
        for name, module in list(sys.modules.items()):
            if module is None or not name.startswith(("services.", "shared.")):
                continue
            namespace = vars(module)
            if isinstance(namespace.get("datetime"), type) and \
                    issubclass(namespace["datetime"], REAL_DATETIME):
                self.monkeypatch.setattr(module, "datetime", frozen_datetime)
            if namespace.get("date") is REAL_DATE or isinstance(namespace.get("date"), _DateMeta):
                self.monkeypatch.setattr(module, "date", frozen_date)


async def same_answer_on_two_days(wall_clock: WallClock,
                                  scenario: Callable[[], Awaitable[T]]) -> T:
    """Run `scenario` (which must start from a fresh state) once under each wall-clock day;
    both runs must answer the same, and that answer is returned."""
    answers: list[Any] = []
    for day in WALL_DAYS:
        wall_clock.set(day)
        answers.append(await scenario())
    assert answers[0] == answers[1], f"the answer moved with the wall clock: {answers}"
    return answers[0]
