"""The order follows its shipments: carrier checkpoints reach the order's timeline, and the order's
status moves with its shipments (`order_status_for`).

A shipment and its order are written one after the other, each with a single-item conditional write
(not one transaction: a transaction bills every item twice, docs/capacity.md). So that a crash or a
conflict between the two writes loses nothing, the order's update is computed from the shipment as
stored, not from what was just applied: every checkpoint of the shipment that is not on the order's
timeline yet is added (matched on shipment, status, time and message), and the order moves to the
status its shipments add up to. Whoever applies the tracking number next (the redelivered webhook
message, the next webhook, the new-link consumer) catches the order up.
"""

from __future__ import annotations

from carriers.models.shipment import OrderChange, ShipmentState
from carriers.models.tracking import Checkpoint
from orders.domain.lifecycle import can_move
from orders.models.api import TimelineEntry
from orders.models.order import OrderRecord
from orders.models.order import OrderStatus as O

CARRIER_ACTOR_PREFIX = "carrier:"


def order_status_for(current: O, shipment_statuses: list[str]) -> O | None:
    """The order status its shipments add up to, when the lifecycle allows the move; else None.

    A `partially_shipped` order keeps its status (its shipments' progress is on the timeline and on
    each shipment): the storefront registers the remaining shipments only from `confirmed` or
    `partially_shipped`, so moving it on would block the rest of the order.
    """
    if current is O.PARTIALLY_SHIPPED:
        return None
    statuses = set(shipment_statuses)
    target: O | None = None
    if O.DELIVERY_EXCEPTION in statuses:
        target = O.DELIVERY_EXCEPTION
    elif statuses == {O.RETURNED_TO_SENDER}:
        target = O.RETURNED_TO_SENDER
    elif O.RETURNED_TO_SENDER in statuses:
        target = O.DELIVERY_EXCEPTION
    elif statuses == {O.DELIVERED}:
        target = O.DELIVERED
    elif O.OUT_FOR_DELIVERY in statuses:
        target = O.OUT_FOR_DELIVERY
    elif statuses & {O.IN_TRANSIT, O.DELIVERED}:
        target = O.IN_TRANSIT
    if target is None or target == current or not can_move(current, target):
        return None
    return target


def carrier_entry(checkpoint: Checkpoint, shipment: ShipmentState, now: str) -> TimelineEntry:
    """A checkpoint as the order's timeline tells it (the carrier's own time, `recorded_at` ours)."""
    return TimelineEntry(
        status=checkpoint.status.value,
        at=checkpoint.occurred_at.isoformat(),
        by=f"{CARRIER_ACTOR_PREFIX}{checkpoint.provider.value}",
        details={
            key: value
            for key, value in {
                "shipment_id": shipment.shipment_id,
                "tracking_number": shipment.tracking_number,
                "reason": checkpoint.reason,
                "location": checkpoint.location,
                "message": checkpoint.message,
                "raw_code": checkpoint.raw_code,
                "recorded_at": now,
            }.items()
            if value is not None
        },
    )


def _identity(status: str, at: str, message: object) -> tuple[str, str, str]:
    return status, at, str(message or "")


def missing_entries(order: OrderRecord, shipment: ShipmentState, now: str) -> list[TimelineEntry]:
    """The shipment's checkpoints that are not on the order's timeline yet, in their own time order."""
    told = {
        _identity(entry.status, entry.at, (entry.details or {}).get("message"))
        for entry in order.timeline
        if entry.by.startswith(CARRIER_ACTOR_PREFIX)
        and (entry.details or {}).get("shipment_id") == shipment.shipment_id
    }
    entries = []
    for record in shipment.checkpoints:
        checkpoint = Checkpoint.model_validate(record)
        identity = _identity(checkpoint.status.value, checkpoint.occurred_at.isoformat(), checkpoint.message)
        if identity not in told:
            told.add(identity)
            entries.append(carrier_entry(checkpoint, shipment, now))
    return entries


def status_details(shipment: ShipmentState) -> dict[str, object]:
    details: dict[str, object] = {
        "shipment_id": shipment.shipment_id,
        "tracking_status": shipment.tracking_status,
    }
    if shipment.status_reason:
        details["reason"] = shipment.status_reason
    return details


def order_change(
    order: OrderRecord,
    shipments: list[ShipmentState],
    updated: ShipmentState,
    entries: list[TimelineEntry],
    at: str,
    actor: str,
    details: dict[str, object],
) -> OrderChange:
    """The order update for a changed shipment: `entries`, plus the order's own status move (by
    `actor`) when its shipments now add up to another status the lifecycle allows."""
    statuses = [updated.status if s.shipment_id == updated.shipment_id else s.status for s in shipments]
    target = order_status_for(order.status, statuses)
    if target is not None:
        entries = [*entries, TimelineEntry(status=target.value, at=at, by=actor, details=details)]
    return OrderChange(
        order_id=order.order_id,
        from_status=order.status,
        to_status=target or order.status,
        expected_version=order.version,
        entries=entries,
        at=at,
    )


def catch_up(
    order: OrderRecord, shipments: list[ShipmentState], shipment: ShipmentState, now: str, actor: str
) -> OrderChange | None:
    """What the order still lacks of `shipment` as stored (None: nothing)."""
    change = order_change(
        order,
        shipments,
        shipment,
        missing_entries(order, shipment, now),
        now,
        actor,
        status_details(shipment),
    )
    return change if change.entries else None
