"""Crm settings (env prefix CRM_; POSTLOAN_* fill the rest). Every business number is a
setting with the default from docs/domain notes."""
from __future__ import annotations

from datetime import date

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.config import CommonSettings


class Settings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="CRM_", extra="ignore")

    service_name: str = "crm"
    database_url: str = "sqlite+aiosqlite:///./.data/crm.db"
    api_port: int = 8004
    worker_ops_port: int = 9004
    consumer_group: str = "crm"

    # Complaints (银行业保险业消费投诉处理管理办法, 2020). Calendar days: the rule counts 日.
    complaint_base_days: int = 15
    complaint_first_extension_total_days: int = 30
    complaint_second_extension_days: int = 30
    complaint_max_total_days: int = 60
    complaint_day_basis: str = Field(default="calendar", pattern="^(calendar|working)$")
    complaint_holidays: list[date] = Field(
        default_factory=list, description="skipped on the working-day basis")
    complaint_reminder_days_before: list[int] = Field(default=[3, 1])

    # Hardship and restructuring eligibility.
    restructuring_max_dpd: int = 90
    restructuring_lookback_months: int = 12
    restructuring_max_extension_installments: int = 24
    restructuring_max_holiday_months: int = 6
    restructuring_max_reduced_months: int = 12

    # Contact stops and proactive care.
    hardship_pause_max_days: int = 180
    care_due_days: dict[str, int] = Field(default={"watch_list": 2, "first_overdue": 3})
    default_survey_team: str = "customer_relations"
