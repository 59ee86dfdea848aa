"""Turns changes of stored items (the orders table's stream images) into ordertrack's domain events
(`shared.domain_events`), published on the stack's event bus for its own consumers and for merchants.

- an order: `OrderPlaced` when it is created, `OrderStatusChanged` on every move, plus
  `OrderCancelled`, `OrderShipped` or `OrderDelivered` when the move is one of those;
- a stock item: `StockLevelChanged` when its counters or threshold change (not when only the
  low-stock flag does: that is the watcher's own bookkeeping);
- a tracking link: `ShipmentTrackingLinked` when it is written (a new number, or a recycled one
  taken over by a newer shipment);
- a shipment: `ShipmentExceptionRaised` when it runs into a new delivery problem
  (`delivery_exceptions.domain.opening`).

Event ids come from what the change is (an order's version, the stream record's id, the link's
owner), so a replayed stream record publishes the same ids again.
"""

from __future__ import annotations

from typing import Any

from orders.models.order import OrderStatus
from shared.domain_events import (
    DomainEvent,
    OrderCancelled,
    OrderDelivered,
    OrderMoveDetail,
    OrderPlaced,
    OrderShipped,
    OrderStatusChanged,
    ShipmentTrackingLinked,
    StockLevelChanged,
)

CANCELLED = frozenset({OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.REJECTED})
SHIPPED = frozenset({OrderStatus.SHIPPED, OrderStatus.PARTIALLY_SHIPPED})
STOCK_FIELDS = ("on_hand", "reserved", "available", "low_stock_threshold")


def _int(image: dict[str, Any], name: str, default: int = 0) -> int:
    value = image.get(name)
    return default if value is None else int(value)


def order_events(old: dict[str, Any] | None, new: dict[str, Any]) -> list[DomainEvent]:
    order_id = str(new["order_id"])
    status = str(new["status"])
    version = _int(new, "version")
    common: dict[str, Any] = {
        "event_id": f"{order_id}:v{version}",
        "occurred_at": str(new.get("updated_at") or new.get("created_at")),
        "order_id": order_id,
        "status": status,
        "version": version,
    }
    if old is None:
        return [OrderPlaced(**common)]
    previous = str(old.get("status"))
    if previous == status:
        return []
    events: list[OrderMoveDetail] = [OrderStatusChanged(**common, previous_status=previous)]
    if status in CANCELLED:
        events.append(OrderCancelled(**common, previous_status=previous))
    elif status in SHIPPED and previous not in SHIPPED:
        events.append(OrderShipped(**common, previous_status=previous))
    elif status == OrderStatus.DELIVERED:
        events.append(OrderDelivered(**common, previous_status=previous))
    return list(events)


def stock_events(
    old: dict[str, Any] | None, new: dict[str, Any], change_id: str, at: str
) -> list[DomainEvent]:
    if old is not None and all(old.get(name) == new.get(name) for name in STOCK_FIELDS):
        return []
    sku = str(new["sku"])
    return [
        StockLevelChanged(
            event_id=f"{sku}:{change_id}",
            occurred_at=str(new.get("updated_at") or at),
            sku=sku,
            on_hand=_int(new, "on_hand"),
            reserved=_int(new, "reserved"),
            available=_int(new, "available"),
            previous_available=None if old is None else _int(old, "available"),
            low_stock_threshold=_int(new, "low_stock_threshold"),
            low_stock_alerted=bool(new.get("low_stock_alerted", False)),
        )
    ]


def tracking_link_events(new: dict[str, Any], at: str) -> list[DomainEvent]:
    tracking_number = str(new.get("tracking_number") or str(new["pk"]).removeprefix("TRACKING#"))
    order_id, shipment_id = str(new["order_id"]), str(new["shipment_id"])
    return [
        ShipmentTrackingLinked(
            event_id=f"{tracking_number}:{order_id}:{shipment_id}",
            occurred_at=str(new.get("created_at") or at),
            tracking_number=tracking_number,
            order_id=order_id,
            shipment_id=shipment_id,
            carrier=str(new["carrier"]),
            previous_order_id=new.get("previous_order_id"),
            previous_shipment_id=new.get("previous_shipment_id"),
        )
    ]


def domain_events_for_change(
    old: dict[str, Any] | None, new: dict[str, Any] | None, change_id: str, at: str
) -> list[DomainEvent]:
    """The events of one stored change; `change_id` identifies the change (the stream record's
    id) and `at` is when it was recorded (UTC ISO 8601), for items that keep no time of their own."""
    if not new:
        return []
    match new.get("entity"):
        case "order":
            return order_events(old, new)
        case "stock":
            return stock_events(old, new, change_id, at)
        case "tracking_link":
            return tracking_link_events(new, at)
        case "shipment":
            from delivery_exceptions.domain.opening import raised_event

            raised = raised_event(old, new, at)
            return [raised] if raised else []
    return []
