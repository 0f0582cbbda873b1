"""Payloads on `bank.calendar.v1` (a single partition, so days arrive in order)."""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from pydantic import Field

from shared.events.registry import Payload, event
from shared.events.topics import BANK_CALENDAR
from shared.events.types import IsoDate


@event("bank.business-day.closed.v1", topic=BANK_CALENDAR, key_field="business_date",
       producer="bank")
class BusinessDayClosed(Payload):
    """The bank closed a business day. Ageing (days past due) runs as of business_date, not
    the wall clock, so a replay gives the same results as the live run. Publish it once
    the day's events are acknowledged, without waiting for anyone to consume them:
    monitoring applies it only after every bank event published before it and before any
    published after it, whatever the topics, partitions and consumer lag (order by the
    broker's append time on postloan-created topics; in the close's own millisecond, by
    the events' business dates)."""

    business_date: IsoDate = Field(description="The business day that was closed")


# The field naming the business date of each inbound event that has one (contact and
# employment changes carry none). Only used to order an event published in the same
# millisecond as a close (see shared/kafka/close_barrier.py).
_DATED_BY = ("paid_date", "reversed_date", "disbursed_date", "effective_date", "valued_date",
             "closed_date", "report_date", "period_end", "event_date", "business_date")


def business_date_of(data: Mapping[str, Any]) -> date | None:
    for name in _DATED_BY:
        if isinstance(data.get(name), str):
            try:
                return date.fromisoformat(data[name])
            except ValueError:
                return None
    return None
