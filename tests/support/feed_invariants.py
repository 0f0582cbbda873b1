"""What the bank's feed itself says a platform may not do, whatever order it consumed the
feed in: report an installment missed as of a close when the repayments published before
that close had already paid it."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Iterable

from shared.simulator.feed import BUSINESS_DAY_CLOSED, Published


def missed_although_paid(feed: list[Published], missed: Iterable[dict]) -> list[str]:
    """Each `monitoring.installment.missed.v1` payload whose installment, and every one
    before it, was covered by the loan's repayments published (and not reversed) before
    the close of its as-of date. Loans restructured before that close are not judged."""
    closes: dict[str, int] = {}
    dues: dict[str, dict[int, Decimal]] = {}
    paid: dict[str, list[tuple[int, str, Decimal]]] = defaultdict(list)
    undone: dict[str, list[tuple[int, str]]] = defaultdict(list)
    restructured: dict[str, list[int]] = defaultdict(list)
    for position, (_, _, envelope) in enumerate(feed):
        data, kind = envelope.data, envelope.type
        if kind == BUSINESS_DAY_CLOSED:
            closes.setdefault(data["business_date"], position)
        elif kind == "bank.loan.disbursed.v1":
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
    for event in missed:
        loan, number = event["loan_id"], event["installment_no"]
        cut = closes[event["as_of_date"]]
        if loan not in dues or any(p < cut for p in restructured[loan]):
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
