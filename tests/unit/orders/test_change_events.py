"""Stored changes -> ordertrack's domain events (what the dispatcher publishes on the bus)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from orders.domain.change_events import domain_events_for_change
from shared.domain_events import DomainEvent


def order(status: str, version: int) -> dict[str, Any]:
    return {
        "entity": "order",
        "order_id": "ord_1",
        "status": status,
        "version": version,
        "updated_at": f"2026-11-24T10:00:0{version}.000Z",
    }


def stock(available: int, reserved: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "entity": "stock",
        "sku": "TEA",
        "on_hand": available + reserved,
        "reserved": reserved,
        "available": available,
        "low_stock_threshold": 4,
        **extra,
    }


def types(events: Sequence[DomainEvent]) -> list[str]:
    return [event.detail_type for event in events]


def test_a_new_order_is_placed() -> None:
    [placed] = domain_events_for_change(None, order("received", 1), "r1", "t")
    assert placed.detail_type == "OrderPlaced"
    assert placed.model_dump(include={"event_id", "order_id", "status", "version"}) == {
        "event_id": "ord_1:v1",
        "order_id": "ord_1",
        "status": "received",
        "version": 1,
    }


def test_every_move_changes_the_status_and_some_moves_say_more() -> None:
    def moved(old: str, new: str) -> list[str]:
        return types(domain_events_for_change(order(old, 1), order(new, 2), "r", "t"))

    assert moved("received", "confirmed") == ["OrderStatusChanged"]
    assert moved("confirmed", "cancelled") == ["OrderStatusChanged", "OrderCancelled"]
    assert moved("received", "expired") == ["OrderStatusChanged", "OrderCancelled"]
    assert moved("confirmed", "shipped") == ["OrderStatusChanged", "OrderShipped"]
    assert moved("partially_shipped", "shipped") == ["OrderStatusChanged"]  # shipped once
    assert moved("out_for_delivery", "delivered") == ["OrderStatusChanged", "OrderDelivered"]


def test_an_order_change_that_keeps_its_status_publishes_nothing() -> None:
    assert domain_events_for_change(order("confirmed", 2), order("confirmed", 3), "r", "t") == []


def test_a_replayed_record_publishes_the_same_event_ids() -> None:
    first = domain_events_for_change(order("received", 1), order("cancelled", 2), "r", "t")
    assert first == domain_events_for_change(order("received", 1), order("cancelled", 2), "r", "t")
    assert {event.event_id for event in first} == {"ord_1:v2"}


def test_stock_counters_changing_publish_the_level_and_the_one_before() -> None:
    [changed] = domain_events_for_change(stock(5, 5), stock(3, 7), "rec-9", "2026-11-24T10:00:00.000Z")
    assert changed.detail_type == "StockLevelChanged"
    assert changed.model_dump(include={"event_id", "sku", "available", "previous_available", "reserved"}) == {
        "event_id": "TEA:rec-9",
        "sku": "TEA",
        "available": 3,
        "previous_available": 5,
        "reserved": 7,
    }
    assert changed.occurred_at == "2026-11-24T10:00:00.000Z"  # the item keeps no time: the record's


def test_the_watchers_own_flag_write_is_not_a_stock_level_change() -> None:
    assert domain_events_for_change(stock(3), stock(3, low_stock_alerted=True), "r", "t") == []


def test_a_tracking_link_written_links_the_shipment() -> None:
    link = {
        "entity": "tracking_link",
        "pk": "TRACKING#SF1",
        "order_id": "ord_2",
        "shipment_id": "shp_1",
        "carrier": "sf-express",
        "previous_order_id": "ord_1",
        "created_at": "2026-11-24T10:00:00.000Z",
    }
    [linked] = domain_events_for_change(None, link, "r", "t")
    assert (linked.detail_type, linked.tracking_number, linked.previous_order_id) == (
        "ShipmentTrackingLinked",
        "SF1",
        "ord_1",
    )


def test_other_items_and_deletes_publish_nothing() -> None:
    assert domain_events_for_change(None, {"entity": "stock_history", "sku": "TEA"}, "r", "t") == []
    assert domain_events_for_change(order("received", 1), None, "r", "t") == []
