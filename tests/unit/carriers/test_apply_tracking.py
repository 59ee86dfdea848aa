"""Applying checkpoints: forward-only status, order independence, replays, split shipments, late links."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from carriers.domain.apply_tracking import ApplyResult, apply_stored_events, apply_tracking_update
from carriers.domain.intake import parse_update
from carriers.domain.order_follows import order_status_for
from carriers.models.tracking import Checkpoint, Provider, TrackingStatus, TrackingUpdate
from orders.models.order import OrderRecord, OrderStatus
from tests.unit.carriers.fakes import InMemoryTrackingStore
from tests.unit.carriers.samples import RECEIVED
from tests.unit.carriers.test_normalize import payload

NOW = "2025-07-01T00:00:00.000Z"  # applied as they arrive: before the checkpoints' deadlines
T0 = datetime(2025, 7, 1, 9, 0, tzinfo=UTC)


def update(tracking_number: str, *steps: tuple[int, TrackingStatus], event_id: str = "e") -> TrackingUpdate:
    return TrackingUpdate(
        provider=Provider.GENERIC,
        provider_event_id=event_id,
        tracking_number=tracking_number,
        checkpoints=[
            Checkpoint(
                status=status,
                occurred_at=T0 + timedelta(hours=hours),
                raw_code=status.value,
                provider=Provider.GENERIC,
                message=f"{status.value} at +{hours}h",
            )
            for hours, status in steps
        ],
    )


Make = Callable[..., OrderRecord]


def test_a_journey_moves_shipment_and_order_forward(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order = shipped_order({"shp_1": "TN1"})
    for hours, status in [(0, TrackingStatus.INFO_RECEIVED), (5, TrackingStatus.IN_TRANSIT),
                          (20, TrackingStatus.OUT_FOR_DELIVERY), (26, TrackingStatus.DELIVERED)]:  # fmt: skip
        assert apply_tracking_update(update("TN1", (hours, status)), store, NOW) is ApplyResult.APPLIED
    shipment = store.shipment(order.order_id, "shp_1")
    assert (shipment.status, shipment.tracking_status) == ("delivered", "delivered")
    final = store.orders[order.order_id]
    assert final.status is OrderStatus.DELIVERED
    order_moves = [e.status for e in final.timeline if e.by == "system:carrier-tracking"]
    assert order_moves == ["in_transit", "out_for_delivery", "delivered"]
    carrier_entries = [e for e in final.timeline if e.by == "carrier:generic"]
    assert [e.status for e in carrier_entries] == [
        "info_received",
        "in_transit",
        "out_for_delivery",
        "delivered",
    ]


def test_replaying_the_same_update_is_a_no_op(store: InMemoryTrackingStore, shipped_order: Make) -> None:
    order = shipped_order({"shp_1": "TN1"})
    journey = update("TN1", (0, TrackingStatus.IN_TRANSIT), (3, TrackingStatus.OUT_FOR_DELIVERY))
    apply_tracking_update(journey, store, NOW)
    before = store.orders[order.order_id]
    assert apply_tracking_update(journey, store, NOW) is ApplyResult.DUPLICATE
    assert store.orders[order.order_id] == before
    assert store.commits == 1


def test_out_of_order_arrival_ends_in_the_latest_status(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order = shipped_order({"shp_1": "TN1"})
    apply_tracking_update(update("TN1", (26, TrackingStatus.DELIVERED)), store, NOW)
    apply_tracking_update(update("TN1", (5, TrackingStatus.IN_TRANSIT)), store, NOW)
    apply_tracking_update(update("TN1", (20, TrackingStatus.OUT_FOR_DELIVERY)), store, NOW)
    shipment = store.shipment(order.order_id, "shp_1")
    assert shipment.tracking_status == "delivered"
    times = [cp["occurred_at"] for cp in shipment.checkpoints]
    assert times == sorted(times)
    assert store.orders[order.order_id].status is OrderStatus.DELIVERED
    # the late checkpoints are on the timeline all the same
    assert {e.status for e in store.orders[order.order_id].timeline if e.by == "carrier:generic"} == {
        "delivered", "in_transit", "out_for_delivery"}  # fmt: skip


def test_a_late_in_transit_after_delivered_does_not_regress(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order = shipped_order({"shp_1": "TN1"})
    apply_tracking_update(update("TN1", (26, TrackingStatus.DELIVERED)), store, NOW)
    assert (
        apply_tracking_update(update("TN1", (30, TrackingStatus.IN_TRANSIT)), store, NOW)
        is ApplyResult.APPLIED
    )
    assert store.shipment(order.order_id, "shp_1").tracking_status == "delivered"
    assert store.orders[order.order_id].status is OrderStatus.DELIVERED
    assert store.orders[order.order_id].timeline[-1].status == "in_transit"  # recorded only


def test_return_to_sender_after_delivered_is_the_documented_exception(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order = shipped_order({"shp_1": "TN1"})
    apply_tracking_update(update("TN1", (26, TrackingStatus.DELIVERED)), store, NOW)
    apply_tracking_update(update("TN1", (40, TrackingStatus.RETURN_TO_SENDER)), store, NOW)
    assert store.orders[order.order_id].status is OrderStatus.RETURNED_TO_SENDER


def test_a_carrier_exception_surfaces_with_its_reason_and_recovers(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order = shipped_order({"shp_1": "TN1"})
    failed = update("TN1", (5, TrackingStatus.IN_TRANSIT), (20, TrackingStatus.ATTEMPT_FAIL))
    failed.checkpoints[1] = failed.checkpoints[1].model_copy(update={"reason": "recipient_unavailable"})
    apply_tracking_update(failed, store, NOW)
    assert store.orders[order.order_id].status is OrderStatus.DELIVERY_EXCEPTION
    assert store.orders[order.order_id].timeline[-1].details["reason"] == "recipient_unavailable"
    apply_tracking_update(update("TN1", (30, TrackingStatus.OUT_FOR_DELIVERY)), store, NOW)
    assert store.orders[order.order_id].status is OrderStatus.OUT_FOR_DELIVERY


def test_unknown_and_expired_codes_are_recorded_but_never_current(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order = shipped_order({"shp_1": "TN1"})
    apply_tracking_update(
        update("TN1", (5, TrackingStatus.IN_TRANSIT), (9, TrackingStatus.UNKNOWN)), store, NOW
    )
    assert store.shipment(order.order_id, "shp_1").tracking_status == "in_transit"
    assert store.orders[order.order_id].timeline[-2].status == "unknown"


def test_split_shipments_deliver_the_order_only_when_all_are_delivered(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order = shipped_order({"shp_1": "TN1", "shp_2": "TN2"})
    apply_tracking_update(
        update("TN1", (5, TrackingStatus.IN_TRANSIT), (26, TrackingStatus.DELIVERED)), store, NOW
    )
    assert store.orders[order.order_id].status is OrderStatus.IN_TRANSIT
    apply_tracking_update(update("TN2", (30, TrackingStatus.DELIVERED)), store, NOW)
    assert store.orders[order.order_id].status is OrderStatus.DELIVERED


def test_events_before_the_shipment_is_registered_are_kept_then_applied(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order = shipped_order({})
    early = update("TN9", (0, TrackingStatus.INFO_RECEIVED), (5, TrackingStatus.IN_TRANSIT))
    assert apply_tracking_update(early, store, NOW) is ApplyResult.PENDING_LINK
    assert len(store.events("TN9")) == 2
    store.add_shipment(order.order_id, "shp_9", "TN9")
    assert apply_stored_events("TN9", store, NOW) is ApplyResult.APPLIED
    assert store.orders[order.order_id].status is OrderStatus.IN_TRANSIT
    assert apply_stored_events("TN9", store, NOW) is ApplyResult.DUPLICATE


@pytest.mark.parametrize("provider", ["easypost", "aftership", "kuaidi100", "generic", "17track"])
def test_each_providers_samples_apply_in_any_order(
    provider: str, store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    from tests.unit.carriers.samples import SAMPLES

    updates = [
        parse_update(Provider(provider), payload(provider, name), RECEIVED) for name in SAMPLES[provider]
    ]
    order = shipped_order({"shp_1": updates[0].tracking_number})
    for item in reversed(updates):
        apply_tracking_update(item, store, NOW)
    assert store.shipment(order.order_id, "shp_1").tracking_status == "delivered"
    assert store.orders[order.order_id].status is OrderStatus.DELIVERED
    timeline_keys = [
        json.dumps(e.model_dump(), sort_keys=True) for e in store.orders[order.order_id].timeline
    ]
    assert len(timeline_keys) == len(set(timeline_keys))  # no checkpoint recorded twice


@pytest.mark.parametrize(
    ("current", "shipments", "expected"),
    [
        (OrderStatus.SHIPPED, ["shipped"], None),
        (OrderStatus.SHIPPED, ["in_transit", "shipped"], OrderStatus.IN_TRANSIT),
        (OrderStatus.PARTIALLY_SHIPPED, ["delivered"], None),  # the rest must still be shippable
        (OrderStatus.PARTIALLY_SHIPPED, ["delivery_exception"], None),
        (OrderStatus.IN_TRANSIT, ["delivered", "delivered"], OrderStatus.DELIVERED),
        (OrderStatus.IN_TRANSIT, ["delivered", "returned_to_sender"], OrderStatus.DELIVERY_EXCEPTION),
        (OrderStatus.CONFIRMED, ["in_transit"], None),  # the lifecycle does not allow it
    ],
)
def test_order_status_from_its_shipments(
    current: OrderStatus, shipments: list[str], expected: OrderStatus | None
) -> None:
    assert order_status_for(current, shipments) == expected


def test_a_checkpoint_re_sent_with_another_derived_status_is_recorded_once(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order = shipped_order({"shp_1": "TN1"})
    first = update("TN1", (5, TrackingStatus.ATTEMPT_FAIL))
    again = first.model_copy(
        update={"checkpoints": [first.checkpoints[0].model_copy(update={"status": TrackingStatus.UNKNOWN})]}
    )
    apply_tracking_update(first, store, NOW)
    assert apply_tracking_update(again, store, NOW) is ApplyResult.DUPLICATE
    assert len([e for e in store.orders[order.order_id].timeline if e.by == "carrier:generic"]) == 1
