"""Who may do what: risk officers act; collection, CRM, inspection and audit staff read."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.auth import Principal, Role, require_roles

Reader = Annotated[Principal, Depends(require_roles(
    Role.risk_officer, Role.collection_manager, Role.crm_agent, Role.inspector, Role.auditor))]
RiskOfficer = Annotated[Principal, Depends(require_roles(Role.risk_officer))]
