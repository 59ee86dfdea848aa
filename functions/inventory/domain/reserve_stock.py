"""Stock reservation for a received order: all lines or none, never below zero available."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from inventory.domain.ports import AlreadyDecided, Reserved, ShortOfStock, StockReservations
from orders.domain.hold_rules import ScreeningPolicy, screen
from orders.domain.manage_orders import hold_expiry, hold_index_values
from orders.domain.ports import OrderRepository
from orders.models.api import TimelineEntry
from orders.models.order import OrderStatus
from shared.clock import Clock, isoformat
from shared.errors import RetryableError

RESERVATION_ACTOR = "system:stock-reservation"
SCREENING_ACTOR = "system:hold-rules"
DEFAULT_PAYMENT_HOLD_MINUTES = 30


class ReservationResult(StrEnum):
    CONFIRMED = "confirmed"
    RESERVED = "reserved"
    ON_HOLD = "on_hold"
    OUT_OF_STOCK = "out_of_stock"
    ALREADY_DECIDED = "already_decided"
    UNKNOWN_ORDER = "unknown_order"


def reserve_order_stock(
    order_id: str,
    orders: OrderRepository,
    reservations: StockReservations,
    clock: Clock,
    policy: ScreeningPolicy | None = None,
) -> ReservationResult:
    """Screen a received order (hold rules), then reserve all its lines or none: `confirmed` if
    paid, `reserved` with a payment hold if pending, `out_of_stock` naming the short lines."""
    order = orders.get(order_id)
    if order is None:
        return ReservationResult.UNKNOWN_ORDER
    if order.status != OrderStatus.RECEIVED:
        return ReservationResult.ALREADY_DECIDED
    now = isoformat(clock.now())
    if policy is not None and (reasons := screen(order, policy)):
        held = TimelineEntry(
            status=OrderStatus.ON_HOLD, at=now, by=SCREENING_ACTOR, details={"reasons": reasons}
        )
        if orders.transition(order, held, {"hold_reasons": reasons}):
            return ReservationResult.ON_HOLD
        return ReservationResult.ALREADY_DECIDED
    quantities = order.quantities_by_sku()
    order_updates: dict[str, Any] = {}
    target = OrderStatus.CONFIRMED
    if order.payment_status == "pending":
        target = OrderStatus.RESERVED
        minutes = policy.payment_hold_minutes if policy else DEFAULT_PAYMENT_HOLD_MINUTES
        order_updates = hold_index_values(hold_expiry(clock, minutes))
    outcome = reservations.reserve(
        order,
        quantities,
        TimelineEntry(status=target, at=now, by=RESERVATION_ACTOR),
        order_updates=order_updates,
    )
    if isinstance(outcome, Reserved):
        return ReservationResult.CONFIRMED if target == OrderStatus.CONFIRMED else ReservationResult.RESERVED
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
