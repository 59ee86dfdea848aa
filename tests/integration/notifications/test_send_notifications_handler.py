"""The real handler against moto: orders table, idempotency table, SES and SNS."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from notifications.handlers.send_notifications import handler
from orders.adapters.dynamo_orders import DynamoOrderRepository
from tests.factories import FakeLambdaContext, load_event
from tests.integration.notifications.conftest import SENDER, TRACKING, sent_emails, sent_sms
from tests.unit.notifications.conftest import EMAIL, PHONE, out_of_stock_order, sample_order

CONFIRMED_EVENT = "sqs/order_confirmed_notification.json"
OUT_OF_STOCK_EVENT = "sqs/order_out_of_stock_notification.json"


def test_confirmed_order_is_emailed_and_texted_exactly_once(orders: DynamoOrderRepository) -> None:
    # Given a stored, confirmed order of a customer with an email and a phone
    orders.create(sample_order())
    event = load_event(CONFIRMED_EVENT)

    # When the notification message is delivered
    response = handler(event, FakeLambdaContext())

    # Then the customer got one email and one SMS
    assert response == {"batchItemFailures": []}
    [email] = sent_emails()
    assert email.source == SENDER
    assert email.destinations["ToAddresses"] == [EMAIL]
    assert email.subject == "Your order ord_k2m4q6s8u0w2y4a6c8e0g2i4 is confirmed"
    assert "TEA-OOLONG-250G" in email.body and "CNY 1,129.00" in email.body
    [(phone, text)] = sent_sms()
    assert phone == PHONE
    assert text.endswith("Track it: " + TRACKING + "/ord_k2m4q6s8u0w2y4a6c8e0g2i4")

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


def test_chinese_out_of_stock_notice_skips_an_opted_out_number(orders: DynamoOrderRepository) -> None:
    # Given an out-of-stock order of a zh-CN customer whose number opted out of SMS (moto: ends in 99)
    orders.create(
        out_of_stock_order(
            order_id="ord_n3p5r7t9v1x3z5b7d9f1h3j5", customer={"locale": "zh-CN", "phone": "+8613800138099"}
        )
    )

    response = handler(load_event(OUT_OF_STOCK_EVENT), FakeLambdaContext())

    assert response == {"batchItemFailures": []}
    [email] = sent_emails()
    assert email.subject == "您的订单 ord_n3p5r7t9v1x3z5b7d9f1h3j5 中有商品库存不足"
    assert "TEA-OOLONG-250G" in email.body
    assert sent_sms() == []


def test_order_not_found_is_dropped(orders: DynamoOrderRepository) -> None:
    assert handler(load_event(CONFIRMED_EVENT), FakeLambdaContext()) == {"batchItemFailures": []}
    assert sent_emails() == [] and sent_sms() == []


def test_idempotency_records_live_fourteen_days_under_a_stable_key(
    orders: DynamoOrderRepository, dynamodb: Any, idempotency_table: str
) -> None:
    orders.create(sample_order())

    handler(load_event(CONFIRMED_EVENT), FakeLambdaContext())

    items = dynamodb.scan(TableName=idempotency_table)["Items"]
    assert len(items) == 2  # one per channel
    for item in items:
        assert item["id"]["S"].startswith("notifications.delivery#")
        assert item["status"]["S"] == "COMPLETED"
        lifetime = int(item["expiration"]["N"]) - _now()
        assert 14 * 86400 - 60 <= lifetime <= 14 * 86400
    stored = sorted(json.loads(item["data"]["S"])["channel"] for item in items)
    assert stored == ["email", "sms"]


def _now() -> int:
    return int(time.time())


def test_sent_messages_are_counted_per_channel(
    orders: DynamoOrderRepository, capsys: pytest.CaptureFixture[str]
) -> None:
    orders.create(sample_order())

    handler(load_event(CONFIRMED_EVENT), FakeLambdaContext())

    blobs = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    [emf] = [blob for blob in blobs if "EmailSent" in blob]
    assert emf["EmailSent"] in ([1.0], 1.0)
    assert emf["SmsSent"] in ([1.0], 1.0)
