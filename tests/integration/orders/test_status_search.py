"""Orders by status over the shards of the status index, against moto: one query per open shard
per page, merged newest first, with a cursor that carries every shard's position."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from orders.adapters.dynamo_orders import DynamoOrderRepository
from orders.domain.place_order import place_order
from orders.domain.ports import OrderQuery
from orders.models.api import CreateOrderRequest, TimelineEntry
from orders.models.order import OrderStatus
from shared.errors import InvalidRequest
from shared.status_index import STATUS_INDEX_SHARDS, status_shard
from tests.factories import order_body
from tests.fakes.orders import FrozenClock


class CountingClient:
    def __init__(self, client: Any) -> None:
        self._client, self.partitions = client, []

    def query(self, **request: Any) -> Any:
        self.partitions.append(request["ExpressionAttributeValues"][":pk"]["S"])
        return self._client.query(**request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


@pytest.fixture
def client(dynamodb: Any) -> CountingClient:
    return CountingClient(dynamodb)


@pytest.fixture
def orders(client: CountingClient, orders_table: str) -> DynamoOrderRepository:
    return DynamoOrderRepository(orders_table, client)


def place_many(orders: DynamoOrderRepository, count: int) -> list[str]:
    """`count` orders, one minute apart, newest last."""
    start = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    ids = []
    for n in range(count):
        request = CreateOrderRequest.model_validate(order_body())
        clock = FrozenClock(start + timedelta(minutes=n))
        ids.append(place_order(request, f"key-{n}", orders, clock).order.order_id)
    return ids


def pages(orders: DynamoOrderRepository, status: str, limit: int, **window: str) -> list[list[str]]:
    found: list[list[str]] = []
    cursor = None
    while True:
        page, cursor = orders.search(OrderQuery(status=status, limit=limit, cursor=cursor, **window))
        found.append([order.order_id for order in page])
        if cursor is None:
            return found


def test_pages_over_the_shards_are_newest_first_without_gaps_or_repeats(
    orders: DynamoOrderRepository, client: CountingClient
) -> None:
    # Given 23 received orders, spread over several shards of the index
    ids = place_many(orders, 23)
    assert len({status_shard(order_id) for order_id in ids}) > 3
    client.partitions.clear()
    # When they are read by status, 5 at a time
    found = pages(orders, "received", limit=5)
    # Then every order comes once, newest first, in pages of 5, and the last page has no cursor
    assert [order for page in found for order in page] == list(reversed(ids))
    assert [len(page) for page in found] == [5, 5, 5, 5, 3]
    # and each page queried each shard at most once, the first page every shard
    assert client.partitions[:STATUS_INDEX_SHARDS] == [
        f"STATUS#received#{n}" for n in range(STATUS_INDEX_SHARDS)
    ]
    assert len(client.partitions) <= STATUS_INDEX_SHARDS * len(found)
    assert not any(
        partition.endswith("#") or partition == "STATUS#received" for partition in client.partitions
    )


def test_the_window_and_a_page_as_large_as_the_rest_end_the_cursor(orders: DynamoOrderRepository) -> None:
    ids = place_many(orders, 6)
    page, cursor = orders.search(OrderQuery(status="received", limit=6))
    assert [o.order_id for o in page] == list(reversed(ids)) and cursor is None
    found = pages(
        orders, "received", limit=2, created_from="2026-11-24T10:01:00", created_to="2026-11-24T10:03:59"
    )
    assert [order for page in found for order in page] == [ids[3], ids[2], ids[1]]


def test_an_order_leaving_the_status_between_pages_does_not_disturb_the_next(
    orders: DynamoOrderRepository,
) -> None:
    ids = place_many(orders, 8)
    first, cursor = orders.search(OrderQuery(status="received", limit=3))
    assert [o.order_id for o in first] == [ids[7], ids[6], ids[5]]
    # When the last order of the first page leaves the status before the next page is read
    moved = orders.get(ids[5])
    assert moved is not None and orders.transition(
        moved, TimelineEntry(status=OrderStatus.CONFIRMED, at="2026-11-24T11:00:00.000Z", by="test")
    )
    rest: list[str] = []
    while cursor:
        page, cursor = orders.search(OrderQuery(status="received", limit=3, cursor=cursor))
        rest += [o.order_id for o in page]
    # Then the next pages continue after it
    assert rest == [ids[4], ids[3], ids[2], ids[1], ids[0]]
    [confirmed] = pages(orders, "confirmed", limit=5)
    assert confirmed == [ids[5]]


def test_a_cursor_of_another_status_or_index_or_altered_is_refused(orders: DynamoOrderRepository) -> None:
    place_many(orders, 4)
    _, cursor = orders.search(OrderQuery(status="received", limit=1))
    _, customer_cursor = orders.search(OrderQuery(customer_id="cust-1001", limit=1))
    assert cursor and customer_cursor
    for query in (
        OrderQuery(status="on_hold", cursor=cursor),
        OrderQuery(status="received", cursor=customer_cursor),
        OrderQuery(customer_id="cust-1001", cursor=cursor),
        OrderQuery(status="received", cursor=cursor[:-4]),
    ):
        with pytest.raises(InvalidRequest):
            orders.search(query)
