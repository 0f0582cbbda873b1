"""What the bank's feed itself says a platform may not do, whatever order it consumed the
feed in: report an installment missed when the repayments published before the event that
caused the report (a close, or a repayment's re-ageing) had already paid it."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Iterable

from shared.simulator.feed import Published


def missed_although_paid(feed: list[Published], missed: Iterable[dict]) -> list[str]:
    """Each `monitoring.installment.missed.v1` envelope whose installment, and every one
    before it, was covered by the loan's repayments published (and not reversed) up to the
    bank event that caused it (its correlation id). Loans restructured by then are not
    judged."""
    causes: dict[str, int] = {}
    dues: dict[str, dict[int, Decimal]] = {}
    paid: dict[str, list[tuple[int, str, Decimal]]] = defaultdict(list)
    undone: dict[str, list[tuple[int, str]]] = defaultdict(list)
    restructured: dict[str, list[int]] = defaultdict(list)
    for position, (_, _, envelope) in enumerate(feed):
        data, kind = envelope.data, envelope.type
        causes.setdefault(envelope.id, position + 1)
        if kind == "bank.loan.disbursed.v1":
            dues[data["loan_id"]] = {
                item["installment_no"]: Decimal(item["principal_due"]) + Decimal(item["interest_due"])
                for item in data["schedule"]}
        elif kind == "bank.repayment.received.v1":
            paid[data["loan_id"]].append((position, data["payment_id"], Decimal(data["amount"])))
        elif kind == "bank.repayment.reversed.v1":
            undone[data["loan_id"]].append((position, data["payment_id"]))
        elif kind == "bank.loan.restructured.v1":
            restructured[data["loan_id"]].append(position)
    problems = []
    for envelope in missed:
        event = envelope["data"]
        loan, number = event["loan_id"], event["installment_no"]
        cut = causes.get(envelope.get("correlationid") or "")
        if cut is None or loan not in dues or any(p < cut for p in restructured[loan]):
            continue
        reversed_ids = {payment for p, payment in undone[loan] if p < cut}
        total = sum((amount for p, payment, amount in paid[loan]
                     if p < cut and payment not in reversed_ids), Decimal(0))
        owed = sum((amount for no, amount in dues[loan].items() if no <= number), Decimal(0))
        if total >= owed:
            problems.append(f"{loan} installment {number} reported missed as of "
                            f"{event['as_of_date']}, though {total} of {owed} owed through it "
                            f"was published before that close")
    return problems
