"""The return receipt restocks through the stock ledger in the return's own transaction, never twice,
and the return queue reads gsi2 and BatchGetItem (no scan). Against moto."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from inventory.adapters.dynamo_stock import DynamoStock
from service.adapters.dynamo_returns import DynamoReturnDesk
from service.adapters.dynamo_service import DynamoServiceStore
from service.domain.errors import IllegalStatusChange
from service.domain.ports import StaleWrite
from service.domain.return_actions import ReceivedLine, approve_return, receive_return
from service.domain.return_errors import ReturnStockMissing
from service.domain.returns import move_return, request_return
from service.domain.rules import ServiceRules
from service.models.records import ReturnLine, ReturnStatus
from shared.clock import isoformat
from tests.fakes.orders import FrozenClock
from tests.unit.service.fakes import DELIVERED_AT, RecordingEvents, delivered_order
from tests.unit.service.return_fakes import CountingReplacements

TEA = "TEA-OOLONG-250G"
NOW = DELIVERED_AT + timedelta(days=2)
RULES = ServiceRules()


@pytest.fixture
def desk(dynamodb: Any, orders_table: str) -> tuple[DynamoServiceStore, DynamoReturnDesk, DynamoStock]:
    stock = DynamoStock(orders_table, dynamodb)
    stock.set_on_hand(TEA, 10, isoformat(NOW))
    return DynamoServiceStore(orders_table, dynamodb), DynamoReturnDesk(orders_table, dynamodb), stock


def approved_return(store: DynamoServiceStore, key: str = "r-1", clock: FrozenClock | None = None) -> Any:
    order, events = delivered_order(), RecordingEvents()
    record, _ = request_return(
        order,
        [ReturnLine(sku=TEA, quantity=2)],
        "",
        key,
        store,
        events,
        RULES,
        clock or FrozenClock(NOW),
        reason_code="damaged",
    )
    approved, _ = approve_return(
        order, record.return_id, None, "ops", f"a-{key}", store, events, RULES, FrozenClock(NOW)
    )
    return approved


def receive(store, returns, record, key="rcv-1"):
    return receive_return(
        record.order_id,
        record.return_id,
        [ReceivedLine(TEA, 1, "resellable"), ReceivedLine(TEA, 1, "damaged")],
        "one crushed",
        "warehouse",
        key,
        store,
        returns,
        RecordingEvents(),
        FrozenClock(NOW + timedelta(days=3)),
        CountingReplacements,
    )


def test_a_receipt_is_one_transaction_with_its_ledger_entry_and_a_retry_restocks_nothing(
    desk: Any, dynamodb: Any
) -> None:
    store, returns, stock = desk
    record = approved_return(store)
    assert record.refund is not None and record.refund.amount == "176.00"
    calls: list[str] = []
    dynamodb.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))

    received, _ = receive(store, returns, record)
    assert received.status == "received"
    assert calls.count("TransactWriteItems") == 1
    level = stock.get(TEA)
    assert (level.on_hand, level.available, level.damaged_returns) == (11, 11, 1)
    entry = stock.history(TEA, 10).entries[0]
    assert (entry.kind, entry.reason, entry.on_hand_delta, entry.not_restocked, entry.by) == (
        "adjust",
        "return",
        1,
        1,
        "warehouse",
    )
    assert entry.order_id == record.order_id and record.return_id in (entry.note or "")
    stored = store.returns(record.order_id)[0]
    assert stored.status == "received" and {(line.quantity, line.condition) for line in stored.lines} == {
        (1, "resellable"),
        (1, "damaged"),
    }

    again, replayed = receive(store, returns, record)  # the same request retried
    assert replayed and again.status == "received"
    with pytest.raises(IllegalStatusChange):  # a second receipt (another key) is refused
        receive(store, returns, record, key="rcv-2")
    with pytest.raises(StaleWrite):  # the adapter itself: the stale version writes nothing
        returns.receive(record, record.version, {TEA: 2}, {}, at=isoformat(NOW), by="w", note=None)
    assert stock.get(TEA).on_hand == 11 and len(stock.history(TEA, 10).entries) == 2  # set + return


def test_a_sku_without_a_stock_item_refuses_the_whole_receipt(dynamodb: Any, orders_table: str) -> None:
    store, returns = DynamoServiceStore(orders_table, dynamodb), DynamoReturnDesk(orders_table, dynamodb)
    record = approved_return(store)
    with pytest.raises(ReturnStockMissing) as refused:
        receive(store, returns, record)
    assert refused.value.details == {"skus": [TEA]}
    assert store.returns(record.order_id)[0].status == "approved"


def test_the_queue_reads_one_status_oldest_first_through_the_index(desk: Any, dynamodb: Any) -> None:
    store, returns, _ = desk
    events = RecordingEvents()
    order = delivered_order(items=[{"sku": TEA, "name": "Tea", "quantity": 9, "unit_price": "8.00"}])
    ids = []
    for minutes in (30, 10, 20):  # requested out of order
        record, _ = request_return(
            order,
            [ReturnLine(sku=TEA, quantity=1)],
            "",
            f"q-{minutes}",
            store,
            events,
            RULES,
            FrozenClock(NOW + timedelta(minutes=minutes)),
            reason_code="changed_mind",
        )
        ids.append((minutes, record.return_id))
    oldest_first = [return_id for _, return_id in sorted(ids)]
    move_return(order.order_id, oldest_first[1], "reject", None, "ops", "x", store, events, FrozenClock(NOW))

    calls: list[str] = []
    dynamodb.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))
    first, cursor = returns.queue(ReturnStatus.REQUESTED.value, 1, None)
    rest, _ = returns.queue(ReturnStatus.REQUESTED.value, 5, cursor)
    assert [r.return_id for r in first + rest] == [oldest_first[0], oldest_first[2]]
    rejected, _ = returns.queue(ReturnStatus.REJECTED.value, 5, None)
    assert [r.return_id for r in rejected] == [oldest_first[1]]
    assert "Scan" not in calls and set(calls) <= {"Query", "BatchGetItem"}


def test_the_queue_keys_follow_the_status_and_the_time_it_was_entered(
    dynamodb: Any, orders_table: str
) -> None:
    store = DynamoServiceStore(orders_table, dynamodb)
    record = approved_return(store, clock=FrozenClock(datetime(2026, 11, 21, tzinfo=UTC)))
    item = dynamodb.get_item(
        TableName=orders_table,
        Key={"pk": {"S": f"ORDER#{record.order_id}"}, "sk": {"S": f"RETURN#{record.return_id}"}},
    )["Item"]
    assert item["gsi2pk"]["S"] == "RETURNS#approved"
    assert item["gsi2sk"]["S"] == f"{record.history[-1].at}#{record.return_id}"
    assert item["reason_code"]["S"] == "damaged" and item["refund"]["M"]["amount"]["S"] == "176.00"
