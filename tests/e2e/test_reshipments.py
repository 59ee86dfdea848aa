"""Reshipments and order edits against the local stack (docs/reshipments.md): a parcel that fails
(a carrier's webhook sample, re-signed for a fresh tracking number) is reshipped with a tracking
number the provider simulator tracks; an order is edited before shipment, and an edit that would
oversell is refused without a trace."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.local.carrier_samples import sign_sample
from tests.e2e.conftest import Storefront, body_for

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
SAMPLES = Path(__file__).resolve().parents[2] / "events" / "carriers" / "aftership"
SAMPLE_NUMBER = "9400100000000000000015"  # the tracking number in the aftership samples


def line(sku: str, quantity: int) -> dict[str, Any]:
    return {"sku": sku, "name": f"Teapot {sku}", "quantity": quantity, "unit_price": "88.00"}


def confirmed(storefront: Storefront, customer: dict[str, Any], items: list[dict[str, Any]]) -> str:
    placed = storefront.place(body_for(customer, items))
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    storefront.wait_for_status(order_id, {"confirmed"})
    return order_id


def wait_for(check: Callable[[], Any], what: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout}s")


def test_a_failed_parcel_is_reshipped_tracked_and_delivered(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    sku = f"POT-RESHIP-{uuid.uuid4().hex[:8]}"
    storefront.put_stock(sku, 5)
    customer = new_customer()  # zh-CN
    order_id = confirmed(storefront, customer, [line(sku, 2)])
    failed_number = f"94001{uuid.uuid4().int % 10**17:017d}"
    shipped = storefront.http.post(
        f"{storefront.url}/v1/orders/{order_id}/shipments",
        json={"carrier": "usps", "tracking_number": failed_number},
        timeout=10,
    )
    assert shipped.status_code == 200, shipped.text
    # Given the carrier reports a failed delivery attempt (AfterShip's sample, for this parcel)
    raw = (SAMPLES / "02_exception.json").read_bytes().replace(SAMPLE_NUMBER.encode(), failed_number.encode())
    post = sign_sample(
        "aftership",
        raw,
        stack.settings.get("ORDERTRACK_AFTERSHIP_WEBHOOK_SECRET", "local-aftership-secret"),
        time.time(),
    )
    answer = requests.post(
        f"{storefront.url}/v1/webhooks/aftership",
        data=post.body,
        headers=post.headers,
        params=post.query,
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    storefront.wait_for_status(order_id, {"delivery_exception"})

    # When the shop reships it with a parcel the tracking provider (simulator) follows
    replacement_number = f"SIM4SF{uuid.uuid4().int % 10**12:012d}"
    body = {
        "carrier": "sf-express",
        "tracking_number": replacement_number,
        "note": "第二次尝试",
        "by": "agent-7",
    }
    key = uuid.uuid4().hex
    created = storefront.http.post(
        f"{storefront.url}/v1/orders/{order_id}/reshipments",
        json=body,
        headers={"Idempotency-Key": key},
        timeout=10,
    )
    replayed = storefront.http.post(
        f"{storefront.url}/v1/orders/{order_id}/reshipments",
        json=body,
        headers={"Idempotency-Key": key},
        timeout=10,
    )

    # Then the stock is taken again once, the order is on its way again, and the replacement is tracked
    assert created.status_code == 201, created.text
    reshipment = created.json()["reshipment"]
    assert created.headers["Location"].endswith(reshipment["reshipment_id"])
    assert created.json()["order"]["status"] == "shipped"
    assert replayed.status_code == 201 and replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.json()["reshipment"] == reshipment
    level = storefront.stock(sku)
    assert (level["on_hand"], level["reserved"]) == (1, 0)  # 2 shipped, 2 reshipped
    history = storefront.http.get(f"{storefront.url}/v1/inventory/{sku}/history", timeout=10).json()[
        "entries"
    ]
    assert next(entry.get("reason") for entry in history if entry["kind"] == "reserve") == "reshipment"
    delivered = storefront.wait_for_status(order_id, {"delivered"}, timeout=90)
    [replacement] = [s for s in delivered["shipments"] if s["purpose"] == "replacement"]
    assert replacement["tracking_number"] == replacement_number
    assert replacement["tracking_registration"]["provider"] == "kuaidi100"
    assert replacement["tracking_registration"]["status"] == "registered"
    assert [r["status"] for r in delivered["reshipments"]] == ["shipped"]
    assert any(r["tracking_number"] == replacement_number for r in stack.providers.registrations("kuaidi100"))
    # and the customer hears of the replacement, in their language
    told = wait_for(
        lambda: [m for m in storefront.outbox_for(customer["email"]) if "补发" in (m.get("subject") or "")],
        "an email about the replacement",
    )
    assert told


def test_an_edit_before_shipment_re_reserves_and_an_oversell_changes_nothing(
    storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    tea, cup = (f"{name}-EDIT-{uuid.uuid4().hex[:8]}" for name in ("TEA", "CUP"))
    storefront.put_stock(tea, 4)
    storefront.put_stock(cup, 3)
    customer = new_customer(locale="en")
    order_id = confirmed(storefront, customer, [line(tea, 2), line(cup, 1)])
    address = {
        "name": "Alex Doe",
        "line1": "1 New Road",
        "city": "上海",
        "region": "上海市",
        "postal_code": "200041",
        "country": "CN",
    }

    edited = storefront.http.patch(
        f"{storefront.url}/v1/orders/{order_id}",
        json={"shipping_address": address, "items": [line(tea, 4)]},
        headers={"Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )

    assert edited.status_code == 200, edited.text
    assert edited.json()["shipping_address"]["line1"] == "1 New Road"
    assert (storefront.stock(tea)["reserved"], storefront.stock(cup)["reserved"]) == (4, 0)
    before = (storefront.order(order_id), storefront.stock(tea), storefront.stock(cup))

    refused = storefront.http.patch(
        f"{storefront.url}/v1/orders/{order_id}",
        json={"items": [line(tea, 4), line(cup, 4)]},
        headers={"Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )

    assert refused.status_code == 409 and refused.json()["error"]["code"] == "insufficient_stock"
    assert (storefront.order(order_id), storefront.stock(tea), storefront.stock(cup)) == before
    told = wait_for(
        lambda: [
            m for m in storefront.outbox_for(customer["email"]) if "updated" in (m.get("subject") or "")
        ],
        "an email about the edit",
    )
    assert "1 New Road" not in told[0]["body"]
