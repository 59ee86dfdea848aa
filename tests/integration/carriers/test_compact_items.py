"""Shipments keep their checkpoints compactly and orders keep references to them, against moto:
what is stored, how items written before in full are read and caught up, and what a search shows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from carriers.adapters.dynamo_tracking import DynamoTrackingStore
from carriers.adapters.shipment_records import register_shipment, shipment_key
from carriers.domain.apply_tracking import ApplyResult, apply_tracking_update
from carriers.models.tracking import Checkpoint, Provider, TrackingStatus, TrackingUpdate
from orders.adapters.dynamo_orders import DynamoOrderRepository, order_key
from orders.domain.ports import OrderQuery
from shared.dynamo import from_attributes, to_attribute

NUMBER = "1Z999AA10123456784"
T0 = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
NOW = "2026-11-24T12:00:00.000Z"


def checkpoint(hours: int, status: TrackingStatus, message: str, location: str | None = None) -> Checkpoint:
    return Checkpoint(
        status=status,
        occurred_at=T0 + timedelta(hours=hours),
        raw_code=f"{status.value.upper()}_01",
        provider=Provider.EASYPOST,
        message=message,
        location=location,
    )


def webhook(*checkpoints: Checkpoint, number: str = NUMBER) -> TrackingUpdate:
    return TrackingUpdate(
        provider=Provider.EASYPOST, tracking_number=number, carrier="UPS", checkpoints=list(checkpoints)
    )


def raw(dynamodb: Any, table: str, key: dict[str, Any]) -> dict[str, Any]:
    return from_attributes(dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"])


def test_what_the_shipment_and_the_order_store_and_what_is_read_back(
    shipped: Callable[..., str], dynamodb: Any, orders_table: str
) -> None:
    order_id = shipped(NUMBER)
    store = DynamoTrackingStore(orders_table, dynamodb)
    departed = checkpoint(0, TrackingStatus.IN_TRANSIT, "Departed", "LOUISVILLE, KY")
    arrived = checkpoint(5, TrackingStatus.IN_TRANSIT, "Arrived", "LOUISVILLE, KY")

    apply_tracking_update(webhook(departed, arrived), store, NOW)

    # The shipment: one-letter names, nothing said twice, no copies of what its checkpoints tell
    shipment = raw(dynamodb, orders_table, shipment_key(order_id, "shp_1"))
    assert shipment["checkpoints"] == [
        {"s": "in_transit", "t": departed.occurred_at.isoformat(), "l": "LOUISVILLE, KY", "m": "Departed",
         "c": "IN_TRANSIT_01", "p": "easypost", "k": "UPS"},
        {"s": "in_transit", "t": arrived.occurred_at.isoformat(), "m": "Arrived", "c": "IN_TRANSIT_01"},
    ]  # fmt: skip
    assert "applied_events" not in shipment and "last_checkpoint_at" not in shipment
    # read back in full, with the event keys applied and the last checkpoint's time
    [state] = store.shipments(order_id)
    assert state.applied_events == sorted(store.events(NUMBER))
    assert state.last_checkpoint_at == arrived.occurred_at.isoformat()
    assert [Checkpoint.model_validate(record) for record in state.checkpoints] == [
        departed.model_copy(update={"carrier": "UPS"}),
        arrived.model_copy(update={"carrier": "UPS"}),
    ]
    # The order: references, flat, with the time they reached the order in epoch milliseconds
    order = raw(dynamodb, orders_table, order_key(order_id))
    references = [entry for entry in order["timeline"] if "ref" in entry]
    assert [set(entry) for entry in references] == [{"status", "at", "p", "ref", "rec"}] * 2
    assert references[0]["p"] == "easypost" and references[0]["rec"] == 1795521600000  # NOW
    # and the order read with its shipments shows every entry in full
    view = DynamoOrderRepository(orders_table, dynamodb).get(order_id)
    assert view is not None
    assert [entry.details for entry in view.timeline if entry.by == "carrier:easypost"] == [
        {"shipment_id": "shp_1", "tracking_number": NUMBER, "location": "LOUISVILLE, KY", "message": message,
         "raw_code": "IN_TRANSIT_01", "recorded_at": NOW}
        for message in ("Departed", "Arrived")
    ]  # fmt: skip
    assert view.shipments[0].last_checkpoint_at == arrived.occurred_at.isoformat()


def write_in_full(
    dynamodb: Any, table: str, order_id: str, store: DynamoTrackingStore, first: Checkpoint
) -> None:
    """The shipment and order as ordertrack wrote them before the compact forms, with `first` applied."""
    received = first.model_copy(update={"carrier": "UPS", "received_at": "2026-11-24T11:01:00.000Z"})
    store.save_events(webhook(received), [received])
    dynamodb.update_item(
        TableName=table,
        Key=shipment_key(order_id, "shp_1"),
        UpdateExpression="SET #status = :status, tracking_status = :status, checkpoints = :checkpoints, "
        "applied_events = :applied, last_checkpoint_at = :last, tracking_version = :one",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={
            ":status": {"S": "in_transit"},
            ":checkpoints": to_attribute([received.as_record()]),
            ":applied": to_attribute([received.event_key]),
            ":last": {"S": received.occurred_at.isoformat()},
            ":one": {"N": "1"},
        },
    )
    entries = [
        {
            "status": "in_transit",
            "at": received.occurred_at.isoformat(),
            "by": "carrier:easypost",
            "details": {"shipment_id": "shp_1", "tracking_number": NUMBER, "message": received.message,
                        "raw_code": received.raw_code, "recorded_at": "2026-11-24T11:02:00.000Z"},
        },
        {"status": "in_transit", "at": "2026-11-24T11:02:00.000Z", "by": "system:carrier-tracking",
         "details": {"shipment_id": "shp_1", "tracking_status": "in_transit"}},
    ]  # fmt: skip
    dynamodb.update_item(
        TableName=table,
        Key=order_key(order_id),
        UpdateExpression="SET #status = :status, version = version + :one, timeline = list_append(timeline, :entries)",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={
            ":status": {"S": "in_transit"},
            ":one": {"N": "1"},
            ":entries": to_attribute(entries),
        },
    )


def test_items_written_in_full_before_read_as_they_were_and_take_the_next_checkpoint_once(
    shipped: Callable[..., str], dynamodb: Any, orders_table: str
) -> None:
    # Given an order and its shipment written in full, with one checkpoint applied
    order_id = shipped(NUMBER)
    store = DynamoTrackingStore(orders_table, dynamodb)
    departed = checkpoint(0, TrackingStatus.IN_TRANSIT, "Departed")
    write_in_full(dynamodb, orders_table, order_id, store, departed)
    orders = DynamoOrderRepository(orders_table, dynamodb)
    before = orders.get(order_id)
    assert before is not None
    legacy_entry = before.timeline[-2]
    assert legacy_entry.details is not None and legacy_entry.details["message"] == "Departed"
    [legacy_state] = store.shipments(order_id)
    assert legacy_state.applied_events == [departed.event_key]

    # When the same checkpoint comes again, and then the next one
    assert apply_tracking_update(webhook(departed), store, NOW) is ApplyResult.DUPLICATE
    out = checkpoint(20, TrackingStatus.OUT_FOR_DELIVERY, "Out for delivery")
    assert apply_tracking_update(webhook(departed, out), store, NOW) is ApplyResult.APPLIED

    # Then the order took only the new checkpoint, and its entry written in full is unchanged
    after = orders.get(order_id)
    assert after is not None and after.status.value == "out_for_delivery"
    carrier_entries = [entry for entry in after.timeline if entry.by == "carrier:easypost"]
    assert carrier_entries[0] == legacy_entry
    assert [entry.status for entry in carrier_entries] == ["in_transit", "out_for_delivery"]
    assert (
        carrier_entries[1].details is not None and carrier_entries[1].details["message"] == "Out for delivery"
    )
    # and the shipment was rewritten compactly, its event keys the same as the list it had
    shipment = raw(dynamodb, orders_table, shipment_key(order_id, "shp_1"))
    assert "applied_events" not in shipment and all("s" in item for item in shipment["checkpoints"])
    [state] = store.shipments(order_id)
    assert state.applied_events == sorted([departed.event_key, out.event_key])


def test_a_search_shows_carrier_entries_in_full_as_reading_the_order_does(
    shipped: Callable[..., str], dynamodb: Any, orders_table: str
) -> None:
    # Given an order with a shipment its timeline names (its status moved the order) and a return
    # parcel registered on it that no entry names (its only checkpoint moved nothing)
    order_id = shipped(NUMBER)
    register_shipment(
        dynamodb,
        orders_table,
        order_id=order_id,
        shipment_id="rtn_1",
        carrier="ups",
        tracking_number="1ZRETURN0000000001",
        lines=[{"sku": "TEA-OOLONG-250G", "quantity": 1}],
        created_at="2026-11-24T10:30:00.000Z",
    )
    store = DynamoTrackingStore(orders_table, dynamodb)
    apply_tracking_update(webhook(checkpoint(0, TrackingStatus.IN_TRANSIT, "Departed")), store, NOW)
    label = checkpoint(1, TrackingStatus.INFO_RECEIVED, "Label created")
    apply_tracking_update(webhook(label, number="1ZRETURN0000000001"), store, NOW)
    orders = DynamoOrderRepository(orders_table, dynamodb)
    read = orders.get(order_id)
    assert read is not None
    assert {
        (e.status, (e.details or {}).get("shipment_id")) for e in read.timeline if e.by.startswith("carrier:")
    } == {
        ("in_transit", "shp_1"),
        ("info_received", "rtn_1"),
    }

    # When the order is found by its customer, and by its status
    by_customer, _ = orders.search(OrderQuery(customer_id=read.customer.id, limit=10))
    by_status, _ = orders.search(OrderQuery(status="in_transit", limit=10))

    # Then both show its timeline exactly as reading the order does
    assert [order.timeline for order in by_customer] == [read.timeline]
    assert [order.timeline for order in by_status] == [read.timeline]
