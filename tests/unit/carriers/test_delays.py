"""Delay detection: stalled and late shipments are flagged once, by their watch, with an alert."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from carriers.domain.apply_tracking import apply_stored_events, apply_tracking_update
from carriers.domain.delays import DelayPolicy
from carriers.domain.flag_delays import flag_delayed_shipments
from carriers.models.tracking import TrackingStatus
from orders.models.order import OrderRecord, OrderStatus
from tests.unit.carriers.fakes import InMemoryTrackingStore, ListAlerts
from tests.unit.carriers.test_apply_tracking import NOW, T0, update

Make = Callable[..., OrderRecord]


def run_check(
    store: InMemoryTrackingStore, alerts: ListAlerts, at: datetime, policy: DelayPolicy | None = None
) -> int:
    return flag_delayed_shipments(store, alerts, at, at.isoformat(), policy or DelayPolicy())


def test_no_checkpoint_for_48_hours_is_stalled(store: InMemoryTrackingStore, shipped_order: Make) -> None:
    order = shipped_order({"shp_1": "TN1"})
    apply_tracking_update(update("TN1", (0, TrackingStatus.IN_TRANSIT)), store, NOW)
    alerts = ListAlerts()
    assert run_check(store, alerts, T0 + timedelta(hours=47)) == 0
    assert run_check(store, alerts, T0 + timedelta(hours=49)) == 1
    shipment = store.shipment(order.order_id, "shp_1")
    assert (shipment.tracking_status, shipment.status_reason) == ("delivery_exception", "stalled")
    assert store.orders[order.order_id].status is OrderStatus.DELIVERY_EXCEPTION
    assert alerts.sent[0][1]["reason"] == "stalled"
    assert run_check(store, alerts, T0 + timedelta(hours=200)) == 0  # flagged once


def test_a_new_checkpoint_puts_the_deadline_off_and_a_flagged_shipment_recovers(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order = shipped_order({"shp_1": "TN1"})
    apply_tracking_update(update("TN1", (0, TrackingStatus.IN_TRANSIT)), store, NOW)
    apply_tracking_update(update("TN1", (40, TrackingStatus.IN_TRANSIT)), store, NOW)
    assert run_check(store, ListAlerts(), T0 + timedelta(hours=50)) == 0  # re-armed at +88 h
    assert len(store.watches) == 1
    assert run_check(store, ListAlerts(), T0 + timedelta(hours=87)) == 0
    assert run_check(store, ListAlerts(), T0 + timedelta(hours=89)) == 1
    apply_tracking_update(update("TN1", (90, TrackingStatus.OUT_FOR_DELIVERY)), store, NOW)
    assert store.orders[order.order_id].status is OrderStatus.OUT_FOR_DELIVERY


def test_the_threshold_is_configurable(store: InMemoryTrackingStore, shipped_order: Make) -> None:
    shipped_order({"shp_1": "TN1"})
    policy = DelayPolicy(stalled_after=timedelta(hours=6))
    apply_tracking_update(update("TN1", (0, TrackingStatus.IN_TRANSIT)), store, NOW, policy)
    assert run_check(store, ListAlerts(), T0 + timedelta(hours=7), policy) == 1


def test_past_the_estimated_delivery_date_is_late(store: InMemoryTrackingStore, shipped_order: Make) -> None:
    order = shipped_order({"shp_1": "TN1"})
    early = update("TN1", (0, TrackingStatus.IN_TRANSIT))
    apply_tracking_update(early.model_copy(update={"estimated_delivery": "2025-07-01"}), store, NOW)
    alerts = ListAlerts()
    assert run_check(store, alerts, datetime(2025, 7, 2, 0, 30, tzinfo=UTC)) == 1
    assert store.shipment(order.order_id, "shp_1").status_reason == "late"


def test_delivered_shipments_are_not_watched(store: InMemoryTrackingStore, shipped_order: Make) -> None:
    shipped_order({"shp_1": "TN1"})
    apply_tracking_update(
        update("TN1", (0, TrackingStatus.IN_TRANSIT), (5, TrackingStatus.DELIVERED)), store, NOW
    )
    assert store.watches == {}
    assert run_check(store, ListAlerts(), T0 + timedelta(days=10)) == 0


def test_a_shipment_without_any_checkpoint_is_watched_from_registration(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order = shipped_order({"shp_1": "TN1"})  # registered 2025-01-01T00:00
    apply_stored_events("TN1", store, "2025-01-01T00:00:05.000Z")  # what the tracking-link consumer does
    assert len(store.watches) == 1
    assert run_check(store, ListAlerts(), datetime(2025, 1, 3, 1, tzinfo=UTC)) == 1
    assert store.orders[order.order_id].status is OrderStatus.DELIVERY_EXCEPTION


def test_a_deadline_already_past_is_filed_under_now(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order = shipped_order({"shp_1": "TN1"})
    late_news = update("TN1", (0, TrackingStatus.IN_TRANSIT)).model_copy(
        update={"estimated_delivery": "2025-06-01"}
    )
    apply_tracking_update(late_news, store, "2025-07-20T08:00:00.000Z")
    (watch,) = store.watches.values()
    assert (watch.kind, watch.deadline) == ("late", "2025-07-20T08:00:00Z")
    assert run_check(store, ListAlerts(), datetime(2025, 7, 20, 9, tzinfo=UTC)) == 1
    assert store.orders[order.order_id].status is OrderStatus.DELIVERY_EXCEPTION
