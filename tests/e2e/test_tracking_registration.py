"""Tracking that starts itself: a shipment is registered with its provider (the local provider
simulator), which then pushes the journey; no webhook is posted by hand in this file."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from infra.redrive import redrive
from tests.e2e.conftest import Storefront, body_for

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
SKU = "TEA-REGISTRATION-E2E"


def confirmed(storefront: Storefront, customer: dict[str, Any]) -> str:
    storefront.put_stock(SKU, 1000)
    placed = storefront.place(
        body_for(customer, [{"sku": SKU, "name": f"Item {SKU}", "quantity": 1, "unit_price": "88.00"}])
    )
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    storefront.wait_for_status(order_id, {"confirmed"})
    return order_id


def ship(storefront: Storefront, order_id: str, carrier: str, tracking_number: str) -> dict[str, Any]:
    response = storefront.http.post(
        f"{storefront.url}/v1/orders/{order_id}/shipments",
        json={"carrier": carrier, "tracking_number": tracking_number},
        headers={"Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )
    assert response.status_code in (200, 201), response.text
    return response.json()


def registration(storefront: Storefront, order_id: str) -> dict[str, Any] | None:
    return storefront.order(order_id)["shipments"][0]["tracking_registration"]


def wait_for_registration(
    storefront: Storefront, order_id: str, statuses: set[str], timeout: float = 30
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        seen = registration(storefront, order_id)
        if seen and seen["status"] in statuses:
            return seen
        time.sleep(0.1)
    raise AssertionError(f"registration of {order_id} still {seen} after {timeout}s")


def number(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().int % 10**12:012d}"


def test_usps_ez4000000004_reaches_delivered_through_simulator_pushes_alone(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    customer = new_customer(locale="en")
    order_id = confirmed(storefront, customer)
    shipped = ship(storefront, order_id, "USPS", "EZ4000000004")
    # answered at once: the registration happens off the request path
    assert shipped["shipments"][0]["tracking_registration"] in (None, _pending("easypost"))
    done = storefront.wait_for_status(order_id, {"delivered"}, timeout=60)
    shipment = done["shipments"][0]
    assert shipment["tracking_registration"]["provider"] == "easypost"
    assert shipment["tracking_registration"]["status"] == "registered"
    assert shipment["tracking_registration"]["registered_at"]
    carrier = [entry["status"] for entry in done["timeline"] if entry["by"] == "carrier:easypost"]
    assert {"in_transit", "out_for_delivery", "delivered"} <= set(carrier)
    pushes = [p for p in stack.providers.pushes() if p["tracking_number"] == "EZ4000000004"]
    assert pushes and all(p["answer"] == 200 for p in pushes)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not storefront.outbox_for(customer["email"]):
        time.sleep(0.2)
    assert storefront.outbox_for(customer["email"]), "the customer was told"


def _pending(provider: str) -> dict[str, Any]:
    return {"provider": provider, "status": "pending", "registered_at": None, "error": None}


def test_a_kuaidi100_journey_with_chinese_checkpoints(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    order_id = confirmed(storefront, new_customer())
    tracking = number("SIM4SF")
    ship(storefront, order_id, "sf-express", tracking)
    done = storefront.wait_for_status(order_id, {"delivered"}, timeout=60)
    shipment = done["shipments"][0]
    assert shipment["tracking_registration"]["provider"] == "kuaidi100"
    carrier = [entry for entry in done["timeline"] if entry["by"] == "carrier:kuaidi100"]
    assert any("签收" in (entry["details"].get("message") or "") for entry in carrier)
    # the subscription carried our callback URL and salt: the pushes came there, signed
    (registered,) = [
        r for r in stack.providers.registrations("kuaidi100") if r["tracking_number"] == tracking
    ]
    assert registered["accepted"] and registered["carrier"] == "shunfeng"
    pushes = [p for p in stack.providers.pushes() if p["tracking_number"] == tracking]
    assert pushes and all(p["url"].startswith(f"{stack.api_url}/v1/webhooks/kuaidi100") for p in pushes)


def test_a_kuaidi100_abort_is_resubscribed_and_the_parcel_is_then_tracked(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    order_id = confirmed(storefront, new_customer())
    tracking = number("SIM7YT")
    ship(storefront, order_id, "yto", tracking)
    storefront.wait_for_status(order_id, {"delivered"}, timeout=60)
    subscriptions = [
        r for r in stack.providers.registrations("kuaidi100") if r["tracking_number"] == tracking
    ]
    assert len([r for r in subscriptions if r["accepted"]]) == 2  # the first, and one after the abort
    assert registration(storefront, order_id)["status"] == "registered"


def test_an_abort_kuaidi100_will_not_resume_fails_the_registration(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    order_id = confirmed(storefront, new_customer())
    ship(storefront, order_id, "zto", number("SIM8ZT"))
    failed = wait_for_registration(storefront, order_id, {"failed"}, timeout=60)
    assert failed["provider"] == "kuaidi100" and "60天无变化" in failed["error"]


def test_a_refused_registration_is_failed_with_the_providers_reason(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    order_id = confirmed(storefront, new_customer(locale="en"))
    ship(storefront, order_id, "royal-mail", number("FAILCARRIER"))  # routed to AfterShip
    failed = wait_for_registration(storefront, order_id, {"failed"})
    assert failed["provider"] == "aftership" and failed["error"].startswith("4012")
    assert failed["registered_at"] is None


def test_an_outage_dead_letters_the_registration_and_a_redrive_registers_it(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    sqs = stack.client("sqs")
    queue_url = stack.physical("TrackingRegistrationQueue")
    dlq_url = stack.physical("TrackingRegistrationQueueDlq")
    order_id = confirmed(storefront, new_customer(locale="en"))
    stack.providers.set_faults("provider.easypost=5xx:1.0")
    try:
        ship(storefront, order_id, "ups", number("1ZOUTAGE"))
        deadline = time.monotonic() + 90  # five receives, backing off 1, 2, 4, 8 s
        while time.monotonic() < deadline:
            attributes = sqs.get_queue_attributes(
                QueueUrl=dlq_url, AttributeNames=["ApproximateNumberOfMessages"]
            )
            if int(attributes["Attributes"]["ApproximateNumberOfMessages"]):
                break
            time.sleep(0.5)
        else:
            raise AssertionError("the registration never dead-lettered")
        assert registration(storefront, order_id)["status"] == "pending"  # nothing invented
    finally:
        stack.providers.set_faults("")
    report = redrive(sqs, queue_url, dlq_url, wait_seconds=0)
    assert report.ok and len(report.moved) >= 1
    registered = wait_for_registration(storefront, order_id, {"registered"})
    assert registered["provider"] == "easypost" and registered["error"] is None
