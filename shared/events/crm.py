"""Events the crm service publishes on `postloan.crm.v1` (key: customer id)."""
from __future__ import annotations

from pydantic import Field

from shared.events.registry import Payload, event
from shared.events.topics import CRM
from shared.events.types import IsoDate

_C = {"topic": CRM, "key_field": "customer_id", "producer": "crm"}

STOP_REASONS = ("collection_complaint", "cease_request", "dispute", "hardship_pause",
                "bankruptcy", "deceased")


class ContactStopFields(Payload):
    customer_id: str
    reason: str = Field(pattern="^(" + "|".join(STOP_REASONS) + ")$")
    reference_id: str = Field(description="the complaint, request or pause that caused it")
    effective_date: IsoDate


@event("crm.contact.stopped.v1", **_C)
class ContactStopped(ContactStopFields):
    """Collection contact with this customer must stop (one stop per reference id)."""

    until_date: IsoDate | None = Field(default=None, description="end of a hardship pause")


@event("crm.contact.resumed.v1", **_C)
class ContactResumed(ContactStopFields):
    """The stop named by reference_id is lifted (complaint closed, pause ended...)."""
