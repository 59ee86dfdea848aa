"""The Exceptions and Returns pages on the console's own wiring (`console.adapters.returns`) against
moto: a return requested on the storefront side is approved and received from the console (stock
back on hand for the resellable unit only, one `return` ledger entry), the queue reads its index,
and an exception's contact goes to the notification queue, on the exception's timeline."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from console.adapters.returns import after_sales
from console.ports import ConsoleServices
from console.sessions import TokenVerifier
from delivery_exceptions.adapters.dynamo_exceptions import DynamoExceptionStore
from delivery_exceptions.domain.opening import exception_for, raised_event
from delivery_exceptions.domain.rules import ExceptionRules
from inventory.adapters.dynamo_stock import DynamoStock
from orders.adapters.dynamo_orders import DynamoOrderRepository
from service.adapters.dynamo_service import DynamoServiceStore
from service.domain.returns import request_return
from service.domain.rules import ServiceRules
from service.models.records import ReturnLine, ReturnStatus
from shared.clock import isoformat
from tests.fakes.orders import FrozenClock
from tests.fakes.stats import InMemoryAggregates
from tests.unit.console.after_sales_fakes import CUP, ITEMS
from tests.unit.console.conftest import CLIENT, FORM_KEY, ISSUER, FakeSignIn, LocalJwks, NoAlerts, mint
from tests.unit.console.test_routes import csrf_fields, request
from tests.unit.delivery_exceptions.test_opening import shipment
from tests.unit.service.fakes import DELIVERED_AT, RecordingEvents, delivered_order

NOW = DELIVERED_AT + timedelta(days=2)


@pytest.fixture
def world(dynamodb: Any, orders_table: str) -> tuple[ConsoleServices, Any, str]:
    import boto3

    sqs = boto3.client("sqs")
    queue_url = sqs.create_queue(QueueName="notifications")["QueueUrl"]
    clock = FrozenClock(NOW)
    nonces = iter(f"nonce-{n:016d}" for n in range(1000))
    orders = DynamoOrderRepository(orders_table, dynamodb)
    services = ConsoleServices(
        verifier=TokenVerifier(LocalJwks(), ISSUER, CLIENT, clock),
        authenticator=FakeSignIn(),
        orders=orders,
        aggregates=InMemoryAggregates(),
        alerts=NoAlerts(),
        form_keys=lambda: (FORM_KEY,),
        clock=clock,
        new_nonce=lambda: next(nonces),
        after_sales=after_sales(orders_table, dynamodb, sqs, queue_url, ServiceRules(), clock),
    )
    orders.create(delivered_order(items=ITEMS, total="235.70"))
    DynamoStock(orders_table, dynamodb).set_on_hand(CUP, 10, isoformat(NOW))
    return services, sqs, queue_url


def test_a_return_is_approved_and_received_from_the_console_against_dynamodb(
    world: Any, dynamodb: Any, orders_table: str
) -> None:
    services, _, _ = world
    store = DynamoServiceStore(orders_table, dynamodb)
    order = services.orders.get("ord_" + "a" * 24)
    record, _ = request_return(
        order,
        [ReturnLine(sku=CUP, quantity=2)],
        "",
        "r-1",
        store,
        RecordingEvents(),
        ServiceRules(),
        services.clock,
        reason_code="damaged",  # type: ignore[arg-type]
    )
    token = mint(services.clock)
    queue = request(services, "GET", "/console/returns?lang=en", token=token)
    assert queue["statusCode"] == 200 and record.return_id in queue["body"]
    page = f"/console/returns/{record.order_id}/{record.return_id}"
    for action, fields in (
        ("approve", {}),
        ("receive", {f"resellable.{CUP}": "1", f"damaged.{CUP}": "1"}),
    ):
        form = csrf_fields(request(services, "GET", page, token=token)["body"])
        answer = request(services, "POST", f"{page}/{action}?lang=en", {**form, **fields}, token=token)
        assert answer["statusCode"] == 303, answer["body"][-800:]
    [received] = store.returns(record.order_id)
    assert received.status == ReturnStatus.RECEIVED and received.history[-1].by == "agent@local"
    level = DynamoStock(orders_table, dynamodb).get(CUP)
    assert level is not None and level.on_hand == 11
    shown = request(services, "GET", "/console/returns?lang=en&status=received", token=token)
    assert record.return_id in shown["body"]


def test_contacting_a_customer_about_an_exception_sends_the_event_to_the_notification_queue(
    world: Any, dynamodb: Any, orders_table: str
) -> None:
    services, sqs, queue_url = world
    exceptions = DynamoExceptionStore(orders_table, dynamodb)
    at = isoformat(NOW - timedelta(minutes=30))
    event = raised_event(None, shipment("delivery_exception", "address_issue"), at)
    assert event is not None
    exception = exception_for(event, ExceptionRules())
    assert exceptions.open_all([exception]) == {}
    token = mint(services.clock)
    path = f"/console/exceptions/{exception.exception_id}"
    queue = request(services, "GET", "/console/exceptions?lang=en", token=token)
    assert queue["statusCode"] == 200 and exception.exception_id in queue["body"]
    form = csrf_fields(request(services, "GET", path, token=token)["body"])
    fields = {**form, "message": "Please confirm your building number."}
    assert request(services, "POST", f"{path}/contact_customer", fields, token=token)["statusCode"] == 303
    stored = exceptions.exception(exception.exception_id)
    assert stored is not None and stored.timeline[-1].by == "agent@local"
    [message] = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert json.loads(message["Body"])["event_type"] == "exception.customer_contacted"
