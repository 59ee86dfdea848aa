"""Lazy delay watches against moto: which watch items a journey and the delay job write, in what order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3

from carriers.adapters.dynamo_tracking import DynamoTrackingStore
from carriers.domain.apply_tracking import apply_stored_events, apply_tracking_update
from carriers.domain.flag_delays import flag_delayed_shipments
from carriers.models.shipment import ShipmentChange, Watch
from carriers.models.tracking import Checkpoint, Provider, TrackingStatus, TrackingUpdate
from shared.dynamo import from_attributes, to_attributes
from tests.integration.conftest import table_items
from tests.unit.carriers.fakes import ListAlerts

NUMBER = "1Z999AA10123456784"  # the `shipped` fixture registers it at 2026-11-24T10:00Z


class Writes:
    """The table writes a client makes, as (operation, partition key) in order."""

    def __init__(self, client: Any) -> None:
        self.seen: list[tuple[str, str]] = []
        client.meta.events.register("provide-client-params.dynamodb", self._record)

    def _record(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        if model.name in ("PutItem", "DeleteItem", "UpdateItem"):
            key = params.get("Item") or params.get("Key") or {}
            self.seen.append((model.name, key["pk"]["S"]))
        elif model.name == "TransactWriteItems":
            for action in params["TransactItems"]:
                (name, request), *_ = action.items()
                pk = (request.get("Item") or request.get("Key"))["pk"]["S"]
                self.seen.append((name, pk))

    def of_watches(self) -> list[str]:
        return [name for name, pk in self.seen if pk.startswith("WATCH#")]

    def clear(self) -> None:
        self.seen.clear()


def scan(hour: str, status: TrackingStatus, estimate: str | None = None) -> TrackingUpdate:
    return TrackingUpdate(
        provider=Provider.GENERIC,
        tracking_number=NUMBER,
        estimated_delivery=estimate,
        checkpoints=[
            Checkpoint(
                status=status,
                occurred_at=datetime.fromisoformat(hour),
                raw_code=status.value,
                provider=Provider.GENERIC,
                message=status.value,
            )
        ],
    )


def watch_items(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    return [item for item in table_items(dynamodb, table) if item["entity"]["S"] == "shipment_watch"]


def job(store: DynamoTrackingStore, at: datetime) -> int:
    return flag_delayed_shipments(store, ListAlerts(), at, at.isoformat())


def test_a_journey_writes_its_watch_once_and_moves_it_only_for_an_earlier_deadline(
    shipped: Callable[..., str], dynamodb: Any, orders_table: str
) -> None:
    # Given a shipment whose link arms the first watch: stalled, 48 h after its registration
    order_id = shipped(NUMBER)
    client = boto3.client("dynamodb")
    writes = Writes(client)
    store = DynamoTrackingStore(orders_table, client)
    apply_stored_events(NUMBER, store, "2026-11-24T10:01:00.000Z")
    assert writes.of_watches() == ["PutItem"]
    (armed,) = watch_items(dynamodb, orders_table)
    assert armed["deadline"]["S"] == "2026-11-26T10:00:00Z"

    # When scans come whose deadlines are later: no watch write, the shipment's own write only
    writes.clear()
    apply_tracking_update(
        scan("2026-11-24T11:00:00+00:00", TrackingStatus.IN_TRANSIT), store, "2026-11-24T11:05:00.000Z"
    )
    apply_tracking_update(
        scan("2026-11-25T09:00:00+00:00", TrackingStatus.IN_TRANSIT), store, "2026-11-25T09:05:00.000Z"
    )
    assert writes.of_watches() == []
    assert ("UpdateItem", f"ORDER#{order_id}") in writes.seen
    assert watch_items(dynamodb, orders_table) == [armed]

    # When a scan brings an estimate whose day ends before the watch wakes (2026-11-26T00:00)
    writes.clear()
    early = scan("2026-11-25T12:00:00+00:00", TrackingStatus.IN_TRANSIT, estimate="2026-11-25")
    apply_tracking_update(early, store, "2026-11-25T12:05:00.000Z")

    # Then the new watch is written before the shipment, the old one deleted after it (the order,
    # with the scan's timeline entry, comes last)
    in_order = [(name, pk.split("#")[0]) for name, pk in writes.seen if pk.startswith(("ORDER#", "WATCH#"))]
    assert in_order == [
        ("PutItem", "WATCH"),
        ("UpdateItem", "ORDER"),
        ("DeleteItem", "WATCH"),
        ("UpdateItem", "ORDER"),
    ]
    (moved,) = watch_items(dynamodb, orders_table)
    (shipment,) = store.shipments(order_id)
    assert (moved["kind"]["S"], moved["deadline"]["S"]) == ("late", "2026-11-26T00:00:00Z")
    assert shipment.watch_key == f"{moved['pk']['S']}|{moved['sk']['S']}"

    # And delivery writes no watch; the job drops it when it wakes, without writing the shipment
    writes.clear()
    apply_tracking_update(
        scan("2026-11-25T15:00:00+00:00", TrackingStatus.DELIVERED), store, "2026-11-25T15:05:00.000Z"
    )
    assert writes.of_watches() == []
    writes.clear()
    assert job(store, datetime(2026, 11, 26, 1, tzinfo=UTC)) == 0
    assert writes.seen == [("DeleteItem", moved["pk"]["S"])]
    assert watch_items(dynamodb, orders_table) == []


def test_the_job_re_arms_a_watch_in_its_shard_without_writing_the_shipment(
    shipped: Callable[..., str], dynamodb: Any, orders_table: str
) -> None:
    # Given a shipment armed for 2026-11-26T10:00 and a scan since (its deadline: 2026-11-27T20:00)
    order_id = shipped(NUMBER)
    client = boto3.client("dynamodb")
    store = DynamoTrackingStore(orders_table, client)
    apply_stored_events(NUMBER, store, "2026-11-24T10:01:00.000Z")
    apply_tracking_update(
        scan("2026-11-25T20:00:00+00:00", TrackingStatus.IN_TRANSIT), store, "2026-11-25T20:05:00.000Z"
    )
    (before,) = store.shipments(order_id)
    writes = Writes(client)

    # When the watch wakes
    assert job(store, datetime(2026, 11, 26, 11, tzinfo=UTC)) == 0

    # Then the job wrote the watch at the new deadline (following the shipment's watch key), then
    # deleted the one that woke; the shipment was not written
    (rearmed,) = watch_items(dynamodb, orders_table)
    assert writes.seen == [
        ("PutItem", rearmed["pk"]["S"]),
        ("DeleteItem", before.watch_key.partition("|")[0]),
    ]
    assert (rearmed["deadline"]["S"], rearmed["follows"]["S"]) == ("2026-11-27T20:00:00Z", before.watch_key)
    assert store.shipments(order_id) == [before]

    # And when the re-armed watch wakes with the deadline passed, the shipment is flagged
    assert job(store, datetime(2026, 11, 27, 21, tzinfo=UTC)) == 1
    (flagged,) = store.shipments(order_id)
    assert (flagged.status_reason, flagged.watch_key) == ("stalled", None)
    assert watch_items(dynamodb, orders_table) == []


def test_a_watch_under_its_pre_shard_key_is_found_and_re_armed_into_a_shard(
    shipped: Callable[..., str], dynamodb: Any, orders_table: str
) -> None:
    # Given a shipment armed before watches had shards: its watch under `WATCH#<day>`
    order_id = shipped(NUMBER)
    store = DynamoTrackingStore(orders_table, dynamodb)
    apply_tracking_update(
        scan("2026-11-24T11:00:00+00:00", TrackingStatus.IN_TRANSIT), store, "2026-11-24T11:05:00.000Z"
    )
    (shipment,) = store.shipments(order_id)
    for item in watch_items(dynamodb, orders_table):
        dynamodb.delete_item(TableName=orders_table, Key={"pk": item["pk"], "sk": item["sk"]})
    legacy = Watch(
        order_id=order_id,
        shipment_id=shipment.shipment_id,
        tracking_number=NUMBER,
        deadline="2026-11-25T10:00:00Z",  # earlier than the deadline (+48 h after the scan)
        kind="stalled",
    )
    item = {"pk": "WATCH#2026-11-25", "sk": legacy.sk, "entity": "shipment_watch", **legacy.model_dump()}
    dynamodb.put_item(TableName=orders_table, Item=to_attributes(item))
    legacy_key = f"WATCH#2026-11-25|{legacy.sk}"
    dynamodb.update_item(
        TableName=orders_table,
        Key={"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": f"SHIPMENT#{shipment.shipment_id}"}},
        UpdateExpression="SET watch_key = :key",
        ExpressionAttributeValues={":key": {"S": legacy_key}},
    )

    # When it wakes
    assert job(store, datetime(2026, 11, 25, 11, tzinfo=UTC)) == 0

    # Then it is re-armed at the deadline, in its shard, and gone from the pre-shard key
    (rearmed,) = watch_items(dynamodb, orders_table)
    assert rearmed["pk"]["S"].startswith("WATCH#2026-11-26#")
    assert (rearmed["deadline"]["S"], rearmed["follows"]["S"]) == ("2026-11-26T11:00:00Z", legacy_key)
    assert job(store, datetime(2026, 11, 26, 12, tzinfo=UTC)) == 1


def test_a_watch_armed_under_the_key_the_shipment_names_is_written_again(
    shipped: Callable[..., str], dynamodb: Any, orders_table: str
) -> None:
    # Given a shipment whose named watch the delay job has woken and re-armed elsewhere (deleted)
    order_id = shipped(NUMBER)
    store = DynamoTrackingStore(orders_table, dynamodb)
    apply_stored_events(NUMBER, store, "2026-11-24T10:01:00.000Z")
    (shipment,) = store.shipments(order_id)
    (named,) = watch_items(dynamodb, orders_table)
    store.delete_watch(shipment.watch_key)

    # When a write arms a watch under that same key (a past deadline filed under the same second)
    again = Watch.model_validate(from_attributes(named))
    change = ShipmentChange(
        shipment=shipment.model_copy(update={"tracking_version": shipment.tracking_version + 1}),
        expected_version=shipment.tracking_version,
        watch=again,
        previous_watch_key=shipment.watch_key,
    )
    store.commit(change, None)

    # Then the watch exists again: the key alone does not say it is still there
    assert watch_items(dynamodb, orders_table) == [named]
