"""Data quality (信息收集: "100% coverage"): completeness of required customer fields.
Rejected inbound events are counted by reason in the dead-letter metrics."""
from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.monitoring.metrics import CUSTOMER_FIELD_COMPLETENESS
from services.monitoring.models import Customer
from services.monitoring.service.parking import parked_count
from services.monitoring.schemas.customers import DataQuality

REQUIRED_FIELDS = ("phone", "address", "timezone", "region_code", "industry_code",
                   "employer", "monthly_income", "credit_score")


async def data_quality(session: AsyncSession) -> DataQuality:
    columns = [getattr(Customer, name) for name in REQUIRED_FIELDS]
    filled = [func.sum(case((column.is_not(None), 1), else_=0)) for column in columns]
    row = (await session.execute(select(func.count(), *filled).select_from(Customer))).one()
    total = int(row[0] or 0)
    shares = {name: (round(int(count or 0) / total, 4) if total else 1.0)
              for name, count in zip(REQUIRED_FIELDS, row[1:])}
    for name, share in shares.items():
        CUSTOMER_FIELD_COMPLETENESS.labels(name).set(share)
    return DataQuality(customers=total, field_completeness=shares,
                       parked_events=await parked_count(session))
