"""Return windows, quantities and statuses, with fakes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from service.domain.errors import IllegalStatusChange, ReturnNotAllowed, ReturnQuantityExceeded
from service.domain.returns import move_return, register_return_shipment, request_return
from service.domain.rules import ServiceRules
from service.models.records import ReturnLine
from shared.errors import IdempotencyKeyReused, InvalidRequest
from tests.fakes.orders import FrozenClock
from tests.unit.service.fakes import DELIVERED_AT, InMemoryService, RecordingEvents, delivered_order

RULES = ServiceRules()
SKU = "TEA-OOLONG-250G"
NOW = DELIVERED_AT + timedelta(days=2)


def ask(store, events, quantity=1, key="r-1", order=None, clock=None, reason="too bitter"):
    return request_return(
        order or delivered_order(),
        [ReturnLine(sku=SKU, quantity=quantity)],
        reason,
        key,
        store,
        events,
        RULES,
        clock or FrozenClock(NOW),
    )


def test_a_return_goes_through_every_status_and_tells_the_customer_each_time() -> None:
    store, events = InMemoryService(), RecordingEvents()
    record, replayed = ask(store, events)
    assert record.status == "requested" and not replayed
    order_id, return_id = record.order_id, record.return_id
    clock = FrozenClock(NOW)
    move_return(order_id, return_id, "approve", None, "ops", "a-1", store, events, clock)
    register_return_shipment(order_id, return_id, "SF-Express", "sf 123 456 789", store, clock)
    move_return(order_id, return_id, "receive", "box intact", "warehouse", "a-2", store, events, clock)
    final, _ = move_return(order_id, return_id, "refund", None, "finance", "a-3", store, events, clock)
    assert final.status == "refunded" and final.tracking_number == "SF123456789"
    assert [h.status for h in final.history] == ["requested", "approved", "received", "refunded"]
    assert [e.event_type for e in events.sent] == [
        "return.requested",
        "return.approved",
        "return.received",
        "return.refunded",
    ]
    assert events.sent[1].event_id == f"{order_id}:return:{return_id}:approved"
    assert events.sent[2].details["note"] == "box intact"
    assert events.sent[3].details["tracking_number"] == "SF123456789"


def test_retries_do_not_double_and_illegal_moves_are_409_with_the_current_status() -> None:
    store, events = InMemoryService(), RecordingEvents()
    record, _ = ask(store, events)
    again, replayed = ask(store, events)
    assert replayed and again.return_id == record.return_id and len(store.returns_by_id) == 1
    with pytest.raises(IdempotencyKeyReused):
        ask(store, events, quantity=2)
    clock = FrozenClock(NOW)
    move_return(record.order_id, record.return_id, "approve", None, "ops", "k", store, events, clock)
    _, replayed = move_return(
        record.order_id, record.return_id, "approve", None, "ops", "k", store, events, clock
    )
    assert replayed
    writes = store.writes
    with pytest.raises(IllegalStatusChange) as refused:
        move_return(record.order_id, record.return_id, "refund", None, "ops", "k2", store, events, clock)
    assert refused.value.details["current_status"] == "approved" and store.writes == writes
    with pytest.raises(IllegalStatusChange):
        move_return(record.order_id, record.return_id, "approve", None, "ops", "other", store, events, clock)
    # every event id is deterministic, so the worker sends each status once
    assert len({e.event_id for e in events.sent}) == 2


def test_never_more_than_delivered_minus_earlier_returns_and_rejected_ones_free_units() -> None:
    store, events = InMemoryService(), RecordingEvents()
    first, _ = ask(store, events, quantity=1, key="a")
    with pytest.raises(ReturnQuantityExceeded) as refused:
        ask(store, events, quantity=2, key="b")
    assert refused.value.details["lines"][0] == {
        "sku": SKU,
        "requested": 2,
        "delivered": 2,
        "already_returned": 1,
        "returnable": 1,
    }
    move_return(
        first.order_id, first.return_id, "reject", "used", "ops", "x", store, events, FrozenClock(NOW)
    )
    second, _ = ask(store, events, quantity=2, key="b")
    assert second.status == "requested"
    with pytest.raises(ReturnQuantityExceeded):
        request_return(
            delivered_order(),
            [ReturnLine(sku="NOT-BOUGHT", quantity=1)],
            "r",
            "c",
            store,
            events,
            RULES,
            FrozenClock(NOW),
        )


def test_only_delivered_orders_within_the_window() -> None:
    store, events = InMemoryService(), RecordingEvents()
    with pytest.raises(ReturnNotAllowed):
        ask(store, events, order=delivered_order(status="in_transit"))
    # the window counts from the order's own delivered move, not the carrier's checkpoint time
    ask(store, events, key="in", clock=FrozenClock(DELIVERED_AT + timedelta(days=30)))
    with pytest.raises(ReturnNotAllowed) as late:
        ask(store, events, key="late", clock=FrozenClock(DELIVERED_AT + timedelta(days=30, seconds=1)))
    assert late.value.details["window_days"] == 30
    with pytest.raises(InvalidRequest):
        ask(store, events, key=None)


def test_a_return_tracking_number_needs_an_approved_return() -> None:
    store, events = InMemoryService(), RecordingEvents()
    record, _ = ask(store, events)
    with pytest.raises(IllegalStatusChange):
        register_return_shipment(record.order_id, record.return_id, "sf", "SF1", store, FrozenClock(NOW))
