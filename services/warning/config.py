"""Warning settings (env prefix WARNING_; POSTLOAN_* fill the rest). Every threshold of the
default rule catalogue is a setting; approved rule sets in the database override them per
product or segment."""
from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.config import CommonSettings


class Settings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="WARNING_", extra="ignore")

    service_name: str = "warning"
    database_url: str = "sqlite+aiosqlite:///./.data/warning.db"
    api_port: int = 8002
    worker_ops_port: int = 9002
    consumer_group: str = "warning"

    # Stream processing (faust). The app id is the Kafka consumer group of the stream.
    faust_app_id: str = "postloan-warning"
    faust_table_partitions: int | None = Field(
        default=None, ge=1, description="only where the stream is built without a broker "
                                        "(tests); the worker reads the source topics' count "
                                        "from the broker")
    faust_store: str = "memory://"
    faust_session_timeout_seconds: float = Field(
        default=30.0, gt=0, description="how long a dead worker holds its partitions")
    gauge_refresh_seconds: float = Field(default=30.0, gt=0)

    # Behavioural family.
    dpd_levels: dict[str, int] = Field(default={"blue": 1, "yellow": 30, "orange": 60, "red": 90},
                                       description="DPD at which each level is reached")
    consecutive_missed_min: int = Field(default=2, ge=2)
    contact_changes_min: int = Field(default=2, ge=2)
    contact_window_days: int = Field(default=30, ge=1)
    contact_window_retention_days: int = Field(
        default=366, ge=1, description="history kept so a rule set may widen the window")

    # Financial family (ratios as decimal strings, never floats).
    credit_score_drop: int = 50
    credit_score_floor: int = 550
    income_drop_share: str = "0.30"
    revenue_drop_share: str = "0.30"
    liabilities_to_assets_max: str = "0.80"
    current_ratio_min: str = "1"
    overdue_accounts_elsewhere_min: int = 1

    # External family.
    ltv_max: str = "0.80"
    market_high_levels: list[str] = Field(default=["high"])

    # Watch list and effectiveness.
    watchlist_levels: list[str] = Field(default=["orange", "red"])
    watchlist_quiet_days: int = Field(default=90, ge=0,
                                      description="days without an open orange/red warning before exit")
    effectiveness_horizon_days: int = 180
    effectiveness_min_lead_days: int = 30
    default_dpd: int = 90
    default_classifications: list[str] = Field(default=["substandard", "doubtful", "loss"])

    @property
    def consumer_groups(self) -> tuple[str, ...]:
        return (self.faust_app_id,)
