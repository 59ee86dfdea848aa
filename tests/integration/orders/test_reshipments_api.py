"""Reshipments and order edits through the storefront API function, against moto: one transaction
per change, stock guarded, ledger records with their reason, nothing changed by a refusal."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from inventory.adapters.dynamo_stock import DynamoStock
from inventory.reconcile import reconcile
from orders.adapters.dynamo_orders import DynamoOrderRepository
from orders.models.api import TimelineEntry
from orders.models.order import OrderStatus
from tests.factories import FakeLambdaContext, http_event, order_body
from tests.fakes.orders import FrozenClock
from tests.integration.conftest import table_items

Call = Callable[..., tuple[int, Any, dict[str, str]]]
AT = "2026-11-24T10:00:00.000Z"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, orders_table: str, api_key_secret: str) -> dict[str, str]:
    queue = boto3.client("sqs").create_queue(QueueName="notifications")["QueueUrl"]
    values = {
        "ORDERS_TABLE_NAME": orders_table,
        "API_KEY_SECRET_ARN": api_key_secret,
        "NOTIFICATION_QUEUE_URL": queue,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    from storefront_api import dependencies

    for cached in (
        dependencies.settings,
        dependencies.order_repository,
        dependencies.stock_levels,
        dependencies.shipments,
        dependencies._secrets_provider,
        dependencies.customer_events,
        dependencies.hold_rules,
    ):
        cached.cache_clear()
    monkeypatch.setattr(dependencies, "clock", FrozenClock)
    return values


@pytest.fixture
def call(env: dict[str, str]) -> Call:
    from storefront_api.handler import handler

    def invoke(method: str, path: str, body: Any = None, headers: dict[str, str] | None = None):
        response = handler(http_event(method, path, body, headers), FakeLambdaContext())
        content_type = response.get("headers", {}).get("Content-Type", "")
        payload = json.loads(response["body"]) if "json" in content_type else response["body"]
        return response["statusCode"], payload, response.get("headers", {})

    return invoke


def queued(queue: str) -> list[dict[str, Any]]:
    messages = boto3.client("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def confirmed_order(call: Call, dynamodb: Any, table: str, stock: dict[str, int]) -> str:
    for sku, on_hand in stock.items():
        assert call("PUT", f"/v1/inventory/{sku}", {"on_hand": on_hand})[0] == 200
    status, body, _ = call("POST", "/v1/orders", order_body(), {"idempotency-key": "order-1"})
    assert status == 201
    order = DynamoOrderRepository(table, dynamodb).get(body["order_id"])
    assert order is not None
    entry = TimelineEntry(status=OrderStatus.CONFIRMED, at=AT, by="test")
    DynamoStock(table, dynamodb).reserve(order, order.quantities_by_sku(), entry)
    return body["order_id"]


def failed_parcel(call: Call, dynamodb: Any, table: str, stock: dict[str, int]) -> str:
    order_id = confirmed_order(call, dynamodb, table, stock)
    status, _, _ = call(
        "POST", f"/v1/orders/{order_id}/shipments", {"carrier": "sf-express", "tracking_number": "SF100"}
    )
    assert status == 200
    orders = DynamoOrderRepository(table, dynamodb)
    order = orders.get(order_id)
    assert order is not None
    entry = TimelineEntry(status=OrderStatus.DELIVERY_EXCEPTION, at=AT, by="test")
    assert orders.transition(order, entry)
    return order_id


def stock(call: Call, sku: str) -> dict[str, Any]:
    return call("GET", f"/v1/inventory/{sku}")[1]


def test_a_reshipment_with_a_parcel_reserves_commits_and_links_a_replacement_shipment(
    call: Call, dynamodb: Any, orders_table: str, env: dict[str, str]
) -> None:
    order_id = failed_parcel(call, dynamodb, orders_table, {"TEA-OOLONG-250G": 5, "CUP-PORCELAIN": 2})
    body = {"carrier": "sf-express", "tracking_number": "SF200", "note": "lost parcel", "by": "agent-7"}

    status, created, headers = call(
        "POST", f"/v1/orders/{order_id}/reshipments", body, {"idempotency-key": "r1"}
    )

    assert status == 201, created
    reshipment_id = created["reshipment"]["reshipment_id"]
    assert headers["Location"] == f"/v1/orders/{order_id}/reshipments/{reshipment_id}"
    assert created["order"]["status"] == "shipped"
    assert created["reshipment"]["status"] == "shipped"
    replacement = [s for s in created["order"]["shipments"] if s["purpose"] == "replacement"]
    assert [(s["tracking_number"], s["reshipment_id"]) for s in replacement] == [("SF200", reshipment_id)]
    assert (stock(call, "TEA-OOLONG-250G")["on_hand"], stock(call, "TEA-OOLONG-250G")["reserved"]) == (1, 0)
    history = call("GET", "/v1/inventory/CUP-PORCELAIN/history")[1]["entries"]
    assert [(e["kind"], e.get("reason")) for e in history][:2] == [
        ("commit", None),
        ("reserve", "reshipment"),
    ]
    link = dynamodb.get_item(TableName=orders_table, Key={"pk": {"S": "TRACKING#SF200"}, "sk": {"S": "LINK"}})
    assert link["Item"]["order_id"]["S"] == order_id
    read = call("GET", f"/v1/orders/{order_id}")[1]
    assert [r["reshipment_id"] for r in read["reshipments"]] == [reshipment_id]

    again = call("POST", f"/v1/orders/{order_id}/reshipments", body, {"idempotency-key": "r1"})
    assert again[0] == 201 and again[2]["Idempotent-Replayed"] == "true"
    assert stock(call, "TEA-OOLONG-250G")["on_hand"] == 1


def test_a_short_sku_is_409_and_changes_nothing(call: Call, dynamodb: Any, orders_table: str) -> None:
    order_id = failed_parcel(call, dynamodb, orders_table, {"TEA-OOLONG-250G": 5, "CUP-PORCELAIN": 1})
    before = table_items(dynamodb, orders_table)

    status, body, _ = call("POST", f"/v1/orders/{order_id}/reshipments", {}, {"idempotency-key": "r1"})

    assert status == 409 and body["error"]["code"] == "insufficient_stock"
    assert body["error"]["details"]["short_items"] == [
        {"sku": "CUP-PORCELAIN", "requested": 1, "available": 0}
    ]
    assert table_items(dynamodb, orders_table) == before


def test_a_delivered_order_needs_a_damage_missing_or_wrong_item_case(
    call: Call, dynamodb: Any, orders_table: str, env: dict[str, str]
) -> None:
    order_id = failed_parcel(call, dynamodb, orders_table, {"TEA-OOLONG-250G": 5, "CUP-PORCELAIN": 2})
    orders = DynamoOrderRepository(orders_table, dynamodb)
    order = orders.get(order_id)
    assert order is not None
    assert orders.transition(order, TimelineEntry(status=OrderStatus.DELIVERED, at=AT, by="test"))
    refused = call("POST", f"/v1/orders/{order_id}/reshipments", {}, {"idempotency-key": "r1"})
    assert refused[0] == 409 and refused[1]["error"]["code"] == "reshipment_not_allowed"
    for complaint_id, category in (("cmp_1", "late_delivery"), ("cmp_2", "damage")):
        dynamodb.put_item(
            TableName=orders_table,
            Item={
                "pk": {"S": f"COMPLAINT#{complaint_id}"},
                "sk": {"S": "COMPLAINT"},
                "entity": {"S": "complaint"},
                "category": {"S": category},
                "status": {"S": "open"},
                "gsi3pk": {"S": f"ORDER_CASES#{order_id}"},
                "gsi3sk": {"S": f"{AT}#{complaint_id}"},
            },
        )

    status, created, _ = call(
        "POST",
        f"/v1/orders/{order_id}/reshipments",
        {"lines": [{"sku": "CUP-PORCELAIN", "quantity": 1}]},
        {"idempotency-key": "r2"},
    )

    assert status == 201, created
    assert created["reshipment"]["reason"] == "case"
    assert created["reshipment"]["status"] == "awaiting_shipment"
    assert stock(call, "CUP-PORCELAIN")["reserved"] == 1
    # the reshipment's reservation is live, not drift (inventory.reconcile)
    assert reconcile(dynamodb, orders_table, fix=False, out=io.StringIO()) == []
    shipped = call(
        "POST",
        f"/v1/orders/{order_id}/reshipments/{created['reshipment']['reshipment_id']}/shipment",
        {"carrier": "sf-express", "tracking_number": "SF300"},
    )
    assert shipped[0] == 200 and shipped[1]["status"] == "delivered"
    assert (stock(call, "CUP-PORCELAIN")["on_hand"], stock(call, "CUP-PORCELAIN")["reserved"]) == (0, 0)
    kinds = [event["event_type"] for event in queued(env["NOTIFICATION_QUEUE_URL"])]
    assert sorted(kinds) == ["reshipment.created", "reshipment.shipped"]


def test_an_edit_re_reserves_in_one_write_and_an_oversell_changes_nothing(
    call: Call, dynamodb: Any, orders_table: str, env: dict[str, str]
) -> None:
    order_id = confirmed_order(call, dynamodb, orders_table, {"TEA-OOLONG-250G": 3, "CUP-PORCELAIN": 2})
    items = order_body()["items"]
    more_tea = [{**items[0], "quantity": 3}]

    status, order, _ = call("PATCH", f"/v1/orders/{order_id}", {"items": more_tea}, {"idempotency-key": "e1"})

    assert status == 200, order
    assert order["items"] == [{**more_tea[0], "image_url": None}] and order["total"] == "264.00"
    assert (stock(call, "TEA-OOLONG-250G")["reserved"], stock(call, "CUP-PORCELAIN")["reserved"]) == (3, 0)
    history = call("GET", "/v1/inventory/CUP-PORCELAIN/history")[1]["entries"]
    assert (history[0]["kind"], history[0]["reason"], history[0]["reserved_delta"]) == (
        "release",
        "order_edit",
        -1,
    )
    before = table_items(dynamodb, orders_table)

    refused = call(
        "PATCH", f"/v1/orders/{order_id}", {"items": [{**items[0], "quantity": 4}]}, {"idempotency-key": "e2"}
    )

    assert refused[0] == 409 and refused[1]["error"]["code"] == "insufficient_stock"
    assert table_items(dynamodb, orders_table) == before
    bad = call("PATCH", f"/v1/orders/{order_id}", {"customer": {"email": "nope"}}, {"idempotency-key": "e3"})
    assert bad[0] == 422 and bad[1]["error"]["code"] == "validation_failed"
    assert table_items(dynamodb, orders_table) == before
    [event] = queued(env["NOTIFICATION_QUEUE_URL"])
    assert (event["event_type"], event["details"]) == ("order.updated", {"changed": "items"})


def test_a_shipped_order_cannot_be_edited(call: Call, dynamodb: Any, orders_table: str) -> None:
    order_id = failed_parcel(call, dynamodb, orders_table, {"TEA-OOLONG-250G": 3, "CUP-PORCELAIN": 2})
    address = {**order_body()["shipping_address"], "line1": "新地址 1 号"}

    status, body, _ = call(
        "PATCH", f"/v1/orders/{order_id}", {"shipping_address": address}, {"idempotency-key": "e"}
    )

    assert status == 409 and body["error"]["code"] == "order_already_shipped"
