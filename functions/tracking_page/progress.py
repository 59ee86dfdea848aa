"""Where an order is on its way to the customer, as the five steps of the page's stepper:
ordered, shipped, in transit, out for delivery, delivered, with a problem state at the step
reached when something went wrong (a delivery exception, a return to sender, a cancellation)."""

from __future__ import annotations

from dataclasses import dataclass

from orders.models.order import OrderRecord
from tracking_page.read_model import TrackedShipment
from tracking_page.texts import PROBLEM_STATUSES

STEP_KEYS = ("ordered", "shipped", "in_transit", "out_for_delivery", "delivered")

ORDER_STEP: dict[str, int] = {
    "received": 0,
    "on_hold": 0,
    "reserved": 0,
    "confirmed": 0,
    "partially_shipped": 1,
    "shipped": 1,
    "in_transit": 2,
    "out_for_delivery": 3,
    "delivered": 4,
}
"""Order statuses that place the order on a step; any other is a problem (see `progress`)."""

TRACKING_STEP: dict[str, int] = {
    "pending": 1,
    "info_received": 1,
    "in_transit": 2,
    "delivery_delayed": 2,
    "on_hold": 2,
    "exception": 2,
    "out_for_delivery": 3,
    "attempt_fail": 3,
    "available_for_pickup": 3,
    "delivered": 4,
}
"""How far a carrier status got the parcel (a problem status counts where it happens)."""

PROBLEM_ORDER_STATUSES = frozenset(
    {"delivery_exception", "returned_to_sender", "cancelled", "rejected", "expired", "out_of_stock"}
)


@dataclass(frozen=True)
class Progress:
    step: int  # index into STEP_KEYS of the step reached
    problem: bool  # the step reached is shown as a problem


def progress(order: OrderRecord, shipments: list[TrackedShipment]) -> Progress:
    """The step reached: the order's own status, or for an order in a problem status, the furthest
    any of its parcels got by the carrier's account (at least `shipped` once one exists)."""
    status = order.status.value
    outbound = [s for s in shipments if getattr(s, "direction", "outbound") != "return"]
    reached = 1 if outbound else 0
    for shipment in outbound:
        statuses = [shipment.tracking_status or ""] + [c.status for c in shipment.checkpoints]
        reached = max([reached, *(TRACKING_STEP.get(s, 0) for s in statuses)])
    if status in ORDER_STEP:
        problem = any(s.tracking_status in PROBLEM_STATUSES for s in outbound) and status != "delivered"
        # delivered is the order's word alone: one parcel of several delivered is not the order
        return Progress(max(ORDER_STEP[status], min(reached, 3)), problem)
    return Progress(reached, status in PROBLEM_ORDER_STATUSES)
