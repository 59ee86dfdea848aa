"""The aggregate store against moto: atomic ADDs, one contribution per source record, reads by key."""

from __future__ import annotations

from typing import Any

from stats.adapters.dynamo_aggregates import DynamoAggregates
from tests.integration.conftest import table_items


def test_contributions_add_up_and_a_repeated_source_adds_nothing(dynamodb: Any, orders_table: str) -> None:
    store = DynamoAggregates(orders_table, dynamodb)
    # Given two contributions to the same day and one to another day
    assert store.apply_once("evt-1", {("2026-11-24", "ORDERS"): {"received": 1}})
    assert store.apply_once(
        "evt-2",
        {
            ("2026-11-24", "ORDERS"): {"confirmed": 1},
            ("2026-11-24", "HIST#received_to_confirmed"): {"b050": 1},
        },
    )
    assert store.apply_once("evt-3", {("2026-11-25", "ORDERS"): {"received": 1, "on_hold": 1}})
    # When the first is applied again
    assert store.apply_once("evt-1", {("2026-11-24", "ORDERS"): {"received": 1}}) is False
    # Then each day holds its own sums
    read = {(a.day, a.family): dict(a.counters) for a in store.read("2026-11-24", "2026-11-25")}
    assert read == {
        ("2026-11-24", "ORDERS"): {"received": 1, "confirmed": 1},
        ("2026-11-24", "HIST#received_to_confirmed"): {"b050": 1},
        ("2026-11-25", "ORDERS"): {"received": 1, "on_hold": 1},
    }


def test_negative_deltas_replace_an_earlier_contribution(dynamodb: Any, orders_table: str) -> None:
    store = DynamoAggregates(orders_table, dynamodb)
    store.apply_once("f-1", {("2026-11-25", "FEEDBACK"): {"responses": 1, "rating#5": 1}})
    store.apply_once("f-2", {("2026-11-25", "FEEDBACK"): {"rating#5": -1, "rating#3": 1}})
    [aggregate] = store.read("2026-11-25", "2026-11-25")
    assert dict(aggregate.counters) == {"responses": 1, "rating#5": 0, "rating#3": 1}


def test_reads_span_months_by_key_and_stop_at_the_range(dynamodb: Any, orders_table: str) -> None:
    store = DynamoAggregates(orders_table, dynamodb)
    for n, day in enumerate(["2025-12-31", "2026-01-01", "2026-02-28", "2026-03-01", "2026-03-02"]):
        store.apply_once(f"evt-{n}", {(day, "ORDERS"): {"received": n + 1}})
    days = sorted(a.day for a in store.read("2026-01-01", "2026-03-01"))
    assert days == ["2026-01-01", "2026-02-28", "2026-03-01"]


def test_markers_expire_and_no_aggregate_carries_a_streamed_entity(dynamodb: Any, orders_table: str) -> None:
    DynamoAggregates(orders_table, dynamodb).apply_once("evt-1", {("2026-11-24", "ORDERS"): {"received": 1}})
    items = {item["pk"]["S"]: item for item in table_items(dynamodb, orders_table)}
    assert int(items["STATSREC#evt-1"]["expires_at"]["N"]) > 0
    assert {item["entity"]["S"] for item in items.values()} == {"stats_marker", "stats_aggregate"}
    assert items["STATS#2026-11"]["sk"]["S"] == "2026-11-24#ORDERS"
