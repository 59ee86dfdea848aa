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
    return {
        name: sqs.create_queue(QueueName=name)["QueueUrl"]
        for name in ("reservation", "notification", "subscriber")
    }


@pytest.fixture
def bus(queues: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> str:
    """The domain event bus, with a rule sending every ordertrack event to the `subscriber` queue."""
    events, sqs = boto3.client("events"), boto3.client("sqs")
    events.create_event_bus(Name="ordertrack-test")
    subscriber = sqs.get_queue_attributes(QueueUrl=queues["subscriber"], AttributeNames=["QueueArn"])
    events.put_rule(
        Name="everything", EventBusName="ordertrack-test", EventPattern=json.dumps({"source": ["ordertrack"]})
    )
    events.put_targets(
        Rule="everything",
        EventBusName="ordertrack-test",
        Targets=[{"Id": "subscriber", "Arn": subscriber["Attributes"]["QueueArn"]}],
    )
    monkeypatch.setenv("EVENT_BUS_NAME", "ordertrack-test")
    from orders.handlers import dispatch_order_changes

    dispatch_order_changes.settings.cache_clear()
    dispatch_order_changes.default_bus.cache_clear()
    yield "ordertrack-test"
    dispatch_order_changes.settings.cache_clear()
    dispatch_order_changes.default_bus.cache_clear()


def received_messages(url: str) -> list[dict[str, Any]]:
    """Up to 10 messages' bodies (a bus subscriber's: the whole EventBridge event)."""
    sqs = boto3.client("sqs")
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def test_dispatcher_routes_new_orders_to_reservation_and_status_changes_to_notification(
    monkeypatch: pytest.MonkeyPatch, queues: dict[str, str], bus: str
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
    published = {(m["detail-type"], m["detail"]["event_id"]) for m in received_messages(queues["subscriber"])}
    assert published == {
        ("OrderPlaced", "ord_7maujktfygcstrdw2sdovzdw:v1"),
        ("OrderStatusChanged", "ord_7maujktfygcstrdw2sdovzdw:v2"),
    }


def test_dispatcher_publishes_stock_and_tracking_link_changes_and_queues_no_job(
    monkeypatch: pytest.MonkeyPatch, queues: dict[str, str], bus: str
) -> None:
    monkeypatch.setenv("RESERVATION_QUEUE_URL", queues["reservation"])
    monkeypatch.setenv("NOTIFICATION_QUEUE_URL", queues["notification"])
    from orders.handlers import dispatch_order_changes

    dispatch_order_changes.default_publisher.cache_clear()
    stock = load_event("dynamodb/stock_and_link_changes.json")
    result = dispatch_order_changes.handler(stock, FakeLambdaContext())

    assert result == {"batchItemFailures": []}
    assert received_messages(queues["reservation"]) == received_messages(queues["notification"]) == []
    published = {m["detail-type"]: m["detail"] for m in received_messages(queues["subscriber"])}
    assert set(published) == {"StockLevelChanged", "ShipmentTrackingLinked"}
    assert (
        published["StockLevelChanged"]["available"],
        published["StockLevelChanged"]["previous_available"],
    ) == (
        3,
        5,
    )
    assert published["ShipmentTrackingLinked"]["tracking_number"] == "SF1234567890123"


def test_dispatcher_reports_the_record_it_could_not_publish(
    monkeypatch: pytest.MonkeyPatch, queues: dict[str, str], bus: str
) -> None:
    monkeypatch.setenv("RESERVATION_QUEUE_URL", queues["reservation"])
    monkeypatch.setenv("NOTIFICATION_QUEUE_URL", queues["notification"].replace("notification", "missing"))
    from orders.handlers import dispatch_order_changes

    dispatch_order_changes.default_publisher.cache_clear()
    result = dispatch_order_changes.handler(
        load_event("dynamodb/order_status_changed.json"), FakeLambdaContext()
    )

    assert result == {"batchItemFailures": [{"itemIdentifier": "111100000000000000000002"}]}


def test_dispatcher_reports_the_record_whose_events_the_bus_refused(
    monkeypatch: pytest.MonkeyPatch, queues: dict[str, str], bus: str
) -> None:
    monkeypatch.setenv("RESERVATION_QUEUE_URL", queues["reservation"])
    monkeypatch.setenv("NOTIFICATION_QUEUE_URL", queues["notification"])
    monkeypatch.setenv("EVENT_BUS_NAME", "no-such-bus")
    from orders.handlers import dispatch_order_changes

    dispatch_order_changes.settings.cache_clear()
    dispatch_order_changes.default_bus.cache_clear()
    dispatch_order_changes.default_publisher.cache_clear()
    # every record's events were refused: every record is reported (the stream retries from the first)
    result = dispatch_order_changes.handler(
        load_event("dynamodb/order_status_changed.json"), FakeLambdaContext()
    )
    assert result == {
        "batchItemFailures": [
            {"itemIdentifier": "111100000000000000000001"},
            {"itemIdentifier": "111100000000000000000002"},
        ]
    }


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
