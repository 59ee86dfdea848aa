"""When a carrier event happened, as a message tells it: the carrier's own time of the checkpoint,
read from the order's timeline (docs/notifications.md, "The customer's time")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from notifications.domain.formatting import parse_instant

if TYPE_CHECKING:
    from datetime import datetime

    from orders.models.api import TimelineEntry

FINAL_TRACKING_STATUSES = frozenset({"delivered", "return_to_sender", "cancelled"})
CARRIER_ACTOR_PREFIX = "carrier:"


def _instant(value: object) -> datetime | None:
    try:
        return parse_instant(str(value)) if value else None
    except ValueError:
        return None


def carrier_time(entry: TimelineEntry | None, timeline: list[TimelineEntry], occurred: datetime) -> datetime:
    """The time a message tells for its event: the carrier's own time of the checkpoint that caused
    it, never when ordertrack processed the webhook; `occurred` (the event's time) for events of
    ordertrack's own, or when the order does not say.

    A carrier entry is its own time. The order's status move (`system:carrier-tracking`, naming the
    shipment and its tracking status) is timed by the shipment's carrier entries with that status
    that had reached the order by then (`recorded_at`): the first for a final status (a repeated
    delivered scan changes nothing), else the latest (the last update)."""
    if entry is None:
        return occurred
    if entry.by.startswith(CARRIER_ACTOR_PREFIX):
        own = _instant(entry.at)
        return own.astimezone(occurred.tzinfo) if own else occurred
    details = entry.details or {}
    shipment_id, status, moved = (
        details.get("shipment_id"),
        details.get("tracking_status"),
        _instant(entry.at),
    )
    if not shipment_id or not status or moved is None:
        return occurred
    times = []
    for scan in timeline:
        scan_details = scan.details or {}
        if not scan.by.startswith(CARRIER_ACTOR_PREFIX) or scan.status != status:
            continue
        if scan_details.get("shipment_id") != shipment_id:
            continue
        recorded = _instant(scan_details.get("recorded_at"))
        at = _instant(scan.at)
        if at is not None and (recorded is None or recorded <= moved):
            times.append(at)
    if not times:
        return occurred
    chosen = min(times) if status in FINAL_TRACKING_STATUSES else max(times)
    return chosen.astimezone(occurred.tzinfo)
