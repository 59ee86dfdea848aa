"""The scheduled delay check: shipments past their watch deadline become `delivery_exception`
(reason `stalled` or `late`) with an operations alert and an order timeline entry; the order's
status change (when the lifecycle allows it) is the domain event the order stream carries on."""

from __future__ import annotations

from datetime import datetime

from carriers.domain.ask_provider import ProviderCheck
from carriers.domain.delays import DEFAULT_POLICY, DelayPolicy, due_days
from carriers.domain.order_follows import order_change
from carriers.domain.ports import OperationsAlerts, TrackingStore
from carriers.models.shipment import ShipmentChange, Watch
from orders.models.api import TimelineEntry
from orders.models.order import OrderStatus

DELAY_ACTOR = "system:delay-detection"


def flag_delayed_shipments(
    store: TrackingStore,
    alerts: OperationsAlerts,
    now: datetime,
    at: str,
    policy: DelayPolicy = DEFAULT_POLICY,
    check: ProviderCheck | None = None,
) -> int:
    """Flag every shipment whose watch is due; returns how many were flagged. With `check`, a
    registered shipment about to be flagged `stalled` is first asked about once (ask_provider)."""
    until = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    flagged = 0
    for day in due_days(now, policy):
        for watch in store.due_watches(day, until):
            flagged += _flag(watch, store, alerts, at, now, check)
    return flagged


def _flag(
    watch: Watch,
    store: TrackingStore,
    alerts: OperationsAlerts,
    at: str,
    now: datetime,
    check: ProviderCheck | None,
) -> int:
    shipments = store.shipments(watch.order_id)
    shipment = next((s for s in shipments if s.shipment_id == watch.shipment_id), None)
    order = store.order(watch.order_id)
    if shipment is None or order is None or shipment.watch_key != watch.key:
        store.delete_watch(watch.key)  # superseded by a newer checkpoint
        return 0
    asked = watch.kind == "stalled" and not watch.queried and check is not None
    if asked and check.found_newer(shipment, order, now):  # type: ignore[union-attr]
        store.mark_watch_queried(watch)  # the worker applies them and re-arms the watch
        return 0
    updated = shipment.model_copy(
        update={
            "status": OrderStatus.DELIVERY_EXCEPTION.value,
            "tracking_status": "delivery_exception",
            "status_reason": watch.kind,
            "watch_key": None,
            "tracking_version": shipment.tracking_version + 1,
        }
    )
    details: dict[str, object] = {
        "shipment_id": shipment.shipment_id,
        "tracking_number": shipment.tracking_number,
        "reason": watch.kind,
        "deadline": watch.deadline,
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
        f"ordertrack: shipment {watch.kind}",
        {"order_id": order.order_id, **details, "order_status": change.to_status.value},
    )
    return 1
