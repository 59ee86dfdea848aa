"""Delay watches are lazy timers: a shipment write keeps the armed watch while it wakes in time, and
the delay job, when a watch wakes, flags, re-arms or drops it from the shipment as stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from carriers.domain.apply_tracking import apply_stored_events, apply_tracking_update
from carriers.domain.delays import DelayPolicy, deadline
from carriers.domain.flag_delays import flag_delayed_shipments
from carriers.models.shipment import ShipmentState
from carriers.models.tracking import TrackingStatus, TrackingUpdate
from orders.models.order import OrderRecord
from shared.clock import isoformat
from tests.unit.carriers.conftest import add_shipped_order
from tests.unit.carriers.fakes import Crash, InMemoryTrackingStore, ListAlerts
from tests.unit.carriers.test_apply_tracking import T0, update

Make = Callable[..., OrderRecord]
REGISTERED = T0 - timedelta(hours=1)  # 2025-07-01T08:00Z: the stalled watch of the link wakes +48 h


def at(hours: float) -> str:
    """The time `hours` after the first checkpoint (T0), as the workers' clock gives it."""
    return isoformat(T0 + timedelta(hours=hours))


def check(store: InMemoryTrackingStore, hours: float, alerts: ListAlerts | None = None) -> int:
    moment = T0 + timedelta(hours=hours)
    return flag_delayed_shipments(store, alerts or ListAlerts(), moment, isoformat(moment), DelayPolicy())


def linked(store: InMemoryTrackingStore, make: Make) -> ShipmentState:
    """A shipment registered at 08:00, its link applied a minute later: its first watch is armed."""
    order = make({"shp_1": "TN1"})
    key = (order.order_id, "shp_1")
    store.shipment_states[key] = store.shipment_states[key].model_copy(
        update={"created_at": isoformat(REGISTERED)}
    )
    apply_stored_events("TN1", store, isoformat(REGISTERED + timedelta(minutes=1)))
    return store.shipment_states[key]


def scan(hours: float, status: TrackingStatus = TrackingStatus.IN_TRANSIT) -> TrackingUpdate:
    return update("TN1", (int(hours), status))


def apply_at(store: InMemoryTrackingStore, tracking_update: TrackingUpdate, hours: float) -> None:
    apply_tracking_update(tracking_update, store, at(hours), received_at=at(hours))


def current(store: InMemoryTrackingStore) -> ShipmentState:
    (shipment,) = store.shipment_states.values()
    return shipment


def test_a_normal_journey_writes_one_watch_and_the_job_drops_it(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    # Given a shipment linked at 08:01, watched for stalling at 08:00 two days later
    armed = linked(store, shipped_order).watch_key
    assert armed is not None and store.watch_writes == 1

    # When the carrier reports the journey, each scan as it happens
    for hours, status in [(0, TrackingStatus.IN_TRANSIT), (5, TrackingStatus.IN_TRANSIT),
                          (20, TrackingStatus.OUT_FOR_DELIVERY), (26, TrackingStatus.DELIVERED)]:  # fmt: skip
        apply_at(store, scan(hours, status), hours + 0.1)

    # Then no scan wrote a watch (each deadline is later than the armed one), and the shipment was
    # written once per scan, as before; delivered, it no longer names the watch (left to the job)
    assert (store.watch_writes, set(store.watches), current(store).watch_key) == (1, {armed}, None)
    assert store.commits == 5  # the link's first watch and four scans

    # And when the watch wakes, the delivered shipment's watch is dropped, without flagging
    assert check(store, 47.5) == 0
    assert store.watches == {} and store.watch_writes == 2
    assert current(store).status == "delivered"


def test_a_checkpoint_before_the_wake_up_keeps_the_watch(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    shipment = linked(store, shipped_order)
    writes = store.watch_writes
    apply_at(store, scan(30), 30.1)  # new deadline: +78 h, after the armed +47 h
    after = current(store)
    assert after.tracking_version == shipment.tracking_version + 1
    assert (after.watch_key, list(store.watches), store.watch_writes) == (
        shipment.watch_key,
        [shipment.watch_key],
        writes,
    )


def test_an_earlier_deadline_moves_the_watch(store: InMemoryTrackingStore, shipped_order: Make) -> None:
    # Given the stalled watch of the link (2025-07-03T08:00)
    armed = linked(store, shipped_order).watch_key

    # When a scan comes with a delivery estimate whose day ends before it (2025-07-02T00:00)
    apply_at(store, scan(1).model_copy(update={"estimated_delivery": "2025-07-01"}), 1.1)

    # Then the watch moves there: the new one is written and the old one deleted
    (watch,) = store.watches.values()
    assert (watch.kind, watch.deadline, current(store).watch_key) == (
        "late",
        "2025-07-02T00:00:00Z",
        watch.key,
    )
    assert armed not in store.watches and store.watch_writes == 3


def test_the_job_re_arms_a_watch_whose_shipment_progressed_without_writing_the_shipment(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    armed = linked(store, shipped_order).watch_key
    apply_at(store, scan(30), 30.1)
    shipment, commits = current(store), store.commits

    assert check(store, 48) == 0

    (rearmed,) = store.watches.values()
    assert (rearmed.kind, rearmed.deadline, rearmed.follows) == ("stalled", at(78)[:19] + "Z", armed)
    assert (current(store), store.commits) == (shipment, commits)  # not written: still names `armed`
    assert check(store, 77) == 0 and check(store, 79) == 1  # the re-armed watch flags when due
    assert (current(store).status_reason, current(store).watch_key, store.watches) == ("stalled", None, {})


def test_a_re_armed_watch_flags_late_when_the_estimated_day_is_over(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    # Given a stalled watch (+47 h) kept by a scan that brings an estimate: end of 2025-07-03 (+63 h)
    linked(store, shipped_order)
    apply_at(store, scan(40).model_copy(update={"estimated_delivery": "2025-07-03"}), 40.1)
    alerts = ListAlerts()

    # When the watch wakes, it is re-armed for the estimate; when that wakes, the shipment is late
    assert check(store, 48, alerts) == 0
    (rearmed,) = store.watches.values()
    assert (rearmed.kind, rearmed.deadline) == ("late", "2025-07-04T00:00:00Z")
    assert check(store, 63.5, alerts) == 1
    assert current(store).status_reason == "late"
    assert [(d["reason"], d["deadline"]) for _, d in alerts.sent] == [("late", "2025-07-04T00:00:00Z")]


def test_an_earlier_deadline_after_the_job_re_armed_moves_the_watch(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    # Given the job re-armed the watch at +80 h (the shipment still names the one it woke)
    armed = linked(store, shipped_order).watch_key
    apply_at(store, scan(32), 32.1)
    assert check(store, 48) == 0
    (rearmed,) = store.watches.values()
    assert current(store).watch_key == armed != rearmed.key

    # When an estimate ends before the re-armed watch wakes (end of 2025-07-03: +63 h)
    apply_at(store, scan(50).model_copy(update={"estimated_delivery": "2025-07-03"}), 50.1)

    # Then the watch moves there, and the job flags in time; the re-armed one is dropped when it wakes
    moved = current(store).watch_key
    assert moved is not None and store.watches[moved].deadline == "2025-07-04T00:00:00Z"
    assert check(store, 63.5) == 1
    assert check(store, 81) == 0 and store.watches == {}


def test_a_crash_before_the_shipment_write_leaves_an_extra_watch_that_the_job_drops(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    # Given a scan that would move the watch earlier (its estimate ends at 2025-07-02T00:00, +15 h)
    armed = linked(store, shipped_order).watch_key
    early = scan(1).model_copy(update={"estimated_delivery": "2025-07-01"})

    # When the worker stops after writing the new watch, before the shipment (and the message is
    # never applied again: say it ends in the dead-letter queue)
    store.crash_after = "watch"
    with pytest.raises(Crash):
        apply_at(store, early, 1.1)

    # Then both watches exist, the shipment still names the old one
    (extra,) = set(store.watches) - {armed}
    assert current(store).watch_key == armed

    # And the job drops the extra one when it wakes, flagging nothing, and flags at the armed one
    assert check(store, 15.5) == 0 and extra not in store.watches
    assert check(store, 47.5) == 1 and store.watches == {}


def test_a_crash_after_the_shipment_write_leaves_the_old_watch_that_the_job_drops(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    # Given a scan that moves the watch earlier (its estimate ends at 2025-07-02T00:00, +15 h)
    armed = linked(store, shipped_order).watch_key
    early = scan(1).model_copy(update={"estimated_delivery": "2025-07-01"})

    # When the worker stops after the shipment's write, before deleting the old watch
    store.crash_after = "shipment"
    with pytest.raises(Crash):
        apply_at(store, early, 1.1)

    # Then both watches exist: none is missing
    named = current(store).watch_key
    assert named != armed and set(store.watches) == {armed, named}

    # And the job flags at the new deadline, then drops the old watch when it wakes, flagging nothing
    assert check(store, 15.5) == 1
    assert check(store, 47.5) == 0 and store.watches == {}


# -- the timer never wakes too late, whatever happens in between ---------------------------------------

STEPS = st.lists(
    st.tuples(st.sampled_from(["scan", "deliver", "estimate", "check", "wait", "crash"]), st.integers(0, 9)),
    min_size=4,
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(steps=STEPS)
# the job re-arms at +68 h (the shipment still names the +47 h watch), then an estimate ends at +63 h
@example(steps=[("wait", 5), ("scan", 0), ("wait", 7), ("estimate", 4)])
# a past estimate files the watch under now; the job re-arms it away at once; a past estimate again
# files it under the same key, which the job deleted
@example(steps=[("estimate", 0), ("estimate", 2), ("check", 0), ("estimate", 0)])
def test_an_armed_shipment_always_has_a_watch_waking_by_its_deadline(steps: list[tuple[str, int]]) -> None:
    store = InMemoryTrackingStore()
    linked(store, lambda shipments: add_shipped_order(store, shipments))
    hours = 0.0
    for action, n in steps:
        if action == "wait":
            hours = min(hours + n * 4, 240)  # within the job's lookback (14 days) of the final runs
        if action == "check" or (action == "wait" and n % 2):  # (the job also runs after some waits)
            check(store, hours)
            due = _deadline(current(store))
            assert due is None or due > T0 + timedelta(hours=hours), "a passed deadline left unflagged"
        elif action == "wait":
            pass
        elif action == "crash":
            store.crash_after = "watch" if n % 2 else "shipment"
            try:
                apply_at(store, scan(max(0, hours - n)), hours)
            except Crash:
                apply_at(store, scan(max(0, hours - n)), hours)  # redelivered
            store.crash_after = None  # nothing was written: a duplicate
        elif action == "estimate":
            day = (T0 + timedelta(days=n - 2)).date().isoformat()
            apply_at(store, update("TN1").model_copy(update={"estimated_delivery": day}), hours)
        else:
            status = TrackingStatus.DELIVERED if action == "deliver" else TrackingStatus.IN_TRANSIT
            apply_at(store, scan(max(0, hours - n), status), hours)
        _assert_armed_in_time(store, hours)
    for day in range(11):  # then the job runs daily: every deadline passes, every watch wakes
        check(store, hours + 24 * day)
    assert _deadline(current(store)) is None, "never flagged"  # flagged (disarmed), or delivered
    assert store.watches == {}


def _deadline(shipment: ShipmentState) -> datetime | None:
    if shipment.watch_key is None:
        return None  # disarmed: flagged, until its next scan
    due = deadline(shipment, DelayPolicy())
    return due[0] if due else None


def _assert_armed_in_time(store: InMemoryTrackingStore, hours: float) -> None:
    shipment = current(store)
    due = _deadline(shipment)
    if due is None:
        return
    latest = max(due, T0 + timedelta(hours=hours))
    wakes = [
        datetime.fromisoformat(w.deadline)
        for w in store.watches.values()
        if shipment.watch_key in (w.key, w.follows)
    ]
    assert wakes and min(wakes) <= latest, "no watch of the shipment wakes by its deadline"
