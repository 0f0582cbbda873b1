"""Masking personal data for callers whose role has no need to see it."""
from __future__ import annotations

from shared.auth import Principal, Role

ROLES_SEEING_PERSONAL_DATA = frozenset({
    Role.risk_officer, Role.collector, Role.collection_manager, Role.crm_agent, Role.inspector,
    Role.admin,
})


def may_see_personal_data(principal: Principal) -> bool:
    return principal.has_any(ROLES_SEEING_PERSONAL_DATA)


def mask_middle(value: str | None, keep_start: int, keep_end: int) -> str | None:
    if value is None:
        return None
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:] \
        if keep_end else value[:keep_start] + "*" * (len(value) - keep_start)


def mask_id_number(value: str | None) -> str | None:
    return mask_middle(value, 4, 4)


def mask_phone(value: str | None) -> str | None:
    return mask_middle(value, 3, 4)


def mask_address(value: str | None) -> str | None:
    return mask_middle(value, 6, 0)
