"""Storefront routes for reshipments and order edits (docs/reshipments.md)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from orders.domain.edit_order import edit_order
from orders.domain.reshipments import (
    ReshipmentAsked,
    open_reshipment,
    ship_reshipment,
    validate_parcel,
)
from orders.models.api import OrderView
from orders.models.order import OrderRecord
from orders.models.reshipments import (
    OrderEditRequest,
    ReshipmentCreated,
    ReshipmentRequest,
    ReshipmentShipmentRequest,
)
from shared.observability import logger
from storefront_api.dependencies import edit_ports, reshipment_ports
from storefront_api.params import IdempotencyKey, OrderId

router = APIGatewayHttpRouter()

ReshipmentId = Annotated[str, Path(pattern=r"^rsp_[0-9a-f]{20}$", description="Reshipment id.")]


@router.post(
    "/v1/orders/<order_id>/reshipments",
    summary="Reship (replace) lines of an order whose parcel failed or arrived damaged, incomplete or wrong",
    description="Allowed for an order in `delivery_exception` or `returned_to_sender`, or `delivered` with "
    "a case of category damage, missing_item or wrong_item (409 `reshipment_not_allowed`). The lines "
    "are reserved again, all or nothing (409 `insufficient_stock`); with `carrier` and "
    "`tracking_number` (both or neither: 422 `validation_failed`) the parcel is registered at once, "
    "else later with `POST .../reshipments/{reshipment_id}/shipment`.",
    tags=["Orders"],
    responses={
        201: {
            "description": "Reshipment opened",
            "content": {"application/json": {"model": ReshipmentCreated}},
        }
    },
)
def reship(
    order_id: OrderId, body: ReshipmentRequest, idempotency_key: IdempotencyKey
) -> Response[ReshipmentCreated]:
    asked = ReshipmentAsked(
        lines=[(line.sku, line.quantity) for line in body.lines] if body.lines is not None else None,
        reason=body.reason,
        note=body.note,
        by=body.by,
        parcel=validate_parcel(body.carrier, body.tracking_number),
    )
    opened = open_reshipment(order_id, asked, idempotency_key, reshipment_ports())
    logger.append_keys(order_id=order_id)
    logger.info("reshipment opened", reshipment_id=opened.reshipment.reshipment_id, replayed=opened.replayed)
    created = ReshipmentCreated(reshipment=opened.reshipment, order=_view(opened.order))
    headers = {
        "Location": f"/v1/orders/{order_id}/reshipments/{opened.reshipment.reshipment_id}",
        "Idempotent-Replayed": str(opened.replayed).lower(),
    }
    return Response(status_code=201, content_type="application/json", body=created, headers=headers)


@router.post(
    "/v1/orders/<order_id>/reshipments/<reshipment_id>/shipment",
    summary="Register the parcel of a reshipment when the warehouse ships it",
    tags=["Orders"],
)
def ship_replacement(
    order_id: OrderId, reshipment_id: ReshipmentId, body: ReshipmentShipmentRequest
) -> OrderView:
    parcel = validate_parcel(body.carrier, body.tracking_number)
    assert parcel is not None
    return _view(ship_reshipment(order_id, reshipment_id, parcel, "storefront:shipment", reshipment_ports()))


@router.patch(
    "/v1/orders/<order_id>",
    summary="Edit an order before shipment: shipping address, customer contact, lines",
    description="Before the order ships (409 `order_already_shipped`; `illegal_transition` once "
    "cancelled, rejected, expired or out of stock). The edited order is validated as at intake and must "
    "change something (422 `validation_failed`). Changed lines are "
    "re-reserved all or nothing (409 `insufficient_stock`); the hold rules run again. A retry with the "
    "same `Idempotency-Key` and body answers the same and changes nothing.",
    tags=["Orders"],
)
def edit(order_id: OrderId, body: OrderEditRequest, idempotency_key: IdempotencyKey) -> Response[OrderView]:
    edited = edit_order(order_id, body, idempotency_key, edit_ports())
    logger.append_keys(order_id=order_id)
    logger.info("order edited", changed=edited.changed, replayed=edited.replayed)
    headers = {"Idempotent-Replayed": str(edited.replayed).lower()}
    return Response(
        status_code=200, content_type="application/json", body=_view(edited.order), headers=headers
    )


def _view(order: OrderRecord) -> OrderView:
    return OrderView.model_validate(order.to_view())
