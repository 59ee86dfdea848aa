"""Orders by status over the shards of the status index, against moto: one query per open shard
per page, merged newest first, with a cursor that carries every shard's position."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from orders.adapters.dynamo_orders import DynamoOrderRepository
from orders.adapters.status_search import FILL_ROUNDS
from orders.domain.place_order import place_order
from orders.domain.ports import OrderQuery
from orders.models.api import CreateOrderRequest, TimelineEntry
from orders.models.order import OrderStatus
from shared.errors import InvalidRequest
from shared.status_index import STATUS_INDEX_SHARDS, status_partition, status_shard
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


def move(orders: DynamoOrderRepository, order_id: str, *statuses: OrderStatus) -> None:
    for status in statuses:
        order = orders.get(order_id)
        assert order is not None
        entry = TimelineEntry(status=status, at="2026-11-24T12:00:00.000Z", by="test")
        assert orders.transition(order, entry)


def test_the_statuses_a_carrier_moves_through_share_index_keys_and_each_is_found_alone(
    orders: DynamoOrderRepository, dynamodb: Any, orders_table: str
) -> None:
    # Given 12 orders on their way: shipped, in transit and out for delivery, four of each
    ids = place_many(orders, 12)
    ways = [OrderStatus.SHIPPED, OrderStatus.IN_TRANSIT, OrderStatus.OUT_FOR_DELIVERY]
    for n, order_id in enumerate(ids):
        move(orders, order_id, OrderStatus.CONFIRMED, *ways[: n % 3 + 1])

    def index_key(order_id: str) -> str:
        key = {"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": "ORDER"}}
        return str(dynamodb.get_item(TableName=orders_table, Key=key)["Item"]["gsi2pk"]["S"])

    # Then the moves among them left the index key alone
    assert {index_key(order_id) for order_id in ids} == {
        status_partition(OrderStatus.SHIPPED, order_id) for order_id in ids
    }
    assert all(status_partition(s, ids[0]) == status_partition(ways[0], ids[0]) for s in ways)
    # And each status, read two at a time, finds exactly its own orders, newest first, in full pages
    for k, status in enumerate(ways):
        expected = [order_id for n, order_id in enumerate(ids) if n % 3 == k][::-1]
        found = pages(orders, status.value, limit=2)
        assert [order for page in found for order in page] == expected
        assert all(len(page) == 2 for page in found[:-1])


def test_an_order_indexed_under_its_own_status_before_the_groups_is_still_found(
    orders: DynamoOrderRepository, dynamodb: Any, orders_table: str
) -> None:
    [old, new] = place_many(orders, 2)
    move(orders, old, OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.IN_TRANSIT)
    move(orders, new, OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.IN_TRANSIT)
    # `old` was indexed as every status was before the groups: under its status's own name
    dynamodb.update_item(
        TableName=orders_table,
        Key={"pk": {"S": f"ORDER#{old}"}, "sk": {"S": "ORDER"}},
        UpdateExpression="SET gsi2pk = :own",
        ExpressionAttributeValues={":own": {"S": f"STATUS#in_transit#{status_shard(old)}"}},
    )
    assert pages(orders, "in_transit", limit=5) == [[new, old]]
    assert pages(orders, "shipped", limit=5) == [[]]


def test_a_grouped_status_whose_orders_are_rare_reads_a_bounded_number_of_rounds(
    orders: DynamoOrderRepository, client: CountingClient
) -> None:
    # Given 9 shipped orders and, older than all of them, one out for delivery
    ids = place_many(orders, 10)
    move(orders, ids[0], OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.OUT_FOR_DELIVERY)
    for order_id in ids[1:]:
        move(orders, order_id, OrderStatus.CONFIRMED, OrderStatus.SHIPPED)
    client.partitions.clear()
    # When out-for-delivery orders are read one at a time
    page, cursor = orders.search(OrderQuery(status="out_for_delivery", limit=1))
    # Then the first page gives up after FILL_ROUNDS rounds (each one query per open partition),
    # empty but with a cursor, and following the cursor finds the order
    assert page == [] and cursor is not None
    assert len(client.partitions) <= FILL_ROUNDS * 2 * STATUS_INDEX_SHARDS
    rest: list[str] = []
    while cursor:
        more, cursor = orders.search(OrderQuery(status="out_for_delivery", limit=1, cursor=cursor))
        rest += [order.order_id for order in more]
    assert rest == [ids[0]]


def test_a_work_queue_reads_oldest_first_over_the_shards_and_its_cursor_keeps_the_direction(
    orders: DynamoOrderRepository,
) -> None:
    # Given 23 received orders over several shards
    ids = place_many(orders, 23)
    # When they are read oldest first, 5 at a time
    found: list[list[str]] = []
    cursor = None
    while True:
        page, cursor = orders.search(OrderQuery(status="received", limit=5, cursor=cursor, oldest_first=True))
        found.append([order.order_id for order in page])
        if cursor is None:
            break
        # a cursor of the oldest-first pages is refused by a newest-first read, and the other way round
        with pytest.raises(InvalidRequest):
            orders.search(OrderQuery(status="received", limit=5, cursor=cursor))
    # Then every order comes once, oldest first
    assert [order for page in found for order in page] == ids
    assert [len(page) for page in found] == [5, 5, 5, 5, 3]
    _, newest_cursor = orders.search(OrderQuery(status="received", limit=5))
    assert newest_cursor is not None
    with pytest.raises(InvalidRequest):
        orders.search(OrderQuery(status="received", limit=5, cursor=newest_cursor, oldest_first=True))
