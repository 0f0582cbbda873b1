"""Reporting settings (env prefix REPORTING_; POSTLOAN_* fill the rest)."""
from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.config import CommonSettings

# KPI -> weight (percent). The seed's scorecard: NPL 30, collection success 20,
# customer satisfaction 20, cost control 15, compliance 15.
DEFAULT_WEIGHTS = {"npl_ratio": 30.0, "collection_success": 20.0,
                   "customer_satisfaction": 20.0, "cost_control": 15.0, "compliance": 15.0}

# component -> [target, worst]: the score is 100 at or beyond the target, 0 at or beyond
# the worst value and linear in between (lower-is-better when worst > target).
DEFAULT_TARGETS = {
    "npl_ratio": [0.02, 0.10],
    "case_success_rate": [0.60, 0.20],
    "recovery_rate": [0.50, 0.10],
    "survey_average": [4.5, 2.5],
    "survey_response_rate": [0.50, 0.10],
    "cost_per_recovered": [0.05, 0.25],
    "contact_compliance": [1.00, 0.90],
    "complaints_on_time": [1.00, 0.80],
}


class Settings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="REPORTING_", extra="ignore")

    service_name: str = "reporting"
    database_url: str = "sqlite+aiosqlite:///./.data/reporting.db"
    api_port: int = 8005
    worker_ops_port: int = 9005
    consumer_group: str = "reporting"
    kpi_weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    kpi_targets: dict[str, list[float]] = Field(default_factory=lambda: {
        k: list(v) for k, v in DEFAULT_TARGETS.items()})
    vintage_max_months: int = Field(default=24, ge=1, le=120)
    trend_months: int = Field(default=12, ge=1, le=60)
    dashboard_refresh_seconds: int = Field(default=30, ge=2)
    # Local runs only: "name:password:role[+role]" entries the dashboard login accepts.
    local_users: list[str] = Field(default_factory=list)
