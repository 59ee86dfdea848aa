"""The console's order desk as `console.dependencies` wires it, over moto: search by phone and
email through the real lookups (keyed by the contact-lookup secret), the order page, a cancel on
the timeline, an address edit through the reservation ledger, the customer page, and the stock
page's low-stock SKUs from the stored alerts with the managers' audited adjustment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import boto3
import pytest

from console import dependencies
from console.ports import ConsoleServices
from console.sessions import TokenVerifier
from inventory.adapters.dynamo_low_stock import DynamoLowStockFlags
from inventory.adapters.dynamo_stock import DynamoStock
from inventory.models.api import HistoryKind
from orders.adapters.dynamo_orders import DynamoOrderRepository
from orders.domain.place_order import place_order
from orders.models.api import CreateOrderRequest
from orders.models.order import OrderStatus
from shared.alert_log import DynamoAlertLog
from shared.clock import DeferredClock
from tests.factories import order_body
from tests.fakes.orders import FrozenClock
from tests.fakes.stats import InMemoryAggregates
from tests.unit.console.conftest import CLIENT, FORM_KEY, ISSUER, FakeSignIn, LocalJwks, NoAlerts, mint
from tests.unit.console.test_routes import csrf_fields, request

MANAGER = {"cognito:groups": ["manager"], "cognito:username": "manager@local", "sub": "sub-manager"}


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch, orders_table: str, dynamodb: Any) -> Iterator[ConsoleServices]:
    secrets = boto3.client("secretsmanager")
    arn = secrets.create_secret(Name="contact-lookup", SecretString=json.dumps({"key": "lookup-key"}))["ARN"]
    queue = boto3.client("sqs").create_queue(QueueName="notifications")["QueueUrl"]
    for name, value in {
        "ORDERS_TABLE_NAME": orders_table,
        "LINK_SIGNING_SECRET_ARN": "unused",
        "CONSOLE_USER_POOL_ID": "pool",
        "CONSOLE_CLIENT_ID": CLIENT,
        "CONTACT_LOOKUP_SECRET_ARN": arn,
        "NOTIFICATION_QUEUE_URL": queue,
    }.items():
        monkeypatch.setenv(name, value)
    dependencies.reset()
    clock = FrozenClock()
    nonces = iter(f"nonce-{n:016d}" for n in range(1000))
    yield ConsoleServices(
        verifier=TokenVerifier(LocalJwks(), ISSUER, CLIENT, clock),
        authenticator=FakeSignIn(),
        orders=DynamoOrderRepository(orders_table, dynamodb),
        aggregates=InMemoryAggregates(),
        alerts=NoAlerts(),
        form_keys=lambda: (FORM_KEY,),
        clock=clock,
        new_nonce=lambda: next(nonces),
        desk=dependencies.order_desk(orders_table, dynamodb, DeferredClock(lambda: clock)),
    )
    dependencies.reset()


def placed(services: ConsoleServices, key: str, **overrides: Any) -> str:
    body = CreateOrderRequest.model_validate(order_body(**overrides))
    return place_order(body, key, services.orders, services.clock, services.desk.hasher).order.order_id


def test_search_by_phone_and_email_finds_the_orders_and_the_agent_cancels_one(
    services: ConsoleServices,
) -> None:
    clock: FrozenClock = services.clock  # type: ignore[assignment]
    token = mint(clock)
    order_id = placed(services, "o1")
    found = request(services, "GET", f"/console/search?lang=en&q={quote('+86 138 0013 8000')}", token=token)
    assert (
        found["statusCode"] == 303 and found["headers"]["Location"] == f"/console/orders/{order_id}?lang=en"
    )
    by_email = request(services, "GET", "/console/search?q=LI.WEI%40example.com", token=token)
    assert by_email["headers"]["Location"].startswith(f"/console/orders/{order_id}")

    second = placed(services, "o2")
    both = request(services, "GET", "/console/search?lang=en&q=li.wei%40example.com", token=token)
    assert both["statusCode"] == 200 and order_id in both["body"] and second in both["body"]

    page = request(services, "GET", f"/console/orders/{order_id}?lang=en", token=token)
    assert page["statusCode"] == 200 and "/cancel?lang=en" in page["body"] and "/edit?lang=en" in page["body"]
    fields = csrf_fields(page["body"])
    edited = request(
        services,
        "POST",
        f"/console/orders/{order_id}/edit?lang=en",
        {**fields, "name": "Li Wei", "line1": "1 Century Avenue", "city": "Shanghai", "country": "CN"},
        token=token,
    )
    assert edited["statusCode"] == 303, edited["body"]
    cancelled = request(services, "POST", f"/console/orders/{order_id}/cancel?lang=en", fields, token=token)
    assert cancelled["statusCode"] == 303
    order = services.orders.get(order_id)
    assert order is not None and order.status == OrderStatus.CANCELLED
    assert order.shipping_address.line1 == "1 Century Avenue"
    assert [entry.by for entry in order.timeline[-2:]] == ["agent@local", "agent@local"]

    customer = request(services, "GET", "/console/customers/cust-1001?lang=en", token=token)
    assert customer["statusCode"] == 200
    assert f"/console/orders/{order_id}?lang=en" in customer["body"] and second in customer["body"]


def test_the_stock_page_lists_alerted_skus_still_low_and_a_manager_adjusts_one(
    services: ConsoleServices, orders_table: str, dynamodb: Any
) -> None:
    clock: FrozenClock = services.clock  # type: ignore[assignment]
    stock = DynamoStock(orders_table, dynamodb)
    stock.set_on_hand("TEA", 3, "2026-11-24T09:00:00.000Z", low_stock_threshold=10)
    stock.set_on_hand(
        "CUP", 30, "2026-11-24T09:00:00.000Z", low_stock_threshold=5
    )  # alerted, since restocked
    log = DynamoAlertLog(orders_table, dynamodb, clock.now)
    for sku in ("CUP", "TEA"):
        log.record("low_stock", f"Low stock: {sku}", {"sku": sku, "event_type": "stock.low"})
    log.record("complaint_overdue", "Overdue", {"complaint_id": "cmp_1"})
    # flagged low by the watcher with no stored alert left (older than the alerts' 90 days)
    stock.set_on_hand("POT", 1, "2026-11-24T09:00:00.000Z", low_stock_threshold=4)
    assert DynamoLowStockFlags(orders_table, dynamodb).claim_alert("POT")

    page = request(services, "GET", "/console/stock?lang=en", token=mint(clock, **MANAGER))
    body = page["body"]
    assert page["statusCode"] == 200 and "<strong>TEA</strong>" in body and "<strong>CUP</strong>" not in body
    assert "<strong>POT</strong>" in body
    form = {**csrf_fields(body), "delta": "12", "reason": "restock", "note": "delivery 42"}
    adjusted = request(
        services, "POST", "/console/stock/TEA/adjust?lang=en", form, token=mint(clock, **MANAGER)
    )
    assert adjusted["statusCode"] == 303
    level = stock.get("TEA")
    assert level is not None and level.on_hand == 15
    [entry] = [e for e in stock.history("TEA", 10).entries if e.kind == HistoryKind.ADJUST]
    assert (entry.by, entry.reason, entry.note) == ("manager@local", "restock", "delivery 42")
    again = request(services, "GET", "/console/stock?lang=en&sku=TEA", token=mint(clock, **MANAGER))
    below = {**form, **csrf_fields(again["body"]), "delta": "-20"}
    refused = request(
        services, "POST", "/console/stock/TEA/adjust?lang=en", below, token=mint(clock, **MANAGER)
    )
    assert refused["statusCode"] == 409 and stock.get("TEA").on_hand == 15  # type: ignore[union-attr]
