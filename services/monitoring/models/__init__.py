"""Tables owned by the monitoring service only."""
from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from shared.audit.store import audit_table
from shared.db.base import new_metadata
from shared.db.delivery import delivery_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


delivery = delivery_tables(Base.metadata)
audit = audit_table(Base.metadata)

from services.monitoring.models.customers import (  # noqa: E402
    Customer, CustomerChange, FinancialStatement, LegalEvent, MarketRisk,
)
from services.monitoring.models.ledger import (  # noqa: E402
    BusinessDay, ClassificationChange, Collateral, Installment, Loan, ParkedEvent, Payment,
    PaymentAllocation,
)
from services.monitoring.models.inspections import InspectionTask  # noqa: E402
from services.monitoring.models.ageing import AgeingResult  # noqa: E402

__all__ = [
    "AgeingResult",
    "Base", "BusinessDay", "ClassificationChange", "Collateral", "Customer", "CustomerChange",
    "FinancialStatement", "InspectionTask", "Installment", "LegalEvent", "Loan", "MarketRisk",
    "ParkedEvent", "Payment", "PaymentAllocation", "audit", "delivery",
]
