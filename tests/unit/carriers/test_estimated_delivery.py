"""The carrier's delivery estimate: kept with the checkpoints, newest webhook wins, revisions apply."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from carriers.domain.apply_tracking import ApplyResult, apply_stored_events, apply_tracking_update
from carriers.domain.flag_delays import flag_delayed_shipments
from carriers.models.tracking import Checkpoint, TrackingStatus, TrackingUpdate
from orders.models.order import OrderRecord
from tests.unit.carriers.fakes import InMemoryTrackingStore, ListAlerts
from tests.unit.carriers.test_apply_tracking import NOW, update

Make = Callable[..., OrderRecord]
EARLIER = "2025-07-01T10:00:00.000Z"
LATER = "2025-07-01T11:00:00.000Z"


def with_estimate(tracking_update: TrackingUpdate, estimated_delivery: str | None) -> TrackingUpdate:
    return tracking_update.model_copy(update={"estimated_delivery": estimated_delivery})


def test_an_estimate_given_before_the_link_is_set_when_the_link_applies_the_checkpoints(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    # Given a webhook with an estimate for a tracking number no shipment has yet
    order = shipped_order({})
    early = with_estimate(update("TN9", (0, TrackingStatus.IN_TRANSIT)), "2025-07-01")
    assert apply_tracking_update(early, store, NOW, received_at=EARLIER) is ApplyResult.PENDING_LINK

    # When the shipment is registered and the tracking-link consumer applies what was stored
    store.add_shipment(order.order_id, "shp_9", "TN9")
    assert apply_stored_events("TN9", store, NOW) is ApplyResult.APPLIED

    # Then the shipment has the estimate, and its delay watch is the end of that day
    shipment = store.shipment(order.order_id, "shp_9")
    assert shipment.estimated_delivery == "2025-07-01"
    (watch,) = store.watches.values()
    assert (watch.kind, watch.deadline) == ("late", "2025-07-02T00:00:00Z")
    assert shipment.watch_key == watch.key


class LinkWrittenWhileTheWebhookIsStored(InMemoryTrackingStore):
    """The race: the shipment is registered, and its link consumer applies the stored checkpoints,
    right after the webhook worker stored the checkpoints and before it applies them itself."""

    def __init__(self, order: OrderRecord) -> None:
        super().__init__()
        self.add_order(order)

    def save_events(self, update: TrackingUpdate, checkpoints: list[Checkpoint]) -> None:
        super().save_events(update, checkpoints)
        order_id = next(iter(self.orders))
        self.add_shipment(order_id, "shp_9", update.tracking_number)
        assert apply_stored_events(update.tracking_number, self, NOW) is ApplyResult.APPLIED


def test_the_link_consumer_applying_first_does_not_lose_the_webhooks_estimate(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    # Given the link consumer applies the webhook's checkpoints before the webhook worker does
    racing = LinkWrittenWhileTheWebhookIsStored(shipped_order({}))
    webhook = with_estimate(
        update("TN9", (0, TrackingStatus.INFO_RECEIVED), (5, TrackingStatus.IN_TRANSIT)), "2025-07-04"
    )

    # When the webhook worker applies: no checkpoint is new any more
    result = apply_tracking_update(webhook, racing, NOW, received_at=EARLIER)

    # Then the estimate still reaches the shipment, without a second timeline entry
    assert result is ApplyResult.ESTIMATE_REVISED
    order = next(iter(racing.orders.values()))
    assert racing.shipment(order.order_id, "shp_9").estimated_delivery == "2025-07-04"
    assert [e.status for e in order.timeline if e.by == "carrier:generic"] == ["info_received", "in_transit"]


def test_a_newer_webhooks_estimate_wins_over_an_older_one_applied_after_it(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    # Given the newer webhook was applied first (the queue does not keep order)
    order = shipped_order({"shp_1": "TN1"})
    newer = with_estimate(update("TN1", (5, TrackingStatus.IN_TRANSIT)), "2025-07-05")
    apply_tracking_update(newer, store, NOW, received_at=LATER)

    # When the older one arrives, with a checkpoint not applied yet and its older estimate
    older = with_estimate(update("TN1", (0, TrackingStatus.INFO_RECEIVED)), "2025-07-03")
    assert apply_tracking_update(older, store, NOW, received_at=EARLIER) is ApplyResult.APPLIED

    # Then its checkpoint is applied but the newer estimate stays
    assert store.shipment(order.order_id, "shp_1").estimated_delivery == "2025-07-05"
    assert store.estimate("TN1").estimated_delivery == "2025-07-05"


def test_a_revised_estimate_without_a_new_checkpoint_updates_the_shipment_only(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    # Given a shipment watched for its estimate (end of 2025-07-01 is before the stalled deadline)
    order = shipped_order({"shp_1": "TN1"})
    first = with_estimate(update("TN1", (0, TrackingStatus.IN_TRANSIT)), "2025-07-01")
    apply_tracking_update(first, store, NOW, received_at=EARLIER)
    before_order = store.orders[order.order_id]
    before = store.shipment(order.order_id, "shp_1")
    armed = store.watches[before.watch_key]
    assert (armed.kind, armed.deadline) == ("late", "2025-07-02T00:00:00Z")

    # When the carrier sends only a later estimate (no checkpoint)
    eta_only = with_estimate(update("TN1"), "2025-07-04")
    assert apply_tracking_update(eta_only, store, NOW, received_at=LATER) is ApplyResult.ESTIMATE_REVISED

    # Then the shipment has it, under its version check; the order and its timeline are untouched,
    # and the watch, which still wakes before the new deadline (stalled, 48 h after the checkpoint),
    # stays where it is: no watch write
    after = store.shipment(order.order_id, "shp_1")
    assert after.estimated_delivery == "2025-07-04"
    assert after.first_estimated_delivery == "2025-07-01"  # what the customer was told first stays
    assert after.tracking_version == before.tracking_version + 1
    assert (after.status, after.tracking_status, after.checkpoints) == (
        before.status,
        before.tracking_status,
        before.checkpoints,
    )
    assert (store.watches, after.watch_key) == ({armed.key: armed}, armed.key)
    assert store.orders[order.order_id] == before_order

    # And the same estimate again, or an update that gives none, changes nothing
    commits = store.commits
    assert apply_tracking_update(eta_only, store, NOW, received_at=LATER) is ApplyResult.DUPLICATE
    assert apply_tracking_update(update("TN1"), store, NOW) is ApplyResult.DUPLICATE
    assert store.commits == commits
    assert store.shipment(order.order_id, "shp_1").estimated_delivery == "2025-07-04"

    # And when the watch wakes, the delay job re-arms it at the shipment's deadline, without flagging
    assert flag_delayed_shipments(store, ListAlerts(), datetime(2025, 7, 2, 0, 30, tzinfo=UTC), "x") == 0
    (rearmed,) = store.watches.values()
    assert (rearmed.kind, rearmed.deadline, rearmed.follows) == ("stalled", "2025-07-03T09:00:00Z", armed.key)


def test_an_earlier_estimate_moves_the_watch_earlier(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    # Given a shipment watched for its stalled deadline (48 h after its checkpoint: 2025-07-03T09:00)
    order = shipped_order({"shp_1": "TN1"})
    apply_tracking_update(update("TN1", (0, TrackingStatus.IN_TRANSIT)), store, NOW, received_at=EARLIER)
    stalled = store.shipment(order.order_id, "shp_1").watch_key

    # When the carrier gives an estimate whose day ends before that
    eta_only = with_estimate(update("TN1"), "2025-07-01")
    assert apply_tracking_update(eta_only, store, NOW, received_at=LATER) is ApplyResult.ESTIMATE_REVISED

    # Then the watch moves to the end of that day, and the stalled one is gone
    after = store.shipment(order.order_id, "shp_1")
    (watch,) = store.watches.values()
    assert (watch.kind, watch.deadline, after.watch_key) == ("late", "2025-07-02T00:00:00Z", watch.key)
    assert stalled not in store.watches
