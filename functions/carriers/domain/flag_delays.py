"""The scheduled delay check. Each due watch wakes its shipment, whose deadline is recomputed from
the shipment as stored (`carriers.domain.delays`):

- passed: the shipment becomes `delivery_exception` (reason `stalled` or `late`) with an operations
  alert and an order timeline entry; the order's status change (when the lifecycle allows it) is
  the domain event the order stream carries on. The shipment is disarmed until its next checkpoint;
- ahead (the shipment progressed since the watch was armed): the watch is re-armed there, without
  writing the shipment (the new watch `follows` the shipment's `watch_key`);
- none (delivered, returned), or the watch is not the shipment's (superseded by a write that moved
  it, or left by a crash between writes): the watch is dropped.

Every move writes the new watch before it deletes the old one: a crash leaves an extra watch, never
a missing one."""

from __future__ import annotations

from datetime import datetime

from carriers.domain.ask_provider import ProviderCheck
from carriers.domain.delays import DEFAULT_POLICY, DelayPolicy, deadline, due_days, watch_at
from carriers.domain.order_follows import order_change
from carriers.domain.ports import OperationsAlerts, TrackingStore
from carriers.models.shipment import ShipmentChange, ShipmentState, Watch
from orders.models.api import TimelineEntry
from orders.models.order import OrderRecord, OrderStatus

DELAY_ACTOR = "system:delay-detection"


def flag_delayed_shipments(
    store: TrackingStore,
    alerts: OperationsAlerts,
    now: datetime,
    at: str,
    policy: DelayPolicy = DEFAULT_POLICY,
    check: ProviderCheck | None = None,
) -> int:
    """Wake every due watch; returns how many shipments were flagged. With `check`, a registered
    shipment about to be flagged `stalled` is first asked about once (ask_provider)."""
    until = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    flagged = 0
    for day in due_days(now, policy):
        for watch in store.due_watches(day, until):
            flagged += _wake(watch, store, alerts, at, now, policy, check)
    return flagged


def _is_armed(watch: Watch, shipment: ShipmentState) -> bool:
    """The shipment's armed watch, or the delay job's re-arming of it."""
    return shipment.watch_key is not None and shipment.watch_key in (watch.key, watch.follows)


def _wake(
    watch: Watch,
    store: TrackingStore,
    alerts: OperationsAlerts,
    at: str,
    now: datetime,
    policy: DelayPolicy,
    check: ProviderCheck | None,
) -> int:
    shipments = store.shipments(watch.order_id)
    shipment = next((s for s in shipments if s.shipment_id == watch.shipment_id), None)
    order = store.order(watch.order_id)
    due = deadline(shipment, policy) if shipment is not None else None
    if shipment is None or order is None or due is None or not _is_armed(watch, shipment):
        store.delete_watch(watch.key)
        return 0
    when, kind = due
    current = watch_at(shipment, when, kind, follows=shipment.watch_key)
    if when > now:
        store.put_watch(current)
        store.delete_watch(watch.key)
        return 0
    asked = kind == "stalled" and not watch.queried and check is not None
    if asked and check.found_newer(shipment, order, now):  # type: ignore[union-attr]
        store.mark_watch_queried(watch)  # the worker applies them; the next run re-arms the watch
        return 0
    _flag(watch, current, shipment, shipments, order, store, alerts, at)
    return 1


def _flag(
    watch: Watch,
    current: Watch,
    shipment: ShipmentState,
    shipments: list[ShipmentState],
    order: OrderRecord,
    store: TrackingStore,
    alerts: OperationsAlerts,
    at: str,
) -> None:
    """Flag the shipment for its passed deadline (`current`) and disarm it: the woken watch goes."""
    kind = current.kind
    updated = shipment.model_copy(
        update={
            "status": OrderStatus.DELIVERY_EXCEPTION.value,
            "tracking_status": "delivery_exception",
            "status_reason": kind,
            "watch_key": None,
            "tracking_version": shipment.tracking_version + 1,
        }
    )
    details: dict[str, object] = {
        "shipment_id": shipment.shipment_id,
        "tracking_number": shipment.tracking_number,
        "reason": kind,
        "deadline": current.deadline,
    }
    entries = [TimelineEntry(status="delivery_exception", at=at, by=DELAY_ACTOR, details=details)]
    change = order_change(order, shipments, updated, entries, at, DELAY_ACTOR, details)
    store.commit(
        ShipmentChange(
            shipment=updated, expected_version=shipment.tracking_version, previous_watch_key=watch.key
        ),
        change,
    )
    alerts.alert(
        f"ordertrack: shipment {kind}",
        {"order_id": order.order_id, **details, "order_status": change.to_status.value},
    )
