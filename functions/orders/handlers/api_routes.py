"""Storefront routes for orders."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.metrics import MetricUnit

from orders.domain.place_order import place_order
from orders.models.api import CreateOrderRequest, OrderAccepted, OrderView
from shared.clock import SystemClock
from shared.errors import NotFound
from shared.observability import logger, metrics
from storefront_api.dependencies import order_repository

router = APIGatewayHttpRouter()

OrderId = Annotated[str, Path(pattern=r"^ord_[a-z2-7]{24}$", description="Order id returned at creation.")]


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
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="idempotency-key",
            description="Unique per order attempt; a retry with the same key and body returns the original response.",
        ),
    ] = None,
) -> Response[OrderAccepted]:
    placed = place_order(body, idempotency_key, order_repository(), SystemClock())
    order = placed.order
    logger.append_keys(order_id=order.order_id)
    logger.info("order accepted", replayed=placed.replayed, lines=len(order.items))
    if not placed.replayed:
        metrics.add_metric(name="OrderAccepted", unit=MetricUnit.Count, value=1)
    accepted = OrderAccepted(
        order_id=order.order_id, status=order.timeline[0].status, created_at=order.created_at
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
    return OrderView.model_validate(order.to_view())
