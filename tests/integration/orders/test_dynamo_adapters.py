"""The DynamoDB adapters against moto: conditional writes and transactions as AWS applies them."""

from __future__ import annotations

from typing import Any

import pytest

from inventory.adapters.dynamo_stock import DynamoStock
from inventory.domain.reserve_stock import ReservationResult, reserve_order_stock
from orders.adapters.dynamo_orders import DynamoOrderRepository, order_key
from orders.domain.place_order import place_order
from orders.models.api import CreateOrderRequest, TimelineEntry
from orders.models.order import OrderStatus
from shared.errors import StockBelowReserved
from shared.status_index import status_partition
from tests.factories import order_body
from tests.fakes.orders import FrozenClock
from tests.integration.conftest import table_items


@pytest.fixture
def orders(dynamodb: Any, orders_table: str) -> DynamoOrderRepository:
    return DynamoOrderRepository(orders_table, dynamodb)


@pytest.fixture
def stock(dynamodb: Any, orders_table: str) -> DynamoStock:
    return DynamoStock(orders_table, dynamodb)


def place(orders: DynamoOrderRepository, key: str = "k1", **overrides: Any) -> str:
    request = CreateOrderRequest.model_validate(order_body(**overrides))
    return place_order(request, key, orders, FrozenClock()).order.order_id


def test_order_round_trips_with_its_index_keys(
    orders: DynamoOrderRepository, dynamodb: Any, orders_table: str
) -> None:
    order_id = place(orders)

    stored = orders.get(order_id)

    assert stored is not None and stored.customer.name == "李伟"
    [item] = table_items(dynamodb, orders_table)
    assert item["gsi1pk"] == {"S": "CUSTOMER#cust-1001"}
    assert item["gsi2pk"] == {"S": status_partition("received", order_id)}
    assert item["entity"] == {"S": "order"}


def test_a_replayed_key_writes_nothing_new(
    orders: DynamoOrderRepository, dynamodb: Any, orders_table: str
) -> None:
    place(orders)
    place(orders)
    assert len(table_items(dynamodb, orders_table)) == 1


def test_reservation_is_all_or_nothing(orders: DynamoOrderRepository, stock: DynamoStock) -> None:
    stock.set_on_hand("TEA-OOLONG-250G", 10, "t")
    stock.set_on_hand("CUP-PORCELAIN", 0, "t")
    order_id = place(orders)

    result = reserve_order_stock(order_id, orders, stock, FrozenClock())

    assert result == ReservationResult.OUT_OF_STOCK
    tea = stock.get("TEA-OOLONG-250G")
    assert tea is not None and (tea.reserved, tea.available) == (0, 10)
    order = orders.get(order_id)
    assert order is not None and order.status == OrderStatus.OUT_OF_STOCK
    assert order.short_items[0].sku == "CUP-PORCELAIN"


def test_unknown_sku_counts_as_short(orders: DynamoOrderRepository, stock: DynamoStock) -> None:
    stock.set_on_hand("TEA-OOLONG-250G", 10, "t")
    order_id = place(orders)
    assert reserve_order_stock(order_id, orders, stock, FrozenClock()) == ReservationResult.OUT_OF_STOCK
    order = orders.get(order_id)
    assert order is not None
    assert [(i.sku, i.available) for i in order.short_items] == [("CUP-PORCELAIN", 0)]


def test_reservation_confirms_once_even_when_delivered_twice(
    orders: DynamoOrderRepository, stock: DynamoStock
) -> None:
    stock.set_on_hand("TEA-OOLONG-250G", 10, "t")
    stock.set_on_hand("CUP-PORCELAIN", 3, "t")
    order_id = place(orders)

    first = reserve_order_stock(order_id, orders, stock, FrozenClock())
    second = reserve_order_stock(order_id, orders, stock, FrozenClock())

    assert (first, second) == (ReservationResult.CONFIRMED, ReservationResult.ALREADY_DECIDED)
    tea, cup = stock.get("TEA-OOLONG-250G"), stock.get("CUP-PORCELAIN")
    assert tea is not None and (tea.on_hand, tea.reserved, tea.available) == (10, 2, 8)
    assert cup is not None and (cup.on_hand, cup.reserved, cup.available) == (3, 1, 2)
    order = orders.get(order_id)
    assert order is not None
    assert [entry.status for entry in order.timeline] == ["received", "confirmed"]
    assert order.reservation == {"CUP-PORCELAIN": 1, "TEA-OOLONG-250G": 2}


def test_attributes_at_their_default_are_not_stored_and_read_as_their_default(
    orders: DynamoOrderRepository, stock: DynamoStock, dynamodb: Any, orders_table: str
) -> None:
    def stored_names() -> set[str]:
        item = dynamodb.get_item(TableName=orders_table, Key=order_key(order_id), ConsistentRead=True)["Item"]
        return set(item)

    defaults = {"hold_reasons", "short_items", "reservation", "reservation_progress", "shipments"}
    stock.set_on_hand("TEA-OOLONG-250G", 10, "t")
    stock.set_on_hand("CUP-PORCELAIN", 10, "t")
    order_id = place(orders)
    assert stored_names() & defaults == set()
    placed = orders.get(order_id)
    assert placed is not None and placed.to_view()["hold_reasons"] == placed.to_view()["short_items"] == []

    reserve_order_stock(order_id, orders, stock, FrozenClock())
    assert stored_names() & defaults == {"reservation"}  # set while it holds stock

    confirmed = orders.get(order_id)
    assert confirmed is not None
    released = TimelineEntry(status="cancelled", at="2026-11-24T10:05:00.000Z", by="storefront")
    assert stock.release(confirmed, released)
    assert stored_names() & defaults == set()  # and removed when it goes back to none
    cancelled = orders.get(order_id)
    assert cancelled is not None and (cancelled.reservation, cancelled.reservation_progress) == ({}, 0)


def test_a_stale_order_version_cannot_confirm(orders: DynamoOrderRepository, stock: DynamoStock) -> None:
    stock.set_on_hand("TEA-OOLONG-250G", 10, "t")
    stock.set_on_hand("CUP-PORCELAIN", 10, "t")
    order_id = place(orders)
    stale = orders.get(order_id)
    assert stale is not None
    reserve_order_stock(order_id, orders, stock, FrozenClock())

    from inventory.domain.ports import AlreadyDecided
    from orders.models.api import TimelineEntry

    outcome = stock.reserve(
        stale, stale.quantities_by_sku(), TimelineEntry(status="confirmed", at="t", by="x")
    )
    assert isinstance(outcome, AlreadyDecided)
    tea = stock.get("TEA-OOLONG-250G")
    assert tea is not None and tea.reserved == 2


def test_on_hand_cannot_drop_below_reserved(orders: DynamoOrderRepository, stock: DynamoStock) -> None:
    stock.set_on_hand("TEA-OOLONG-250G", 10, "t")
    stock.set_on_hand("CUP-PORCELAIN", 1, "t")
    reserve_order_stock(place(orders), orders, stock, FrozenClock())

    with pytest.raises(StockBelowReserved) as raised:
        stock.set_on_hand("TEA-OOLONG-250G", 1, "t")

    assert raised.value.details["reserved"] == 2
    tea = stock.get("TEA-OOLONG-250G")
    assert tea is not None and (tea.on_hand, tea.available) == (10, 8)
    level = stock.set_on_hand("TEA-OOLONG-250G", 2, "t")
    assert (level.on_hand, level.reserved, level.available) == (2, 2, 0)


def wide_order_lines(count: int) -> list[dict[str, Any]]:
    return [
        {"sku": f"SKU-{n:03d}", "name": "Sample item", "quantity": 1, "unit_price": "1.00"}
        for n in range(count)
    ]


def test_an_order_of_100_distinct_skus_is_reserved_in_chunks(
    orders: DynamoOrderRepository, stock: DynamoStock
) -> None:
    for n in range(100):
        stock.set_on_hand(f"SKU-{n:03d}", 2, "t")
    order_id = place(orders, items=wide_order_lines(100))

    assert reserve_order_stock(order_id, orders, stock, FrozenClock()) == ReservationResult.CONFIRMED

    levels = stock.levels([f"SKU-{n:03d}" for n in range(100)])
    assert {(level.reserved, level.available) for level in levels.values()} == {(1, 1)}
    order = orders.get(order_id)
    assert order is not None and len(order.reservation) == 100 and order.reservation_progress == 0
    assert [entry.status for entry in order.timeline] == ["received", "confirmed"]


def test_a_short_sku_in_a_later_chunk_releases_the_earlier_chunks(
    orders: DynamoOrderRepository, stock: DynamoStock
) -> None:
    for n in range(99):
        stock.set_on_hand(f"SKU-{n:03d}", 1, "t")
    order_id = place(orders, items=wide_order_lines(100))  # SKU-099 has no stock at all

    assert reserve_order_stock(order_id, orders, stock, FrozenClock()) == ReservationResult.OUT_OF_STOCK

    levels = stock.levels([f"SKU-{n:03d}" for n in range(99)])
    assert {(level.reserved, level.available) for level in levels.values()} == {(0, 1)}
    order = orders.get(order_id)
    assert order is not None and [item.sku for item in order.short_items] == ["SKU-099"]
    assert order.reservation_progress == 0


def test_a_chunked_reservation_interrupted_by_a_crash_resumes_without_double_reserving(
    orders: DynamoOrderRepository, stock: DynamoStock, dynamodb: Any, orders_table: str
) -> None:
    for n in range(100):
        stock.set_on_hand(f"SKU-{n:03d}", 1, "t")
    order_id = place(orders, items=wide_order_lines(100))

    class CrashAfterFirstTransaction:
        def __init__(self) -> None:
            self.transactions = 0

        def __getattr__(self, name: str) -> Any:
            return getattr(dynamodb, name)

        def transact_write_items(self, **kwargs: Any) -> Any:
            if self.transactions == 1:
                raise RuntimeError("container crashed")
            self.transactions += 1
            return dynamodb.transact_write_items(**kwargs)

    with pytest.raises(RuntimeError):
        reserve_order_stock(
            order_id, orders, DynamoStock(orders_table, CrashAfterFirstTransaction()), FrozenClock()
        )
    halfway = orders.get(order_id)
    assert halfway is not None and halfway.reservation_progress == 1

    assert reserve_order_stock(order_id, orders, stock, FrozenClock()) == ReservationResult.CONFIRMED
    levels = stock.levels([f"SKU-{n:03d}" for n in range(100)])
    assert {(level.reserved, level.available) for level in levels.values()} == {(1, 0)}


def test_identical_orders_within_the_window_are_recognised_with_one_write_each(
    orders: DynamoOrderRepository, dynamodb: Any, orders_table: str
) -> None:
    first = orders.get(place(orders, "a"))
    second = orders.get(place(orders, "b"))
    other = orders.get(place(orders, "c", currency="USD"))
    assert first is not None and second is not None and other is not None

    assert not orders.has_identical_recent_order(first, 10)
    assert not orders.has_identical_recent_order(first, 10)  # a redelivery of the same order
    assert orders.has_identical_recent_order(second, 10)
    assert not orders.has_identical_recent_order(other, 10)  # different content


def test_a_derived_order_number_is_not_stored_but_read_back(
    orders: DynamoOrderRepository, dynamodb: Any, orders_table: str
) -> None:
    from shared.order_numbers import short_order_code

    repository = orders
    derived = place_order(
        CreateOrderRequest.model_validate(order_body()), "k-1", repository, FrozenClock()
    ).order
    own = place_order(
        CreateOrderRequest.model_validate(order_body(order_number="SO-42")), "k-2", repository, FrozenClock()
    ).order

    stored = dynamodb.get_item(TableName=orders_table, Key=order_key(derived.order_id))["Item"]
    assert "order_number" not in stored
    assert repository.get(derived.order_id).order_number == short_order_code(derived.order_id)  # type: ignore[union-attr]
    stored = dynamodb.get_item(TableName=orders_table, Key=order_key(own.order_id))["Item"]
    assert stored["order_number"] == {"S": "SO-42"}
    assert repository.get(own.order_id).order_number == "SO-42"  # type: ignore[union-attr]
