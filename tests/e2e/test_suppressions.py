"""Suppression feedback on the local stack: SES bounces and SMS replies published to their topics
reach the suppression list through SuppressionQueue (raw delivery) and ApplySuppressions; so does
the bounce the SES mailbox simulator causes for an order's confirmation email."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from typing import Any

import pytest

from tests.e2e.conftest import Storefront, body_for
from tests.factories import load_event

pytestmark = pytest.mark.e2e
SKU = "TEA-SUPPRESS-E2E"


def suppression_item(stack: Any, channel: str, address: str) -> dict[str, Any] | None:
    digest = hashlib.sha256(address.encode()).hexdigest()
    item = stack.client("dynamodb").get_item(
        TableName=stack.physical("OrdersTable"),
        Key={"pk": {"S": f"SUPPRESSION#{channel}#{digest}"}, "sk": {"S": "SUPPRESSION"}},
        ConsistentRead=True,
    )
    return item.get("Item")


def wait_for_item(stack: Any, channel: str, address: str, timeout: float = 30) -> dict[str, Any]:
    """Polls the item rather than waiting for the whole stack to be idle, which other tests' retries
    can keep busy for minutes."""
    deadline = time.monotonic() + timeout
    while (item := suppression_item(stack, channel, address)) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert item is not None, f"no {channel} suppression after {timeout}s"
    return item


def test_both_feedback_topics_deliver_raw_to_the_suppression_queue(stack: Any) -> None:
    sns = stack.client("sns")
    queue_arn = stack.physical("SuppressionQueue", "Arn")
    for topic in ("EmailFeedback", "InboundSms"):
        [subscription] = [
            s
            for s in sns.list_subscriptions_by_topic(TopicArn=stack.physical(topic))["Subscriptions"]
            if s["Endpoint"] == queue_arn
        ]
        attributes = sns.get_subscription_attributes(SubscriptionArn=subscription["SubscriptionArn"])
        assert attributes["Attributes"]["RawMessageDelivery"] == "true", topic


def test_a_permanent_bounce_and_a_chinese_unsubscribe_reply_suppress_their_recipients(stack: Any) -> None:
    # Given a customer's address and phone, unique to this test
    tag = uuid.uuid4().hex[:8]
    address = f"buyer-{tag}@example.com"
    phone = f"+86139{int(tag, 16) % 10**8:08d}"
    bounce = load_event("sns/ses_event_bounce_permanent.json")
    bounce["bounce"]["bouncedRecipients"][0]["emailAddress"] = address.upper()
    bounce["mail"]["destination"] = [address.upper()]
    reply = {**load_event("sns/inbound_sms_unsubscribe_zh.json"), "originationNumber": phone}

    # When SES publishes the bounce and End User Messaging the reply, each to its topic
    sns = stack.client("sns")
    sns.publish(TopicArn=stack.physical("EmailFeedback"), Message=json.dumps(bounce))
    sns.publish(TopicArn=stack.physical("InboundSms"), Message=json.dumps(reply, ensure_ascii=False))

    # Then both recipients are on the suppression list, under the hash of their normalized form
    email = wait_for_item(stack, "email", address)
    assert (email["reason"]["S"], email["source"]["S"], email["entity"]["S"]) == (
        "bounce",
        "ses_feedback",
        "suppression",
    )
    sms = wait_for_item(stack, "sms", phone)
    assert (sms["reason"]["S"], sms["source"]["S"]) == ("sms_stop", "sns_inbound")
    # And nothing was parked in the dead-letter queue
    dlq = stack.client("sqs").get_queue_attributes(
        QueueUrl=stack.physical("SuppressionQueueDlq"), AttributeNames=["ApproximateNumberOfMessages"]
    )
    assert dlq["Attributes"]["ApproximateNumberOfMessages"] == "0"


def test_the_worker_can_send_with_its_configuration_set(stack: Any) -> None:
    worker = stack.functions["SendNotificationsFunction"].spec.environment
    configuration_set = worker["SES_CONFIGURATION_SET"]

    response = stack.client("ses").send_email(
        Source=worker["SENDER_EMAIL"],
        Destination={"ToAddresses": [f"buyer-{uuid.uuid4().hex[:8]}@example.com"]},
        Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}},
        ConfigurationSetName=configuration_set,
    )

    assert response["MessageId"]
    described = stack.client("ses").describe_configuration_set(ConfigurationSetName=configuration_set)
    assert described["ConfigurationSet"]["Name"] == configuration_set


def outbox_count(storefront: Storefront, address: str, count: int, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while (found := len(storefront.outbox_for(address))) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def notification_log(storefront: Storefront, order_id: str, count: int, timeout: float = 30) -> list[tuple]:
    """(template, channel, status, reason) of the order's notifications, once there are ``count``."""
    deadline = time.monotonic() + timeout
    while True:
        response = storefront.http.get(f"{storefront.url}/v1/orders/{order_id}/notifications", timeout=10)
        assert response.status_code == 200, response.text
        log = [
            (e["template"], e["channel"], e["status"], e["reason"]) for e in response.json()["notifications"]
        ]
        if len(log) >= count or time.monotonic() > deadline:
            return log
        time.sleep(0.1)


def test_a_confirmation_mailed_to_the_bounce_simulator_suppresses_the_next_email(
    stack: Any, storefront: Storefront, new_customer: Any
) -> None:
    # Given a customer whose email is the SES mailbox simulator's bounce address (labelled, so
    # unique to this test; SES accepts the label and the order API validates it)
    customer = {
        **new_customer(locale="en"),
        "email": f"bounce+{uuid.uuid4().hex[:8]}@simulator.amazonses.com",
    }
    assert storefront.put_stock(SKU, 1000).status_code == 200

    # When they order, and the confirmation goes out by email (through the worker's configuration
    # set, to the simulator) and by SMS
    placed = storefront.place(
        body_for(customer, [{"sku": SKU, "name": f"Item {SKU}", "quantity": 1, "unit_price": "88.00"}])
    )
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    storefront.wait_for_status(order_id, {"confirmed"})
    assert outbox_count(storefront, customer["email"], 1) == 1

    # Then the bounce SES published to EmailFeedback put the address on the suppression list
    # (polled like the tests above: another test's retries can keep the whole stack busy)
    item = wait_for_item(stack, "email", customer["email"])
    assert (item["reason"]["S"], item["source"]["S"]) == ("bounce", "ses_feedback")

    # And the next message about the order is not emailed, while the text still goes out
    cancelled = storefront.http.post(
        f"{storefront.url}/v1/orders/{order_id}/cancel", json={"reason": "changed mind"}, timeout=10
    )
    assert cancelled.status_code == 200, cancelled.text
    assert outbox_count(storefront, customer["phone"], 2) == 2
    assert notification_log(storefront, order_id, 4) == [
        ("order_confirmed", "email", "sent", None),
        ("order_confirmed", "sms", "sent", None),
        ("order_cancelled", "email", "suppressed", "bounce"),
        ("order_cancelled", "sms", "sent", None),
    ]
    assert len(storefront.outbox_for(customer["email"])) == 1
