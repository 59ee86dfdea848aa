"""Delivery exceptions and review messages on the local runtime: a carrier's exception webhook opens
an exception in the queue, an operator contacts the customer, waits for the carrier and refunds; a
held order's customer hears that it is being checked, and why it was rejected."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import Storefront, body_for
from tests.e2e.test_carrier_webhooks import post_generic, secret, ship

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
SKU = "TEA-EXCEPTION-E2E"


def eventually(read: Callable[[], Any], timeout: float = 30) -> Any:
    """The first truthy answer of `read` within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        answer = read()
        if answer or time.monotonic() > deadline:
            return answer
        time.sleep(0.2)


def sent(storefront: Storefront, order_id: str, template: str) -> list[dict[str, Any]]:
    response = storefront.http.get(f"{storefront.url}/v1/orders/{order_id}/notifications", timeout=10)
    assert response.status_code == 200, response.text
    return [
        entry
        for entry in response.json()["notifications"]
        if entry["template"] == template and entry["status"] == "sent"
    ]


def bodies(storefront: Storefront, customer: dict[str, Any], needle: str) -> list[str]:
    messages = storefront.outbox_for(customer["email"], customer["phone"])
    return [m["body"] for m in messages if needle in m["body"]]


def act(storefront: Storefront, exception_id: str, body: dict[str, Any], key: str) -> Any:
    return storefront.http.post(
        f"{storefront.url}/v1/exceptions/{exception_id}/actions",
        json=body,
        headers={"Idempotency-Key": key},
        timeout=10,
    )


def shipped_at(storefront: Storefront, order_id: str, tracking_number: str) -> datetime:
    """When the stack recorded the parcel's shipment: the stack's own clock, to date its scans by."""
    [shipment] = [
        s for s in storefront.order(order_id)["shipments"] if s["tracking_number"] == tracking_number
    ]
    return datetime.fromisoformat(shipment["created_at"])


def address_problem_update(tracking_number: str, at: datetime) -> dict[str, Any]:
    """A generic carrier update: the SF Express parcel has an address problem, scanned at `at`."""
    return {
        "event_id": f"gen-{uuid.uuid4().hex}",
        "tracking_number": tracking_number,
        "carrier": "sf-express",
        "checkpoints": [
            {
                "occurred_at": at.isoformat(),
                "status": "exception",
                "reason": "address_issue",
                "message": "Address incomplete",
            }
        ],
    }


def test_a_carrier_exception_is_worked_from_the_queue_and_the_customer_is_told(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    customer = new_customer("en")
    storefront.put_stock(SKU, 1000)
    placed = storefront.place(
        body_for(customer, [{"sku": SKU, "name": "Oolong tea", "quantity": 1, "unit_price": "88.00"}])
    )
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    storefront.wait_for_status(order_id, {"confirmed"})
    tracking_number = f"SF{uuid.uuid4().int % 10**13:013d}"
    ship(storefront, order_id, "sf-express", tracking_number)

    # Given the carrier reports an address problem
    problem = address_problem_update(tracking_number, shipped_at(storefront, order_id, tracking_number))
    assert post_generic(storefront, problem, secret(stack, "generic")).status_code == 200
    storefront.wait_for_status(order_id, {"delivery_exception"})

    # Then an exception appears in the queue, due 4 hours after it opened
    def queued() -> list[dict[str, Any]]:
        page = storefront.http.get(
            f"{storefront.url}/v1/exceptions", params={"reason": "address_problem", "limit": 100}, timeout=10
        ).json()
        return [e for e in page["exceptions"] if e["order_id"] == order_id]

    [exception] = eventually(queued)
    opened = datetime.fromisoformat(exception["opened_at"].replace("Z", "+00:00"))
    due = datetime.fromisoformat(exception["due_at"].replace("Z", "+00:00"))
    assert due - opened == timedelta(hours=4)
    assert exception["status"] == "open" and exception["assignee"] == "unassigned"
    exception_id = exception["exception_id"]

    # When an operator contacts the customer (the request retried once)
    note = (
        "The courier could not find your building. Please reply with your building number and a "
        "phone number the courier can call."
    )
    contact = {"action": "contact_customer", "by": "ops-lin", "message": note}
    first, again = (act(storefront, exception_id, contact, "contact-1") for _ in range(2))
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert first.json()["status"] == "in_progress"

    # Then the customer gets the message once per channel, the note quoted
    assert eventually(lambda: len(sent(storefront, order_id, "exception_contact")) == 2)
    assert len(eventually(lambda: bodies(storefront, customer, note))) == 1  # the email: the whole note
    [text] = bodies(storefront, customer, 'Our note: "The courier')
    assert "delivery of order" in text or "delivery of your order" in text
    assert note not in text  # a text carries the note cut short; the email carries all of it

    # When the operator waits for the carrier
    until = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    waiting = act(
        storefront,
        exception_id,
        {"action": "wait_for_carrier", "by": "ops-lin", "until": until.isoformat()},
        "w-1",
    )
    assert waiting.status_code == 200, waiting.text
    assert waiting.json()["status"] == "waiting_carrier"
    assert waiting.json()["due_at"] == until.strftime("%Y-%m-%dT%H:%M:%S.000Z")

    # And refunds part of the order (more than the total is refused)
    too_much = act(storefront, exception_id, {"action": "refund", "by": "ops-lin", "amount": "88.01"}, "r-0")
    assert too_much.status_code == 422 and too_much.json()["error"]["code"] == "refund_not_allowed"
    refunded = act(storefront, exception_id, {"action": "refund", "by": "ops-lin", "amount": "20.00"}, "r-1")
    assert refunded.status_code == 200, refunded.text
    assert refunded.json()["refunds"][0]["amount"] == "20.00"

    # Then the customer is told about the refund
    assert eventually(lambda: len(sent(storefront, order_id, "exception_refunded")) == 2)
    told = eventually(lambda: bodies(storefront, customer, "20.00"))
    assert told and all("refund" in body.lower() for body in told)

    # When the operator reships the order (the request retried once)
    reserved_before = storefront.stock(SKU)["reserved"]
    reship = {"action": "reship", "by": "ops-lin", "note": "new address confirmed"}
    first, again = (act(storefront, exception_id, reship, "reship-1") for _ in range(2))
    assert first.status_code == again.status_code == 200, first.text
    [reshipment_id] = first.json()["reshipment_ids"]
    assert again.json()["reshipment_ids"] == [reshipment_id]

    # Then the order has one replacement, its unit reserved again once
    order = storefront.order(order_id)
    assert [(r["reshipment_id"], r["lines"]) for r in order["reshipments"]] == [
        (reshipment_id, [{"sku": SKU, "quantity": 1}])
    ]
    assert storefront.stock(SKU)["reserved"] == reserved_before + 1
    read = storefront.http.get(f"{storefront.url}/v1/exceptions/{exception_id}", timeout=10).json()
    assert [e["action"] for e in read["timeline"]] == [
        "opened",
        "contact_customer",
        "wait_for_carrier",
        "refund",
        "reship",
    ]
    assert all(e["by"] and e["at"] for e in read["timeline"])


def test_a_held_order_is_told_it_is_being_checked_and_why_it_was_rejected(
    storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    customer = new_customer("en")
    storefront.put_stock(SKU, 1000)
    body = body_for(customer, [{"sku": SKU, "name": "Oolong tea", "quantity": 1, "unit_price": "3.00"}])
    body["shipping_address"] = {**body["shipping_address"], "postal_code": "12"}  # not 6 digits for CN
    order_id = storefront.place(body).json()["order_id"]
    storefront.wait_for_status(order_id, {"on_hold"})

    # The customer hears that the order is being checked, and not why
    assert eventually(lambda: len(sent(storefront, order_id, "order_on_hold")) == 2)
    checking = bodies(storefront, customer, "routine check")
    assert checking and not any("address" in text.lower() or "postal" in text.lower() for text in checking)

    # When a reviewer rejects it, the customer hears why, by category
    review = storefront.http.post(
        f"{storefront.url}/v1/orders/{order_id}/review",
        json={"decision": "reject", "reviewer": "ops-lin"},
        timeout=10,
    )
    assert review.status_code == 200, review.text
    assert eventually(lambda: len(sent(storefront, order_id, "order_rejected")) == 2)
    assert eventually(lambda: bodies(storefront, customer, "we could not verify the shipping address"))
    assert eventually(lambda: bodies(storefront, customer, "the address could not be verified"))
