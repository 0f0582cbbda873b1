"""Collections settings (env prefix COLLECTIONS_; POSTLOAN_* fill the rest). Every business
number is a setting whose default comes from the domain notes (domain.md)."""
from __future__ import annotations

from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from shared.config import CommonSettings


class ProfileSettings(BaseModel):
    """One jurisdiction's contact conduct rules."""

    window_start: str = "08:00"
    window_end: str = "21:00"
    daily_attempt_cap: int | None = 3
    weekly_attempt_cap: int | None = 7
    weekly_window_days: int = 7
    conversation_cooldown_days: int | None = None
    counted_channels: list[str] = Field(default=["phone"])
    windowed_channels: list[str] = Field(default=["phone", "sms", "email", "field_visit"])


def _default_profiles() -> dict[str, ProfileSettings]:
    return {
        # China: 08:00-21:00 local, common bank practice 3 calls a day per debtor.
        "cn": ProfileSettings(),
        # US Regulation F: 7 call attempts in 7 days per debt and no call within 7 days
        # after a telephone conversation; no per-day cap of its own.
        "us_reg_f": ProfileSettings(daily_attempt_cap=None, conversation_cooldown_days=7),
    }


def _default_paths() -> dict[str, list[dict]]:
    return {
        "standard": [{"action": "reminder_message", "max_days": 3},
                     {"action": "phone_call", "max_days": 10},
                     {"action": "field_visit", "max_days": 15},
                     {"action": "lawyers_letter", "max_days": 20},
                     {"action": "litigation", "max_days": 90},
                     {"action": "disposal", "max_days": None}],
        "gentle": [{"action": "reminder_message", "max_days": 7},
                   {"action": "phone_call", "max_days": 14},
                   {"action": "field_visit", "max_days": 20},
                   {"action": "lawyers_letter", "max_days": 30},
                   {"action": "litigation", "max_days": 90},
                   {"action": "disposal", "max_days": None}],
        "intensive": [{"action": "phone_call", "max_days": 5},
                      {"action": "field_visit", "max_days": 10},
                      {"action": "lawyers_letter", "max_days": 15},
                      {"action": "litigation", "max_days": 60},
                      {"action": "disposal", "max_days": None}],
        "legal": [{"action": "lawyers_letter", "max_days": 15},
                  {"action": "litigation", "max_days": 60},
                  {"action": "disposal", "max_days": None}],
    }


def _default_rules() -> list[dict]:
    # First match wins; "*" matches anything.
    return [
        {"buckets": ["M4", "M5+"], "bands": ["*"], "segments": ["*"],
         "champion": "legal", "challenger": "intensive"},
        {"buckets": ["*"], "bands": ["*"], "segments": ["high"],
         "champion": "intensive", "challenger": "standard"},
        {"buckets": ["M2", "M3"], "bands": ["*"], "segments": ["*"],
         "champion": "intensive", "challenger": "standard"},
        {"buckets": ["*"], "bands": ["large"], "segments": ["*"],
         "champion": "intensive", "challenger": "standard"},
        {"buckets": ["*"], "bands": ["*"], "segments": ["*"],
         "champion": "standard", "challenger": "gentle"},
    ]


class Settings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="COLLECTIONS_", extra="ignore")

    service_name: str = "collections"
    database_url: str = "sqlite+aiosqlite:///./.data/collections.db"
    api_port: int = 8003
    worker_ops_port: int = 9003
    consumer_group: str = "collections"

    # Cases
    open_case_dpd: int = Field(default=1, ge=0)
    open_case_warning_levels: list[str] = Field(default=["red"])
    default_timezone: str = "Asia/Shanghai"

    # Compliance guard: jurisdiction profiles, chosen per debtor by region code prefix.
    jurisdiction_profiles: dict[str, ProfileSettings] = Field(default_factory=_default_profiles)
    default_jurisdiction: str = "cn"
    jurisdiction_by_region_prefix: dict[str, str] = Field(default_factory=dict)

    # Strategy
    treatment_paths: dict[str, list[dict]] = Field(default_factory=_default_paths)
    strategy_rules: list[dict] = Field(default_factory=_default_rules)
    balance_bands: dict[str, str | None] = Field(
        default={"small": "10000", "medium": "100000", "large": None},
        description="band name -> upper bound of overdue+outstanding (inclusive); None = no bound")
    high_risk_classifications: list[str] = Field(default=["substandard", "doubtful", "loss"])
    challenger_share: str = Field(default="0.20",
                                  description="share of new cases on the challenger path")

    # Promises to pay
    promise_grace_days: int = Field(default=2, ge=0)
    promise_max_days_ahead: int = Field(default=30, ge=1)

    # Approval ladder (amounts in the loan currency)
    single_approval_limit: str = "5000"
    dual_approval_limit: str = "20000"

    # Unit cost per action type, for cost per recovered yuan.
    unit_costs: dict[str, str] = Field(default={
        "reminder_message": "0.10", "phone_call": "2.00", "field_visit": "80.00",
        "lawyers_letter": "300.00", "litigation": "5000.00", "disposal": "2000.00",
    })
