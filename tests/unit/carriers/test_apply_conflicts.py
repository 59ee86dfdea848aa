"""Two appliers of one tracking number at once (the webhook worker and the new-link consumer): the
one whose commit loses reads the winner's state and applies again at once, instead of waiting for
the queue's redelivery."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from carriers.domain.apply_tracking import CONFLICT_ATTEMPTS, ApplyResult, apply_tracking_update
from carriers.models.shipment import OrderChange, ShipmentChange
from carriers.models.tracking import TrackingStatus
from orders.models.order import OrderRecord
from shared.errors import RetryableError
from tests.unit.carriers.fakes import InMemoryTrackingStore
from tests.unit.carriers.test_apply_tracking import NOW, update

Make = Callable[..., OrderRecord]


class ConcurrentWriter(InMemoryTrackingStore):
    """Before each of the first `races` commits, another writer commits to the same shipment."""

    def __init__(self, races: int) -> None:
        super().__init__()
        self.races = races
        self.attempts = 0

    def commit(self, shipment: ShipmentChange, order: OrderChange | None) -> None:
        self.attempts += 1
        if self.races:
            self.races -= 1
            key = (shipment.shipment.order_id, shipment.shipment.shipment_id)
            current = self.shipment_states[key]
            self.shipment_states[key] = current.model_copy(
                update={"tracking_version": current.tracking_version + 1}
            )
        super().commit(shipment, order)


def test_a_lost_commit_is_applied_again_from_the_winners_state(shipped_order: Make) -> None:
    store = ConcurrentWriter(races=2)
    order = shipped_order({})
    store.add_order(order)
    store.add_shipment(order.order_id, "shp_1", "TN1")

    result = apply_tracking_update(update("TN1", (0, TrackingStatus.IN_TRANSIT)), store, NOW)

    assert result is ApplyResult.APPLIED
    assert (store.attempts, store.commits) == (3, 1)
    shipment = store.shipment(order.order_id, "shp_1")
    assert shipment.status == "in_transit" and shipment.tracking_version == 3  # 2 rival commits + ours
    timeline = store.orders[order.order_id].timeline
    assert [e.status for e in timeline if e.by.startswith("carrier:")] == ["in_transit"]  # once


def test_conflicts_that_never_end_go_up_to_the_queue_after_the_last_attempt(shipped_order: Make) -> None:
    store = ConcurrentWriter(races=CONFLICT_ATTEMPTS)
    order = shipped_order({})
    store.add_order(order)
    store.add_shipment(order.order_id, "shp_1", "TN1")

    with pytest.raises(RetryableError):
        apply_tracking_update(update("TN1", (0, TrackingStatus.IN_TRANSIT)), store, NOW)

    assert (store.attempts, store.commits) == (CONFLICT_ATTEMPTS, 0)
    assert store.shipment(order.order_id, "shp_1").status == "shipped"
