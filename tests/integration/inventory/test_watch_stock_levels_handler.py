"""The low-stock watcher against moto: the flag on the stock item, the rate from the audit
trail, and exactly one message on the operations topic (read through a subscribed queue)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from inventory.adapters.dynamo_stock import DynamoStock, stock_key
from orders.adapters.dynamo_orders import DynamoOrderRepository
from orders.domain.change_events import stock_events
from orders.domain.place_order import place_order
from orders.models.api import CreateOrderRequest, TimelineEntry
from shared.clock import isoformat
from shared.dynamo import from_attributes
from tests.factories import FakeLambdaContext, from_bus, order_body
from tests.fakes.orders import FrozenClock


@pytest.fixture
def topic_queue(aws: None) -> tuple[str, str]:
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    topic = sns.create_topic(Name="operations-alerts")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="alerts-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
    )
    return topic, queue_url


@pytest.fixture
def watcher(monkeypatch: pytest.MonkeyPatch, orders_table: str, topic_queue: tuple[str, str]) -> Any:
    monkeypatch.setenv("ORDERS_TABLE_NAME", orders_table)
    monkeypatch.setenv("OPERATIONS_ALERTS_TOPIC_ARN", topic_queue[0])
    from inventory.handlers import watch_stock_levels

    watch_stock_levels.dependencies.cache_clear()
    return watch_stock_levels


def bus_event(dynamodb: Any, table: str, sku: str) -> dict[str, Any]:
    """The `StockLevelChanged` event the dispatcher makes of the stock item as it is now, as its
    rule delivers it to the watcher's queue."""
    item = dynamodb.get_item(TableName=table, Key=stock_key(sku), ConsistentRead=True)["Item"]
    [change] = stock_events(None, from_attributes(item), "c81e728d9d4c2f636f067f89cc14862c", "t")
    return from_bus("sqs/stock_level_changed_from_bus.json", change)


def inbox(queue_url: str) -> list[str]:
    messages = (
        boto3.client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    )
    return [m["Body"] for m in messages]


def test_one_alert_with_days_left_for_a_crossing_even_when_the_record_is_replayed(
    watcher: Any, dynamodb: Any, orders_table: str, topic_queue: tuple[str, str]
) -> None:
    now = isoformat(datetime.now(UTC))
    stock = DynamoStock(orders_table, dynamodb)
    stock.set_on_hand("TEA", 10, now, low_stock_threshold=5)
    orders = DynamoOrderRepository(orders_table, dynamodb)
    request = CreateOrderRequest.model_validate(
        order_body(items=[{"sku": "TEA", "name": "Item Tea", "quantity": 7, "unit_price": "1"}])
    )
    order = orders.get(place_order(request, "k", orders, FrozenClock()).order.order_id)
    assert order is not None
    stock.reserve(order, {"TEA": 7}, TimelineEntry(status="confirmed", at=now, by="test"))
    event = bus_event(dynamodb, orders_table, "TEA")

    first = watcher.handler(event, FakeLambdaContext())
    replay = watcher.handler(event, FakeLambdaContext())

    assert first == replay == {"batchItemFailures": []}
    [message] = inbox(topic_queue[1])
    assert "SKU TEA: available 3" in message
    assert "7 units, 1.0 per day" in message and "about 3.0 days of stock" in message
    item = dynamodb.get_item(TableName=orders_table, Key=stock_key("TEA"), ConsistentRead=True)["Item"]
    assert item["low_stock_alerted"] == {"BOOL": True}


def test_a_late_event_of_a_level_the_sku_has_left_alerts_nobody(
    watcher: Any, dynamodb: Any, orders_table: str, topic_queue: tuple[str, str]
) -> None:
    # Given a SKU restocked above its threshold, and the event of an earlier level below it
    # arriving after the restock (the bus and the queue keep no order)
    now = "2026-11-24T10:00:00.000Z"
    stock = DynamoStock(orders_table, dynamodb)
    stock.set_on_hand("MUG", 3, now, low_stock_threshold=5)
    late = bus_event(dynamodb, orders_table, "MUG")
    stock.set_on_hand("MUG", 20, now, low_stock_threshold=5)

    # When the watcher receives it, then no alert is published and the SKU stays armed
    assert watcher.handler(late, FakeLambdaContext()) == {"batchItemFailures": []}
    assert inbox(topic_queue[1]) == []
    item = dynamodb.get_item(TableName=orders_table, Key=stock_key("MUG"), ConsistentRead=True)["Item"]
    assert item.get("low_stock_alerted", {"BOOL": False}) == {"BOOL": False}


def test_only_the_malformed_message_fails(watcher: Any, dynamodb: Any, orders_table: str) -> None:
    DynamoStock(orders_table, dynamodb).set_on_hand("CUP", 9, "t", low_stock_threshold=2)
    good = bus_event(dynamodb, orders_table, "CUP")["Records"][0]
    bad = {**good, "messageId": "broken", "body": good["body"].replace('"sku"', '"no_sku"')}
    result = watcher.handler({"Records": [good, bad]}, FakeLambdaContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": "broken"}]}
