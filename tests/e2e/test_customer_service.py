"""Customer service on the local runtime: an order delivered through carrier webhooks gets its
survey invitation (held until a day after delivery) on the notification queue; the survey page
stores a low rating and opens a complaint; the complaint is resolved; a return goes through every
status with a return parcel tracked by carrier webhooks while the order stays delivered."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Storefront
from tests.e2e.test_carrier_webhooks import confirmed_order, post_generic, secret, ship
from tests.e2e.test_notification_journey import generic_update

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
WORKER = "SendNotificationsFunction"


def invitation_on_queue(stack: Any, order_id: str, timeout: float = 30) -> dict[str, Any]:
    """Read the notification queue (its worker paused) until the order's invitation shows up;
    every message read is made visible again."""
    sqs = stack.client("sqs")
    queue_url = stack.physical("NotificationQueue")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        )
        found = None
        for message in messages:
            body = json.loads(message["Body"])
            if body["order_id"] == order_id and body["event_type"] == "feedback.invite":
                found = body
            sqs.change_message_visibility(
                QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
        if found:
            return found
    raise AssertionError(f"no feedback.invite for {order_id} on the notification queue")


def deliver(stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]) -> str:
    tracking_number = f"SF{uuid.uuid4().int % 10**13:013d}"
    order_id = confirmed_order(storefront, new_customer)
    ship(storefront, order_id, "sf-express", tracking_number)
    key = secret(stack, "generic")
    for name in ("02_in_transit.json", "04_delivered.json"):
        assert post_generic(storefront, generic_update(name, tracking_number), key).status_code == 200
    storefront.wait_for_status(order_id, {"delivered"})
    return order_id


def opened_emails(storefront: Storefront, order_id: str) -> list[dict[str, Any]]:
    response = storefront.http.get(f"{storefront.url}/v1/orders/{order_id}/notifications", timeout=10)
    assert response.status_code == 200, response.text
    return [
        e
        for e in response.json()["notifications"]
        if e["template"] == "complaint_opened" and e["channel"] == "email" and e["status"] == "sent"
    ]


def test_survey_invitation_feedback_page_complaint_and_resolution(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    # Given an order delivered through carrier webhooks (the notification worker paused)
    with stack.event_sources_disabled(WORKER):
        order_id = deliver(stack, storefront, new_customer)
        invite = invitation_on_queue(stack, order_id)
    order = storefront.order(order_id)
    delivered_at = next(
        e["at"]
        for e in reversed(order["timeline"])
        if e["status"] == "delivered" and e["by"].startswith("system:")
    )
    # Then the invitation waits the survey delay after delivery (a day; locally as configured) and
    # carries the signed survey token
    assert invite["event_id"] == f"{order_id}:feedback"
    delay = int(stack.settings.get("ORDERTRACK_FEEDBACK_DELAY_SECONDS", str(24 * 3600)))
    expected = datetime.fromisoformat(delivered_at.replace("Z", "+00:00")) + timedelta(seconds=delay)
    assert datetime.fromisoformat(invite["not_before"].replace("Z", "+00:00")) == expected.replace(
        microsecond=0
    )
    token = invite["details"]["feedback_token"]

    # When the customer opens the page and sends a low rating with an HTML comment
    url = f"{storefront.url}/feedback/{token}"
    form = requests.get(url, timeout=10)
    assert form.status_code == 200 and "text/html" in form.headers["content-type"]
    assert requests.get(url[:-3] + "abc", timeout=10).status_code == 404
    bad = requests.post(url, data={"rating": "7"}, timeout=10)
    assert bad.status_code == 400
    sent = requests.post(
        url,
        data={"rating": "1", "comment": "<img src=x onerror=alert(1)> box crushed", "categories": "damaged"},
        timeout=10,
    )
    assert sent.status_code == 200 and "<img src=x" not in sent.text

    # Then one complaint is open for the order
    queue = storefront.http.get(f"{storefront.url}/v1/complaints?status=open&limit=100", timeout=10).json()
    [complaint] = [c for c in queue["complaints"] if c["order_id"] == order_id]
    assert complaint["category"] == "damage" and complaint["source"] == "feedback"
    # And the customer is told by email that the case is open (the survey page queues the event)
    deadline = time.monotonic() + 60
    while not (told := opened_emails(storefront, order_id)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [e["event_id"] for e in told] == [f"{complaint['complaint_id']}:opened"], told

    # And resolving it twice: the second answer is a 409 with the current status
    resolve = f"{storefront.url}/v1/complaints/{complaint['complaint_id']}/resolve"
    first = storefront.http.post(
        resolve, json={"resolution": "Replacement sent", "resolved_by": "ops"}, timeout=10
    )
    assert first.status_code == 200 and first.json()["status"] == "resolved"
    second = storefront.http.post(resolve, json={"resolution": "Refund", "resolved_by": "ops"}, timeout=10)
    assert second.status_code == 409 and second.json()["error"]["details"]["current_status"] == "resolved"


def test_a_return_through_every_status_with_a_tracked_return_parcel(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    order_id = deliver(stack, storefront, new_customer)
    sku = storefront.order(order_id)["items"][0]["sku"]
    base = f"{storefront.url}/v1/orders/{order_id}/returns"
    created = storefront.http.post(
        base,
        json={"lines": [{"sku": sku, "quantity": 1}], "reason_code": "not_as_described"},
        headers={"Idempotency-Key": f"ret-{order_id}"},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    return_id = created.json()["return_id"]
    more = storefront.http.post(
        base,
        json={"lines": [{"sku": sku, "quantity": 1}], "reason_code": "other", "reason": "again"},
        headers={"Idempotency-Key": f"ret2-{order_id}"},
        timeout=10,
    )
    assert more.status_code == 409 and more.json()["error"]["code"] == "return_quantity_exceeded"

    assert storefront.http.post(f"{base}/{return_id}/approve", json={}, timeout=10).status_code == 200
    parcel = f"SF{uuid.uuid4().int % 10**13:013d}"
    shipped = storefront.http.post(
        f"{base}/{return_id}/shipment", json={"carrier": "sf-express", "tracking_number": parcel}, timeout=10
    )
    assert shipped.status_code == 200, shipped.text
    key = secret(stack, "generic")
    for name in ("02_in_transit.json", "04_delivered.json"):
        assert post_generic(storefront, generic_update(name, parcel), key).status_code == 200
    # Then the parcel's checkpoints reach the order's timeline, and the order stays delivered
    deadline = time.monotonic() + 30
    while True:
        order = storefront.order(order_id)
        parcel_entries = [
            e for e in order["timeline"] if (e.get("details") or {}).get("tracking_number") == parcel
        ]
        if len(parcel_entries) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(parcel_entries) >= 2
    assert order["status"] == "delivered"

    for action in ("receive", "refund"):
        response = storefront.http.post(f"{base}/{return_id}/{action}", json={}, timeout=10)
        assert response.status_code == 200, response.text
    [final] = storefront.http.get(base, timeout=10).json()["returns"]
    assert [h["status"] for h in final["history"]] == ["requested", "approved", "received", "refunded"]
    assert final["tracking_number"] == parcel
