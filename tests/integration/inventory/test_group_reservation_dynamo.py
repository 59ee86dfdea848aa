"""Group commit against moto: one transaction per group, one audit record per SKU listing the
orders, refusals that name the stale orders and the short SKUs, and the readers of the trail
(history API model, low-stock rate, reconciliation) reading batch records."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from inventory.adapters.dynamo_group_reservations import MAX_TRANSACTION_ACTIONS, hot_sku_ceiling
from inventory.adapters.dynamo_low_stock import DynamoLowStockFlags
from inventory.adapters.dynamo_stock import DynamoStock
from inventory.domain.ports import GroupCommitted, GroupRefused, ReservationRequest
from inventory.domain.reserve_stock import ReservationResult, reserve_orders
from inventory.reconcile import read_books
from orders.adapters.dynamo_orders import DynamoOrderRepository
from orders.domain.place_order import place_order
from orders.models.api import CreateOrderRequest, TimelineEntry
from orders.models.order import OrderRecord, OrderStatus
from shared.aws_clients import aws_client
from tests.factories import FakeLambdaContext, load_event, order_body
from tests.fakes.orders import FrozenClock

AT = "2026-11-24T10:00:00.000Z"


def placed(orders: DynamoOrderRepository, lines: dict[str, int], key: str) -> OrderRecord:
    body = order_body(
        items=[{"sku": s, "name": f"Item {s}", "quantity": q, "unit_price": "1.00"} for s, q in lines.items()]
    )
    body["customer"] = {**body["customer"], "id": f"customer-{key}"}
    order = place_order(CreateOrderRequest.model_validate(body), key, orders, FrozenClock()).order
    stored = orders.get(order.order_id)
    assert stored is not None
    return stored


def request(order: OrderRecord) -> ReservationRequest:
    return ReservationRequest(
        order=order,
        quantities=order.quantities_by_sku(),
        entry=TimelineEntry(status=OrderStatus.CONFIRMED, at=AT, by="system:stock-reservation"),
    )


def test_a_batch_for_one_sku_is_one_transaction_with_one_audit_record(
    orders: DynamoOrderRepository, stock: DynamoStock, dynamodb: Any
) -> None:
    stock.set_on_hand("HOT", 3, AT)
    batch = [placed(orders, {"HOT": 1}, key=f"k{index}") for index in range(5)]
    transactions: list[int] = []
    dynamodb.meta.events.register(
        "provide-client-params.dynamodb.TransactWriteItems",
        lambda params, **_: transactions.append(len(params["TransactItems"])),
    )

    results = reserve_orders([o.order_id for o in batch], orders, stock, FrozenClock(), retry=lambda c: c())

    assert [results[o.order_id] for o in batch] == [ReservationResult.CONFIRMED] * 3 + [
        ReservationResult.OUT_OF_STOCK
    ] * 2
    # five order transitions (three reserved, two out of stock), the stock update and one audit record
    assert transactions == [5 + 2]
    level = stock.get("HOT")
    assert level is not None and (level.on_hand, level.reserved, level.available) == (3, 3, 0)
    reserve = [e for e in stock.history("HOT", 100).entries if e.kind == "reserve"]
    assert len(reserve) == 1 and reserve[0].reserved_delta == 3 and reserve[0].order_id is None
    assert [(line.order_id, line.quantity) for line in reserve[0].orders or []] == [
        (o.order_id, 1) for o in batch[:3]
    ]
    confirmed = orders.get(batch[0].order_id)
    assert confirmed is not None and confirmed.reservation == {"HOT": 1}


def test_a_refused_group_names_its_stale_orders_and_short_skus_and_writes_nothing(
    orders: DynamoOrderRepository, stock: DynamoStock
) -> None:
    stock.set_on_hand("A", 1, AT)
    stock.set_on_hand("B", 5, AT)
    first, second = placed(orders, {"A": 1, "B": 1}, key="k1"), placed(orders, {"A": 1}, key="k2")
    assert stock.reserve_group([request(first)]) == GroupCommitted()

    refused = stock.reserve_group([request(first), request(second)])

    assert refused == GroupRefused(stale_orders=frozenset({first.order_id}), short_skus=frozenset({"A"}))
    level = stock.get("A")
    assert level is not None and (level.reserved, level.available) == (1, 0)
    untouched = orders.get(second.order_id)
    assert untouched is not None and untouched.status == OrderStatus.RECEIVED


def test_a_group_stays_within_the_transaction_limits(
    stock: DynamoStock, orders: DynamoOrderRepository
) -> None:
    order = placed(orders, {"A": 1}, key="k1")
    one_sku = [request(order)] * (MAX_TRANSACTION_ACTIONS - 2)
    assert stock.fits_one_transaction(one_sku)
    assert not stock.fits_one_transaction([*one_sku, request(order)])


def test_the_readers_of_the_trail_sum_batch_records(
    orders: DynamoOrderRepository, stock: DynamoStock, dynamodb: Any, orders_table: str
) -> None:
    stock.set_on_hand("HOT", 10, AT)
    batch = [placed(orders, {"HOT": 2}, key=f"k{index}") for index in range(3)]
    reserve_orders([o.order_id for o in batch], orders, stock, FrozenClock(), retry=lambda c: c())

    assert DynamoLowStockFlags(orders_table, dynamodb).reserved_units_since("HOT", "2026-11-01") == 6
    counters, live, trail = read_books(dynamodb, orders_table)
    assert counters["HOT"].reserved == live["HOT"] == trail["HOT"][1] == 6
    page = stock.history("HOT", 10).model_dump(mode="json")
    assert page["entries"][0]["orders"] == [{"order_id": o.order_id, "quantity": 2} for o in batch]


def test_the_computed_ceiling_of_a_hot_sku_is_above_two_thousand_reservations_per_second() -> None:
    assert hot_sku_ceiling(50) >= 2000
    assert hot_sku_ceiling(1) == 1000 / 4  # one order per transaction: 2 + 2 units per reservation


def test_the_worker_reserves_a_batch_together_and_hands_a_conflict_back_within_seconds(
    monkeypatch: pytest.MonkeyPatch, dynamodb: Any, orders_table: str, orders: DynamoOrderRepository
) -> None:
    sqs = boto3.client("sqs")
    queue_url = sqs.create_queue(QueueName="reservation")["QueueUrl"]
    monkeypatch.setenv("ORDERS_TABLE_NAME", orders_table)
    monkeypatch.setenv("RESERVATION_QUEUE_URL", queue_url)
    from inventory.handlers import reserve_stock

    reserve_stock.dependencies.cache_clear()
    DynamoStock(orders_table, dynamodb).set_on_hand("HOT", 5, AT)
    template = load_event("sqs/reservation_requested.json")["Records"][0]
    batch = [placed(orders, {"HOT": 1}, key=f"k{index}") for index in range(3)]
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")
    received = sqs.receive_message(QueueUrl=queue_url)["Messages"][0]

    def record(order: OrderRecord, index: int) -> dict[str, Any]:
        body = {**json.loads(template["body"]), "order_id": order.order_id}
        return {
            **template,
            "messageId": f"m{index}",
            "receiptHandle": received["ReceiptHandle"],
            "body": json.dumps(body),
        }

    conflicts = {"left": 99}

    def conflict_then_pass(params: dict[str, Any], **_: Any) -> None:
        if conflicts["left"] > 0:
            conflicts["left"] -= 1
            from botocore.exceptions import ClientError

            raise ClientError(
                {
                    "Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
                    "CancellationReasons": [{"Code": "TransactionConflict"}] * len(params["TransactItems"]),
                },
                "TransactWriteItems",
            )

    dynamodb.meta.events.register("provide-client-params.dynamodb.TransactWriteItems", conflict_then_pass)
    monkeypatch.setattr("shared.transient.time.sleep", lambda seconds: None)
    changed: list[dict[str, Any]] = []
    aws_client("sqs").meta.events.register(
        "provide-client-params.sqs.ChangeMessageVisibility", lambda params, **_: changed.append(params)
    )

    failed = reserve_stock.handler(
        {"Records": [record(o, i) for i, o in enumerate(batch)]}, FakeLambdaContext()
    )

    assert failed == {"batchItemFailures": [{"itemIdentifier": f"m{i}"} for i in range(3)]}
    assert len(changed) == 3 and all(1 <= params["VisibilityTimeout"] <= 60 for params in changed)
    assert all(o.status == OrderStatus.RECEIVED for o in (orders.get(b.order_id) for b in batch) if o)

    conflicts["left"] = 0
    passed = reserve_stock.handler(
        {"Records": [record(o, i) for i, o in enumerate(batch)]}, FakeLambdaContext()
    )

    assert passed == {"batchItemFailures": []}
    assert {o.status for o in (orders.get(b.order_id) for b in batch) if o} == {OrderStatus.CONFIRMED}
