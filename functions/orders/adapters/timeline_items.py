"""Timeline entries as the order item stores them, and the shipments' checkpoints that fill in the
details of carrier entries kept as references (`orders.domain.carrier_entries`).

A carrier reference is stored flat, without a `details` map:

    {"status": ..., "at": ..., "p": <provider>, "ref": <checkpoint ref>, "rec": <recorded_at>}

`p` is the provider (`by` = `carrier:<provider>`); `rec` is the time the entry reached the order: a
number, milliseconds since the epoch, when the time is in the canonical form
(`shared.clock.isoformat`, which it is when ordertrack wrote it), else the text itself. Every other
entry is stored as it is (`{status, at, by, details}`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from orders.domain.carrier_entries import (
    CARRIER_ACTOR_PREFIX,
    RECORDED_AT,
    REF,
    ShipmentCheckpoints,
    reference,
)
from orders.models.api import TimelineEntry
from shared.checkpoint_records import full_checkpoints
from shared.clock import isoformat

STORED_REF = "ref"
STORED_RECORDED_AT = "rec"
STORED_PROVIDER = "p"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)


def _stored_time(value: str) -> int | str:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None or isoformat(moment) != value:
        return value
    return (moment - _EPOCH) // _MILLISECOND


def _read_time(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return isoformat(_EPOCH + int(value) * _MILLISECOND)
    return str(value)


def timeline_item(entry: TimelineEntry) -> dict[str, Any]:
    """One entry as the order item's `timeline` list stores it (plain values, for `to_attribute`)."""
    ref = reference(entry)
    if ref is None:
        return entry.model_dump(mode="json", exclude_none=True)
    provider = entry.by.removeprefix(CARRIER_ACTOR_PREFIX)
    item: dict[str, Any] = {
        "status": entry.status,
        "at": entry.at,
        STORED_PROVIDER: provider,
        STORED_REF: ref,
    }
    recorded_at = (entry.details or {}).get(RECORDED_AT)
    if recorded_at is not None:
        item[STORED_RECORDED_AT] = _stored_time(str(recorded_at))
    return item


def timeline_entry(item: dict[str, Any]) -> dict[str, Any]:
    """One stored entry (plain values) as a `TimelineEntry` reads it."""
    if STORED_REF not in item:
        return item
    details: dict[str, object] = {REF: item[STORED_REF]}
    if STORED_RECORDED_AT in item:
        details[RECORDED_AT] = _read_time(item[STORED_RECORDED_AT])
    by = f"{CARRIER_ACTOR_PREFIX}{item[STORED_PROVIDER]}"
    return {"status": item["status"], "at": item["at"], "by": by, "details": details}


def shipment_checkpoints(shipment: dict[str, Any]) -> ShipmentCheckpoints:
    """A shipment item (plain values) as `orders.domain.carrier_entries.expand` reads it."""
    return ShipmentCheckpoints(
        shipment_id=str(shipment.get("shipment_id") or str(shipment["sk"]).removeprefix("SHIPMENT#")),
        tracking_number=str(shipment.get("tracking_number")),
        checkpoints=full_checkpoints(shipment.get("checkpoints") or [], shipment.get("carrier")),
    )
