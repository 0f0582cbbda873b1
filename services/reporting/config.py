"""Reporting settings (env prefix REPORTING_; POSTLOAN_* fill the rest)."""
from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.config import CommonSettings


class Settings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="REPORTING_", extra="ignore")

    service_name: str = "reporting"
    database_url: str = "sqlite+aiosqlite:///./.data/reporting.db"
    api_port: int = 8005
    worker_ops_port: int = 9005
    consumer_group: str = "reporting"
