"""The delivery estimate item (`TRACKING#<n>` / `ESTIMATE`) in the single table, against moto."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from carriers.adapters.dynamo_tracking import DynamoTrackingStore
from carriers.domain.apply_tracking import ApplyResult, apply_tracking_update
from carriers.models.tracking import Checkpoint, Provider, TrackingEstimate, TrackingStatus, TrackingUpdate
from orders.adapters.dynamo_orders import DynamoOrderRepository
from tests.integration.conftest import table_items

NUMBER = "1Z999AA10123456784"
NOW = "2026-11-24T12:00:00.000Z"


def estimate(estimated_delivery: str, as_of: str) -> TrackingEstimate:
    return TrackingEstimate(tracking_number=NUMBER, estimated_delivery=estimated_delivery, as_of=as_of)


def test_an_estimate_never_replaces_one_from_a_later_webhook(dynamodb: Any, orders_table: str) -> None:
    store = DynamoTrackingStore(orders_table, dynamodb)
    assert store.estimate(NUMBER) is None

    assert store.save_estimate(estimate("2026-11-27", "2026-11-24T11:00:00.000Z")) is True
    assert store.save_estimate(estimate("2026-11-26", "2026-11-24T10:00:00.000Z")) is False  # older
    assert store.estimate(NUMBER) == estimate("2026-11-27", "2026-11-24T11:00:00.000Z")

    assert store.save_estimate(estimate("2026-11-28", "2026-11-24T11:00:00.000Z")) is True  # redelivery
    assert store.save_estimate(estimate("2026-11-29", "2026-11-24T12:00:00.000Z")) is True  # newer
    assert store.estimate(NUMBER) == estimate("2026-11-29", "2026-11-24T12:00:00.000Z")

    (item,) = table_items(dynamodb, orders_table)
    assert (item["pk"]["S"], item["sk"]["S"], item["entity"]["S"]) == (
        f"TRACKING#{NUMBER}",
        "ESTIMATE",
        "tracking_estimate",
    )
    assert store.events(NUMBER) == {}  # not a checkpoint


def test_a_later_estimate_rewrites_the_shipment_but_neither_its_watch_nor_the_order(
    webhook_env: dict[str, str], shipped: Callable[..., str], dynamodb: Any, orders_table: str
) -> None:
    # Given a shipment with one checkpoint and the carrier's first estimate
    order_id = shipped(NUMBER)
    store = DynamoTrackingStore(orders_table, dynamodb)
    checkpoint = Checkpoint(
        status=TrackingStatus.IN_TRANSIT,
        occurred_at=datetime(2026, 11, 24, 11, tzinfo=UTC),
        raw_code="IT",
        provider=Provider.GENERIC,
        message="departed",
    )
    first = TrackingUpdate(
        provider=Provider.GENERIC,
        tracking_number=NUMBER,
        checkpoints=[checkpoint],
        estimated_delivery="2026-11-24",
    )
    assert (
        apply_tracking_update(first, store, NOW, received_at="2026-11-24T11:30:00.000Z")
        is ApplyResult.APPLIED
    )
    orders = DynamoOrderRepository(orders_table, dynamodb)
    order_before = orders.get(order_id)
    watches_before = [
        item for item in table_items(dynamodb, orders_table) if item["entity"]["S"] == "shipment_watch"
    ]

    # When a later webhook brings the same checkpoint and a later estimate
    revised = first.model_copy(update={"estimated_delivery": "2026-11-30"})
    result = apply_tracking_update(revised, store, NOW, received_at="2026-11-24T12:00:00.000Z")

    # Then the shipment has the new estimate; its watch (the end of the first estimated day) wakes
    # before the new deadline (48 h after the checkpoint), so it stays as it was; the order did not change
    assert result is ApplyResult.ESTIMATE_REVISED
    (shipment,) = store.shipments(order_id)
    assert (shipment.estimated_delivery, shipment.tracking_version) == ("2026-11-30", 2)
    assert shipment.first_estimated_delivery == "2026-11-24"  # stored, and kept through the revision
    watches = [
        item for item in table_items(dynamodb, orders_table) if item["entity"]["S"] == "shipment_watch"
    ]
    assert watches == watches_before
    assert [(w["kind"]["S"], w["deadline"]["S"]) for w in watches] == [("late", "2026-11-25T00:00:00Z")]
    assert shipment.watch_key == f"{watches[0]['pk']['S']}|{watches[0]['sk']['S']}"
    order_after = orders.get(order_id)
    assert (order_after.status, order_after.version, order_after.timeline) == (
        order_before.status,
        order_before.version,
        order_before.timeline,
    )
