"""The service store writes one item with one plain conditional write (half a transaction's write
units), and refuses a stale one as it refuses a stale transaction. Against moto. (Writes of several
items, a low rating with its complaint, are one transaction: tests/integration/service.)"""

from __future__ import annotations

from typing import Any

import pytest

from service.adapters.dynamo_service import DynamoServiceStore
from service.domain.ports import StaleWrite
from service.models.records import FeedbackRecord


def answer(at: str) -> FeedbackRecord:
    return FeedbackRecord.model_validate(
        {"order_id": "ord_1", "rating": 5, "source": "customer_link", "submitted_at": at, "updated_at": at}
    )


def test_one_item_is_one_conditional_put_and_a_stale_one_is_refused(dynamodb: Any, orders_table: str) -> None:
    calls: list[str] = []
    dynamodb.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))
    store = DynamoServiceStore(orders_table, dynamodb)

    first = answer("2026-11-24T10:00:00.000Z")
    store.save_feedback(first, None, None)
    assert calls == ["PutItem"]
    assert store.feedback("ord_1") == first

    with pytest.raises(StaleWrite):  # written already: a second "first" answer is refused
        store.save_feedback(first, None, None)
    changed = answer("2026-11-24T11:00:00.000Z")
    with pytest.raises(StaleWrite):  # read at another version than the stored one
        store.save_feedback(changed, answer("2026-11-24T09:00:00.000Z"), None)
    store.save_feedback(changed, first, None)
    assert store.feedback("ord_1") == changed
