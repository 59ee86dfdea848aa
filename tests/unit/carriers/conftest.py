from __future__ import annotations

from collections.abc import Callable

import pytest

from orders.models.order import OrderRecord, OrderStatus
from tests.factories import order_body
from tests.unit.carriers.fakes import InMemoryTrackingStore


@pytest.fixture
def store() -> InMemoryTrackingStore:
    return InMemoryTrackingStore()


def add_shipped_order(
    store: InMemoryTrackingStore, shipments: dict[str, str], status: OrderStatus = OrderStatus.SHIPPED
) -> OrderRecord:
    """An order in `status` with the given shipments (shipment id -> tracking number) in `store`."""
    body = order_body()
    order = OrderRecord.model_validate(
        {
            **body,
            "order_id": "ord_test",
            "status": status,
            "version": 4,
            "request_hash": "x",
            "total": "176.00",
            "created_at": "2025-01-01T00:00:00.000Z",
            "updated_at": "2025-01-01T00:00:00.000Z",
            "timeline": [{"status": "received", "at": "2025-01-01T00:00:00.000Z", "by": "storefront"}],
        }
    )
    store.add_order(order)
    for shipment_id, tracking_number in shipments.items():
        store.add_shipment(order.order_id, shipment_id, tracking_number)
    return order


@pytest.fixture
def shipped_order(store: InMemoryTrackingStore) -> Callable[..., OrderRecord]:
    """An order in `status` with the given shipments (shipment id -> tracking number)."""

    def make(shipments: dict[str, str], status: OrderStatus = OrderStatus.SHIPPED) -> OrderRecord:
        return add_shipped_order(store, shipments, status)

    return make
