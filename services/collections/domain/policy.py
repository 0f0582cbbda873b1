"""The business rules as configured: built once from settings, passed to the use cases."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from services.collections.config import Settings
from services.collections.domain.contacts import Profile, jurisdiction_for, profile_from_settings
from services.collections.domain.offers import Ladder
from services.collections.domain.strategy import Strategy

@dataclass(frozen=True)
class Policy:
    settings: Settings
    strategy: Strategy
    ladder: Ladder
    profiles: dict[str, Profile]
    unit_costs: dict[str, Decimal]
    bands: dict[str, Decimal | None]

    @classmethod
    def from_settings(cls, settings: Settings) -> "Policy":
        profiles = {name: profile_from_settings(name, raw)
                    for name, raw in settings.jurisdiction_profiles.items()}
        named = {settings.default_jurisdiction, *settings.jurisdiction_by_region_prefix.values()}
        if missing := named - set(profiles):
            raise ValueError(f"jurisdictions without a profile: {', '.join(sorted(missing))}")
        return cls(
            settings=settings, strategy=Strategy.from_settings(settings),
            ladder=Ladder(Decimal(settings.single_approval_limit),
                          Decimal(settings.dual_approval_limit)),
            profiles=profiles,
            unit_costs={k: Decimal(v) for k, v in settings.unit_costs.items()},
            bands={k: (Decimal(v) if v is not None else None)
                   for k, v in settings.balance_bands.items()},
        )

    def profile_for(self, region_code: str | None) -> Profile:
        name = jurisdiction_for(region_code, by_prefix=self.settings.jurisdiction_by_region_prefix,
                                default=self.settings.default_jurisdiction)
        return self.profiles[name]

    def cost_of(self, action_type: str) -> Decimal:
        return self.unit_costs.get(action_type, Decimal(0))
