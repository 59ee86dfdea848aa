"""Storefront routes about one customer: the customer view, the export of their data, and its
erasure (docs/customer-data.md)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from customers.domain.customer_data import customer_view, export_customer
from customers.domain.erasure import erase_customer
from customers.models.api import CustomerExport, CustomerView, ErasureRecord
from shared.observability import logger
from storefront_api import dependencies

router = APIGatewayHttpRouter()

CustomerId = Annotated[
    str, Path(min_length=1, max_length=128, description="The storefront's customer id (as in orders).")
]


@router.get(
    "/v1/customers/<customer_id>",
    summary="A customer's orders, cases, returns, preferences and messages",
    description="The newest 50 orders (summaries) with their returns and a summary of the messages "
    "sent about them, the newest 50 cases, the notification preferences and, once erased, the "
    "erasure record. 404 `not_found` when nothing is held about the customer.",
    tags=["Customers"],
)
def get_customer(customer_id: CustomerId) -> CustomerView:
    return CustomerView.model_validate(customer_view(customer_id, dependencies.customer_data()))


@router.get(
    "/v1/customers/<customer_id>/export",
    summary="Export everything held about a customer",
    description="Every order with its timeline, shipments, returns, feedback and notification log, "
    "the complaints, preferences, suppressions of their addresses and any erasure record, as JSON "
    "(docs/customer-data.md, field by field). 404 `not_found` when nothing is held.",
    tags=["Customers"],
)
def export(customer_id: CustomerId) -> CustomerExport:
    exported = export_customer(customer_id, dependencies.customer_data(), dependencies.clock())
    return CustomerExport.model_validate(exported)


@router.delete(
    "/v1/customers/<customer_id>",
    summary="Erase a customer's personal data",
    description="Removes names, contacts and addresses from their orders (amounts, lines, statuses "
    "and times stay for the KPIs), the recipients of their notification log, the text of their "
    "feedback, complaints and returns, their preferences and order lookups; suppressions keep only "
    "the hash of the address. Answers 200 with the erasure record once done. Idempotent: a repeat "
    "answers the same record and changes nothing; a request interrupted halfway is finished by the "
    "next. 404 `not_found` when nothing is held about the customer.",
    tags=["Customers"],
)
def erase(
    customer_id: CustomerId,
    requested_by: Annotated[
        str,
        Query(
            min_length=1,
            max_length=100,
            pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@-]*$",
            description="Who asked (an operator or system id, not a person's name): kept in the audit record.",
        ),
    ] = "storefront",
) -> ErasureRecord:
    record = erase_customer(
        customer_id,
        requested_by,
        dependencies.customer_data(),
        dependencies.contact_hasher(),
        dependencies.clock(),
    )
    logger.info("customer erased", counts=record.get("counts"))
    return ErasureRecord.model_validate(record)
