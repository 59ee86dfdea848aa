"""Turns changes of stored orders (DynamoDB stream images) into work for other functions.

A new order asks for stock reservation; a status change the customer must hear about asks for a
notification. Event ids come from the order's version, so a replayed stream record produces the
same event id and the consumers apply it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from orders.models.order import OrderStatus
from shared.events import OrderEvent


class Destination(StrEnum):
    RESERVATION = "reservation"
    NOTIFICATION = "notification"


CUSTOMER_FACING_STATUSES = frozenset(
    {
        OrderStatus.CONFIRMED,
        OrderStatus.OUT_OF_STOCK,
        OrderStatus.CANCELLED,
        OrderStatus.EXPIRED,
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.SHIPPED,
        OrderStatus.IN_TRANSIT,
        OrderStatus.OUT_FOR_DELIVERY,
        OrderStatus.DELIVERED,
        OrderStatus.DELIVERY_EXCEPTION,
        OrderStatus.RETURNED_TO_SENDER,
    }
)
"""Status changes sent to the notification worker as domain events; its policy decides which
reach the customer on which channel."""


@dataclass(frozen=True)
class Outgoing:
    destination: Destination
    event: OrderEvent


class EventPublisher(Protocol):
    def publish(self, destination: Destination, event: OrderEvent) -> None: ...


def _event(image: dict[str, Any]) -> OrderEvent:
    order_id = str(image["order_id"])
    status = str(image["status"])
    return OrderEvent(
        event_id=f"{order_id}:v{int(image['version'])}",
        event_type=f"order.{status}",
        order_id=order_id,
        status=status,
        occurred_at=str(image.get("updated_at") or image.get("created_at")),
    )


def events_for_change(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Outgoing]:
    if not new or new.get("entity") != "order":
        return []
    status = new.get("status")
    if old is None:
        if status == OrderStatus.RECEIVED:
            return [Outgoing(Destination.RESERVATION, _event(new))]
        return []
    if old.get("status") == status:
        return []
    if status == OrderStatus.RECEIVED:  # approved after review: reserve now
        return [Outgoing(Destination.RESERVATION, _event(new))]
    if status in CUSTOMER_FACING_STATUSES:
        return [Outgoing(Destination.NOTIFICATION, _event(new))]
    return []


def dispatch_order_change(
    old: dict[str, Any] | None, new: dict[str, Any] | None, publisher: EventPublisher
) -> int:
    outgoing = events_for_change(old, new)
    for item in outgoing:
        publisher.publish(item.destination, item.event)
    return len(outgoing)
