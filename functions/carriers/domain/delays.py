"""Delay detection: every open shipment has a watch, a wake-up time kept under a sparse per-day key
spread over shards (`WATCH#<day>#<shard>`), so the scheduled job reads only the days that are due,
by key, never by scan. A shipment's deadline is the earliest of

- `stalled`: no checkpoint for `stalled_after` (default 48 h) since the last one (or since the
  shipment was registered);
- `late`: the carrier's or the promised delivery date has passed (deadline: the end of that day, UTC).

Watches are lazy timers: a watch wakes never later than the shipment's deadline, but may wake
earlier. A shipment write keeps the armed watch while it still wakes in time (`watch_to_arm`),
which a new checkpoint only ever pushes later, and moves it only when the deadline comes earlier
(a revised estimate, say). When a watch wakes, the delay job (`carriers.domain.flag_delays`)
recomputes the deadline from the shipment as stored: passed, it flags; ahead, it re-arms the watch
there (`follows`: the shipment's `watch_key` it stands for, so the shipment is not written); none
(delivered, returned), it drops the watch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from carriers.models.shipment import ShipmentState, Watch, watch_wakes_at

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


def deadline(shipment: ShipmentState, policy: DelayPolicy) -> tuple[datetime, str] | None:
    """The shipment's delay deadline and its kind (`stalled` or `late`), or None when it is closed or
    already flagged for every kind it has."""
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
    return min(candidates) if candidates else None


def watch_at(shipment: ShipmentState, when: datetime, kind: str, follows: str | None = None) -> Watch:
    return Watch(
        order_id=shipment.order_id,
        shipment_id=shipment.shipment_id,
        tracking_number=shipment.tracking_number,
        deadline=_iso(when),
        kind=kind,
        follows=follows,
    )


def next_watch(shipment: ShipmentState, policy: DelayPolicy, now: str) -> Watch | None:
    """A watch at the shipment's deadline, or None when it needs none. A deadline already past is
    filed under `now`, so the next check (which reads only recent days) sees it."""
    due = deadline(shipment, policy)
    if due is None:
        return None
    when, kind = due
    return watch_at(shipment, max(when, _utc(now)), kind)


def watch_to_arm(
    stored: ShipmentState, updated: ShipmentState, policy: DelayPolicy, now: str
) -> Watch | None:
    """The watch a write of `updated` over `stored` must arm, or None when the armed one still wakes
    in time (or `updated` needs none: the delay job drops the armed one when it wakes).

    The armed watch is `stored.watch_key`, or, if the delay job has woken it meanwhile, the one it
    re-armed at the deadline of the shipment as stored (the job does not write the shipment). Both
    must wake at or before the new deadline for the write to keep them."""
    wanted = next_watch(updated, policy, now)
    if wanted is None or stored.watch_key is None:
        return wanted
    rearmed = deadline(stored, policy)
    if rearmed is None:  # closed as stored: the job may have dropped the watch
        return wanted
    latest = max(_utc(watch_wakes_at(stored.watch_key)), rearmed[0])
    return None if latest <= _utc(wanted.deadline) else wanted


def due_days(now: datetime, policy: DelayPolicy) -> list[str]:
    """The per-day watch keys to read: the lookback window up to today, oldest first."""
    today = now.astimezone(UTC).date()
    return [(today - timedelta(days=back)).isoformat() for back in range(policy.lookback_days, -1, -1)]
