"""The auditors' store: every entry any service published on postloan.audit.v1, kept
append-only like the services' own stores."""
from __future__ import annotations

from shared.audit.store import audit_table
from services.reporting.models.base import Base

audit_record = audit_table(Base.metadata, "audit_record")
