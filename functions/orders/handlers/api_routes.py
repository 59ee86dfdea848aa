"""Storefront routes for orders."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BeforeValidator

from orders.domain.manage_orders import (
    cancel_order,
    confirm_payment,
    iso,
    register_shipment,
    review_order,
    search_orders,
)
from orders.domain.place_order import place_order
from orders.domain.ports import OrderQuery
from orders.models.api import (
    ORDER_NUMBER_PATTERN,
    CancelRequest,
    CreateOrderRequest,
    OrderAccepted,
    OrderPage,
    OrderSummary,
    OrderView,
    PaymentRequest,
    ReviewRequest,
    ShipmentRequest,
)
from orders.models.order import OrderRecord, OrderStatus
from shared.errors import NotFound
from shared.observability import logger, metrics
from storefront_api import dependencies
from storefront_api.dependencies import order_repository, shipments, stock_levels
from storefront_api.params import IdempotencyKey, OrderId

router = APIGatewayHttpRouter()


_NUMBER = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")


def _not_a_number(value: object) -> object:
    """A time in ISO 8601, not a number (pydantic would read `1.5` as seconds since the epoch)."""
    if isinstance(value, str) and _NUMBER.match(value):
        raise ValueError("an ISO 8601 date and time is expected, not a number")
    return value


ISO_ONLY = BeforeValidator(_not_a_number)


@router.post(
    "/v1/orders",
    summary="Place an order",
    tags=["Orders"],
    responses={
        201: {"description": "Order accepted", "content": {"application/json": {"model": OrderAccepted}}}
    },
)
def create_order(
    body: CreateOrderRequest,
    idempotency_key: IdempotencyKey,
) -> Response[OrderAccepted]:
    placed = place_order(
        body, idempotency_key, order_repository(), dependencies.clock(), dependencies.contact_hasher()
    )
    order = placed.order
    logger.append_keys(order_id=order.order_id)
    logger.debug("order accepted", replayed=placed.replayed, lines=len(order.items))
    if not placed.replayed:
        metrics.add_metric(name="OrderAccepted", unit=MetricUnit.Count, value=1)
    accepted = OrderAccepted(
        order_id=order.order_id,
        order_number=order.order_number,
        status=order.timeline[0].status,
        created_at=order.created_at,
    )
    headers = {
        "Location": f"/v1/orders/{order.order_id}",
        "Idempotent-Replayed": str(placed.replayed).lower(),
    }
    return Response(status_code=201, content_type="application/json", body=accepted, headers=headers)


@router.get("/v1/orders/<order_id>", summary="Read an order and its timeline", tags=["Orders"])
def get_order(order_id: OrderId) -> OrderView:
    order = order_repository().get(order_id)
    if order is None:
        raise NotFound(f"Order {order_id} does not exist.", details={"order_id": order_id})
    return _view(order)


@router.get(
    "/v1/orders",
    summary="Search orders (by customer and/or status, tracking number, phone, email or order number; newest first)",
    description="Send exactly one of `customer_id`, `status`, `tracking_number`, `phone`, `email`, "
    "`order_number` (or `customer_id` with `status`), and `created_from` not after `created_to` "
    "(422 `validation_failed` otherwise, also for a phone that is not a valid international number). "
    "`phone` is matched in E.164 (send `+` as `%2B`), `email` trimmed and case-insensitive; "
    "orders placed before these lookups existed are not found by phone, email or order number "
    "(docs/customer-data.md). Results are order summaries, without shipments: read "
    "`GET /v1/orders/{order_id}` for those. `cursor` is only what a previous page returned (400 otherwise).",
    tags=["Orders"],
)
def search(
    customer_id: Annotated[str | None, Query(max_length=128)] = None,
    status: Annotated[OrderStatus | None, Query()] = None,
    tracking_number: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]{3,39}$")] = None,
    phone: Annotated[str | None, Query(min_length=3, max_length=32, description="International form")] = None,
    email: Annotated[str | None, Query(min_length=3, max_length=254)] = None,
    order_number: Annotated[
        str | None, Query(pattern=ORDER_NUMBER_PATTERN, description="The storefront's own")
    ] = None,
    created_from: Annotated[datetime | None, Query(description="ISO 8601, inclusive"), ISO_ONLY] = None,
    created_to: Annotated[datetime | None, Query(description="ISO 8601, inclusive"), ISO_ONLY] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=2048, description="`next_cursor` of the previous page")
    ] = None,
) -> OrderPage:
    query = OrderQuery(
        customer_id=customer_id,
        status=status.value if status else None,
        created_from=iso(created_from),
        created_to=iso(created_to),
        limit=limit,
        cursor=cursor,
        tracking_number=tracking_number,
    )
    found, next_cursor = search_orders(
        query,
        order_repository(),
        dependencies.contact_hasher(),
        phone=phone,
        email=email,
        order_number=order_number,
    )
    return OrderPage(
        orders=[OrderSummary.model_validate(order.to_view()) for order in found], next_cursor=next_cursor
    )


@router.post("/v1/orders/<order_id>/payment", summary="Confirm payment of a pending order", tags=["Orders"])
def pay(order_id: OrderId, body: PaymentRequest) -> OrderView:
    return _view(confirm_payment(order_id, body.reference, order_repository(), dependencies.clock()))


@router.post("/v1/orders/<order_id>/cancel", summary="Cancel an order before shipment", tags=["Orders"])
def cancel(order_id: OrderId, body: CancelRequest) -> OrderView:
    order = cancel_order(
        order_id, body.reason, "storefront", order_repository(), stock_levels(), dependencies.clock()
    )
    return _view(order)


@router.post("/v1/orders/<order_id>/review", summary="Approve or reject an order on hold", tags=["Orders"])
def review(order_id: OrderId, body: ReviewRequest) -> OrderView:
    order = review_order(
        order_id, body.decision, body.reviewer, body.note, order_repository(), dependencies.clock()
    )
    return _view(order)


@router.post(
    "/v1/orders/<order_id>/shipments", summary="Register a shipment (all or some lines)", tags=["Orders"]
)
def ship(order_id: OrderId, body: ShipmentRequest) -> OrderView:
    order = register_shipment(
        order_id, body, order_repository(), stock_levels(), shipments(), dependencies.clock()
    )
    return _view(order)


def _view(order: OrderRecord) -> OrderView:
    return OrderView.model_validate(order.to_view())
