"""Apply carrier checkpoints to shipments and orders, in order, once.

- Every checkpoint is stored under its tracking number (`TRACKING#<n>` / `EVENT#<time>#<hash>`),
  whether or not a shipment has that tracking number yet; a stored key is never applied twice.
- A shipment's tracking status is recomputed from *all* its checkpoints sorted by their own time,
  moving only forward by rank (`next_status`), so arrival order never changes the outcome.
- The order follows its shipments (`carriers.domain.order_follows`): the shipment is written,
  then the order, each on its own; an order left behind is caught up by the next application.
- The carrier's delivery estimate is stored under the tracking number too (`TRACKING#<n>` /
  `ESTIMATE`, the newest webhook's wins), so it reaches the shipment whoever applies the
  checkpoints, and a revised estimate with no new checkpoint still updates the shipment (no timeline
  entry, no status change).
- The shipment's delay watch moves only when its deadline comes earlier than the armed watch wakes
  (`carriers.domain.delays.watch_to_arm`); otherwise the delay job re-arms or drops it when it wakes.
"""

from __future__ import annotations

from enum import StrEnum

from carriers.domain.delays import DEFAULT_POLICY, DelayPolicy, next_watch, watch_to_arm
from carriers.domain.order_follows import catch_up
from carriers.domain.ownership import earlier_owner, owned_events
from carriers.domain.ports import TrackingStore
from carriers.models.shipment import ShipmentChange, ShipmentState
from carriers.models.tracking import Checkpoint, TrackingEstimate, TrackingUpdate, parse_time
from carriers.models.tracking import TrackingStatus as T
from orders.models.order import OrderStatus as O
from shared.clock import isoformat
from shared.errors import RetryableError

RANK: dict[T, int] = {
    T.PENDING: 0,
    T.INFO_RECEIVED: 1,
    T.IN_TRANSIT: 2,
    T.OUT_FOR_DELIVERY: 3,
    T.AVAILABLE_FOR_PICKUP: 3,
    T.DELIVERED: 4,
    T.CANCELLED: 5,
    T.RETURN_TO_SENDER: 5,
}
SIDE_STATUSES = frozenset({T.ATTEMPT_FAIL, T.EXCEPTION, T.DELIVERY_DELAYED, T.ON_HOLD, T.DELIVERY_EXCEPTION})
"""Problems: they apply at any point before a final status and keep the rank reached so far."""
RECORD_ONLY = frozenset({T.EXPIRED, T.UNKNOWN})
"""Recorded on the timeline, never a current status."""
FINAL = frozenset({T.DELIVERED, T.RETURN_TO_SENDER, T.CANCELLED})
ALLOWED_AFTER_FINAL: dict[T, frozenset[T]] = {T.DELIVERED: frozenset({T.RETURN_TO_SENDER})}
"""The documented exceptions to "final is final": a delivered parcel may still go back to the sender."""

SHIPMENT_STATUS: dict[T, O] = {
    T.PENDING: O.SHIPPED,
    T.INFO_RECEIVED: O.SHIPPED,
    T.IN_TRANSIT: O.IN_TRANSIT,
    T.OUT_FOR_DELIVERY: O.OUT_FOR_DELIVERY,
    T.AVAILABLE_FOR_PICKUP: O.OUT_FOR_DELIVERY,
    T.DELIVERED: O.DELIVERED,
    T.RETURN_TO_SENDER: O.RETURNED_TO_SENDER,
    T.ATTEMPT_FAIL: O.DELIVERY_EXCEPTION,
    T.EXCEPTION: O.DELIVERY_EXCEPTION,
    T.DELIVERY_DELAYED: O.DELIVERY_EXCEPTION,
    T.ON_HOLD: O.DELIVERY_EXCEPTION,
    T.DELIVERY_EXCEPTION: O.DELIVERY_EXCEPTION,
    T.CANCELLED: O.DELIVERY_EXCEPTION,
}
"""Canonical tracking status -> the shipment's status in the order vocabulary."""

TRACKING_ACTOR = "system:carrier-tracking"


class ApplyResult(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # nothing new: a replayed or redelivered webhook
    PENDING_LINK = "pending_link"  # kept until a shipment with this tracking number is registered
    ESTIMATE_REVISED = "estimate_revised"  # no new checkpoint, but a new delivery estimate


def _sorted(checkpoints: list[tuple[str, Checkpoint]]) -> list[tuple[str, Checkpoint]]:
    return sorted(checkpoints, key=lambda pair: (pair[1].occurred_at, RANK.get(pair[1].status, 0), pair[0]))


def next_status(current: T | None, rank: int, candidate: T) -> tuple[T, int] | None:
    """The status after `candidate`, or None when it must not change the current one."""
    if candidate in RECORD_ONLY:
        return None
    if current in FINAL:
        allowed = ALLOWED_AFTER_FINAL.get(current, frozenset())
        return (candidate, RANK[candidate]) if candidate in allowed else None
    if candidate in SIDE_STATUSES:
        return candidate, rank
    if RANK[candidate] >= rank:
        return candidate, RANK[candidate]
    return None


def tracking_state(checkpoints: list[Checkpoint]) -> tuple[T | None, str | None]:
    """Current status and reason after every checkpoint, taken in the order of their own time."""
    status: T | None = None
    reason: str | None = None
    rank = -1
    for _, checkpoint in _sorted([(str(i), cp) for i, cp in enumerate(checkpoints)]):
        moved = next_status(status, rank, checkpoint.status)
        if moved is not None:
            status, rank = moved
            reason = checkpoint.reason
    return status, reason


def record_tracking_update(update: TrackingUpdate, store: TrackingStore, received_at: str) -> int:
    """Store the checkpoints not stored yet and the update's delivery estimate (unless a later
    webhook's is stored already); returns how many checkpoints were new."""
    stored = store.events(update.tracking_number)
    new = {
        cp.event_key: cp.model_copy(update={"carrier": update.carrier, "received_at": received_at})
        for cp in update.checkpoints
        if cp.event_key not in stored
    }
    if new:
        store.save_events(update, list(new.values()))
    if update.estimated_delivery:  # no estimate in an update means "not said", not "withdrawn"
        store.save_estimate(
            TrackingEstimate(
                tracking_number=update.tracking_number,
                estimated_delivery=update.estimated_delivery,
                as_of=isoformat(parse_time(received_at)),
            )
        )
    return len(new)


def apply_tracking_update(
    update: TrackingUpdate,
    store: TrackingStore,
    now: str,
    policy: DelayPolicy = DEFAULT_POLICY,
    received_at: str | None = None,
) -> ApplyResult:
    """Record the update (`received_at`: when its webhook came in; default `now`), then apply."""
    record_tracking_update(update, store, received_at or now)
    return apply_stored_events(update.tracking_number, store, now, policy=policy)


CONFLICT_ATTEMPTS = 5
"""Reads and commits per application before a conflict is left to the queue's or stream's retry."""


def apply_stored_events(
    tracking_number: str, store: TrackingStore, now: str, policy: DelayPolicy = DEFAULT_POLICY
) -> ApplyResult:
    """Apply every stored checkpoint of `tracking_number` its shipment has not applied yet, and the
    newest stored delivery estimate.

    The shipment is read before the checkpoints and the estimate, and written conditionally on its
    version: a webhook stored after these reads either finds this commit when it applies, or makes
    it fail, so neither a checkpoint nor an estimate is lost in a race. A failed commit (the webhook
    worker and the new-link consumer applying the same tracking number at once, say) is read and
    applied again here, at once, from the state that won; only after `CONFLICT_ATTEMPTS` does the
    `RetryableError` go up to the queue or stream, whose redelivery can be minutes away."""
    for attempt in range(1, CONFLICT_ATTEMPTS + 1):
        try:
            return _apply_stored_events_once(tracking_number, store, now, policy)
        except RetryableError:
            if attempt == CONFLICT_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _apply_stored_events_once(
    tracking_number: str, store: TrackingStore, now: str, policy: DelayPolicy
) -> ApplyResult:
    link = store.link(tracking_number)
    if link is None:
        return ApplyResult.PENDING_LINK
    shipments = store.shipments(link.order_id)
    shipment = next((s for s in shipments if s.shipment_id == link.shipment_id), None)
    order = store.order(link.order_id)
    if shipment is None or order is None:
        return ApplyResult.PENDING_LINK
    events = owned_events(store.events(tracking_number), shipment, link, earlier_owner(store, link), policy)
    estimate = store.estimate(tracking_number)
    estimated_delivery = estimate.estimated_delivery if estimate else shipment.estimated_delivery
    applied = set(shipment.applied_events)
    new = _sorted([(key, cp) for key, cp in events.items() if key not in applied])
    if not new:
        result = _without_new_checkpoints(shipment, estimated_delivery, store, policy, now)
        behind = catch_up(order, shipments, shipment, now, TRACKING_ACTOR)
        if behind is None:
            return result
        store.commit_order(behind)  # an earlier application stopped between shipment and order
        return ApplyResult.APPLIED

    ordered = _sorted(list(events.items()))
    status, reason = tracking_state([cp for _, cp in ordered])
    shipment_status = SHIPMENT_STATUS.get(status, O(shipment.status)) if status else O(shipment.status)
    updated = shipment.model_copy(
        update={
            "status": shipment_status.value,
            "tracking_status": status.value if status else shipment.tracking_status,
            "status_reason": reason if status else shipment.status_reason,
            "checkpoints": [cp.as_record() for _, cp in ordered],
            "applied_events": sorted(applied | {key for key, _ in new}),
            "last_checkpoint_at": ordered[-1][1].occurred_at.isoformat(),
            **_estimate_fields(shipment, estimated_delivery),
            "tracking_version": shipment.tracking_version + 1,
        }
    )
    store.commit(_with_watch(shipment, updated, policy, now), None)
    # the order after the shipment, in its own write: if it fails, the next application catches it up
    change = catch_up(order, shipments, updated, now, TRACKING_ACTOR)
    if change is not None:
        store.commit_order(change)
    return ApplyResult.APPLIED


def _estimate_fields(shipment: ShipmentState, estimated_delivery: str | None) -> dict[str, str | None]:
    """The latest estimate, and the first one the carrier gave, kept as the date the customer was
    told first: on-time delivery is measured against it, not against an estimate that slipped."""
    return {
        "estimated_delivery": estimated_delivery,
        "first_estimated_delivery": shipment.first_estimated_delivery or estimated_delivery,
    }


def _without_new_checkpoints(
    shipment: ShipmentState,
    estimated_delivery: str | None,
    store: TrackingStore,
    policy: DelayPolicy,
    now: str,
) -> ApplyResult:
    """No checkpoint to apply. A revised estimate is written to the shipment (its delay watch moved
    if the estimate comes earlier than the watch wakes); a newly registered shipment with no
    checkpoint yet is watched from its registration time. Neither adds a timeline entry or changes
    a status (no order change)."""
    revised = estimated_delivery != shipment.estimated_delivery
    unwatched = not shipment.applied_events and shipment.watch_key is None
    if not (revised or unwatched):
        return ApplyResult.DUPLICATE
    updated = shipment.model_copy(update=_estimate_fields(shipment, estimated_delivery))
    if not revised and next_watch(updated, policy, now) is None:
        return ApplyResult.DUPLICATE
    updated = updated.model_copy(update={"tracking_version": shipment.tracking_version + 1})
    store.commit(_with_watch(shipment, updated, policy, now), None)
    return ApplyResult.ESTIMATE_REVISED if revised else ApplyResult.DUPLICATE


def _with_watch(
    stored: ShipmentState, updated: ShipmentState, policy: DelayPolicy, now: str
) -> ShipmentChange:
    """The shipment's write over `stored`, with the delay watch to arm and the one it supersedes
    when the armed watch would wake too late; with no watch write when it still wakes in time."""
    watch = watch_to_arm(stored, updated, policy, now)
    if watch is None:
        if stored.watch_key is not None and next_watch(updated, policy, now) is None:
            # it needs no watch any more (delivered...): it stops naming the armed one, which the
            # delay job drops when it wakes; the key no longer weighs on every later write
            updated = updated.model_copy(update={"watch_key": None})
        return ShipmentChange(shipment=updated, expected_version=stored.tracking_version)
    return ShipmentChange(
        shipment=updated.model_copy(update={"watch_key": watch.key}),
        expected_version=stored.tracking_version,
        watch=watch,
        previous_watch_key=stored.watch_key,
    )
