"""A customer's orders found by what they know, their data viewed, exported and erased, against
the local stack (docs/customer-data.md)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest

from tests.e2e.conftest import Storefront, body_for

pytestmark = pytest.mark.e2e
SKU = "TEA-CUSTOMER-E2E"


def search(storefront: Storefront, **query: str) -> list[str]:
    params = "&".join(f"{name}={quote(value)}" for name, value in query.items())
    response = storefront.http.get(f"{storefront.url}/v1/orders?{params}", timeout=10)
    assert response.status_code == 200, response.text
    return [order["order_id"] for order in response.json()["orders"]]


def test_find_view_export_and_erase_a_customer(
    storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    # Given a customer with two orders, one promised for a date and shipped
    storefront.put_stock(SKU, 1000)
    customer = new_customer()
    number = f"SO-{uuid.uuid4().hex[:10]}"
    line = [{"sku": SKU, "name": "Oolong", "quantity": 1, "unit_price": "88.00"}]
    first = storefront.place(
        {**body_for(customer, line), "order_number": number, "promised_delivery": "2026-12-24"}
    )
    # a different content: two identical orders within minutes would be held as a duplicate
    second = storefront.place(body_for(customer, [{**line[0], "quantity": 2}]))
    assert first.status_code == 201 and second.status_code == 201, (first.text, second.text)
    first_id, second_id = first.json()["order_id"], second.json()["order_id"]
    assert storefront.order(first_id)["promised_delivery"] == "2026-12-24"
    storefront.wait_for_status(first_id, {"confirmed"})
    tracking = f"SF{uuid.uuid4().int % 10**12:012d}"
    shipped = storefront.http.post(
        f"{storefront.url}/v1/orders/{first_id}/shipments",
        json={"carrier": "sf-express", "tracking_number": tracking},
        timeout=10,
    )
    assert shipped.status_code == 200, shipped.text
    assert shipped.json()["shipments"][0]["promised_delivery"] == "2026-12-24"

    # When the storefront looks for them by what the customer knows
    assert set(search(storefront, phone=customer["phone"])) == {first_id, second_id}
    assert set(search(storefront, email=customer["email"].upper())) == {first_id, second_id}
    assert search(storefront, order_number=number) == [first_id]
    assert search(storefront, tracking_number=tracking.lower()) == [first_id]

    # Then the customer view and export hold both orders
    view = storefront.http.get(f"{storefront.url}/v1/customers/{customer['id']}", timeout=10)
    assert view.status_code == 200, view.text
    assert [order["order_id"] for order in view.json()["orders"]] == [second_id, first_id]
    exported = storefront.http.get(f"{storefront.url}/v1/customers/{customer['id']}/export", timeout=10)
    assert exported.status_code == 200, exported.text
    orders = {entry["order"]["order_id"]: entry for entry in exported.json()["orders"]}
    assert orders[first_id]["order"]["shipments"][0]["tracking_number"] == tracking
    assert orders[first_id]["order"]["customer"]["email"] == customer["email"]

    # When the customer's data is erased
    erased = storefront.http.delete(
        f"{storefront.url}/v1/customers/{customer['id']}?requested_by=e2e", timeout=30
    )
    assert erased.status_code == 200, erased.text
    record = erased.json()
    assert record["status"] == "completed" and record["counts"]["orders"] == 2

    # Then the orders keep their amounts but not the person, and the contact searches find nothing
    order = storefront.order(first_id)
    assert order["customer"]["name"] == "[erased]" and order["customer"]["email"] is None
    assert order["customer"]["phone"] is None and order["shipping_address"]["line1"] == "[erased]"
    assert order["total"] == "88.00" and order["erased_at"]
    assert search(storefront, phone=customer["phone"]) == []
    assert search(storefront, email=customer["email"]) == []
    view = storefront.http.get(f"{storefront.url}/v1/customers/{customer['id']}", timeout=10).json()
    assert view["erasure"]["status"] == "completed"
    assert all(order["customer"]["name"] == "[erased]" for order in view["orders"])

    # And a second request answers the same
    again = storefront.http.delete(
        f"{storefront.url}/v1/customers/{customer['id']}?requested_by=e2e", timeout=30
    )
    assert (again.status_code, again.json()) == (200, record)


def test_an_unknown_customer_is_404(storefront: Storefront) -> None:
    for method in ("GET", "DELETE"):
        response = storefront.http.request(
            method, f"{storefront.url}/v1/customers/nobody-{uuid.uuid4().hex}", timeout=10
        )
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
