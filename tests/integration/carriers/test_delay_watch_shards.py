"""Delay watches of one day are spread over partitions and all read back, against moto."""

from __future__ import annotations

from typing import Any

from carriers.adapters.dynamo_tracking import DynamoTrackingStore
from carriers.models.shipment import WATCH_SHARDS, Watch, watch_partitions
from shared.dynamo import to_attributes

DAY = "2026-11-24"


def watch(n: int, hour: int) -> Watch:
    return Watch(
        order_id=f"order-{n:03d}",
        shipment_id="s1",
        tracking_number=f"TN{n:03d}",
        deadline=f"{DAY}T{hour:02d}:00:00.000Z",
        kind="stalled",
    )


def put(dynamodb: Any, table: str, each: Watch, pk: str | None = None) -> None:
    item = {"pk": pk or each.pk, "sk": each.sk, "entity": "shipment_watch", **each.model_dump()}
    dynamodb.put_item(TableName=table, Item=to_attributes(item))


def test_watches_of_one_day_spread_over_shards_and_are_read_back_in_deadline_order(
    dynamodb: Any, orders_table: str
) -> None:
    # Given 40 shipments' watches due the same day, and one written before shards existed
    watches = [watch(n, hour=n % 20) for n in range(40)]
    for each in watches:
        put(dynamodb, orders_table, each)
    legacy = watch(99, hour=5)
    put(dynamodb, orders_table, legacy, pk=f"WATCH#{DAY}")

    # Then they sit in several partitions, none of them the day's single key
    partitions = {each.pk for each in watches}
    assert len(partitions) > WATCH_SHARDS // 2
    assert partitions <= set(watch_partitions(DAY)) - {f"WATCH#{DAY}"}

    # When the delay job asks for the day's watches due by 09:59
    due = DynamoTrackingStore(orders_table, dynamodb).due_watches(DAY, f"{DAY}T09:59:59.999Z")

    # Then every one due is found once, the pre-shard one included, in deadline order
    expected = sorted(
        [w for w in [*watches, legacy] if w.deadline <= f"{DAY}T09:59:59.999Z"], key=lambda w: w.sk
    )
    assert [w.order_id for w in due] == [w.order_id for w in expected]
    assert legacy.order_id in {w.order_id for w in due}
