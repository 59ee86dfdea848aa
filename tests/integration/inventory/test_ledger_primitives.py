"""The ledger primitives (reserve / release / commit) against moto, as the lifecycle calls them."""

from __future__ import annotations

from typing import Any

import pytest

from inventory.adapters.dynamo_stock import CHUNK_SKUS, DynamoStock
from inventory.domain.errors import ShipmentExceedsReservation
from inventory.domain.ports import Reserved
from orders.adapters.dynamo_orders import DynamoOrderRepository, order_key
from orders.domain.place_order import place_order
from orders.models.api import CreateOrderRequest, TimelineEntry
from orders.models.order import OrderRecord
from tests.factories import order_body
from tests.fakes.orders import FrozenClock

AT = "2026-11-24T10:00:00.000Z"


def placed(orders: DynamoOrderRepository, items: list[dict[str, Any]], key: str = "k1") -> OrderRecord:
    request = CreateOrderRequest.model_validate(order_body(items=items))
    order_id = place_order(request, key, orders, FrozenClock()).order.order_id
    order = orders.get(order_id)
    assert order is not None
    return order


def entry(status: str, by: str = "test") -> TimelineEntry:
    return TimelineEntry(status=status, at=AT, by=by)


def line(sku: str, quantity: int = 1) -> dict[str, Any]:
    return {"sku": sku, "name": f"Item {sku}", "quantity": quantity, "unit_price": "1.00"}


def levels(stock: DynamoStock, *skus: str) -> list[tuple[int, int, int]]:
    found = stock.levels(list(skus))
    return [(found[s].on_hand, found[s].reserved, found[s].available) for s in skus]


def history_kinds(stock: DynamoStock, sku: str) -> list[str]:
    return [e.kind.value for e in stock.history(sku, 100).entries]


def test_reserve_for_a_pending_order_sets_the_order_updates_in_the_same_write(
    orders: DynamoOrderRepository, stock: DynamoStock
) -> None:
    stock.set_on_hand("A", 5, AT)
    order = placed(orders, [line("A", 2)])

    outcome = stock.reserve(
        order,
        {"A": 2},
        entry("reserved"),
        order_updates={"payment_status": "pending", "hold_expires_at": "x"},
    )

    assert outcome == Reserved()
    stored = orders.get(order.order_id)
    assert stored is not None and stored.status == "reserved" and stored.reservation == {"A": 2}
    assert levels(stock, "A") == [(5, 2, 3)]
    assert history_kinds(stock, "A") == ["reserve", "set"]


def test_release_gives_everything_back_once(
    orders: DynamoOrderRepository, stock: DynamoStock, dynamodb: Any, orders_table: str
) -> None:
    stock.set_on_hand("A", 5, AT)
    stock.set_on_hand("B", 5, AT)
    order = placed(orders, [line("A", 2), line("B", 1)])
    stock.reserve(order, {"A": 2, "B": 1}, entry("reserved"))
    reserved = orders.get(order.order_id)
    assert reserved is not None

    updates = {"expired_by": "timer", "gsi3pk": None}  # None removes an attribute
    assert stock.release(reserved, entry("expired", "system:expiry"), order_updates=updates)
    assert not stock.release(reserved, entry("expired", "system:expiry"))  # redelivered: nothing

    after = orders.get(order.order_id)
    assert after is not None and after.status == "expired" and after.reservation == {}
    raw = dynamodb.get_item(TableName=orders_table, Key=order_key(order.order_id))["Item"]
    assert raw["expired_by"] == {"S": "timer"} and "gsi3pk" not in raw
    assert levels(stock, "A", "B") == [(5, 0, 5), (5, 0, 5)]
    assert history_kinds(stock, "A") == ["release", "reserve", "set"]


def test_a_stale_order_cannot_be_released(orders: DynamoOrderRepository, stock: DynamoStock) -> None:
    stock.set_on_hand("A", 5, AT)
    order = placed(orders, [line("A", 2)])
    stock.reserve(order, {"A": 2}, entry("confirmed"))
    assert not stock.release(order, entry("cancelled"))  # `order` is the received version
    assert levels(stock, "A") == [(5, 2, 3)]


def test_commit_ships_part_then_the_rest_with_extra_items(
    orders: DynamoOrderRepository, stock: DynamoStock, dynamodb: Any, orders_table: str
) -> None:
    stock.set_on_hand("A", 5, AT)
    stock.set_on_hand("B", 5, AT)
    order = placed(orders, [line("A", 3), line("B", 1)])
    stock.reserve(order, {"A": 3, "B": 1}, entry("confirmed"))
    confirmed = orders.get(order.order_id)
    assert confirmed is not None
    shipment = {"Put": {"TableName": orders_table, "Item": {"pk": {"S": "SHIPMENT#1"}, "sk": {"S": "S"}}}}

    assert stock.commit(confirmed, {"A": 2}, entry("partially_shipped"), extra_items=[shipment])
    assert not stock.commit(confirmed, {"A": 2}, entry("partially_shipped"))  # redelivered: nothing

    partly = orders.get(order.order_id)
    assert (
        partly is not None and partly.status == "partially_shipped" and partly.reservation == {"A": 1, "B": 1}
    )
    assert levels(stock, "A", "B") == [(3, 1, 2), (5, 1, 4)]
    assert "Item" in dynamodb.get_item(
        TableName=orders_table, Key={"pk": {"S": "SHIPMENT#1"}, "sk": {"S": "S"}}
    )

    assert stock.commit(partly, {"A": 1, "B": 1}, entry("shipped"))
    done = orders.get(order.order_id)
    assert done is not None and done.status == "shipped" and done.reservation == {}
    assert levels(stock, "A", "B") == [(2, 0, 2), (4, 0, 4)]


def test_a_shipment_above_the_reservation_is_refused_before_any_write(
    orders: DynamoOrderRepository, stock: DynamoStock
) -> None:
    stock.set_on_hand("A", 5, AT)
    order = placed(orders, [line("A", 1)])
    stock.reserve(order, {"A": 1}, entry("confirmed"))
    confirmed = orders.get(order.order_id)
    assert confirmed is not None

    with pytest.raises(ShipmentExceedsReservation) as refused:
        stock.commit(confirmed, {"A": 2}, entry("shipped"))

    assert refused.value.http_status == 409
    assert levels(stock, "A") == [(5, 1, 4)]


def test_release_and_commit_chunk_large_orders(orders: DynamoOrderRepository, stock: DynamoStock) -> None:
    skus = [f"SKU-{n:03d}" for n in range(CHUNK_SKUS * 2 + 1)]
    for sku in skus:
        stock.set_on_hand(sku, 2, AT)
    order = placed(orders, [line(sku) for sku in skus])
    assert stock.reserve(order, {sku: 1 for sku in skus}, entry("confirmed")) == Reserved()
    confirmed = orders.get(order.order_id)
    assert confirmed is not None and len(confirmed.reservation) == len(skus)

    assert stock.commit(confirmed, {sku: 1 for sku in skus[:60]}, entry("partially_shipped"))
    partly = orders.get(order.order_id)
    assert partly is not None and len(partly.reservation) == len(skus) - 60

    assert stock.commit(partly, {sku: 1 for sku in skus[60:]}, entry("shipped"))
    found = stock.levels(skus)
    assert {(level.on_hand, level.reserved, level.available) for level in found.values()} == {(1, 0, 1)}
