"""The order follows its shipments: carrier checkpoints reach the order's timeline, and the order's
status moves with its shipments (`order_status_for`).

A shipment and its order are written one after the other, each with a single-item conditional write
(not one transaction: a transaction bills every item twice, docs/capacity.md). So that a crash or a
conflict between the two writes loses nothing, the order's update is computed from the shipment as
stored, not from what was just applied: every checkpoint of the shipment that is not on the order's
timeline yet is added (matched on status, time and a digest of shipment and message: the entries
are references to the shipment's checkpoints, `orders.domain.carrier_entries`), and the order moves
to the status its shipments add up to. Whoever applies the tracking number next (the redelivered
webhook message, the next webhook, the new-link consumer) catches the order up.
"""

from __future__ import annotations

from carriers.models.shipment import OrderChange, ShipmentState
from carriers.models.tracking import Checkpoint
from orders.domain.carrier_entries import carrier_identity, carrier_reference, checkpoint_identity
from orders.domain.lifecycle import can_move
from orders.models.api import TimelineEntry
from orders.models.order import OrderRecord
from orders.models.order import OrderStatus as O


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
    """A checkpoint as the order's timeline tells it (the carrier's own time, `recorded_at` ours),
    kept as a reference to the shipment's copy (`orders.domain.carrier_entries`)."""
    return carrier_reference(
        shipment_id=shipment.shipment_id,
        status=checkpoint.status.value,
        at=checkpoint.occurred_at.isoformat(),
        provider=checkpoint.provider.value,
        message=checkpoint.message,
        recorded_at=now,
    )


def missing_entries(order: OrderRecord, shipment: ShipmentState, now: str) -> list[TimelineEntry]:
    """The shipment's checkpoints that are not on the order's timeline yet, in their own time order.
    An entry is matched on its status, time and checkpoint reference (the shipment id and message
    in it), whether written as a reference or in full."""
    told = {identity for entry in order.timeline if (identity := carrier_identity(entry)) is not None}
    entries = []
    for record in shipment.checkpoints:
        checkpoint = Checkpoint.model_validate(record)
        identity = checkpoint_identity(
            shipment.shipment_id,
            checkpoint.status.value,
            checkpoint.occurred_at.isoformat(),
            checkpoint.message,
        )
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
    current = [updated if s.shipment_id == updated.shipment_id else s for s in shipments]
    # once a replacement ships, the order follows its replacements (docs/reshipments.md)
    followed = [s for s in current if s.purpose == "replacement"] or current
    target = order_status_for(order.status, [s.status for s in followed])
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
