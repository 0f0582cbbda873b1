"""Monitoring settings (env prefix MONITORING_; POSTLOAN_* fill the rest)."""
from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.config import CommonSettings


class Settings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="MONITORING_", extra="ignore")

    service_name: str = "monitoring"
    database_url: str = "sqlite+aiosqlite:///./.data/monitoring.db"
    api_port: int = 8001
    worker_ops_port: int = 9001
    consumer_group: str = "monitoring"

    # Ageing and classification (domain.md; every number is a setting).
    materiality_threshold: str = "1.00"
    bucket_bounds: list[int] = Field(default=[30, 60, 90, 180],
                                     description="upper DPD of M1..M4; above the last is M5+")
    technical_grace_days: int = 7
    substandard_after_days: int = 90
    doubtful_after_days: int = 270
    loss_after_days: int = 360
    credit_card_products: list[str] = Field(default=["credit_card"])
    credit_card_bounds: list[int] = Field(default=[90, 120, 180],
                                          description="special mention up to, substandard up to, doubtful up to")
    corporate_npl_contagion_share: str = "0.10"
    observation_min_periods: int = 2
    observation_min_months: int = 12
    ifrs9_stage2_after_days: int = 30
    ifrs9_stage3_after_days: int = 90
    dpd_milestones: list[int] = Field(default=[1, 8, 30, 31, 60, 61, 90, 91, 180, 181, 270, 271, 360, 361])
    rule_version: str = "cn-2023-07-v1"

    # On-site inspections (bank practice; domain.md).
    first_inspection_days: int = 15
    fund_usage_check_days: int = 90
    routine_inspection_days: dict[str, int] = Field(default={
        "normal": 365, "special_mention": 90, "substandard": 30, "doubtful": 30, "loss": 30,
    })
    routine_inspection_lead_days: int = 15
    warning_inspection_days: int = 7
    warning_inspection_levels: list[str] = Field(default=["orange", "red"])
    financial_change_threshold: str = "0.30"

    # Apache Fineract as a source (docs/fineract.md).
    fineract_enabled: bool = False
    fineract_topic: str = "external-events"
    fineract_schema_dir: str | None = None
    fineract_consumer_group: str | None = None
    fineract_tenant: str | None = None
