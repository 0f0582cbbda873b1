"""Roles and small helpers shared by the crm routes."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from shared.auth import Principal, Role, require_roles
from services.crm.config import Settings

READ_ROLES = (Role.crm_agent, Role.risk_officer, Role.collection_manager, Role.auditor)

Agent = Annotated[Principal, Depends(require_roles(Role.crm_agent))]
Checker = Annotated[Principal, Depends(require_roles(Role.risk_officer))]
Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]


def settings_of(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


PathId = Annotated[str, Path(max_length=64)]
