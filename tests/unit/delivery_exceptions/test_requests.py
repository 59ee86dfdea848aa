"""Action requests are validated at the edge: each action takes its own fields only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from delivery_exceptions.models.api import ActionRequest, ExceptionView
from delivery_exceptions.models.records import ExceptionReason, ExceptionRecord, ExceptionStatus


@pytest.mark.parametrize(
    "body",
    [
        {"action": "contact_customer", "by": "ops", "message": "hello"},
        {"action": "wait_for_carrier", "by": "ops", "until": "2026-12-09T10:00:00+08:00"},
        {"action": "reship", "by": "ops"},
        {"action": "reship", "by": "ops", "lines": [{"sku": "TEA", "quantity": 1}]},
        {"action": "refund", "by": "ops", "amount": "12.50", "currency": "CNY", "note": "sorry"},
        {"action": "resolve", "by": "ops"},
    ],
)
def test_each_action_with_its_fields_is_accepted(body: dict[str, Any]) -> None:
    assert ActionRequest.model_validate(body).action == body["action"]


@pytest.mark.parametrize(
    "body",
    [
        {"action": "contact_customer", "by": "ops"},  # no message
        {"action": "wait_for_carrier", "by": "ops"},  # no until
        {"action": "wait_for_carrier", "by": "ops", "until": "2026-12-09T10:00:00"},  # no offset
        {"action": "refund", "by": "ops"},  # no amount
        {"action": "refund", "by": "ops", "amount": "-1"},
        {"action": "refund", "by": "ops", "amount": "1.005"},
        {"action": "resolve", "by": "ops", "amount": "1.00"},  # another action's field
        {"action": "contact_customer", "by": "ops", "message": "hi", "lines": [{"sku": "T", "quantity": 1}]},
        {"action": "escalate", "by": "ops"},
        {"action": "resolve"},  # nobody
        {"action": "resolve", "by": "ops", "extra": 1},
    ],
)
def test_a_missing_or_foreign_field_is_refused(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ActionRequest.model_validate(body)


def test_the_view_says_whether_it_is_overdue_and_hides_the_idempotency_keys() -> None:
    record = ExceptionRecord.model_validate(
        {
            "exception_id": "exc_" + "a" * 24,
            "order_id": "ord_" + "a" * 24,
            "shipment_id": "shp_1",
            "reason": ExceptionReason.LOST,
            "assignee": "unassigned",
            "opened_at": "2026-12-07T08:00:00.000Z",
            "due_at": "2026-12-08T08:00:00.000Z",
            "timeline": [
                {"action": "refund", "by": "ops", "at": "x", "idempotency_key": "k", "request_hash": "h"}
            ],
        }
    )
    before, after = datetime(2026, 12, 8, 7, tzinfo=UTC), datetime(2026, 12, 8, 9, tzinfo=UTC)

    assert ExceptionView.of(record, before).overdue is False
    assert ExceptionView.of(record, after).overdue is True
    resolved = record.model_copy(update={"status": ExceptionStatus.RESOLVED})
    assert ExceptionView.of(resolved, after).overdue is False
    assert ExceptionView.of(record, after).timeline == [
        {"action": "refund", "by": "ops", "at": "x", "details": {}}
    ]
