"""Once a replacement ships, the order follows its replacement shipments (docs/reshipments.md)."""

from __future__ import annotations

from carriers.domain.order_follows import order_change
from carriers.models.shipment import ShipmentState
from orders.domain.place_order import place_order
from orders.models.api import CreateOrderRequest
from orders.models.order import OrderRecord, OrderStatus
from tests.factories import order_body
from tests.fakes.orders import FrozenClock, InMemoryOrders


def _order(status: OrderStatus) -> OrderRecord:
    orders = InMemoryOrders()
    placed = place_order(CreateOrderRequest.model_validate(order_body()), "k", orders, FrozenClock())
    return placed.order.model_copy(update={"status": status})


def _shipment(shipment_id: str, status: str, purpose: str = "order") -> ShipmentState:
    return ShipmentState(
        order_id="ord_x",
        shipment_id=shipment_id,
        carrier="sf-express",
        tracking_number=shipment_id.upper(),
        status=status,
        created_at="2026-11-24T10:00:00Z",
        purpose=purpose,
    )


def test_a_reshipped_order_follows_its_replacement_not_the_failed_parcel() -> None:
    failed = _shipment("shp_a", "delivery_exception")
    replacement = _shipment("shp_b", "in_transit", "replacement")

    change = order_change(
        _order(OrderStatus.SHIPPED), [failed, replacement], replacement, [], "t", "carrier", {}
    )

    assert change.to_status == OrderStatus.IN_TRANSIT


def test_a_delivered_replacement_delivers_the_order() -> None:
    failed = _shipment("shp_a", "returned_to_sender")
    replacement = _shipment("shp_b", "delivered", "replacement")

    change = order_change(
        _order(OrderStatus.IN_TRANSIT), [failed, replacement], replacement, [], "t", "c", {}
    )

    assert change.to_status == OrderStatus.DELIVERED


def test_without_a_replacement_the_failed_parcel_still_decides() -> None:
    failed = _shipment("shp_a", "delivery_exception")

    change = order_change(_order(OrderStatus.IN_TRANSIT), [failed], failed, [], "t", "c", {})

    assert change.to_status == OrderStatus.DELIVERY_EXCEPTION


def test_a_delivered_order_stays_delivered_while_its_replacement_travels() -> None:
    delivered = _shipment("shp_a", "delivered")
    replacement = _shipment("shp_b", "delivery_exception", "replacement")

    change = order_change(
        _order(OrderStatus.DELIVERED), [delivered, replacement], replacement, [], "t", "c", {}
    )

    assert change.to_status == OrderStatus.DELIVERED
