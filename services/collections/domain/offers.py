"""Settlements, waivers, disposals and legal stages, and the approval ladder they go
through. The amount at stake (what
the bank gives up) picks the level: up to the single limit one collection manager, up to
the dual limit two different approvers, above that a risk officer. Never the proposer,
never the same approver twice (maker-checker)."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Collection, Sequence

from services.collections.domain.cases import Resolution

MANAGER_ROLES = frozenset({"collection_manager", "risk_officer"})
SENIOR_ROLES = frozenset({"risk_officer"})


class Level(str, enum.Enum):
    single = "single"
    dual = "dual"
    risk_officer = "risk_officer"


class ApprovalError(PermissionError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Ladder:
    single_limit: Decimal
    dual_limit: Decimal

    def level_for(self, amount: Decimal) -> Level:
        if amount <= self.single_limit:
            return Level.single
        if amount <= self.dual_limit:
            return Level.dual
        return Level.risk_officer


@dataclass(frozen=True)
class Vote:
    approver: str
    roles: frozenset[str]


def required_approvals(level: Level) -> int:
    return 2 if level is Level.dual else 1


def check_approver(*, level: Level, proposer: str, approver: str, roles: Collection[str],
                   earlier: Sequence[Vote]) -> None:
    if approver == proposer:
        raise ApprovalError("own_proposal", "the proposer cannot approve their own offer")
    if any(v.approver == approver for v in earlier):
        raise ApprovalError("already_approved", "this approver has already approved")
    allowed = SENIOR_ROLES if level is Level.risk_officer else MANAGER_ROLES
    if not allowed & set(roles):
        raise ApprovalError("approval_level",
                            f"an approval at level {level.value} needs one of: "
                            f"{', '.join(sorted(allowed))}")


def is_approved(level: Level, votes: Sequence[Vote]) -> bool:
    return len({v.approver for v in votes}) >= required_approvals(level)


SETTLEMENT_KINDS = ("settlement", "waiver")
DISPOSAL_KINDS = ("collateral_auction", "debt_transfer", "write_off")
LEGAL_STAGES = ("letter_sent", "filed", "judgment", "enforcement")
DISPOSAL_RESOLUTION = {"collateral_auction": Resolution.settled,
                       "debt_transfer": Resolution.transferred,
                       "write_off": Resolution.written_off}
LEGAL_STAGE_ACTION = {"letter_sent": "lawyers_letter", "filed": "litigation",
                      "judgment": "litigation", "enforcement": "litigation"}
