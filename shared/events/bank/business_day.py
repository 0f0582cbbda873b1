"""Payloads on `bank.calendar.v1` (a single partition, so days arrive in order)."""
from __future__ import annotations

from pydantic import Field

from shared.events.registry import Payload, event
from shared.events.topics import BANK_CALENDAR
from shared.events.types import IsoDate


@event("bank.business-day.closed.v1", topic=BANK_CALENDAR, key_field="business_date",
       producer="bank")
class BusinessDayClosed(Payload):
    """The bank closed a business day. Ageing (days past due) runs as of business_date, not
    the wall clock, so a replay gives the same results as the live run."""

    business_date: IsoDate = Field(description="The business day that was closed")
