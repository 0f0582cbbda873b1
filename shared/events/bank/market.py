"""Payloads on `bank.market.v1` (record key the industry or region code)."""
from __future__ import annotations

from enum import Enum

from pydantic import Field

from shared.events.bank.common import Text
from shared.events.registry import Payload, event
from shared.events.topics import BANK_MARKET
from shared.events.types import IsoDate


class RiskLevel(str, Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@event("bank.industry.risk-changed.v1", topic=BANK_MARKET, key_field="industry_code",
       producer="bank")
class IndustryRiskChanged(Payload):
    """The bank's risk level for an industry changed."""

    industry_code: Text = Field(description="Industry classification code")
    level: RiskLevel = Field(strict=False, description="New risk level")
    effective_date: IsoDate = Field(description="Date the level applies from")


@event("bank.region.risk-changed.v1", topic=BANK_MARKET, key_field="region_code",
       producer="bank")
class RegionRiskChanged(Payload):
    """The bank's risk level for a region changed."""

    region_code: Text = Field(description="Administrative region code")
    level: RiskLevel = Field(strict=False, description="New risk level")
    effective_date: IsoDate = Field(description="Date the level applies from")
