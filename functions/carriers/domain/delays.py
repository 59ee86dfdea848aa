"""Delay detection: every open shipment has one watch with its next deadline, kept under a sparse
per-day key spread over shards (`WATCH#<deadline date>#<shard>`), so the scheduled job reads only the days that are due, by
key, never by scan.

- `stalled`: no checkpoint for `stalled_after` (default 48 h) since the last one (or since the
  shipment was registered);
- `late`: the carrier's or the promised delivery date has passed (deadline: the end of that day, UTC).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from carriers.models.shipment import ShipmentState, Watch

DEFAULT_STALLED_AFTER = timedelta(hours=48)
CLOSED_SHIPMENT_STATUSES = frozenset({"delivered", "returned_to_sender"})


@dataclass(frozen=True)
class DelayPolicy:
    stalled_after: timedelta = DEFAULT_STALLED_AFTER
    lookback_days: int = 14  # watches older than this many days are not looked at any more
    # events that arrived before a shipment registered its (recycled) tracking number apply to it
    # only if of its carrier and at most this much older than its registration
    pre_registration_window: timedelta = timedelta(days=30)


DEFAULT_POLICY = DelayPolicy()


LATEST = datetime.max.replace(tzinfo=UTC)


def _utc(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # at the end of year 9999 with a positive offset
        return LATEST


def _plus(moment: datetime, delta: timedelta) -> datetime:
    """`moment + delta`, saturating at the last representable moment instead of overflowing."""
    return moment + delta if moment <= LATEST - delta else LATEST


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _end_of_day(value: str) -> datetime | None:
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return None
    return _plus(datetime(day.year, day.month, day.day, tzinfo=UTC), timedelta(days=1))


def next_watch(shipment: ShipmentState, policy: DelayPolicy, now: str) -> Watch | None:
    """The shipment's next deadline, or None when it is closed or already flagged for it. A
    deadline already past is filed under `now`, so the next check (which reads only recent days)
    sees it."""
    if shipment.status in CLOSED_SHIPMENT_STATUSES:
        return None
    candidates = [
        (_plus(_utc(shipment.last_checkpoint_at or shipment.created_at), policy.stalled_after), "stalled")
    ]
    late = _end_of_day(shipment.estimated_delivery) if shipment.estimated_delivery else None
    if late is not None:
        candidates.append((late, "late"))
    flagged = shipment.tracking_status == "delivery_exception"
    candidates = [
        (when, kind) for when, kind in candidates if not (flagged and shipment.status_reason == kind)
    ]
    if not candidates:
        return None
    deadline, kind = min(candidates)
    deadline = max(deadline, _utc(now))
    return Watch(
        order_id=shipment.order_id,
        shipment_id=shipment.shipment_id,
        tracking_number=shipment.tracking_number,
        deadline=_iso(deadline),
        kind=kind,
    )


def due_days(now: datetime, policy: DelayPolicy) -> list[str]:
    """The per-day watch keys to read: the lookback window up to today, oldest first."""
    today = now.astimezone(UTC).date()
    return [(today - timedelta(days=back)).isoformat() for back in range(policy.lookback_days, -1, -1)]
