"""What the platform did to customers, as published: every missed installment, warning,
case, contact, care task and inspection, reduced to what two runs of one seed must share
(random ids and wall-clock times masked). A bank-speed run must publish exactly the gentle
run's actions: one more is an on-time payer treated as late, one fewer a hidden arrear."""
from __future__ import annotations

import json
import re
from collections import Counter

from shared.events.topics import COLLECTIONS, CRM, MONITORING, WARNING
from tests.faults.poison import read_topics
from tests.faults.snapshot import _normal

ACTION_TYPES = frozenset({
    "monitoring.installment.missed.v1", "monitoring.loan.delinquency-changed.v1",
    "monitoring.loan.classification-changed.v1", "monitoring.inspection.scheduled.v1",
    "warning.warning.raised.v1", "warning.warning.escalated.v1",
    "collections.case.opened.v1", "collections.case.escalated.v1",
    "collections.contact.attempted.v1", "crm.care-task.created.v1",
})
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?")

Action = tuple[str, str]  # (event type, its data normalised)


def _envelope(value: bytes | None) -> dict:
    """The record's envelope; {} for the poison the faulty run puts on these topics."""
    try:
        envelope = json.loads(value or b"")
    except ValueError:
        return {}
    return envelope if isinstance(envelope, dict) else {}


def action_of(value: bytes | None) -> Action | None:
    envelope = _envelope(value)
    if envelope.get("type") not in ACTION_TYPES:
        return None
    data = json.dumps(_without_surrogates(envelope.get("data")), sort_keys=True)
    return envelope["type"], _DATETIME.sub("<time>", _normal(data))


def _without_surrogates(data: object) -> object:
    """Integer ids (an inspection task's) follow commit order, which lag changes."""
    if not isinstance(data, dict):
        return data
    return {k: "<n>" if k.endswith("_id") and isinstance(v, int) else v
            for k, v in data.items()}


async def read_actions(bootstrap: str) -> Counter[Action]:
    """Each published action once (a relay may republish an event after a crash; the id
    tells)."""
    found = await read_topics(bootstrap, [MONITORING, WARNING, COLLECTIONS, CRM])
    seen: set[str] = set()
    actions: Counter[Action] = Counter()
    for records in found.values():
        for record in records:
            event_id = _envelope(record.value).get("id")
            if event_id in seen:
                continue
            seen.add(event_id)
            if (action := action_of(record.value)) is not None:
                actions[action] += 1
    return actions


def action_diff(expected: Counter[Action], actual: Counter[Action], most: int = 12) -> str:
    lines = [f"- {t} {d}" for (t, d), _ in (expected - actual).most_common(most)]
    lines += [f"+ {t} {d}" for (t, d), _ in (actual - expected).most_common(most)]
    return "\n".join(lines)
