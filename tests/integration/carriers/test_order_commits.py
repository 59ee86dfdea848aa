"""The tracking store writes an order on its own (after its shipment), conditional on the status
and version it was read at, against moto."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from carriers.adapters.dynamo_tracking import DynamoTrackingStore
from carriers.models.shipment import OrderChange
from orders.models.api import TimelineEntry
from orders.models.order import OrderStatus
from shared.errors import RetryableError
from shared.status_index import status_partition


def change(version: int) -> OrderChange:
    return OrderChange(
        order_id="ord_carriers",
        from_status=OrderStatus.SHIPPED,
        to_status=OrderStatus.IN_TRANSIT,
        expected_version=version,
        entries=[TimelineEntry(status="in_transit", at="2026-11-24T11:00:00+00:00", by="carrier:easypost")],
        at="2026-11-24T11:00:05.000Z",
    )


def test_an_order_changed_since_it_was_read_is_not_written(
    shipped: Callable[..., str], dynamodb: Any, orders_table: str
) -> None:
    order_id = shipped("1Z999AA10123456784")
    store = DynamoTrackingStore(orders_table, dynamodb)

    with pytest.raises(RetryableError):
        store.commit_order(change(version=2))  # it is at version 3
    assert store.order(order_id).status == OrderStatus.SHIPPED

    store.commit_order(change(version=3))
    moved = store.order(order_id)
    assert (moved.status, moved.version, moved.timeline[-1].by) == (
        OrderStatus.IN_TRANSIT,
        4,
        "carrier:easypost",
    )
    item = dynamodb.get_item(
        TableName=orders_table, Key={"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": "ORDER"}}
    )
    assert item["Item"]["gsi2pk"]["S"] == status_partition("in_transit", order_id)
