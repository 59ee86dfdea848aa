"""The stream dispatcher and the reservation worker, invoked with canonical sample events."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from tests.factories import FakeLambdaContext, load_event, order_body


@pytest.fixture
def queues(aws: None) -> dict[str, str]:
    sqs = boto3.client("sqs")
    return {name: sqs.create_queue(QueueName=name)["QueueUrl"] for name in ("reservation", "notification")}


def received_messages(url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def test_dispatcher_routes_new_orders_to_reservation_and_status_changes_to_notification(
    monkeypatch: pytest.MonkeyPatch, queues: dict[str, str]
) -> None:
    monkeypatch.setenv("RESERVATION_QUEUE_URL", queues["reservation"])
    monkeypatch.setenv("NOTIFICATION_QUEUE_URL", queues["notification"])
    from orders.handlers import dispatch_order_changes

    dispatch_order_changes.default_publisher.cache_clear()
    result = dispatch_order_changes.handler(
        load_event("dynamodb/order_status_changed.json"), FakeLambdaContext()
    )

    assert result == {"batchItemFailures": []}
    [reservation] = received_messages(queues["reservation"])
    [notification] = received_messages(queues["notification"])
    assert reservation["event_type"] == "order.received"
    assert (notification["event_type"], notification["event_id"]) == (
        "order.confirmed",
        "ord_7maujktfygcstrdw2sdovzdw:v2",
    )


def test_dispatcher_reports_the_record_it_could_not_publish(
    monkeypatch: pytest.MonkeyPatch, queues: dict[str, str]
) -> None:
    monkeypatch.setenv("RESERVATION_QUEUE_URL", queues["reservation"])
    monkeypatch.setenv("NOTIFICATION_QUEUE_URL", queues["notification"].replace("notification", "missing"))
    from orders.handlers import dispatch_order_changes

    dispatch_order_changes.default_publisher.cache_clear()
    result = dispatch_order_changes.handler(
        load_event("dynamodb/order_status_changed.json"), FakeLambdaContext()
    )

    assert result == {"batchItemFailures": [{"itemIdentifier": "111100000000000000000002"}]}


def test_reservation_worker_confirms_the_order_once_for_a_duplicated_message(
    monkeypatch: pytest.MonkeyPatch, dynamodb: Any, orders_table: str, queues: dict[str, str]
) -> None:
    monkeypatch.setenv("ORDERS_TABLE_NAME", orders_table)
    monkeypatch.setenv("RESERVATION_QUEUE_URL", queues["reservation"])
    from inventory.adapters.dynamo_stock import DynamoStock
    from inventory.handlers import reserve_stock
    from orders.adapters.dynamo_orders import DynamoOrderRepository
    from orders.domain.place_order import place_order
    from orders.models.api import CreateOrderRequest
    from tests.fakes.orders import FrozenClock

    reserve_stock.dependencies.cache_clear()
    orders, stock = DynamoOrderRepository(orders_table, dynamodb), DynamoStock(orders_table, dynamodb)
    stock.set_on_hand("TEA-OOLONG-250G", 5, "t")
    stock.set_on_hand("CUP-PORCELAIN", 5, "t")
    order = place_order(
        CreateOrderRequest.model_validate(order_body()), "checkout-7f3c2a91", orders, FrozenClock()
    ).order
    event = load_event("sqs/reservation_requested.json")
    assert json.loads(event["Records"][0]["body"])["order_id"] == order.order_id

    duplicated = {"Records": [event["Records"][0], {**event["Records"][0], "messageId": "second-delivery"}]}
    assert reserve_stock.handler(duplicated, FakeLambdaContext()) == {"batchItemFailures": []}

    tea = stock.get("TEA-OOLONG-250G")
    assert tea is not None and tea.reserved == 2
    stored = orders.get(order.order_id)
    assert stored is not None and [e.status for e in stored.timeline] == ["received", "confirmed"]


def test_reservation_worker_fails_only_the_malformed_record(
    monkeypatch: pytest.MonkeyPatch, orders_table: str, queues: dict[str, str]
) -> None:
    monkeypatch.setenv("ORDERS_TABLE_NAME", orders_table)
    monkeypatch.setenv("RESERVATION_QUEUE_URL", queues["reservation"])
    from inventory.handlers import reserve_stock

    reserve_stock.dependencies.cache_clear()
    good = load_event("sqs/reservation_requested.json")["Records"][0]
    bad = {**good, "messageId": "broken", "body": "{not json"}
    result = reserve_stock.handler({"Records": [good, bad]}, FakeLambdaContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": "broken"}]}
