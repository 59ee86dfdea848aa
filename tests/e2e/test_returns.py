"""Returns on the local runtime: a return requested with its reason code shows the expected
refund, approval records it, the receipt restocks only the resellable unit (a `return` entry in
the stock ledger), the refund is recorded, the customer's emails say the amount, and the queue
lists the return while it waits."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import Storefront, body_for
from tests.e2e.test_carrier_webhooks import post_generic, secret, ship
from tests.e2e.test_notification_journey import generic_update

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def delivered(stack: Any, storefront: Storefront, customer: dict[str, Any], sku: str) -> str:
    assert storefront.put_stock(sku, 10).status_code == 200
    lines = [{"sku": sku, "name": "Celadon cup", "quantity": 3, "unit_price": "19.90"}]
    placed = storefront.place(body_for(customer, lines))
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    storefront.wait_for_status(order_id, {"confirmed"})
    tracking_number = f"SF{uuid.uuid4().int % 10**13:013d}"
    ship(storefront, order_id, "sf-express", tracking_number)
    key = secret(stack, "generic")
    for name in ("02_in_transit.json", "04_delivered.json"):
        assert post_generic(storefront, generic_update(name, tracking_number), key).status_code == 200
    storefront.wait_for_status(order_id, {"delivered"})
    return order_id


def queued_ids(storefront: Storefront, status: str) -> list[str]:
    ids, cursor = [], None
    while True:
        params: dict[str, Any] = {"status": status, "limit": 100, **({"cursor": cursor} if cursor else {})}
        page = storefront.http.get(f"{storefront.url}/v1/returns", params=params, timeout=10)
        assert page.status_code == 200, page.text
        ids += [r["return_id"] for r in page.json()["returns"]]
        cursor = page.json().get("next_cursor")
        if not cursor:
            return ids


def emails_of(
    storefront: Storefront, address: str, subjects: tuple[str, ...], timeout: float = 30
) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        found = [
            m
            for m in storefront.outbox_for(address)
            if m["channel"] == "email" and any(s in m["subject"] for s in subjects)
        ]
        if len(found) >= len(subjects) or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_a_return_with_a_damaged_unit_restocks_only_the_resellable_one_and_says_the_refund(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    customer = new_customer("en", phone=False)
    sku = f"CUP-{uuid.uuid4().hex[:8].upper()}"
    order_id = delivered(stack, storefront, customer, sku)
    base = f"{storefront.url}/v1/orders/{order_id}/returns"

    # When the customer asks to return two of the three cups, one arrived broken
    created = storefront.http.post(
        base,
        json={"lines": [{"sku": sku, "quantity": 2}], "reason_code": "damaged", "reason": "one cracked"},
        headers={"Idempotency-Key": f"ret-{order_id}"},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    assert created.json()["expected_refund"] == {"amount": "39.80", "currency": "CNY"}
    assert created.json()["reason_code"] == "damaged"
    return_id = created.json()["return_id"]
    # Then it waits in the queue of requested returns; an unknown status is a 422
    assert return_id in queued_ids(storefront, "requested")
    bad = storefront.http.get(f"{storefront.url}/v1/returns", params={"status": "lost"}, timeout=10)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_failed"

    approved = storefront.http.post(f"{base}/{return_id}/approve", json={"by": "ops"}, timeout=10)
    assert approved.status_code == 200, approved.text
    assert approved.json()["refund"] == {"amount": "39.80", "currency": "CNY"}
    assert return_id not in queued_ids(storefront, "requested")

    before = storefront.stock(sku)
    over = storefront.http.post(
        f"{base}/{return_id}/receive",
        json={"lines": [{"sku": sku, "quantity": 3, "condition": "resellable"}]},
        timeout=10,
    )
    assert over.status_code == 409 and over.json()["error"]["code"] == "receipt_mismatch"
    receipt = {
        "lines": [
            {"sku": sku, "quantity": 1, "condition": "resellable"},
            {"sku": sku, "quantity": 1, "condition": "damaged"},
        ],
        "by": "warehouse",
        "note": "one cracked",
    }
    received = storefront.http.post(
        f"{base}/{return_id}/receive",
        json=receipt,
        headers={"Idempotency-Key": f"rcv-{return_id}"},
        timeout=10,
    )
    assert received.status_code == 200, received.text
    retried = storefront.http.post(
        f"{base}/{return_id}/receive",
        json=receipt,
        headers={"Idempotency-Key": f"rcv-{return_id}"},
        timeout=10,
    )
    assert retried.status_code == 200
    # Then only the resellable unit is back on hand, once, with a `return` ledger entry
    after = storefront.stock(sku)
    assert (
        after["on_hand"] == before["on_hand"] + 1
        and after["damaged_returns"] == before.get("damaged_returns", 0) + 1
    )
    history = storefront.http.get(f"{storefront.url}/v1/inventory/{sku}/history", timeout=10).json()
    returns = [e for e in history["entries"] if e.get("reason") == "return"]
    assert [(e["on_hand_delta"], e["not_restocked"], e["by"]) for e in returns] == [(1, 1, "warehouse")]

    refunded = storefront.http.post(f"{base}/{return_id}/refund", json={"by": "finance"}, timeout=10)
    assert refunded.status_code == 200, refunded.text
    assert refunded.json()["refunded"] == {"amount": "39.80", "currency": "CNY"}

    # And the customer's approval and refund emails say the amount
    emails = emails_of(storefront, customer["email"], ("is approved", "has been issued"))
    assert len(emails) == 2 and all("CN¥39.80" in m["body"] for m in emails), emails


def test_an_exchange_restocks_the_returned_cup_and_opens_a_replacement_of_it(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    customer = new_customer("en", phone=False)
    sku = f"CUP-{uuid.uuid4().hex[:8].upper()}"
    order_id = delivered(stack, storefront, customer, sku)
    base = f"{storefront.url}/v1/orders/{order_id}/returns"

    # When the customer exchanges one cup of the wrong colour
    created = storefront.http.post(
        base,
        json={"lines": [{"sku": sku, "quantity": 1}], "reason_code": "wrong_item", "resolution": "exchange"},
        headers={"Idempotency-Key": f"exch-{order_id}"},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    return_id = created.json()["return_id"]
    assert storefront.http.post(f"{base}/{return_id}/approve", json={"by": "ops"}, timeout=10).ok
    before = storefront.stock(sku)
    receipt = {"by": "warehouse"}
    received = storefront.http.post(
        f"{base}/{return_id}/receive",
        json=receipt,
        headers={"Idempotency-Key": f"rcv-{return_id}"},
        timeout=10,
    )
    assert received.status_code == 200, received.text
    again = storefront.http.post(
        f"{base}/{return_id}/receive",
        json=receipt,
        headers={"Idempotency-Key": f"rcv-{return_id}"},
        timeout=10,
    )
    assert again.status_code == 200 and again.json() == received.json()

    # Then the returned cup is back on hand and one is reserved for the replacement, once
    reshipment_id = received.json()["reshipment_id"]
    assert reshipment_id.startswith("rsp_")
    after = storefront.stock(sku)
    assert after["on_hand"] == before["on_hand"] + 1
    assert after["reserved"] == before["reserved"] + 1
    order = storefront.order(order_id)
    assert [(r["reshipment_id"], r["lines"]) for r in order["reshipments"]] == [
        (reshipment_id, [{"sku": sku, "quantity": 1}])
    ]
    assert order["status"] == "delivered"
    # An exchange is not refunded
    refund = storefront.http.post(f"{base}/{return_id}/refund", json={"by": "finance"}, timeout=10)
    assert refund.status_code == 409 and refund.json()["error"]["code"] == "refund_not_allowed"
