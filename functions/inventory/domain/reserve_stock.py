"""Stock reservation for a received order: all lines or none, never below zero available."""

from __future__ import annotations

from enum import StrEnum

from inventory.domain.ports import AlreadyDecided, Reserved, ShortOfStock, StockReservations
from orders.domain.ports import OrderReader
from orders.models.api import TimelineEntry
from orders.models.order import OrderStatus
from shared.clock import Clock, isoformat
from shared.errors import RetryableError

RESERVATION_ACTOR = "system:stock-reservation"


class ReservationResult(StrEnum):
    CONFIRMED = "confirmed"
    OUT_OF_STOCK = "out_of_stock"
    ALREADY_DECIDED = "already_decided"
    UNKNOWN_ORDER = "unknown_order"


def reserve_order_stock(
    order_id: str, orders: OrderReader, reservations: StockReservations, clock: Clock
) -> ReservationResult:
    order = orders.get(order_id)
    if order is None:
        return ReservationResult.UNKNOWN_ORDER
    if order.status != OrderStatus.RECEIVED:
        return ReservationResult.ALREADY_DECIDED
    now = isoformat(clock.now())
    quantities = order.quantities_by_sku()
    outcome = reservations.reserve(
        order, quantities, TimelineEntry(status=OrderStatus.CONFIRMED, at=now, by=RESERVATION_ACTOR)
    )
    if isinstance(outcome, Reserved):
        return ReservationResult.CONFIRMED
    if isinstance(outcome, AlreadyDecided):
        return ReservationResult.ALREADY_DECIDED
    assert isinstance(outcome, ShortOfStock)
    if not outcome.short_items:
        # The transaction failed on stock, but a re-read finds enough: stock arrived meanwhile.
        raise RetryableError(f"stock changed while reserving order {order_id}; retry")
    details = {"short_items": [item.model_dump() for item in outcome.short_items]}
    entry = TimelineEntry(status=OrderStatus.OUT_OF_STOCK, at=now, by=RESERVATION_ACTOR, details=details)
    current = orders.get(order_id)  # a chunked attempt advanced the order's version
    if current is not None and reservations.mark_out_of_stock(current, outcome.short_items, entry):
        return ReservationResult.OUT_OF_STOCK
    return ReservationResult.ALREADY_DECIDED
