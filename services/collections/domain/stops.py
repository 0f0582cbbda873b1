"""Contact stops: which legal events stop collection contact. Whether a stop bars a given
contact is the compliance guard's call (`domain/contacts.py`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Legal events that end collection contact for good (until a person lifts them).
LEGAL_STOP_KINDS = {"bankruptcy": "bankruptcy", "deceased": "deceased"}


@dataclass(frozen=True)
class LegalStop:
    reference_id: str
    reason: str


def legal_stop(*, change_kind: str, new: Any) -> LegalStop | None:
    """A profile change stops contact when it is a bankruptcy or a death; None otherwise."""
    kind = new.get("kind") if isinstance(new, dict) else None
    if change_kind != "legal_event" or kind not in LEGAL_STOP_KINDS:
        return None
    return LegalStop(reference_id=f"legal:{kind}", reason=LEGAL_STOP_KINDS[kind])
