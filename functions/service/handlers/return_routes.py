"""Storefront routes of returns (behind the storefront API key; docs/returns.md): the request with
its reason code and expected refund, the status actions, the return parcel, and the queue."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.metrics import MetricUnit

from service.models.api import (
    ReturnList,
    ReturnRequest,
    ReturnShipmentRequest,
    ReturnStatusRequest,
    ReturnView,
)
from service.models.records import ReturnLine, ReturnStatus
from service.models.return_api import ReceiveRequest, RefundRequest, ReturnPage
from shared.observability import logger, metrics
from storefront_api import dependencies
from storefront_api.dependencies import (
    customer_events,
    order_repository,
    return_desk,
    service_rules,
    service_store,
)
from storefront_api.params import IdempotencyKey, OptionalIdempotencyKey, OrderId

if TYPE_CHECKING:
    from service.domain.return_ports import Replacements

router = APIGatewayHttpRouter()

ReturnId = Annotated[str, Path(pattern=r"^ret_[a-z2-7]{24}$")]
TAGS = ["Customer service"]


def _json(status: int, body: object, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type="application/json", body=body, headers=headers or {})


def _replacements() -> Replacements:
    """The Replacements port (`orders.adapters.replacements.OrderReplacements`), resolved only when
    an exchange is received."""
    return dependencies.replacements()


@router.post("/v1/orders/<order_id>/returns", summary="Request a return", tags=TAGS)
def create_return(
    order_id: OrderId, body: ReturnRequest, idempotency_key: IdempotencyKey
) -> Response[ReturnView]:
    from service.domain.feedback import load_order
    from service.domain.returns import request_return

    logger.append_keys(order_id=order_id)
    order = load_order(order_id, order_repository())
    record, replayed = request_return(
        order,
        [ReturnLine(sku=line.sku, quantity=line.quantity) for line in body.lines],
        body.reason,
        idempotency_key,
        service_store(),
        customer_events(),
        service_rules(),
        dependencies.clock(),
        reason_code=body.reason_code,
        resolution=body.resolution,
    )
    logger.info(
        "return requested",
        return_id=record.return_id,
        reason_code=body.reason_code.value,
        resolution=body.resolution,
        replayed=replayed,
    )
    if not replayed:
        metrics.add_metric(name="ReturnRequested", unit=MetricUnit.Count, value=1)
    headers = {
        "Location": f"/v1/orders/{order_id}/returns/{record.return_id}",
        "Idempotent-Replayed": str(replayed).lower(),
    }
    return _json(201, ReturnView.of(record), headers)


@router.get("/v1/orders/<order_id>/returns", summary="An order's returns", tags=TAGS)
def list_returns(order_id: OrderId) -> ReturnList:
    return ReturnList(returns=[ReturnView.of(r) for r in service_store().returns(order_id)])


@router.get(
    "/v1/returns",
    summary="The return queue across orders (oldest first in its status)",
    description="One index query per page (no scan); `next_cursor` while more may follow.",
    tags=TAGS,
)
def return_queue(
    status: Annotated[ReturnStatus, Query()] = ReturnStatus.REQUESTED,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=2048, description="`next_cursor` of the previous page")
    ] = None,
) -> ReturnPage:
    from service.domain.return_actions import return_queue as queue

    found, next_cursor = queue(status, limit, cursor, return_desk())
    return ReturnPage(returns=[ReturnView.of(r) for r in found], next_cursor=next_cursor)


def _done(record: ReturnView, replayed: bool) -> ReturnView:
    logger.info("return moved", return_id=record.return_id, status=record.status, replayed=replayed)
    return record


@router.post(
    "/v1/orders/<order_id>/returns/<return_id>/approve",
    summary="Approve a requested return (records its refund)",
    tags=TAGS,
)
def approve_return(
    order_id: OrderId,
    return_id: ReturnId,
    body: ReturnStatusRequest,
    idempotency_key: OptionalIdempotencyKey = None,
) -> ReturnView:
    from service.domain.feedback import load_order
    from service.domain.return_actions import approve_return as approve

    logger.append_keys(order_id=order_id)
    order = load_order(order_id, order_repository())
    record, replayed = approve(
        order,
        return_id,
        body.note,
        body.by,
        idempotency_key,
        service_store(),
        customer_events(),
        service_rules(),
        dependencies.clock(),
    )
    return _done(ReturnView.of(record), replayed)


@router.post(
    "/v1/orders/<order_id>/returns/<return_id>/reject", summary="Reject a requested return", tags=TAGS
)
def reject_return(
    order_id: OrderId,
    return_id: ReturnId,
    body: ReturnStatusRequest,
    idempotency_key: OptionalIdempotencyKey = None,
) -> ReturnView:
    from service.domain.returns import move_return

    logger.append_keys(order_id=order_id)
    record, replayed = move_return(
        order_id,
        return_id,
        "reject",
        body.note,
        body.by,
        idempotency_key,
        service_store(),
        customer_events(),
        dependencies.clock(),
    )
    return _done(ReturnView.of(record), replayed)


@router.post(
    "/v1/orders/<order_id>/returns/<return_id>/receive",
    summary="Record what arrived of an approved return; restocks the resellable units",
    tags=TAGS,
)
def receive_return(
    order_id: OrderId,
    return_id: ReturnId,
    body: ReceiveRequest,
    idempotency_key: OptionalIdempotencyKey = None,
) -> ReturnView:
    from service.domain.return_actions import ReceivedLine
    from service.domain.return_actions import receive_return as receive

    logger.append_keys(order_id=order_id)
    lines = (
        [ReceivedLine(line.sku, line.quantity, line.condition) for line in body.lines]
        if body.lines is not None
        else None
    )
    record, replayed = receive(
        order_id,
        return_id,
        lines,
        body.note,
        body.by,
        idempotency_key,
        service_store(),
        return_desk(),
        customer_events(),
        dependencies.clock(),
        _replacements,
    )
    return _done(ReturnView.of(record), replayed)


@router.post(
    "/v1/orders/<order_id>/returns/<return_id>/refund",
    summary="Record a received return as refunded (the computed refund, or less with a reason)",
    tags=TAGS,
)
def refund_return(
    order_id: OrderId,
    return_id: ReturnId,
    body: RefundRequest,
    idempotency_key: OptionalIdempotencyKey = None,
) -> ReturnView:
    from service.domain.feedback import load_order
    from service.domain.return_actions import refund_return as refund

    logger.append_keys(order_id=order_id)
    order = load_order(order_id, order_repository())
    record, replayed = refund(
        order,
        return_id,
        Decimal(body.amount) if body.amount is not None else None,
        body.reason,
        body.note,
        body.by,
        idempotency_key,
        service_store(),
        customer_events(),
        service_rules(),
        dependencies.clock(),
    )
    return _done(ReturnView.of(record), replayed)


@router.post(
    "/v1/orders/<order_id>/returns/<return_id>/shipment",
    summary="Register the return parcel's tracking number",
    tags=TAGS,
)
def return_shipment(order_id: OrderId, return_id: ReturnId, body: ReturnShipmentRequest) -> ReturnView:
    from service.domain.returns import register_return_shipment

    logger.append_keys(order_id=order_id)
    record = register_return_shipment(
        order_id, return_id, body.carrier, body.tracking_number, service_store(), dependencies.clock()
    )
    return ReturnView.of(record)
