"""An in-memory tracking read model and builders for tracked orders."""

from __future__ import annotations

from typing import Any

from carriers.models.tracking import Checkpoint
from orders.models.order import OrderRecord
from tests.factories import order_body
from tracking_page.read_model import TrackedOrder, TrackedShipment

ORDER_ID = "ord_page0001"


class FakeTrackingReadModel:
    def __init__(self, *orders: TrackedOrder) -> None:
        self.orders = {tracked.order.order_id: tracked for tracked in orders}
        self.reads: list[str] = []

    def tracked_order(self, order_id: str) -> TrackedOrder | None:
        self.reads.append(order_id)
        return self.orders.get(order_id)


def an_order(status: str = "in_transit", **overrides: Any) -> OrderRecord:
    """The canonical order (zh-CN customer, shipping to Shanghai), with fields replaced."""
    body = order_body()
    customer = {**body.pop("customer"), **overrides.pop("customer", {})}
    address = {**body.pop("shipping_address"), **overrides.pop("shipping_address", {})}
    return OrderRecord.model_validate(
        {
            **body,
            "customer": customer,
            "shipping_address": address,
            "order_id": ORDER_ID,
            "status": status,
            "version": 5,
            "request_hash": "h",
            "total": "221.50",
            "created_at": "2025-06-30T16:05:00.000Z",
            "updated_at": "2025-07-01T10:40:00.000Z",
            "timeline": [],
            **overrides,
        }
    )


def checkpoint(
    at: str, status: str, message: str | None = None, location: str | None = None, **extra: Any
) -> Checkpoint:
    return Checkpoint.model_validate(
        {
            "occurred_at": at,
            "status": status,
            "message": message,
            "location": location,
            "raw_code": status,
            "provider": "generic",
            **extra,
        }
    )


SF_CHECKPOINTS = [
    # stored order, as a query returns them: oldest first
    checkpoint("2025-07-01T09:15:00+08:00", "info_received", "顺丰已收到您的订单信息", "深圳"),
    checkpoint(
        "2025-07-01T18:40:00+08:00", "in_transit", "快件已被顺丰揽收", "深圳市南山区", reason="picked_up"
    ),
    checkpoint("2025-07-02T06:10:00+08:00", "in_transit", "快件到达上海集散中心", "上海"),
]


def a_shipment(number: int = 1, **overrides: Any) -> TrackedShipment:
    return TrackedShipment.model_validate(
        {
            "shipment_id": f"shp_{number}",
            "carrier": "sf-express",
            "tracking_number": f"SF100000000{number}",
            "status": "in_transit",
            "created_at": "2025-07-01T00:30:00.000Z",
            "lines": [{"sku": "TEA-OOLONG-250G", "quantity": 2}],
            "tracking_status": "in_transit",
            "estimated_delivery": "2025-07-03",
            "checkpoints": SF_CHECKPOINTS,
            **overrides,
        }
    )


def a_tracked_order(*shipments: TrackedShipment, **order_overrides: Any) -> TrackedOrder:
    return TrackedOrder(order=an_order(**order_overrides), shipments=list(shipments))
