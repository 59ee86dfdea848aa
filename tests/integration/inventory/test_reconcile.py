"""`python -m inventory.reconcile` against moto: reports drift, repairs it with an audit record."""

from __future__ import annotations

import io
from typing import Any

import pytest

from inventory.adapters.dynamo_stock import DynamoStock, stock_key
from inventory.reconcile import main, reconcile
from orders.adapters.dynamo_orders import DynamoOrderRepository
from orders.domain.place_order import place_order
from orders.models.api import CreateOrderRequest, TimelineEntry
from tests.factories import order_body
from tests.fakes.orders import FrozenClock

AT = "2026-01-01T10:00:00.000Z"  # before the repair, which runs on the real clock


@pytest.fixture
def books(dynamodb: Any, orders_table: str) -> DynamoStock:
    stock = DynamoStock(orders_table, dynamodb)
    stock.set_on_hand("A", 10, AT)
    orders = DynamoOrderRepository(orders_table, dynamodb)
    request = CreateOrderRequest.model_validate(
        order_body(items=[{"sku": "A", "name": "Item A", "quantity": 3, "unit_price": "1"}])
    )
    order = orders.get(place_order(request, "k", orders, FrozenClock()).order.order_id)
    assert order is not None
    stock.reserve(order, {"A": 3}, TimelineEntry(status="confirmed", at=AT, by="test"))
    return stock


def corrupt(dynamodb: Any, table: str) -> None:
    """A manual edit that bypassed the ledger: 2 units reserved by nobody."""
    dynamodb.update_item(
        TableName=table,
        Key=stock_key("A"),
        UpdateExpression="SET reserved = :r, available = :a",
        ExpressionAttributeValues={":r": {"N": "5"}, ":a": {"N": "5"}},
    )


def test_balanced_books_report_no_drift(books: DynamoStock, dynamodb: Any, orders_table: str) -> None:
    out = io.StringIO()
    assert reconcile(dynamodb, orders_table, fix=False, out=out) == []
    assert "1 SKUs checked, 0 with drift" in out.getvalue()


def test_drift_is_reported_then_repaired_with_an_audit_record(
    books: DynamoStock, dynamodb: Any, orders_table: str
) -> None:
    corrupt(dynamodb, orders_table)
    report = io.StringIO()
    assert len(reconcile(dynamodb, orders_table, fix=False, out=report)) == 1
    assert "reserved 5 != 3 units held by live orders" in report.getvalue()
    assert books.get("A").reserved == 5  # type: ignore[union-attr]

    reconcile(dynamodb, orders_table, fix=True, out=io.StringIO())

    level = books.get("A")
    assert level is not None and (level.on_hand, level.reserved, level.available) == (10, 3, 7)
    latest = books.history("A", 1).entries[0]
    # the trail already held the 3 reserved units; the unrecorded +2 is what the note explains
    assert (latest.kind.value, latest.reserved_delta, latest.by) == ("repair", 0, "admin:reconcile")
    assert latest.note == "reserved 5 -> 3, available 5 -> 7"
    assert reconcile(dynamodb, orders_table, fix=False, out=io.StringIO()) == []


def test_the_command_exits_non_zero_on_drift(books: DynamoStock, dynamodb: Any, orders_table: str) -> None:
    assert main(["--table", orders_table]) == 0
    corrupt(dynamodb, orders_table)
    assert main(["--table", orders_table]) == 1
    assert main(["--table", orders_table, "--repair"]) == 0
    assert main(["--table", orders_table]) == 0
