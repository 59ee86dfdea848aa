"""The real handler against moto: orders table, idempotency table, SQS, Secrets Manager, SES, SNS."""

from __future__ import annotations

import json
from typing import Any

import pytest

from notifications.handlers.send_notifications import handler
from orders.adapters.dynamo_orders import DynamoOrderRepository
from shared import links
from shared.aws_clients import aws_client, provider_client
from shared.order_numbers import short_order_code
from tests.factories import FakeLambdaContext, load_event
from tests.integration.notifications.conftest import LINK_KEY, SENDER, TRACKING, sent_emails, sent_sms
from tests.unit.notifications.conftest import EMAIL, PHONE, out_of_stock_order, sample_order

CONFIRMED_EVENT = "sqs/order_confirmed_notification.json"
OUT_OF_STOCK_EVENT = "sqs/order_out_of_stock_notification.json"
ORDER_ID = "ord_k2m4q6s8u0w2y4a6c8e0g2i4"


def log_items(dynamodb: Any, orders_table: str, order_id: str) -> list[dict[str, Any]]:
    response = dynamodb.query(
        TableName=orders_table,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :entry)",
        ExpressionAttributeValues={":pk": {"S": f"NOTIFY#{order_id}"}, ":entry": {"S": "ENTRY#"}},
    )
    return response["Items"]


def test_confirmed_order_is_emailed_and_texted_exactly_once_and_logged(
    orders: DynamoOrderRepository, dynamodb: Any, orders_table: str
) -> None:
    # Given a stored, confirmed order of a customer with an email and a phone
    orders.create(sample_order())

    # When the notification message is delivered
    response = handler(load_event(CONFIRMED_EVENT), FakeLambdaContext())

    # Then the customer got one email and one SMS, each with the signed tracking link
    assert response == {"batchItemFailures": []}
    [email] = sent_emails()
    assert email.source == SENDER
    assert email.destinations["ToAddresses"] == [EMAIL]
    # speaking for the stage's brand (BRAND), naming the order by its number and the items by name
    order_number = short_order_code(ORDER_ID)
    assert order_number in email.subject and ORDER_ID not in email.subject
    assert "Acme Tea" in email.body and "Tieguanyin oolong, 250 g" in email.body
    [(phone, text)] = sent_sms()
    assert phone == PHONE
    assert text.startswith("【艾克米】") and text.endswith("回TD退订") and order_number in text
    link = f"{TRACKING}/track/{links.sign(LINK_KEY, ORDER_ID)}"
    assert link in text and link in email.body
    items = log_items(dynamodb, orders_table, ORDER_ID)
    assert sorted((i["channel"]["S"], i["status"]["S"]) for i in items) == [
        ("email", "sent"),
        ("sms", "sent"),
    ]
    assert all(EMAIL not in json.dumps(i) and PHONE not in json.dumps(i) for i in items)

    # When SQS delivers the same message again, and the dispatcher sends the same event anew
    redelivered = load_event(CONFIRMED_EVENT)
    redelivered["Records"][0]["attributes"]["ApproximateReceiveCount"] = "2"
    assert handler(redelivered, FakeLambdaContext()) == {"batchItemFailures": []}
    resent = load_event(CONFIRMED_EVENT)
    resent["Records"][0]["messageId"] = "another-message-same-event"
    assert handler(resent, FakeLambdaContext()) == {"batchItemFailures": []}

    # Then still exactly one email and one SMS
    assert len(sent_emails()) == 1
    assert len(sent_sms()) == 1


def test_with_a_burst_window_the_delivery_is_scheduled_on_the_queue(
    orders: DynamoOrderRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    from notifications import dependencies

    monkeypatch.setenv("COLLAPSE_WINDOW_SECONDS", "5")
    dependencies.reset()
    orders.create(sample_order())

    assert handler(load_event(CONFIRMED_EVENT), FakeLambdaContext()) == {"batchItemFailures": []}

    assert sent_emails() == [] and sent_sms() == []
    sqs = aws_client("sqs")
    queue_url = sqs.get_queue_url(QueueName="notifications")["QueueUrl"]
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )
    assert attributes["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "1"


def test_chinese_out_of_stock_notice_skips_an_opted_out_number_and_remembers_it(
    orders: DynamoOrderRepository, dynamodb: Any, orders_table: str
) -> None:
    # Given an out-of-stock order of a zh-CN customer whose number opted out of SMS (moto: ends in 99)
    order_id = "ord_n3p5r7t9v1x3z5b7d9f1h3j5"
    orders.create(
        out_of_stock_order(order_id=order_id, customer={"locale": "zh-CN", "phone": "+8613800138099"})
    )

    response = handler(load_event(OUT_OF_STOCK_EVENT), FakeLambdaContext())

    assert response == {"batchItemFailures": []}
    [email] = sent_emails()
    assert short_order_code(order_id) in email.subject and "库存" in email.subject
    assert sent_sms() == []
    suppression = [
        item
        for item in dynamodb.scan(TableName=orders_table)["Items"]
        if item["pk"]["S"].startswith("SUPPRESSION#sms#")
    ]
    assert len(suppression) == 1 and "8613800138099" not in json.dumps(suppression)


def test_order_not_found_is_dropped(orders: DynamoOrderRepository) -> None:
    assert handler(load_event(CONFIRMED_EVENT), FakeLambdaContext()) == {"batchItemFailures": []}
    assert sent_emails() == [] and sent_sms() == []


def test_last_failed_attempt_lands_in_the_dlq_with_its_reason(
    orders: DynamoOrderRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError

    orders.create(sample_order(customer={"email": None}))
    sns = provider_client("sns")  # the sender's client: no botocore retries

    def throttled(**_: Any) -> Any:
        raise ClientError({"Error": {"Code": "Throttling", "Message": "slow down"}}, "Publish")

    monkeypatch.setattr(sns, "publish", throttled)
    event = load_event(CONFIRMED_EVENT)
    event["Records"][0]["attributes"]["ApproximateReceiveCount"] = "3"  # MAX_RECEIVE_COUNT

    assert handler(event, FakeLambdaContext()) == {"batchItemFailures": []}

    sqs = aws_client("sqs")
    dlq_url = sqs.get_queue_url(QueueName="notifications-dlq")["QueueUrl"]
    [message] = sqs.receive_message(QueueUrl=dlq_url, MessageAttributeNames=["All"])["Messages"]
    assert json.loads(message["Body"])["event_id"] == f"{ORDER_ID}:v2"
    attributes = message["MessageAttributes"]
    assert "Throttling" in attributes["ordertrack.failure_reason"]["StringValue"]
    assert attributes["ordertrack.failed_channels"]["StringValue"] == "sms"


def test_delivery_records_live_on_the_log_entries_fourteen_days_under_a_stable_key(
    orders: DynamoOrderRepository, dynamodb: Any, orders_table: str, idempotency_table: str
) -> None:
    orders.create(sample_order())
    writes: list[str] = []

    def count(model: Any, params: dict[str, Any], **_: Any) -> None:
        if model.name in {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}:
            writes.append(f"{model.name} {params['TableName']}")

    dynamodb.meta.events.register("provide-client-params.dynamodb.*", count)
    try:
        handler(load_event(CONFIRMED_EVENT), FakeLambdaContext())
    finally:
        dynamodb.meta.events.unregister("provide-client-params.dynamodb.*", count)

    # the channels' marker, then per message its claim and its completion, all on the orders table
    assert writes == [f"UpdateItem {orders_table}"] * 5
    assert dynamodb.scan(TableName=idempotency_table)["Items"] == []  # only read now
    items = log_items(dynamodb, orders_table, ORDER_ID)
    assert [item["channel"]["S"] for item in items] == ["email", "sms"]
    for item in items:
        assert item["idempotency_key"]["S"].startswith("notifications.delivery#")
        assert item["idempotency_status"]["S"] == "COMPLETED"
        assert json.loads(item["idempotency_data"]["S"])["channel"] == item["channel"]["S"]
        # the record expires 14 days after its claim, whose lock was the invocation's 30 s left
        lifetime = (
            int(item["idempotency_expiration"]["N"])
            - int(item["idempotency_in_progress_expiration"]["N"]) / 1000
        )
        assert 14 * 86400 - 32 <= lifetime <= 14 * 86400 - 28


def test_sent_messages_are_counted_per_channel(
    orders: DynamoOrderRepository, capsys: pytest.CaptureFixture[str]
) -> None:
    orders.create(sample_order())

    handler(load_event(CONFIRMED_EVENT), FakeLambdaContext())

    blobs = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    [emf] = [blob for blob in blobs if "EmailSent" in blob]
    assert emf["EmailSent"] in ([1.0], 1.0)
    assert emf["SmsSent"] in ([1.0], 1.0)
