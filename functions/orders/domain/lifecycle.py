"""The order state machine: the one place that says which status may follow which.

Drawn in docs/order-lifecycle.md. Every write that changes an order's status checks its move
here first and is conditional on the status it read, so an illegal or concurrent move changes
nothing (the API answers 409 with the current status).
"""

from __future__ import annotations

from orders.models.order import OrderStatus as S
from shared.errors import Conflict

TRANSITIONS: dict[S, frozenset[S]] = {
    S.RECEIVED: frozenset({S.ON_HOLD, S.RESERVED, S.CONFIRMED, S.OUT_OF_STOCK, S.CANCELLED}),
    S.ON_HOLD: frozenset({S.RECEIVED, S.REJECTED, S.CANCELLED}),
    S.RESERVED: frozenset({S.ON_HOLD, S.CONFIRMED, S.EXPIRED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.ON_HOLD, S.PARTIALLY_SHIPPED, S.SHIPPED, S.CANCELLED}),
    S.PARTIALLY_SHIPPED: frozenset({S.SHIPPED, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERY_EXCEPTION}),
    S.SHIPPED: frozenset(
        {S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.DELIVERY_EXCEPTION, S.RETURNED_TO_SENDER}
    ),
    S.IN_TRANSIT: frozenset({S.OUT_FOR_DELIVERY, S.DELIVERED, S.DELIVERY_EXCEPTION, S.RETURNED_TO_SENDER}),
    S.OUT_FOR_DELIVERY: frozenset({S.IN_TRANSIT, S.DELIVERED, S.DELIVERY_EXCEPTION, S.RETURNED_TO_SENDER}),
    S.DELIVERY_EXCEPTION: frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.RETURNED_TO_SENDER}),
    S.DELIVERED: frozenset({S.RETURNED_TO_SENDER}),
    S.OUT_OF_STOCK: frozenset(),
    S.REJECTED: frozenset(),
    S.EXPIRED: frozenset(),
    S.CANCELLED: frozenset(),
    S.RETURNED_TO_SENDER: frozenset(),
}

REPLACEMENT_TRANSITIONS: dict[S, frozenset[S]] = {
    S.DELIVERY_EXCEPTION: frozenset({S.SHIPPED}),
    S.RETURNED_TO_SENDER: frozenset({S.SHIPPED}),
}
"""The moves only a replacement makes (docs/reshipments.md): the shipment of a reshipment of an
order whose parcel failed puts the order back on its way; from there on it follows its
replacement shipments like any shipped order."""

TERMINAL = frozenset(status for status, following in TRANSITIONS.items() if not following)
HOLDS_STOCK = frozenset({S.RESERVED, S.CONFIRMED, S.PARTIALLY_SHIPPED})
"""Statuses in which the order may hold a live reservation (released on cancel or expiry)."""


class IllegalTransition(Conflict):
    code = "illegal_transition"

    def __init__(self, order_id: str, current: S, requested: S) -> None:
        super().__init__(
            f"Order {order_id} is {current.value}; it cannot become {requested.value}.",
            details={
                "order_id": order_id,
                "current_status": current.value,
                "requested_status": requested.value,
            },
        )
        self.current = current
        self.requested = requested


def can_move(current: S, target: S, *, replacement: bool = False) -> bool:
    """Whether `target` may follow `current`; `replacement`: the move of a reshipment's shipment."""
    return target in TRANSITIONS[current] or (
        replacement and target in REPLACEMENT_TRANSITIONS.get(current, frozenset())
    )


def check_move(order_id: str, current: S, target: S) -> None:
    if not can_move(current, target):
        raise IllegalTransition(order_id, current, target)
