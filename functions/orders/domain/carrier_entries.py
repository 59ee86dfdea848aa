"""Carrier checkpoints on an order's timeline, kept as references to the shipment's own copy.

Every checkpoint of a shipment is an entry of its order's timeline: its status, the carrier's own
time (`at`), `by` = `carrier:<provider>`, and `details`: the shipment id and tracking number, the
checkpoint's reason, location, message and raw code, and `recorded_at` (when it reached the order).
All of those details but `recorded_at` are on the shipment item already, and every write of the
order rewrites (and bills) the whole order item, so a carrier entry is kept as a reference:

    {status, at, by, details: {"ref": <shared.checkpoint_records.checkpoint_ref>, "recorded_at": ...}}

Its details are read back from the shipment's checkpoints (`expand`) wherever the order is read with
its shipments (the order's partition), so the API, the tracking page and notifications show the
entry as it always was. The status, time and actor stay on the entry itself: they are what a reader
of the order alone looks at (catch-up matching, notifications picking an entry by status and time,
returns looking for a delivery). An entry written in full (before references) reads as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from orders.models.api import TimelineEntry
from shared.checkpoint_records import checkpoint_ref

CARRIER_ACTOR_PREFIX = "carrier:"
REF = "ref"
RECORDED_AT = "recorded_at"


@dataclass(frozen=True)
class ShipmentCheckpoints:
    """What `expand` needs of one shipment: its ids and its checkpoints as full records."""

    shipment_id: str
    tracking_number: str
    checkpoints: list[dict[str, Any]] = field(default_factory=list)


def carrier_reference(
    *, shipment_id: str, status: str, at: str, provider: str, message: str | None, recorded_at: str
) -> TimelineEntry:
    """The timeline entry of one checkpoint of shipment `shipment_id` (`at`: its own time)."""
    return TimelineEntry(
        status=status,
        at=at,
        by=f"{CARRIER_ACTOR_PREFIX}{provider}",
        details={REF: checkpoint_ref(shipment_id, status, at, message), RECORDED_AT: recorded_at},
    )


def reference(entry: TimelineEntry) -> str | None:
    """The checkpoint reference of a carrier entry kept as a reference; None for any other entry."""
    details = entry.details or {}
    if entry.by.startswith(CARRIER_ACTOR_PREFIX) and REF in details and "shipment_id" not in details:
        return str(details[REF])
    return None


def carrier_identity(entry: TimelineEntry) -> tuple[str, str, str] | None:
    """(status, time, checkpoint reference) of a carrier entry in either form; None for the others."""
    if not entry.by.startswith(CARRIER_ACTOR_PREFIX):
        return None
    ref = reference(entry)
    if ref is None:
        details = entry.details or {}
        if details.get("shipment_id") is None:
            return None
        ref = checkpoint_ref(str(details["shipment_id"]), entry.status, entry.at, details.get("message"))
    return entry.status, entry.at, ref


def checkpoint_identity(shipment_id: str, status: str, at: str, message: object) -> tuple[str, str, str]:
    """The identity (`carrier_identity`) the entry of this checkpoint has."""
    return status, at, checkpoint_ref(shipment_id, status, at, message)


def carrier_details(
    shipment: ShipmentCheckpoints, checkpoint: dict[str, Any], recorded_at: object
) -> dict[str, object]:
    """A carrier entry's details in full, in the order they have always had."""
    return {
        key: value
        for key, value in {
            "shipment_id": shipment.shipment_id,
            "tracking_number": shipment.tracking_number,
            "reason": checkpoint.get("reason"),
            "location": checkpoint.get("location"),
            "message": checkpoint.get("message"),
            "raw_code": checkpoint.get("raw_code"),
            "recorded_at": recorded_at,
        }.items()
        if value is not None
    }


def _entry_time(occurred_at: object) -> str:
    """A checkpoint's time as its timeline entry has it (ISO 8601 of the parsed time)."""
    try:
        return datetime.fromisoformat(str(occurred_at).replace("Z", "+00:00")).isoformat()
    except ValueError:
        return str(occurred_at)


def has_references(timeline: Iterable[TimelineEntry]) -> bool:
    return any(reference(entry) is not None for entry in timeline)


def named_shipments(timeline: Iterable[TimelineEntry]) -> list[str]:
    """The shipment ids the timeline's entries name in their details (each once, first seen first):
    every shipment the storefront registered has its `shipped` entry."""
    named = {str(sid): None for entry in timeline if (sid := (entry.details or {}).get("shipment_id"))}
    return list(named)


def expand(
    timeline: list[TimelineEntry], shipments: Iterable[ShipmentCheckpoints], *, keep_unresolved: bool = False
) -> list[TimelineEntry]:
    """The timeline with every carrier reference's details read from its shipment's checkpoint. A
    reference whose checkpoint is not among `shipments` keeps only its `recorded_at`, or stays as it
    is with `keep_unresolved` (to be looked for in more shipments)."""
    if not has_references(timeline):
        return timeline
    checkpoints: dict[tuple[str, str, str], tuple[ShipmentCheckpoints, dict[str, Any]]] = {}
    for shipment in shipments:
        for checkpoint in shipment.checkpoints:
            status, at = str(checkpoint.get("status")), _entry_time(checkpoint.get("occurred_at"))
            identity = checkpoint_identity(shipment.shipment_id, status, at, checkpoint.get("message"))
            checkpoints.setdefault(identity, (shipment, checkpoint))
    expanded = []
    for entry in timeline:
        ref = reference(entry)
        if ref is None:
            expanded.append(entry)
            continue
        recorded_at = (entry.details or {}).get(RECORDED_AT)
        found = checkpoints.get((entry.status, entry.at, ref))
        if found is None and keep_unresolved:
            expanded.append(entry)
            continue
        if found is None:
            details: dict[str, object] = {RECORDED_AT: recorded_at} if recorded_at is not None else {}
        else:
            details = carrier_details(*found, recorded_at)
        expanded.append(entry.model_copy(update={"details": details or None}))
    return expanded
