"""The storefront API function end to end against moto: routes, auth, validation, errors."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.factories import FakeLambdaContext, http_event, order_body
from tests.integration.conftest import table_items

Call = Callable[..., tuple[int, Any, dict[str, str]]]


@pytest.fixture
def call(monkeypatch: pytest.MonkeyPatch, orders_table: str, api_key_secret: str) -> Iterator[Call]:
    monkeypatch.setenv("ORDERS_TABLE_NAME", orders_table)
    monkeypatch.setenv("API_KEY_SECRET_ARN", api_key_secret)
    from storefront_api import dependencies
    from storefront_api.handler import handler

    for cached in (
        dependencies.settings,
        dependencies.order_repository,
        dependencies.stock_levels,
        dependencies._secrets_provider,
    ):
        cached.cache_clear()

    def invoke(
        method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any, dict[str, str]]:
        response = handler(http_event(method, path, body, headers), FakeLambdaContext())
        content_type = response.get("headers", {}).get("Content-Type", "")
        payload = json.loads(response["body"]) if "json" in content_type else response["body"]
        return response["statusCode"], payload, response.get("headers", {})

    yield invoke


def test_place_then_read_an_order(call: Call) -> None:
    status, body, headers = call("POST", "/v1/orders", order_body(), {"idempotency-key": "c-1"})
    assert status == 201
    assert body["status"] == "received"
    assert headers["Location"] == f"/v1/orders/{body['order_id']}"

    status, order, _ = call("GET", f"/v1/orders/{body['order_id']}")
    assert status == 200
    assert order["status"] == "received"
    assert order["total"] == "221.50"
    assert [entry["status"] for entry in order["timeline"]] == ["received"]
    assert order["customer"]["phone"] == "+8613800138000"
    assert order["order_number"] == body["order_number"] and "-" in body["order_number"]
    assert [line["name"] for line in order["items"]] == ["铁观音乌龙茶 250 克", "白瓷茶杯"]


def test_the_storefront_order_number_is_answered_and_listed(call: Call) -> None:
    placed = order_body(order_number="SO-2025-00042")
    placed["items"][0]["image_url"] = "https://shop.example.com/img/tea-oolong-250g.jpg"
    _, body, _ = call("POST", "/v1/orders", placed, {"idempotency-key": "c-number"})
    assert body["order_number"] == "SO-2025-00042"

    _, order, _ = call("GET", f"/v1/orders/{body['order_id']}")
    assert order["order_number"] == "SO-2025-00042"
    assert order["items"][0]["image_url"] == "https://shop.example.com/img/tea-oolong-250g.jpg"


def test_retry_returns_the_original_response(call: Call) -> None:
    _, first, _ = call("POST", "/v1/orders", order_body(), {"idempotency-key": "c-1"})
    status, again, headers = call("POST", "/v1/orders", order_body(), {"idempotency-key": "c-1"})
    assert (status, again) == (201, first)
    assert headers["Idempotent-Replayed"] == "true"


def test_same_key_different_body_is_422_and_changes_nothing(
    call: Call, dynamodb: Any, orders_table: str
) -> None:
    call("POST", "/v1/orders", order_body(), {"idempotency-key": "c-1"})
    before = table_items(dynamodb, orders_table)
    status, body, _ = call("POST", "/v1/orders", order_body(currency="USD"), {"idempotency-key": "c-1"})
    assert status == 422 and body["error"]["code"] == "idempotency_key_reused"
    assert table_items(dynamodb, orders_table) == before


@pytest.mark.parametrize("headers", [{"x-api-key": ""}, {"x-api-key": "wrong"}])
def test_without_a_valid_key_the_answer_is_401_and_nothing_is_written(
    call: Call, dynamodb: Any, orders_table: str, headers: dict[str, str]
) -> None:
    status, body, _ = call("POST", "/v1/orders", order_body(), {"idempotency-key": "c-1", **headers})
    assert status == 401 and body["error"]["code"] == "unauthorized"
    assert table_items(dynamodb, orders_table) == []


def test_invalid_body_without_a_key_is_still_401(call: Call) -> None:
    status, _, _ = call("POST", "/v1/orders", "{nope", {"x-api-key": ""})
    assert status == 401


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ("{not json", 400, "malformed_json", None),
        ({**order_body(), "currency": 5}, 422, "validation_failed", "currency"),
        ({**order_body(), "items": []}, 422, "validation_failed", "items"),
        (
            {**order_body(), "items": [{"sku": "A", "name": "Item A", "quantity": 0, "unit_price": "1"}]},
            422,
            "validation_failed",
            "items.0.quantity",
        ),
        (
            {**order_body(), "items": [{"sku": "A", "name": "Item A", "quantity": -3, "unit_price": "1"}]},
            422,
            "validation_failed",
            "items.0.quantity",
        ),
        (
            {**order_body(), "customer": {**order_body()["customer"], "phone": "555"}},
            422,
            "validation_failed",
            "customer.phone",
        ),
        (
            {**order_body(), "customer": {**order_body()["customer"], "email": "x@"}},
            422,
            "validation_failed",
            "customer.email",
        ),
        (
            {**order_body(), "shipping_address": {**order_body()["shipping_address"], "country": "XX"}},
            422,
            "validation_failed",
            "shipping_address.country",
        ),
        ({k: v for k, v in order_body().items() if k != "customer"}, 422, "validation_failed", "customer"),
    ],
)
def test_bad_input_is_a_4xx_naming_the_field_and_writes_nothing(
    call: Call, dynamodb: Any, orders_table: str, body: Any, status: int, code: str, field: str | None
) -> None:
    got_status, got, _ = call("POST", "/v1/orders", body, {"idempotency-key": "c-1"})
    assert got_status == status
    assert got["error"]["code"] == code
    if field:
        assert field in [detail["field"] for detail in got["error"]["details"]]
    assert table_items(dynamodb, orders_table) == []


def test_more_than_100_lines_is_refused(call: Call) -> None:
    items = [
        {"sku": f"SKU-{n}", "name": "Sample item", "quantity": 1, "unit_price": "1.00"} for n in range(101)
    ]
    status, body, _ = call("POST", "/v1/orders", order_body(items=items), {"idempotency-key": "c-1"})
    assert status == 422 and "items" in [d["field"] for d in body["error"]["details"]]


def test_missing_idempotency_key_is_refused(call: Call, dynamodb: Any, orders_table: str) -> None:
    status, body, _ = call("POST", "/v1/orders", order_body())
    assert status == 422 and body["error"]["code"] == "validation_failed"
    assert body["error"]["details"][0]["field"] == "header.idempotency-key"
    assert table_items(dynamodb, orders_table) == []


def test_body_over_256_kb_is_413(call: Call, dynamodb: Any, orders_table: str) -> None:
    body = order_body()
    body["customer"]["name"] = "x" * (256 * 1024)
    status, got, _ = call("POST", "/v1/orders", body, {"idempotency-key": "c-1"})
    assert status == 413 and got["error"]["code"] == "payload_too_large"
    assert table_items(dynamodb, orders_table) == []


def test_unknown_order_is_404(call: Call) -> None:
    status, body, _ = call("GET", "/v1/orders/ord_aaaaaaaaaaaaaaaaaaaaaaaa")
    assert status == 404 and body["error"]["code"] == "not_found"


def test_inventory_set_and_read(call: Call) -> None:
    status, level, _ = call("PUT", "/v1/inventory/TEA-OOLONG-250G", {"on_hand": 12})
    assert status == 200
    assert (level["on_hand"], level["reserved"], level["available"]) == (12, 0, 12)
    status, level, _ = call("GET", "/v1/inventory/TEA-OOLONG-250G")
    assert status == 200 and level["available"] == 12


@pytest.mark.parametrize("body", [{"on_hand": -1}, {"on_hand": "5"}, {}, {"on_hand": 1, "extra": 1}])
def test_inventory_rejects_bad_levels(call: Call, body: dict[str, Any]) -> None:
    status, got, _ = call("PUT", "/v1/inventory/SKU-1", body)
    assert status == 422 and got["error"]["code"] == "validation_failed"
    assert call("GET", "/v1/inventory/SKU-1")[0] == 404


def test_openapi_and_docs_are_public_and_come_from_the_models(call: Call) -> None:
    status, document, _ = call("GET", "/openapi.json", headers={"x-api-key": ""})
    assert status == 200
    assert "/v1/orders" in document["paths"]
    schemas = document["components"]["schemas"]
    assert "CreateOrderRequest" in schemas
    assert "name" in schemas["OrderLine"]["required"] and "image_url" in schemas["OrderLine"]["properties"]
    assert "order_number" in schemas["CreateOrderRequest"]["properties"]
    assert "order_number" in schemas["OrderAccepted"]["required"]
    assert document["components"]["securitySchemes"]["storefrontKey"]["name"] == "x-api-key"
    status, page, _ = call("GET", "/docs", headers={"x-api-key": ""})
    assert status == 200 and "swagger" in page.lower()


@pytest.mark.parametrize(
    ("code", "reasons"),
    [
        ("TransactionCanceledException", [{"Code": "ThrottlingError"}, {"Code": "None"}]),
        ("ProvisionedThroughputExceededException", None),
    ],
)
def test_a_write_still_throttled_after_botocores_retries_is_a_503_that_changes_nothing(
    call: Call, monkeypatch: pytest.MonkeyPatch, dynamodb: Any, orders_table: str, code: str, reasons: Any
) -> None:
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    real = BaseClient._make_api_call

    def throttled(self: Any, operation: str, params: dict[str, Any]) -> Any:
        if operation in ("PutItem", "TransactWriteItems", "UpdateItem"):
            error: dict[str, Any] = {"Error": {"Code": code, "Message": "throttled"}}
            if reasons:
                error["CancellationReasons"] = reasons
            raise ClientError(error, operation)
        return real(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", throttled)
    status, body, headers = call("POST", "/v1/orders", order_body(), {"idempotency-key": "busy-1"})

    assert (status, body["error"]["code"]) == (503, "temporarily_unavailable")
    assert headers["Retry-After"] == "1"
    monkeypatch.setattr(BaseClient, "_make_api_call", real)
    assert not [item for item in table_items(dynamodb, orders_table) if item["pk"].startswith("ORDER#")]
    # and the same key then places the order: the refused attempt left nothing behind
    status, placed, _ = call("POST", "/v1/orders", order_body(), {"idempotency-key": "busy-1"})
    assert status == 201 and placed["status"] == "received"


def test_a_bug_still_fails_the_invocation_rather_than_passing_for_a_503(
    call: Call, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orders.handlers import api_routes

    def broken() -> Any:
        raise KeyError("bug")

    monkeypatch.setattr(api_routes, "order_repository", broken)
    with pytest.raises(KeyError):
        call("GET", "/v1/orders/ord_" + "a" * 24)
