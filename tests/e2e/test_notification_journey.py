"""Customer notifications on the local runtime, end to end: what lands in `GET /_local/outbox`
over an order's journey, burst collapse and the notification log. (Quiet hours are covered with a
frozen clock in tests/unit/notifications: a held message waits in the queue for up to 15 minutes.)"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import Storefront, body_for
from tests.e2e.test_carrier_webhooks import GENERIC, post_generic, secret, ship

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
SKU = "TEA-NOTIFY-E2E"
CJK = re.compile(r"[\u4e00-\u9fff]")


def place_confirmed(storefront: Storefront, customer: dict[str, Any]) -> str:
    storefront.put_stock(SKU, 1000)
    placed = storefront.place(
        body_for(customer, [{"sku": SKU, "name": f"Item {SKU}", "quantity": 1, "unit_price": "88.00"}])
    )
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    storefront.wait_for_status(order_id, {"confirmed"})
    return order_id


def messages_for(
    storefront: Storefront, customer: dict[str, Any], count: int, timeout: float = 30
) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        messages = storefront.outbox_for(*[v for v in (customer.get("email"), customer.get("phone")) if v])
        if len(messages) >= count or time.monotonic() > deadline:
            return messages
        time.sleep(0.1)


def generic_update(name: str, tracking_number: str) -> dict[str, Any]:
    document = json.loads((GENERIC / name).read_text(encoding="utf-8"))
    document["tracking_number"] = tracking_number
    return document


def notification_log(storefront: Storefront, order_id: str) -> list[dict[str, Any]]:
    response = storefront.http.get(f"{storefront.url}/v1/orders/{order_id}/notifications", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["notifications"]


def test_a_journey_from_confirmation_to_delivered_leaves_exactly_the_expected_messages(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    customer = new_customer(locale="en")
    tracking_number = f"SF{uuid.uuid4().int % 10**13:013d}"
    key = secret(stack, "generic")

    # confirmed: email + SMS
    order_id = place_confirmed(storefront, customer)
    assert len(messages_for(storefront, customer, 2)) == 2
    # shipped: email + SMS
    ship(storefront, order_id, "sf-express", tracking_number)
    assert len(messages_for(storefront, customer, 4)) == 4
    # in transit: email only (intermediate scans are not texted)
    assert (
        post_generic(storefront, generic_update("02_in_transit.json", tracking_number), key).status_code
        == 200
    )
    assert len(messages_for(storefront, customer, 5)) == 5
    # out for delivery, delivered: email + SMS each
    assert (
        post_generic(storefront, generic_update("03_out_for_delivery.json", tracking_number), key).status_code
        == 200
    )
    assert len(messages_for(storefront, customer, 7)) == 7
    assert (
        post_generic(storefront, generic_update("04_delivered.json", tracking_number), key).status_code == 200
    )
    storefront.wait_for_status(order_id, {"delivered"})
    stack.wait_idle(60)

    # ... and, a (locally: one) second after delivery, the survey invitation by email
    messages = messages_for(storefront, customer, 10)
    emails = [m for m in messages if m["channel"] == "email"]
    texts = [m for m in messages if m["channel"] == "sms"]
    assert (len(emails), len(texts)) == (6, 4)
    link = re.compile(re.escape(stack.api_url) + r"/track/" + re.escape(order_id) + r"\.[A-Za-z0-9_-]{20}")
    order_messages = [m for m in emails + texts if "/feedback/" not in m["body"]]
    assert len(order_messages) == 9
    for message in order_messages:  # every message about the order links the tracking page
        assert link.search(message["body"]), message["body"][:300]
    [survey] = [m for m in emails if "/feedback/" in m["body"]]
    assert re.search(re.escape(stack.api_url) + r"/feedback/" + re.escape(order_id) + r"\.", survey["body"])
    log = notification_log(storefront, order_id)
    assert [(e["template"], e["channel"], e["status"]) for e in log] == [
        ("order_confirmed", "email", "sent"),
        ("order_confirmed", "sms", "sent"),
        ("order_shipped", "email", "sent"),
        ("order_shipped", "sms", "sent"),
        ("order_in_transit", "email", "sent"),
        ("order_out_for_delivery", "email", "sent"),
        ("order_out_for_delivery", "sms", "sent"),
        ("order_delivered", "email", "sent"),
        ("order_delivered", "sms", "sent"),
        ("feedback_invite", "email", "sent"),
    ]
    assert all(customer["email"] not in json.dumps(e) and customer["phone"] not in json.dumps(e) for e in log)


def test_a_burst_of_carrier_updates_becomes_one_message_in_chinese(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    customer = new_customer(locale="zh-CN")
    tracking_number = f"SF{uuid.uuid4().int % 10**13:013d}"
    key = secret(stack, "generic")
    order_id = place_confirmed(storefront, customer)
    assert len(messages_for(storefront, customer, 2)) == 2  # the confirmation, before shipping
    ship(storefront, order_id, "sf-express", tracking_number)
    assert len(messages_for(storefront, customer, 4)) == 4

    # Three updates reach the notification queue together (its consumer paused meanwhile)
    with stack.event_sources_disabled("SendNotificationsFunction"):
        for name in ("02_in_transit.json", "03_out_for_delivery.json", "04_delivered.json"):
            assert post_generic(storefront, generic_update(name, tracking_number), key).status_code == 200
        storefront.wait_for_status(order_id, {"delivered"})
        time.sleep(1.0)  # the dispatcher's last event reaches the queue
    stack.wait_idle(60)

    messages = messages_for(storefront, customer, 7)
    # confirmed, shipped, one "delivered" per channel, and the survey invitation (email)
    assert len(messages) == 7
    assert all(CJK.search(m["body"]) for m in messages)
    statuses = [(e["template"], e["channel"], e["status"]) for e in notification_log(storefront, order_id)]
    assert statuses[4:] == [
        ("order_in_transit", "email", "collapsed"),
        ("order_out_for_delivery", "email", "collapsed"),
        ("order_out_for_delivery", "sms", "collapsed"),
        ("order_delivered", "email", "sent"),
        ("order_delivered", "sms", "sent"),
        ("feedback_invite", "email", "sent"),
    ]
