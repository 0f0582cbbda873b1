from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from shared.audit.store import audit_table
from shared.db.base import new_metadata
from shared.db.delivery import delivery_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


delivery = delivery_tables(Base.metadata)
audit = audit_table(Base.metadata)
