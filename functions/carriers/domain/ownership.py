"""Which stored events of a tracking number belong to the shipment that has it now.

Carriers recycle tracking numbers, so one number's events can span several parcels. An event
belongs to one shipment's life:

- events already applied to an earlier shipment with the number stay with it;
- events that arrived before the shipment registered the number, and that no shipment took,
  apply to it only if they are of its carrier and at most `pre_registration_window` (30 days by
  default, a stage setting) older than its registration;
- from its registration on, the newest shipment with the number owns every new event.

The shipment's registration time is its tracking link's `created_at` (else the shipment's own);
the earlier shipment is the one the link named before it was taken over (`previous_*`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from carriers.domain.carrier_catalog import carrier_key
from carriers.domain.delays import DelayPolicy
from carriers.domain.ports import TrackingStore
from carriers.models.shipment import ShipmentState, TrackingLink
from carriers.models.tracking import Checkpoint, parse_time


def same_carrier(event_carrier: str | None, shipment_carrier: str | None) -> bool:
    """False only when both are known and differ; a provider that names no carrier (or names it
    with a code we cannot read, such as 17TRACK's numeric keys) is not evidence of another one."""
    event, shipment = carrier_key(event_carrier), carrier_key(shipment_carrier)
    if event is None or shipment is None or event.isdigit():
        return True
    return event == shipment


def _moment(value: str) -> datetime:
    moment = parse_time(value)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def earlier_owner(store: TrackingStore, link: TrackingLink) -> set[str]:
    """Event keys applied to the shipment that had the number before this link's shipment."""
    if not link.previous_order_id or not link.previous_shipment_id:
        return set()
    if (link.previous_order_id, link.previous_shipment_id) == (link.order_id, link.shipment_id):
        return set()
    earlier = next(
        (s for s in store.shipments(link.previous_order_id) if s.shipment_id == link.previous_shipment_id),
        None,
    )
    return set(earlier.applied_events) if earlier else set()


def owned_events(
    events: dict[str, Checkpoint],
    shipment: ShipmentState,
    link: TrackingLink,
    earlier: set[str],
    policy: DelayPolicy,
) -> dict[str, Checkpoint]:
    """The events of `events` that belong to `shipment` (see the module docstring)."""
    registered = _moment(link.created_at or shipment.created_at)
    earliest = registered - policy.pre_registration_window
    applied = set(shipment.applied_events)
    owned: dict[str, Checkpoint] = {}
    for key, checkpoint in events.items():
        if key in applied:
            owned[key] = checkpoint
        elif key in earlier:
            continue
        elif checkpoint.received_at is not None and _moment(checkpoint.received_at) >= registered:
            owned[key] = checkpoint  # arrived after the registration: the newest shipment's
        elif checkpoint.occurred_at.astimezone(UTC) >= earliest and same_carrier(
            checkpoint.carrier, shipment.carrier
        ):
            owned[key] = checkpoint  # waited for a shipment; recent enough and of its carrier
    return owned
