"""Fineract messages built in the test: records shaped like Fineract's, written with fastavro
using the real schema files (never copied here), wrapped in the single-object header on
both levels. Other Fineract tests import these builders."""
from __future__ import annotations

import io
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import fastavro
import pytest

from services.monitoring.fineract.avro import MAGIC, MESSAGE_V1, SchemaStore

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = REPO_ROOT.parent / "shared" / "fineract-avro" / "avro"
NEEDS_SCHEMAS = pytest.mark.skipif(
    not SCHEMA_DIR.is_dir(),
    reason=f"Fineract's Avro schemas are not at {SCHEMA_DIR} (../shared/fineract-avro/avro)")
LOAN = "org.apache.fineract.avro.loan.v1."
ACCOUNT = LOAN + "LoanAccountDataV1"
TRANSACTION = LOAN + "LoanTransactionDataV1"
ADJUSTMENT = LOAN + "LoanTransactionAdjustmentDataV1"
REPAYMENT_DUE = LOAN + "LoanRepaymentDueDataV1"
BULK = "org.apache.fineract.avro.BulkMessagePayloadV1"
_STORE: SchemaStore | None = None


def store() -> SchemaStore:
    global _STORE
    if _STORE is None:
        _STORE = SchemaStore.from_directory(SCHEMA_DIR)
    return _STORE


def single_object(name: str, record: dict) -> bytes:
    schema = store().get(name)
    body = io.BytesIO()
    fastavro.schemaless_writer(body, schema.parsed, record)
    return MAGIC + schema.fingerprint.to_bytes(8, "little") + body.getvalue()


def message(event_type: str, schema: str, data: dict | bytes, *, business_date: date,
            key: str | None = None, tenant: str = "default", id_: int = 1) -> bytes:
    payload = data if isinstance(data, bytes) else single_object(schema, data)
    return single_object(MESSAGE_V1, {
        "id": id_, "source": "fineract-test-instance", "type": event_type, "category": "LOAN",
        "createdAt": f"{business_date.isoformat()}T10:15:30", "businessDate": business_date.isoformat(),
        "tenantId": tenant, "idempotencyKey": key or str(uuid.uuid4()), "dataschema": schema,
        "data": payload})


def bulk(items: list[tuple[str, str, dict]], *, business_date: date, key: str | None = None) -> bytes:
    datas = [{"id": n + 1, "type": t, "category": "LOAN", "dataschema": s,
              "data": single_object(s, d)} for n, (t, s, d) in enumerate(items)]
    return message("BulkBusinessEvent", BULK, single_object(BULK, {"datas": datas}),
                   business_date=business_date, key=key)


def loan_key(loan_id: int) -> bytes:
    return loan_id.to_bytes(8, "big", signed=True)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


def periods(first_due: date, count: int, principal: str, interest: str, *,
            paid: int = 0, start: date | None = None) -> list[dict]:
    rows: list[dict] = [{"period": None, "dueDate": (start or first_due).isoformat(),
                         "principalDisbursed": Decimal(principal) * count}]
    for n in range(count):
        done = n < paid
        rows.append({
            "period": n + 1, "fromDate": None, "dueDate": add_months(first_due, n).isoformat(),
            "complete": done, "principalOriginalDue": Decimal(principal),
            "principalDue": Decimal(principal), "interestOriginalDue": Decimal(interest),
            "interestDue": Decimal(interest),
            "principalOutstanding": Decimal(0) if done else Decimal(principal),
            "interestOutstanding": Decimal(0) if done else Decimal(interest)})
    return rows


def account(loan_id: int, *, client_id: int = 7, disbursed: date, first_due: date,
            count: int = 12, principal: str = "1000.00", interest: str = "50.00",
            schedule: list[dict] | None = None, status: dict | None = None) -> dict:
    rows = schedule or periods(first_due, count, principal, interest, start=disbursed)
    return {
        "id": loan_id, "accountNo": f"{loan_id:09d}", "clientId": client_id,
        "loanProductId": 1, "loanProductName": "consumer_installment",
        "loanPurposeName": "working capital", "principal": Decimal(principal) * count,
        "annualInterestRate": Decimal("6.00000000"), "status": status,
        "timeline": {"actualDisbursementDate": disbursed.isoformat(),
                     "expectedMaturityDate": add_months(first_due, count - 1).isoformat()},
        "summary": {"currency": {"code": "CNY", "decimalPlaces": 2},
                    "principalDisbursed": Decimal(principal) * count,
                    "principalOutstanding": Decimal(principal) * count},
        "repaymentSchedule": {"currency": {"code": "CNY"}, "periods": rows},
    }


def transaction(loan_id: int, txn_id: int, amount: str, on: date, *, kind: str = "repayment",
                reversed_on: date | None = None) -> dict:
    return {"id": txn_id, "loanId": loan_id,
            "type": {"id": 2, "code": f"loanTransactionType.{kind}", "value": kind,
                     kind: True} if kind in _FLAGS else
            {"id": 99, "code": f"loanTransactionType.{kind}", "value": kind},
            "date": on.isoformat(), "amount": Decimal(amount), "currency": {"code": "CNY"},
            "paymentDetailData": {"paymentType": {"id": 1, "name": "auto_debit"}},
            "manuallyReversed": reversed_on is not None,
            "reversedOnDate": reversed_on.isoformat() if reversed_on else None}


_FLAGS = {"repayment", "recoveryRepayment", "writeOff", "goodwillCredit", "disbursement"}


def repayment_due(loan_id: int, installment: int, due: date) -> dict:
    return {"loanId": loan_id, "loanAccountNo": f"{loan_id:09d}",
            "installment": {"installmentNumber": installment, "installmentDueDate": due.isoformat(),
                            "principalAmountDue": Decimal("1000"), "totalAmountDue": Decimal("1050")}}
