"""The order lifecycle over HTTP on the local runtime: holds, payment expiry, cancel, shipments."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.e2e.conftest import Storefront, body_for

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def sku(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:6]}".upper()


def test_an_unpaid_reservation_expires_and_its_stock_returns(
    storefront: Storefront, new_customer: Any
) -> None:
    tea = sku("TEA")
    storefront.put_stock(tea, 5)
    body = {
        **body_for(
            new_customer("en"), [{"sku": tea, "name": "Oolong tea", "quantity": 2, "unit_price": "3.00"}]
        ),
        "payment_status": "pending",
    }
    order_id = storefront.place(body).json()["order_id"]
    order = storefront.wait_for_status(order_id, {"reserved"})
    assert order["hold_expires_at"] > order["created_at"]
    assert storefront.stock(tea)["available"] == 3

    # Not due yet: the scheduled sweep leaves it alone.
    storefront.stack.trigger_schedule(_sweep_schedule(storefront))
    assert storefront.order(order_id)["status"] == "reserved"

    # Make the hold due (as time passing would), then let the schedule run.
    table = storefront.stack.physical("OrdersTable")
    storefront.stack.client("dynamodb").update_item(
        TableName=table,
        Key={"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": "ORDER"}},
        UpdateExpression="SET gsi3sk = :past",
        ExpressionAttributeValues={":past": {"S": "2000-01-01T00:00:00.000Z"}},
    )
    storefront.stack.trigger_schedule(_sweep_schedule(storefront))

    expired = storefront.order(order_id)
    assert expired["status"] == "expired" and expired["timeline"][-1]["by"] == "system:hold-expiry"
    assert (storefront.stock(tea)["reserved"], storefront.stock(tea)["available"]) == (0, 5)
    late = storefront.http.post(f"{storefront.url}/v1/orders/{order_id}/payment", json={}, timeout=10)
    assert late.status_code == 409 and late.json()["error"]["details"]["current_status"] == "expired"


def test_payment_confirms_a_reserved_order(storefront: Storefront, new_customer: Any) -> None:
    tea = sku("TEA")
    storefront.put_stock(tea, 5)
    body = {
        **body_for(
            new_customer("en"), [{"sku": tea, "name": "Oolong tea", "quantity": 1, "unit_price": "3.00"}]
        ),
        "payment_status": "pending",
    }
    order_id = storefront.place(body).json()["order_id"]
    storefront.wait_for_status(order_id, {"reserved"})

    paid = storefront.http.post(
        f"{storefront.url}/v1/orders/{order_id}/payment", json={"reference": "pay_1"}, timeout=10
    )

    assert paid.status_code == 200 and paid.json()["status"] == "confirmed"
    assert storefront.stock(tea)["reserved"] == 1


def test_cancel_releases_everything_and_a_second_cancel_changes_nothing(
    storefront: Storefront, new_customer: Any
) -> None:
    tea, cup = sku("TEA"), sku("CUP")
    storefront.put_stock(tea, 5)
    storefront.put_stock(cup, 5)
    lines = [
        {"sku": tea, "name": "Oolong tea", "quantity": 2, "unit_price": "3.00"},
        {"sku": cup, "name": "Porcelain tea cup", "quantity": 1, "unit_price": "1.00"},
    ]
    order_id = storefront.place(body_for(new_customer("en"), lines)).json()["order_id"]
    storefront.wait_for_status(order_id, {"confirmed"})

    cancelled = storefront.http.post(
        f"{storefront.url}/v1/orders/{order_id}/cancel", json={"reason": "changed mind"}, timeout=10
    )

    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert storefront.stock(tea)["available"] == 5 and storefront.stock(cup)["reserved"] == 0
    again = storefront.http.post(f"{storefront.url}/v1/orders/{order_id}/cancel", json={}, timeout=10)
    assert again.status_code == 200 and storefront.stock(tea)["available"] == 5


def test_split_shipments_commit_stock_and_a_shipped_order_cannot_be_cancelled(
    storefront: Storefront, new_customer: Any
) -> None:
    tea, cup = sku("TEA"), sku("CUP")
    storefront.put_stock(tea, 5)
    storefront.put_stock(cup, 5)
    lines = [
        {"sku": tea, "name": "Oolong tea", "quantity": 2, "unit_price": "3.00"},
        {"sku": cup, "name": "Porcelain tea cup", "quantity": 1, "unit_price": "1.00"},
    ]
    customer = new_customer("en")
    order_id = storefront.place(body_for(customer, lines)).json()["order_id"]
    storefront.wait_for_status(order_id, {"confirmed"})
    url = f"{storefront.url}/v1/orders/{order_id}/shipments"

    too_many = storefront.http.post(
        url,
        json={"carrier": "ups", "tracking_number": "1Z999", "lines": [{"sku": tea, "quantity": 3}]},
        timeout=10,
    )
    assert too_many.status_code == 409 and storefront.stock(tea)["on_hand"] == 5

    first = storefront.http.post(
        url,
        json={"carrier": "ups", "tracking_number": "1Z0001", "lines": [{"sku": tea, "quantity": 2}]},
        timeout=10,
    )
    assert first.status_code == 200 and first.json()["status"] == "partially_shipped"
    tea_level = storefront.stock(tea)
    assert (tea_level["on_hand"], tea_level["reserved"], tea_level["available"]) == (3, 0, 3)

    second = storefront.http.post(
        url, json={"carrier": "sf-express", "tracking_number": "SF0002"}, timeout=10
    )
    assert second.status_code == 200 and second.json()["status"] == "shipped"
    assert [
        s["tracking_number"] for s in sorted(second.json()["shipments"], key=lambda s: s["created_at"])
    ] == ["1Z0001", "SF0002"]
    assert (storefront.stock(cup)["on_hand"], storefront.stock(cup)["reserved"]) == (4, 0)

    # a search returns the documented summary (no shipments), never an empty list that contradicts GET
    found = storefront.http.get(
        f"{storefront.url}/v1/orders", params={"customer_id": customer["id"], "status": "shipped"}, timeout=10
    )
    summary = next(order for order in found.json()["orders"] if order["order_id"] == order_id)
    assert "shipments" not in summary and summary["status"] == "shipped"
    document = storefront.http.get(f"{storefront.url}/openapi.json", timeout=10).json()
    page_schema = document["components"]["schemas"]["OrderPage"]["properties"]["orders"]["items"]
    assert page_schema == {"$ref": "#/components/schemas/OrderSummary"}
    assert "shipments" not in document["components"]["schemas"]["OrderSummary"]["properties"]

    refused = storefront.http.post(f"{storefront.url}/v1/orders/{order_id}/cancel", json={}, timeout=10)
    assert refused.status_code == 409 and refused.json()["error"]["details"]["current_status"] == "shipped"


def test_a_suspicious_order_waits_for_review_then_proceeds(storefront: Storefront, new_customer: Any) -> None:
    tea = sku("TEA")
    storefront.put_stock(tea, 5)
    body = body_for(
        new_customer("en"), [{"sku": tea, "name": "Oolong tea", "quantity": 1, "unit_price": "3.00"}]
    )
    body["shipping_address"] = {**body["shipping_address"], "postal_code": "12"}  # not 6 digits for CN
    order_id = storefront.place(body).json()["order_id"]

    held = storefront.wait_for_status(order_id, {"on_hold"})
    assert held["hold_reasons"] == ["address_incomplete:postal_code"]
    queue = storefront.http.get(
        f"{storefront.url}/v1/orders", params={"status": "on_hold", "limit": 100}, timeout=10
    ).json()
    assert order_id in [o["order_id"] for o in queue["orders"]]
    assert storefront.stock(tea)["reserved"] == 0

    review = storefront.http.post(
        f"{storefront.url}/v1/orders/{order_id}/review",
        json={"decision": "approve", "reviewer": "ops-lin"},
        timeout=10,
    )
    assert review.status_code == 200
    confirmed = storefront.wait_for_status(order_id, {"confirmed"})
    assert [e["status"] for e in confirmed["timeline"]] == ["received", "on_hold", "received", "confirmed"]
    assert storefront.stock(tea)["reserved"] == 1


def _sweep_schedule(storefront: Storefront) -> str:
    from infra.constructs.order_holds import SCHEDULE_LOGICAL_ID

    return SCHEDULE_LOGICAL_ID


def test_unknown_routes_and_methods_answer_in_the_envelope_through_the_gateway(
    storefront: Storefront,
) -> None:
    for path in ("/v1/nope", "/"):
        answer = storefront.http.get(f"{storefront.url}{path}", timeout=10)
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "route_not_found"
    wrong = storefront.http.delete(f"{storefront.url}/v1/orders", timeout=10)
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "method_not_allowed"
    assert wrong.headers["Allow"] == "GET, POST"
    trace = storefront.http.request(
        "TRACE", f"{storefront.url}/v1/stats?from=2026-01-01&to=2026-01-02", timeout=10
    )
    assert trace.status_code == 405
