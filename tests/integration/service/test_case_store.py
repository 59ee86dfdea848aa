"""The case store against moto: one transaction per case change (case, timeline entry, open-case
lock), the lock refusing a second open case, and the index queries (a customer's, an order's, the
queues by assignee and overdue) with cursors, never a scan."""

from __future__ import annotations

from typing import Any

import pytest

from service.adapters.dynamo_service import DynamoServiceStore
from service.domain.cases import assign_case, resolve_case
from service.domain.complaints import new_complaint, open_complaint, opened_entry
from service.domain.ports import CaseAlreadyOpen, ComplaintQuery, NewCase, StaleWrite
from service.domain.rules import ServiceRules
from service.models.records import ComplaintCategory, ComplaintStatus
from tests.fakes.orders import FrozenClock
from tests.unit.service.fakes import DELIVERED_AT, RecordingEvents, delivered_order

NOW = DELIVERED_AT
RULES = ServiceRules()


def _open(
    store: DynamoServiceStore, order: Any, key: str, category: ComplaintCategory = ComplaintCategory.DAMAGE
):  # type: ignore[no-untyped-def]
    return open_complaint(
        order=order,
        category=category,
        description=f"about {key}",
        source="storefront",
        idempotency_key=key,
        request_hash=key,
        store=store,
        rules=RULES,
        clock=FrozenClock(NOW),
    )


def _items(dynamodb: Any, table: str, pk: str) -> list[dict[str, Any]]:
    response = dynamodb.query(
        TableName=table, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": pk}}
    )
    return response["Items"]


def test_opening_writes_case_entry_and_lock_in_one_transaction_and_the_lock_refuses_a_second(
    dynamodb: Any, orders_table: str
) -> None:
    calls: list[str] = []
    dynamodb.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))
    store = DynamoServiceStore(orders_table, dynamodb)
    order = delivered_order()
    opened = _open(store, order, "k-1")
    assert "TransactWriteItems" in calls and "Scan" not in calls

    case_items = _items(dynamodb, orders_table, f"COMPLAINT#{opened.complaint.complaint_id}")
    assert sorted(i["entity"]["S"] for i in case_items) == ["complaint", "complaint_entry"]
    case_item = next(i for i in case_items if i["sk"]["S"] == "COMPLAINT")
    assert case_item["gsi1pk"]["S"] == f"CUSTOMER_CASES#{order.customer.id}"
    assert case_item["gsi3pk"]["S"] == f"ORDER_CASES#{order.order_id}"
    assert (
        case_item["gsi1sk"]["S"]
        == case_item["gsi3sk"]["S"]
        == f"{NOW.isoformat()[:19]}.000Z#{opened.complaint.complaint_id}"
    )
    [lock] = [
        i
        for i in _items(dynamodb, orders_table, f"ORDER#{order.order_id}")
        if i["sk"]["S"] == "OPEN_CASE#damage"
    ]
    assert lock["complaint_id"]["S"] == opened.complaint.complaint_id

    # another case of the same order and category cannot be written while the lock is held
    rival = new_complaint(
        complaint_id="cmp_" + "r" * 24,
        order=order,
        category=ComplaintCategory.DAMAGE,
        description="rival",
        source="storefront",
        store=store,
        rules=RULES,
        now=NOW,
    )
    with pytest.raises(CaseAlreadyOpen) as held:
        store.open_case(NewCase(rival, opened_entry(rival)))
    assert held.value.complaint_id == opened.complaint.complaint_id
    assert store.complaint(rival.complaint_id) is None  # nothing written

    merged = _open(store, order, "k-2")
    assert merged.merged and merged.complaint.complaint_id == opened.complaint.complaint_id


def test_resolving_releases_the_lock_and_a_stale_change_is_refused(dynamodb: Any, orders_table: str) -> None:
    store, order = DynamoServiceStore(orders_table, dynamodb), delivered_order()
    case_id = _open(store, order, "k-1").complaint.complaint_id
    case, entries = store.case(case_id)  # type: ignore[misc]
    assign_case(case_id, "ops-1", "ops-1", store, FrozenClock(NOW))
    with pytest.raises(StaleWrite):  # written against the version before the assignment
        store.change_case(
            case.model_copy(update={"version": 2}),
            case.version,
            entries[0].model_copy(update={"entry_id": "ent_x"}),
        )
    resolve_case(case_id, "Done.", "ops-1", store, RecordingEvents(), FrozenClock(NOW))
    assert store.open_case_for(order.order_id, "damage") is None
    case, timeline = store.case(case_id)  # type: ignore[misc]
    assert case.status == ComplaintStatus.RESOLVED and [e.type for e in timeline] == [
        "opened",
        "assigned",
        "resolved",
    ]
    assert not _open(store, order, "k-2").merged  # a new case now


def test_filters_use_the_indexes_with_cursors(dynamodb: Any, orders_table: str) -> None:
    calls: list[str] = []
    store = DynamoServiceStore(orders_table, dynamodb)
    first, second = delivered_order(), delivered_order("ord_" + "b" * 24)
    a = _open(store, first, "k-a").complaint.complaint_id
    b = _open(store, first, "k-b", ComplaintCategory.MISSING_ITEM).complaint.complaint_id
    c = _open(store, second, "k-c").complaint.complaint_id
    assign_case(b, "ops-9", "lead", store, FrozenClock(NOW))
    dynamodb.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))

    assert {x.complaint_id for x in store.complaints_of_order(first.order_id)} == {a, b}
    assert {x.complaint_id for x in store.complaints_of_customer(first.customer.id)} == {a, b, c}
    page, cursor = store.complaints(ComplaintQuery(statuses=(), customer_id=first.customer.id, limit=2))
    assert len(page) == 2 and cursor
    rest, cursor = store.complaints(
        ComplaintQuery(statuses=(), customer_id=first.customer.id, limit=2, cursor=cursor)
    )
    assert {x.complaint_id for x in page + rest} == {a, b, c} and cursor is None

    mine, _ = store.complaints(ComplaintQuery(statuses=("open", "in_progress", "reopened"), assignee="ops-9"))
    assert [x.complaint_id for x in mine] == [b]
    # the open queue read one priority range after the other, one case per page
    seen, cursor = [], None
    while True:
        page, cursor = store.complaints(ComplaintQuery(statuses=("open",), limit=1, cursor=cursor))
        seen += [x.complaint_id for x in page]
        if cursor is None:
            break
    assert sorted(seen) == sorted([a, c])
    due_before = "2026-11-24T00:00:00.000Z"  # p2 cases are due a day after opening
    assert (
        store.complaints(ComplaintQuery(statuses=("open",), overdue_at="2026-11-20T09:00:00.000Z"))[0] == []
    )
    late, _ = store.complaints(ComplaintQuery(statuses=("open", "in_progress"), overdue_at=due_before))
    assert {x.complaint_id for x in late} == {a, b, c}
    assert {x.complaint_id for x in store.due_complaints(due_before, 10)} == {a, b, c}
    assert "Scan" not in calls and "Query" in calls
