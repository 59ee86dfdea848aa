"""Order search, payment, review and cancellation through the storefront API function (moto)."""

from __future__ import annotations

from typing import Any

import pytest

from orders.adapters.dynamo_orders import DynamoOrderRepository
from orders.models.api import TimelineEntry
from orders.models.order import OrderStatus
from tests.factories import order_body
from tests.integration.orders import test_storefront_api
from tests.integration.orders.test_storefront_api import Call

call = test_storefront_api.call  # the fixture

pytestmark = pytest.mark.usefixtures("call")


def place(call: Call, key: str, **overrides: Any) -> str:
    status, body, _ = call("POST", "/v1/orders", order_body(**overrides), {"idempotency-key": key})
    assert status == 201, body
    return body["order_id"]


def force_status(dynamodb: Any, table: str, order_id: str, status: OrderStatus, **values: Any) -> None:
    """Move an order as another part of the system would (reservation, hold rules)."""
    orders = DynamoOrderRepository(table, dynamodb)
    order = orders.get(order_id)
    assert order is not None
    assert orders.transition(
        order, TimelineEntry(status=status, at="2026-11-24T10:00:00.000Z", by="test"), values
    )


def test_search_by_customer_is_newest_first_with_a_working_cursor(call: Call) -> None:
    ids = [place(call, f"k{n}") for n in range(5)]

    status, page, _ = call("GET", "/v1/orders?customer_id=cust-1001&limit=2")
    assert status == 200
    seen = [order["order_id"] for order in page["orders"]]
    while page["next_cursor"]:
        status, page, _ = call(
            "GET", f"/v1/orders?customer_id=cust-1001&limit=2&cursor={page['next_cursor']}"
        )
        seen += [order["order_id"] for order in page["orders"]]
    assert sorted(seen) == sorted(ids) and len(seen) == 5
    created = [call("GET", f"/v1/orders/{order_id}")[1]["created_at"] for order_id in seen]
    assert created == sorted(created, reverse=True)


def test_search_by_status_and_time_window(call: Call, dynamodb: Any, orders_table: str) -> None:
    held = place(call, "a")
    place(call, "b")
    force_status(dynamodb, orders_table, held, OrderStatus.ON_HOLD, hold_reasons=["order_value_above_limit"])

    status, page, _ = call("GET", "/v1/orders?status=on_hold")
    assert status == 200 and [o["order_id"] for o in page["orders"]] == [held]
    assert page["orders"][0]["hold_reasons"] == ["order_value_above_limit"]
    status, page, _ = call("GET", "/v1/orders?status=received&created_from=2099-01-01T00:00:00Z")
    assert status == 200 and page["orders"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "query.customer_id"),
        ("?status=nonsense", "status"),
        ("?customer_id=c&cursor=not-a-cursor", "query.cursor"),
        ("?customer_id=c&limit=0", "limit"),
        ("?customer_id=c&created_from=yesterday", "created_from"),
    ],
)
def test_bad_searches_are_4xx_naming_the_parameter(call: Call, query: str, field: str) -> None:
    status, body, _ = call("GET", f"/v1/orders{query}")
    assert status in (400, 422)
    assert any(field in detail["field"] for detail in body["error"]["details"])


def test_review_approves_an_order_on_hold_back_to_received(
    call: Call, dynamodb: Any, orders_table: str
) -> None:
    order_id = place(call, "k")
    force_status(dynamodb, orders_table, order_id, OrderStatus.ON_HOLD, hold_reasons=["address_incomplete"])

    status, order, _ = call(
        "POST", f"/v1/orders/{order_id}/review", {"decision": "approve", "reviewer": "ops-lin"}
    )

    assert status == 200 and order["status"] == "received"
    assert order["timeline"][-1]["by"] == "reviewer:ops-lin"
    assert order["timeline"][-1]["details"]["reasons"] == ["address_incomplete"]


def test_review_rejects_and_a_second_review_is_409_with_the_current_status(
    call: Call,
    dynamodb: Any,
    orders_table: str,
) -> None:
    order_id = place(call, "k")
    force_status(dynamodb, orders_table, order_id, OrderStatus.ON_HOLD)
    assert (
        call("POST", f"/v1/orders/{order_id}/review", {"decision": "reject", "reviewer": "r"})[1]["status"]
        == "rejected"
    )

    status, body, _ = call("POST", f"/v1/orders/{order_id}/review", {"decision": "approve", "reviewer": "r"})

    assert status == 409 and body["error"]["code"] == "illegal_transition"
    assert body["error"]["details"]["current_status"] == "rejected"


def test_payment_confirms_a_reserved_order_and_clears_its_hold(
    call: Call, dynamodb: Any, orders_table: str
) -> None:
    order_id = place(call, "k", payment_status="pending")
    force_status(
        dynamodb,
        orders_table,
        order_id,
        OrderStatus.RESERVED,
        hold_expires_at="2026-11-24T10:30:00.000Z",
        gsi3pk="HOLD",
        gsi3sk="2026-11-24T10:30:00.000Z",
    )

    status, order, _ = call("POST", f"/v1/orders/{order_id}/payment", {"reference": "pay_123"})

    assert status == 200 and (order["status"], order["payment_status"]) == ("confirmed", "paid")
    item = dynamodb.get_item(
        TableName=orders_table, Key={"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": "ORDER"}}
    )["Item"]
    assert "gsi3pk" not in item
    again = call("POST", f"/v1/orders/{order_id}/payment", {})
    assert again[0] == 200 and again[1]["status"] == "confirmed"


def test_payment_of_an_expired_order_is_409_and_changes_nothing(
    call: Call, dynamodb: Any, orders_table: str
) -> None:
    order_id = place(call, "k", payment_status="pending")
    force_status(dynamodb, orders_table, order_id, OrderStatus.RESERVED)
    force_status(dynamodb, orders_table, order_id, OrderStatus.EXPIRED)
    before = call("GET", f"/v1/orders/{order_id}")[1]

    status, body, _ = call("POST", f"/v1/orders/{order_id}/payment", {})

    assert status == 409 and body["error"]["details"]["current_status"] == "expired"
    assert call("GET", f"/v1/orders/{order_id}")[1] == before


def test_cancel_before_reservation_needs_no_stock(call: Call) -> None:
    order_id = place(call, "k")
    status, order, _ = call("POST", f"/v1/orders/{order_id}/cancel", {"reason": "customer changed mind"})
    assert status == 200 and order["status"] == "cancelled"
    assert order["timeline"][-1]["details"] == {"reason": "customer changed mind"}
    assert call("POST", f"/v1/orders/{order_id}/cancel", {})[0] == 200  # a retried cancel


def test_actions_on_unknown_orders_are_404(call: Call) -> None:
    for action, body in (
        ("payment", {}),
        ("cancel", {}),
        ("review", {"decision": "approve", "reviewer": "r"}),
    ):
        assert call("POST", f"/v1/orders/ord_aaaaaaaaaaaaaaaaaaaaaaaa/{action}", body)[0] == 404
