"""The aggregate store against moto: one transaction per group with its checkpoint, spread over
write shards, reads fanned out one query per shard and summed, conflicts retried in-process."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from shared.errors import RetryableError
from stats.adapters.dynamo_aggregates import AGGREGATE_SHARDS, ATTEMPTS, DynamoAggregates, shard_of
from stats.domain.kpis import DayRange, merge
from tests.integration.conftest import table_items


def sums(store: DynamoAggregates, first: str, last: str) -> dict[tuple[str, str], dict[str, int]]:
    totals: dict[tuple[str, str], dict[str, int]] = {}
    for aggregate in store.read(first, last):
        into = totals.setdefault((aggregate.day, aggregate.family), {})
        for name, value in aggregate.counters.items():
            into[name] = into.get(name, 0) + value
    return totals


def groups_on_distinct_shards(count: int) -> list[str]:
    found: dict[int, str] = {}
    n = 0
    while len(found) < count:
        found.setdefault(shard_of(f"evt-{n}"), f"evt-{n}")
        n += 1
    return list(found.values())


def test_groups_add_up_over_shards_and_a_repeated_group_adds_nothing(
    dynamodb: Any, orders_table: str
) -> None:
    store = DynamoAggregates(orders_table, dynamodb)
    first, second, third = groups_on_distinct_shards(3)
    # Given three groups, written to three different shards
    assert store.apply_group(first, "100", {("2026-11-24", "ORDERS"): {"received": 2}}) is None
    assert (
        store.apply_group(
            second,
            "200",
            {
                ("2026-11-24", "ORDERS"): {"confirmed": 1},
                ("2026-11-24", "HIST#received_to_confirmed"): {"b050": 1},
            },
        )
        is None
    )
    assert store.apply_group(third, "300", {("2026-11-25", "ORDERS"): {"received": 1, "on_hold": 1}}) is None
    # When the first is applied again
    assert store.apply_group(first, "150", {("2026-11-24", "ORDERS"): {"received": 2}}) == "100"
    # Then each day holds the sums over the shards, and a day's family has an item per shard written
    assert sums(store, "2026-11-24", "2026-11-25") == {
        ("2026-11-24", "ORDERS"): {"received": 2, "confirmed": 1},
        ("2026-11-24", "HIST#received_to_confirmed"): {"b050": 1},
        ("2026-11-25", "ORDERS"): {"received": 1, "on_hold": 1},
    }
    partitions = {
        item["pk"]["S"]
        for item in table_items(dynamodb, orders_table)
        if item["pk"]["S"].startswith("STATS#")
    }
    assert partitions == {f"STATS#2026#{shard_of(group)}" for group in (first, second, third)}


def test_the_report_sums_the_shards_with_one_query_per_shard_and_year(
    dynamodb: Any, orders_table: str
) -> None:
    store = DynamoAggregates(orders_table, dynamodb)
    for group in groups_on_distinct_shards(5):
        store.apply_group(group, "1", {("2026-12-31", "NOTIFICATIONS"): {"sent#email": 3}})
    store.apply_group("evt-january", "2", {("2027-01-01", "NOTIFICATIONS"): {"sent#email": 1}})
    calls: list[str] = []
    original = dynamodb.query

    def counting_query(**request: Any) -> Any:
        calls.append(request["ExpressionAttributeValues"][":pk"]["S"])
        return original(**request)

    dynamodb.query = counting_query
    try:
        aggregates = store.read("2026-12-31", "2027-01-01")
    finally:
        del dynamodb.query
    assert len(calls) == 2 * AGGREGATE_SHARDS and len(set(calls)) == len(calls)
    span = DayRange(*(__import__("datetime").date.fromisoformat(d) for d in ("2026-12-31", "2027-01-01")))
    assert merge(aggregates, span)["NOTIFICATIONS"] == {"sent#email": 16}


def test_negative_deltas_replace_an_earlier_contribution(dynamodb: Any, orders_table: str) -> None:
    store = DynamoAggregates(orders_table, dynamodb)
    store.apply_group("f-1", "1", {("2026-11-25", "FEEDBACK"): {"responses": 1, "rating#5": 1}})
    store.apply_group("f-2", "2", {("2026-11-25", "FEEDBACK"): {"rating#5": -1, "rating#3": 1}})
    assert sums(store, "2026-11-25", "2026-11-25") == {
        ("2026-11-25", "FEEDBACK"): {"responses": 1, "rating#5": 0, "rating#3": 1}
    }


def test_reads_span_years_by_key_and_stop_at_the_range(dynamodb: Any, orders_table: str) -> None:
    store = DynamoAggregates(orders_table, dynamodb)
    for n, day in enumerate(["2025-12-30", "2025-12-31", "2026-01-01", "2026-03-01", "2026-03-02"]):
        store.apply_group(f"evt-{n}", str(n), {(day, "ORDERS"): {"received": n + 1}})
    days = sorted(a.day for a in store.read("2025-12-31", "2026-03-01"))
    assert days == ["2025-12-31", "2026-01-01", "2026-03-01"]


def test_checkpoints_expire_and_no_aggregate_carries_a_streamed_entity(
    dynamodb: Any, orders_table: str
) -> None:
    DynamoAggregates(orders_table, dynamodb).apply_group(
        "evt-1", "7", {("2026-11-24", "ORDERS"): {"received": 1}}
    )
    items = {item["pk"]["S"]: item for item in table_items(dynamodb, orders_table)}
    checkpoint = items["STATSGROUP#evt-1"]
    assert int(checkpoint["expires_at"]["N"]) > 0 and checkpoint["last_sequence"] == {"S": "7"}
    assert {item["entity"]["S"] for item in items.values()} == {"stats_checkpoint", "stats_aggregate"}
    assert items[f"STATS#2026#{shard_of('evt-1')}"]["sk"]["S"] == "2026-11-24#ORDERS"


class ConflictingClient:
    """Refuses the first `conflicts` transactions as DynamoDB does when another one holds an item."""

    def __init__(self, client: Any, conflicts: int) -> None:
        self._client, self.conflicts, self.calls = client, conflicts, 0

    def transact_write_items(self, **request: Any) -> Any:
        self.calls += 1
        if self.calls <= self.conflicts:
            reasons = [{"Code": "None"}] + [{"Code": "TransactionConflict"}] * (
                len(request["TransactItems"]) - 1
            )
            raise ClientError(
                {
                    "Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
                    "CancellationReasons": reasons,
                },
                "TransactWriteItems",
            )
        return self._client.transact_write_items(**request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_conflicts_are_retried_with_jittered_backoff_then_handed_back(
    dynamodb: Any, orders_table: str
) -> None:
    waits: list[float] = []
    counters = {("2026-11-24", "ORDERS"): {"received": 1}}
    # Given a transaction refused twice for a conflict
    client = ConflictingClient(dynamodb, conflicts=2)
    assert (
        DynamoAggregates(orders_table, client, sleep=waits.append).apply_group("evt-1", "1", counters) is None
    )
    # Then it was retried in-process after two growing, jittered waits, and counted once
    assert client.calls == 3 and len(waits) == 2 and all(w >= 0 for w in waits)
    assert sums(DynamoAggregates(orders_table, dynamodb), "2026-11-24", "2026-11-24") == {
        ("2026-11-24", "ORDERS"): {"received": 1}
    }
    # And one that stays busy is handed back to the stream after the last attempt, with nothing written
    busy = ConflictingClient(dynamodb, conflicts=ATTEMPTS)
    with pytest.raises(RetryableError):
        DynamoAggregates(orders_table, busy, sleep=waits.append).apply_group("evt-2", "2", counters)
    assert busy.calls == ATTEMPTS
    assert "STATSGROUP#evt-2" not in {item["pk"]["S"] for item in table_items(dynamodb, orders_table)}
