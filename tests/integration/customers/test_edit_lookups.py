"""An edit of the customer's contact (PATCH /v1/orders/{id}) moves the order's lookups in the
edit's own write: the old phone or email no longer finds the order, the new one does (moto)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from orders.adapters.order_lookups import LOOKUP_ENTITY
from tests.factories import order_body
from tests.integration.conftest import table_items
from tests.integration.orders.test_reshipments_api import Call, call, confirmed_order, env

__all__ = ["call", "env"]  # the fixtures


@pytest.fixture(autouse=True)
def lookup_key(monkeypatch: pytest.MonkeyPatch, aws: None) -> None:
    arn = boto3.client("secretsmanager").create_secret(
        Name="contact-lookup-key", SecretString=json.dumps({"key": "test-lookup-key"})
    )["ARN"]
    monkeypatch.setenv("CONTACT_LOOKUP_SECRET_ARN", arn)
    from storefront_api import dependencies

    dependencies.contact_hasher.cache_clear()


def found(call: Call, query: str) -> list[str]:
    status, page, _ = call("GET", f"/v1/orders?{query}")
    assert status == 200, page
    return [order["order_id"] for order in page["orders"]]


def lookup_count(dynamodb: Any, table: str) -> int:
    return sum(1 for item in table_items(dynamodb, table) if item["entity"]["S"] == LOOKUP_ENTITY)


def test_an_edit_of_the_email_moves_its_lookup(call: Call, dynamodb: Any, orders_table: str) -> None:
    status, placed, _ = call("POST", "/v1/orders", order_body(), {"idempotency-key": "o1"})
    assert status == 201
    order_id = placed["order_id"]
    assert found(call, "email=li.wei@example.com") == [order_id]

    status, edited, _ = call(
        "PATCH",
        f"/v1/orders/{order_id}",
        {"customer": {"email": "Wei.Li@Example.org"}},
        {"idempotency-key": "e1"},
    )

    assert status == 200, edited
    assert found(call, "email=li.wei@example.com") == []
    assert found(call, "email=wei.li@example.org") == [order_id]
    assert found(call, "phone=%2B8613800138000") == [order_id]  # unchanged, untouched
    assert lookup_count(dynamodb, orders_table) == 2


def test_an_edit_with_a_stock_change_moves_the_phone_lookup_in_the_same_transaction(
    call: Call, dynamodb: Any, orders_table: str
) -> None:
    order_id = confirmed_order(call, dynamodb, orders_table, {"TEA-OOLONG-250G": 5, "CUP-PORCELAIN": 5})
    items = order_body()["items"]

    status, edited, _ = call(
        "PATCH",
        f"/v1/orders/{order_id}",
        {"customer": {"phone": "+8613900139000"}, "items": [{**items[0], "quantity": 3}]},
        {"idempotency-key": "e1"},
    )

    assert status == 200, edited
    assert found(call, "phone=%2B8613800138000") == []
    assert found(call, "phone=%2B8613900139000") == [order_id]
    assert lookup_count(dynamodb, orders_table) == 2
