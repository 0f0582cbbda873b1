"""Customer 360: profile, loans and recent changes, personal data masked by role."""
from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from shared.api.deps import PageDep, SessionDep
from shared.api.errors import NotFound
from shared.api.schemas import Page
from shared.auth import Principal, Role, require_roles
from shared.pii import mask_address, mask_id_number, mask_phone, may_see_personal_data
from services.monitoring import repository as repo
from services.monitoring.service.data_quality import data_quality
from services.monitoring.domain.classification import Classification
from services.monitoring.models import Customer
from services.monitoring.schemas.customers import (
    Customer360, CustomerChangeOut, CustomerProfile, DataQuality,
)
from services.monitoring.schemas.loans import LoanSummary

router = APIRouter(tags=["customers"])
# No collector: monitoring cannot tell which loans are assigned to whom, so a collector
# reaches a customer's loans and data through their own case in collections.
READERS = (Role.risk_officer, Role.collection_manager, Role.crm_agent, Role.inspector,
           Role.auditor, Role.bank_system)
Reader = Annotated[Principal, Depends(require_roles(*READERS))]


async def valid_customer(customer_id: Annotated[str, Path(max_length=64)],
                         session: SessionDep) -> Customer:
    customer = await session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} is not known")
    return customer


def profile(customer: Customer, principal: Principal) -> dict:
    show = may_see_personal_data(principal)
    fields = {name: getattr(customer, name) for name in CustomerProfile.model_fields
              if name != "personal_data_masked"}
    if not show:
        fields.update(id_number=mask_id_number(customer.id_number),
                      phone=mask_phone(customer.phone), address=mask_address(customer.address))
    return {**fields, "personal_data_masked": not show}


def _change(row, show: bool) -> CustomerChangeOut:  # type: ignore[no-untyped-def]
    old, new = dict(row.old_value), dict(row.new_value)
    if row.change_kind == "contact" and not show:
        for values in (old, new):
            values.update(phone=mask_phone(values.get("phone")),
                          address=mask_address(values.get("address")))
    return CustomerChangeOut(change_kind=row.change_kind, effective_date=row.effective_date,
                             old=old, new=new, recorded_at=row.recorded_at)


@router.get("/customers/{customer_id}", response_model=Customer360)
async def get_customer(principal: Reader,
                       customer: Annotated[Customer, Depends(valid_customer)],
                       session: SessionDep) -> Customer360:
    loans = await repo.loans_of_customer(session, customer.customer_id)
    active = [loan for loan in loans if loan.status == "active"]
    worst = max((Classification(loan.classification) for loan in active),
                key=lambda c: c.rank, default=None)
    changes = await repo.recent_changes(session, customer.customer_id)
    return Customer360(
        **profile(customer, principal),
        loans=[LoanSummary.model_validate(loan) for loan in loans],
        total_outstanding=sum((loan.outstanding_principal for loan in active), Decimal("0")),
        total_overdue=sum((loan.overdue_amount for loan in active), Decimal("0")),
        worst_classification=worst.value if worst else None,
        recent_changes=[_change(c, may_see_personal_data(principal)) for c in changes],
    )


@router.get("/customers", response_model=Page[CustomerProfile])
async def list_customers(
    session: SessionDep, page: PageDep, principal: Reader,
    region: Annotated[str | None, Query(max_length=32)] = None,
    kind: Annotated[str | None, Query(pattern="^(individual|corporate)$")] = None,
) -> Page[CustomerProfile]:
    rows, total = await repo.list_customers(session, limit=page.limit, offset=page.offset,
                                            region=region, kind=kind)
    return Page[CustomerProfile](items=[CustomerProfile(**profile(r, principal)) for r in rows],
                                 total=total, limit=page.limit, offset=page.offset)


@router.get("/data-quality", response_model=DataQuality)
async def get_data_quality(session: SessionDep, _: Reader) -> DataQuality:
    return await data_quality(session)
