"""Storefront routes for customer service: feedback collected by the storefront, complaints and
returns (all behind the storefront API key)."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from service.models.api import (
    FeedbackRequest,
    FeedbackView,
    ReturnList,
    ReturnRequest,
    ReturnShipmentRequest,
    ReturnStatusRequest,
    ReturnView,
)
from service.models.records import ReturnLine
from shared.observability import logger
from storefront_api import dependencies
from storefront_api.dependencies import (
    customer_events,
    order_repository,
    service_rules,
    service_store,
)
from storefront_api.params import IdempotencyKey, OptionalIdempotencyKey, OrderId

router = APIGatewayHttpRouter()

ReturnId = Annotated[str, Path(pattern=r"^ret_[a-z2-7]{24}$")]


def _json(status: int, body: object, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type="application/json", body=body, headers=headers or {})


def _hash(body: object) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# feedback ---------------------------------------------------------------------------------------


@router.post(
    "/v1/orders/<order_id>/feedback",
    summary="Store a delivered order's feedback collected by the storefront",
    tags=["Customer service"],
)
def storefront_feedback(order_id: OrderId, body: FeedbackRequest) -> Response[FeedbackView]:
    from service.domain.feedback import FeedbackInput, load_order, submit_feedback

    logger.append_keys(order_id=order_id)
    order = load_order(order_id, order_repository())
    entry = FeedbackInput(rating=body.rating, nps=body.nps, comment=body.comment, categories=body.categories)
    store = service_store()
    first = store.feedback(order_id) is None
    feedback = submit_feedback(
        order, entry, "storefront", store, service_rules(), dependencies.clock(), customer_events()
    )
    logger.info("feedback stored", rating=feedback.rating, complaint=bool(feedback.complaint_id))
    return _json(201 if first else 200, FeedbackView.of(feedback))


# complaints: service.handlers.case_routes


# returns ----------------------------------------------------------------------------------------


@router.post("/v1/orders/<order_id>/returns", summary="Request a return", tags=["Customer service"])
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
    )
    logger.info("return requested", return_id=record.return_id, replayed=replayed)
    headers = {
        "Location": f"/v1/orders/{order_id}/returns/{record.return_id}",
        "Idempotent-Replayed": str(replayed).lower(),
    }
    return _json(201, ReturnView.of(record), headers)


@router.get("/v1/orders/<order_id>/returns", summary="An order's returns", tags=["Customer service"])
def list_returns(order_id: OrderId) -> ReturnList:
    return ReturnList(returns=[ReturnView.of(r) for r in service_store().returns(order_id)])


def _move(
    order_id: str, return_id: str, action: str, body: ReturnStatusRequest, key: str | None
) -> ReturnView:
    from service.domain.returns import move_return

    logger.append_keys(order_id=order_id)
    record, replayed = move_return(
        order_id,
        return_id,
        action,
        body.note,
        body.by,
        key,
        service_store(),
        customer_events(),
        dependencies.clock(),
    )
    logger.info("return moved", return_id=return_id, status=record.status.value, replayed=replayed)
    return ReturnView.of(record)


@router.post(
    "/v1/orders/<order_id>/returns/<return_id>/approve",
    summary="Approve a requested return",
    tags=["Customer service"],
)
def approve_return(
    order_id: OrderId,
    return_id: ReturnId,
    body: ReturnStatusRequest,
    idempotency_key: OptionalIdempotencyKey = None,
) -> ReturnView:
    return _move(order_id, return_id, "approve", body, idempotency_key)


@router.post(
    "/v1/orders/<order_id>/returns/<return_id>/reject",
    summary="Reject a requested return",
    tags=["Customer service"],
)
def reject_return(
    order_id: OrderId,
    return_id: ReturnId,
    body: ReturnStatusRequest,
    idempotency_key: OptionalIdempotencyKey = None,
) -> ReturnView:
    return _move(order_id, return_id, "reject", body, idempotency_key)


@router.post(
    "/v1/orders/<order_id>/returns/<return_id>/receive",
    summary="Record an approved return as received",
    tags=["Customer service"],
)
def receive_return(
    order_id: OrderId,
    return_id: ReturnId,
    body: ReturnStatusRequest,
    idempotency_key: OptionalIdempotencyKey = None,
) -> ReturnView:
    return _move(order_id, return_id, "receive", body, idempotency_key)


@router.post(
    "/v1/orders/<order_id>/returns/<return_id>/refund",
    summary="Record a received return as refunded",
    tags=["Customer service"],
)
def refund_return(
    order_id: OrderId,
    return_id: ReturnId,
    body: ReturnStatusRequest,
    idempotency_key: OptionalIdempotencyKey = None,
) -> ReturnView:
    return _move(order_id, return_id, "refund", body, idempotency_key)


@router.post(
    "/v1/orders/<order_id>/returns/<return_id>/shipment",
    summary="Register the return parcel's tracking number",
    tags=["Customer service"],
)
def return_shipment(order_id: OrderId, return_id: ReturnId, body: ReturnShipmentRequest) -> ReturnView:
    from service.domain.returns import register_return_shipment

    logger.append_keys(order_id=order_id)
    record = register_return_shipment(
        order_id, return_id, body.carrier, body.tracking_number, service_store(), dependencies.clock()
    )
    return ReturnView.of(record)
