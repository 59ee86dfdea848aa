"""The storefront function against moto, for the inventory routes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl

import pytest

from inventory.adapters.dynamo_stock import DynamoStock
from orders.adapters.dynamo_orders import DynamoOrderRepository
from tests.factories import FakeLambdaContext, http_event

Call = Callable[..., tuple[int, Any, dict[str, str]]]


@pytest.fixture
def call(monkeypatch: pytest.MonkeyPatch, orders_table: str, api_key_secret: str) -> Iterator[Call]:
    monkeypatch.setenv("ORDERS_TABLE_NAME", orders_table)
    monkeypatch.setenv("API_KEY_SECRET_ARN", api_key_secret)
    from storefront_api import dependencies
    from storefront_api.handler import handler

    for cached in (dependencies.settings, dependencies.stock_levels, dependencies._secrets_provider):
        cached.cache_clear()

    def invoke(
        method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any, dict[str, str]]:
        route, _, query = path.partition("?")
        event = http_event(method, route, body, headers)
        event["rawQueryString"] = query
        if query:
            event["queryStringParameters"] = dict(parse_qsl(query, keep_blank_values=True))
        response = handler(event, FakeLambdaContext())
        content_type = response.get("headers", {}).get("Content-Type", "")
        payload = json.loads(response["body"]) if "json" in content_type else response["body"]
        return response["statusCode"], payload, response.get("headers", {})

    yield invoke


@pytest.fixture
def orders(dynamodb: Any, orders_table: str) -> DynamoOrderRepository:
    return DynamoOrderRepository(orders_table, dynamodb)


@pytest.fixture
def stock(dynamodb: Any, orders_table: str) -> DynamoStock:
    return DynamoStock(orders_table, dynamodb)
