"""The scheduled delay check against moto: a stalled shipment is flagged, alerted and on the timeline."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from carriers import dependencies
from carriers.handlers import apply_linked_events, flag_delayed_shipments
from orders.adapters.dynamo_orders import DynamoOrderRepository
from orders.domain.change_events import domain_events_for_change
from tests.factories import FakeLambdaContext, from_bus, load_event, stream_record_change
from tests.fakes.orders import FrozenClock as FixedClock


@pytest.fixture
def alerts_topic(webhook_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> str:
    sns = boto3.client("sns")
    arn = sns.create_topic(Name="operations-alerts")["TopicArn"]
    sqs = boto3.client("sqs")
    inbox = sqs.create_queue(QueueName="alerts-inbox")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=inbox_arn, Attributes={"RawMessageDelivery": "true"})
    monkeypatch.setenv("OPERATIONS_ALERTS_TOPIC_ARN", arn)
    flag_delayed_shipments.dependencies.cache_clear()
    yield inbox
    flag_delayed_shipments.dependencies.cache_clear()


def link_tracking_number(order_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The new-link consumer applies the shipment's tracking link a minute after the shipment was
    registered (the handler's wired clock), which arms its first delay watch."""
    monkeypatch.setattr(dependencies, "clock", lambda: FixedClock(datetime(2026, 11, 24, 10, 1, tzinfo=UTC)))
    link = load_event("carriers/lambda/tracking_link_inserted.json")
    image = link["Records"][0]["dynamodb"]["NewImage"]
    image.update(
        pk={"S": "TRACKING#1Z999AA10123456784"}, order_id={"S": order_id}, shipment_id={"S": "shp_1"}
    )
    _, written = stream_record_change(link["Records"][0])
    [linked] = domain_events_for_change(None, written, "e4da3b7fbbce2345d7772b0674a318d5", "t")
    delivered = from_bus("sqs/shipment_tracking_linked_from_bus.json", linked)
    assert apply_linked_events.handler(delivered, FakeLambdaContext()) == {"batchItemFailures": []}


def test_a_shipment_with_no_checkpoint_for_48_hours_is_flagged_and_alerted(
    alerts_topic: str,
    shipped: Callable[..., str],
    dynamodb: Any,
    orders_table: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order_id = shipped("1Z999AA10123456784")  # registered 2026-11-24T10:00Z
    link_tracking_number(order_id, monkeypatch)

    assert flag_delayed_shipments.check_delays(FixedClock(datetime(2026, 11, 26, 9, tzinfo=UTC))) == {
        "flagged": 0
    }
    assert flag_delayed_shipments.check_delays(FixedClock(datetime(2026, 11, 26, 11, tzinfo=UTC))) == {
        "flagged": 1
    }
    assert flag_delayed_shipments.check_delays(FixedClock(datetime(2026, 11, 27, 11, tzinfo=UTC))) == {
        "flagged": 0
    }

    order = DynamoOrderRepository(orders_table, dynamodb).get(order_id)
    assert order.status.value == "delivery_exception"
    assert order.timeline[-1].by == "system:delay-detection"
    assert order.timeline[-1].details["reason"] == "stalled"
    messages = boto3.client("sqs").receive_message(QueueUrl=alerts_topic, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(m["Body"])["reason"] for m in messages] == ["stalled"]


def test_a_commit_that_loses_a_race_leaves_an_extra_watch_that_the_delay_job_drops(
    alerts_topic: str,
    shipped: Callable[..., str],
    dynamodb: Any,
    orders_table: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from carriers.adapters.dynamo_tracking import DynamoTrackingStore
    from carriers.models.shipment import ShipmentChange, Watch
    from shared.errors import RetryableError

    order_id = shipped("1Z999AA10123456784")
    link_tracking_number(order_id, monkeypatch)
    store = DynamoTrackingStore(orders_table, dynamodb)
    [shipment] = store.shipments(order_id)
    armed = shipment.watch_key
    assert armed is not None

    # When a commit writes its new watch first and then loses the race for the shipment
    early = Watch(
        order_id=order_id,
        shipment_id=shipment.shipment_id,
        tracking_number=shipment.tracking_number,
        deadline="2026-11-25T12:00:00.000Z",
        kind="late",
    )
    change = ShipmentChange(
        shipment=shipment.model_copy(update={"watch_key": early.key}),
        expected_version=shipment.tracking_version + 7,
        watch=early,
        previous_watch_key=armed,
    )
    with pytest.raises(RetryableError):
        store.commit(change, None)

    # Then the shipment keeps its watch, and both watches exist: none is missing
    [unchanged] = store.shipments(order_id)
    assert unchanged.watch_key == armed
    pk, _, sk = early.key.partition("|")
    assert "Item" in dynamodb.get_item(TableName=orders_table, Key={"pk": {"S": pk}, "sk": {"S": sk}})

    # And the delay job drops the extra watch at its deadline without flagging, then flags the real one
    assert flag_delayed_shipments.check_delays(FixedClock(datetime(2026, 11, 25, 13, tzinfo=UTC))) == {
        "flagged": 0
    }
    assert "Item" not in dynamodb.get_item(TableName=orders_table, Key={"pk": {"S": pk}, "sk": {"S": sk}})
    assert flag_delayed_shipments.check_delays(FixedClock(datetime(2026, 11, 26, 11, tzinfo=UTC))) == {
        "flagged": 1
    }
