"""The shipment and its order are written one after the other: a crash or a conflict between the
two writes leaves the order behind, and the next application catches it up, once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from carriers.domain.apply_tracking import ApplyResult, apply_stored_events, apply_tracking_update
from carriers.models.shipment import OrderChange
from carriers.models.tracking import TrackingStatus
from orders.domain.carrier_entries import ShipmentCheckpoints, expand
from orders.models.order import OrderRecord, OrderStatus
from shared.errors import RetryableError
from tests.unit.carriers.fakes import InMemoryTrackingStore
from tests.unit.carriers.test_apply_tracking import NOW, update

Make = Callable[..., OrderRecord]
LATER = "2025-07-01T00:05:00.000Z"


class Crash(Exception):
    """The worker dies (a timeout, out of memory) between the shipment's write and the order's."""


class CrashBeforeOrder(InMemoryTrackingStore):
    def __init__(self, crashes: int = 1, conflicts: int = 0) -> None:
        super().__init__()
        self.crashes, self.conflicts = crashes, conflicts

    def commit_order(self, order: OrderChange) -> None:
        if self.crashes:
            self.crashes -= 1
            raise Crash
        if self.conflicts:
            self.conflicts -= 1
            current = self.orders[order.order_id]
            self.orders[order.order_id] = current.model_copy(update={"version": current.version + 1})
        super().commit_order(order)


def carrier_statuses(store: InMemoryTrackingStore, order_id: str) -> list[str]:
    return [e.status for e in store.orders[order_id].timeline if e.by.startswith("carrier:")]


def test_a_crash_after_the_shipment_is_written_is_caught_up_by_the_redelivery(shipped_order: Make) -> None:
    store = CrashBeforeOrder()
    order = shipped_order({})
    store.add_order(order)
    store.add_shipment(order.order_id, "shp_1", "TN1")
    delivery = update("TN1", (0, TrackingStatus.IN_TRANSIT), (60, TrackingStatus.OUT_FOR_DELIVERY))

    with pytest.raises(Crash):
        apply_tracking_update(delivery, store, NOW)
    assert store.shipment(order.order_id, "shp_1").status == "out_for_delivery"
    assert store.orders[order.order_id].status == OrderStatus.SHIPPED  # left behind

    # the message comes back: nothing is new for the shipment, the order catches up
    assert apply_tracking_update(delivery, store, NOW) is ApplyResult.APPLIED
    caught_up = store.orders[order.order_id]
    assert caught_up.status == OrderStatus.OUT_FOR_DELIVERY
    assert carrier_statuses(store, order.order_id) == ["in_transit", "out_for_delivery"]

    # and a third delivery changes nothing
    assert apply_tracking_update(delivery, store, NOW) is ApplyResult.DUPLICATE
    assert store.orders[order.order_id].version == caught_up.version


def test_the_next_webhook_catches_up_what_an_earlier_one_left_behind(shipped_order: Make) -> None:
    store = CrashBeforeOrder()
    order = shipped_order({})
    store.add_order(order)
    store.add_shipment(order.order_id, "shp_1", "TN1")
    with pytest.raises(Crash):
        apply_tracking_update(update("TN1", (0, TrackingStatus.IN_TRANSIT), event_id="e1"), store, NOW)

    apply_tracking_update(update("TN1", (60, TrackingStatus.OUT_FOR_DELIVERY), event_id="e2"), store, NOW)

    assert store.orders[order.order_id].status == OrderStatus.OUT_FOR_DELIVERY
    assert carrier_statuses(store, order.order_id) == ["in_transit", "out_for_delivery"]


def test_an_order_conflict_is_read_again_and_applied_once(shipped_order: Make) -> None:
    store = CrashBeforeOrder(crashes=0, conflicts=2)
    order = shipped_order({})
    store.add_order(order)
    store.add_shipment(order.order_id, "shp_1", "TN1")

    assert (
        apply_tracking_update(update("TN1", (0, TrackingStatus.IN_TRANSIT)), store, NOW)
        is ApplyResult.APPLIED
    )

    assert store.orders[order.order_id].status == OrderStatus.IN_TRANSIT
    assert carrier_statuses(store, order.order_id) == ["in_transit"]
    assert store.order_commits == 1 and store.commits == 1


def test_an_order_that_keeps_conflicting_goes_up_to_the_queue_with_the_shipment_written(
    shipped_order: Make,
) -> None:
    store = CrashBeforeOrder(crashes=0, conflicts=99)
    order = shipped_order({})
    store.add_order(order)
    store.add_shipment(order.order_id, "shp_1", "TN1")

    with pytest.raises(RetryableError):
        apply_tracking_update(update("TN1", (0, TrackingStatus.IN_TRANSIT)), store, NOW)
    assert store.shipment(order.order_id, "shp_1").status == "in_transit"

    store.conflicts = 0
    assert apply_stored_events("TN1", store, NOW) is ApplyResult.APPLIED
    assert carrier_statuses(store, order.order_id) == ["in_transit"]


def shipment_view(store: InMemoryTrackingStore, order_id: str, shipment_id: str) -> ShipmentCheckpoints:
    shipment = store.shipment(order_id, shipment_id)
    return ShipmentCheckpoints(shipment.shipment_id, shipment.tracking_number, shipment.checkpoints)


def test_caught_up_entries_are_references_that_read_back_with_the_time_they_reached_the_order(
    shipped_order: Make,
) -> None:
    store = CrashBeforeOrder()
    order = shipped_order({})
    store.add_order(order)
    store.add_shipment(order.order_id, "shp_1", "TN1")
    with pytest.raises(Crash):
        apply_tracking_update(update("TN1", (0, TrackingStatus.IN_TRANSIT)), store, NOW)

    apply_stored_events("TN1", store, LATER)

    [entry] = [e for e in store.orders[order.order_id].timeline if e.by.startswith("carrier:")]
    assert entry.details is not None and set(entry.details) == {"ref", "recorded_at"}
    [full] = expand([entry], [shipment_view(store, order.order_id, "shp_1")])
    assert full.details == {
        "shipment_id": "shp_1",
        "tracking_number": "TN1",
        "message": "in_transit at +0h",
        "raw_code": "in_transit",
        "recorded_at": LATER,  # when the order caught up, not when the shipment was written
    }


def test_entries_written_in_full_before_are_matched_and_not_added_again(shipped_order: Make) -> None:
    store = CrashBeforeOrder(crashes=0)
    order = shipped_order({})
    store.add_order(order)
    store.add_shipment(order.order_id, "shp_1", "TN1")
    apply_tracking_update(update("TN1", (0, TrackingStatus.IN_TRANSIT), event_id="e1"), store, NOW)
    # Given the order's carrier entry as it was written before references: details in full
    current = store.orders[order.order_id]
    legacy = expand(current.timeline, [shipment_view(store, order.order_id, "shp_1")])
    assert all(e.details and "ref" not in e.details for e in legacy if e.by.startswith("carrier:"))
    store.orders[order.order_id] = current.model_copy(update={"timeline": legacy})
    # and a crash before the order's write of the next checkpoint
    store.crashes = 1
    with pytest.raises(Crash):
        apply_tracking_update(update("TN1", (60, TrackingStatus.OUT_FOR_DELIVERY), event_id="e2"), store, NOW)

    # When the message comes back, only the new checkpoint reaches the order, as a reference
    again = update("TN1", (60, TrackingStatus.OUT_FOR_DELIVERY), event_id="e2")
    assert apply_tracking_update(again, store, NOW) is ApplyResult.APPLIED
    entries = [e for e in store.orders[order.order_id].timeline if e.by.startswith("carrier:")]
    assert [e.status for e in entries] == ["in_transit", "out_for_delivery"]
    assert entries[0] == next(e for e in legacy if e.by.startswith("carrier:"))  # kept as it was
    assert entries[1].details is not None and "ref" in entries[1].details
    assert apply_stored_events("TN1", store, NOW) is ApplyResult.DUPLICATE
