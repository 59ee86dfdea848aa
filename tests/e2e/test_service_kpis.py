"""The service KPIs on the local runtime: a delivered order with a return, a complaint answered in
time and a low rating show up in `GET /v1/stats` (time to ship, return rates per SKU, response
times and the on-time share, cases per category); an overdue complaint's alert is listed by
`GET /v1/alerts`; `GET /v1/feedback` lists the low rating."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.clock import isoformat
from tests.e2e.conftest import Storefront
from tests.e2e.test_customer_service import deliver
from tests.e2e.test_stats import stats, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
OVERDUE_SCHEDULE = "FlagOverdueComplaintsSchedule"


def open_complaint(storefront: Storefront, order_id: str, category: str = "damage") -> dict[str, Any]:
    response = storefront.http.post(
        f"{storefront.url}/v1/complaints",
        json={"order_id": order_id, "category": category, "description": "The tin was dented."},
        headers={"Idempotency-Key": f"kpi-{uuid.uuid4().hex}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_returns_complaints_and_shipping_show_in_todays_figures(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    today = datetime.now(UTC).date().isoformat()
    before = stats(storefront, today, today)
    # Given an order confirmed, shipped and delivered today
    order_id = deliver(stack, storefront, new_customer)
    sku = storefront.order(order_id)["items"][0]["sku"]
    # and a return of it, not as described
    created = storefront.http.post(
        f"{storefront.url}/v1/orders/{order_id}/returns",
        json={"lines": [{"sku": sku, "quantity": 1}], "reason_code": "not_as_described"},
        headers={"Idempotency-Key": f"ret-{order_id}"},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    # and a damage complaint resolved at once (long before its due time)
    complaint = open_complaint(storefront, order_id)
    resolved = storefront.http.post(
        f"{storefront.url}/v1/complaints/{complaint['complaint_id']}/resolve",
        json={"resolution": "Replacement sent", "resolved_by": "ops"},
        timeout=10,
    )
    assert resolved.status_code == 200, resolved.text
    # and a rating of 1
    rated = storefront.http.post(
        f"{storefront.url}/v1/orders/{order_id}/feedback", json={"rating": 1}, timeout=10
    )
    assert rated.status_code == 201, rated.text

    def grew(report: dict[str, Any], *path: str) -> bool:
        def value(source: dict[str, Any]) -> int:
            for name in path:
                source = source.get(name) or {}
            return int(source) if isinstance(source, int) else 0

        return value(report) >= value(before) + 1

    def counted(report: dict[str, Any]) -> bool:
        return all(
            grew(report, *path)
            for path in [
                ("orders", "confirmed_to_shipped", "count"),
                ("return_rates", "requested"),
                ("return_rates", "reasons", "not_as_described"),
                ("return_rates", "by_sku", sku, "requested"),
                ("return_rates", "by_sku", sku, "delivered"),
                ("complaints", "by_category", "damage"),
                ("complaints", "first_response", "count"),
                ("complaints", "resolution", "count"),
                ("complaints", "response_due"),
                ("complaints", "responded_on_time"),
            ]
        )

    # Then today's figures count them (the aggregates trail by the reader's batching window)
    report = wait_for(storefront, today, counted)
    assert report["return_rates"]["return_rate"] is not None
    assert report["return_rates"]["by_sku"][sku]["return_rate"] is not None
    assert report["complaints"]["on_time_response_rate"] is not None
    assert report["orders"]["confirmed_to_shipped"]["median_seconds"] is not None

    # And the low rating is in the answers rated at most 2, every one of them so rated
    listed = storefront.http.get(
        f"{storefront.url}/v1/feedback",
        params={"from": today, "to": today, "max_rating": 2, "limit": 100},
        timeout=10,
    )
    assert listed.status_code == 200, listed.text
    answers = listed.json()["answers"]
    assert order_id in [answer["order_id"] for answer in answers]
    assert all(answer["rating"] <= 2 for answer in answers)
    too_long = storefront.http.get(
        f"{storefront.url}/v1/feedback", params={"from": "2026-01-01", "to": "2026-12-31"}, timeout=10
    )
    assert too_long.status_code == 422 and too_long.json()["error"]["details"][0]["field"] == "query.to"


def test_an_overdue_complaint_alert_is_listed(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    started = datetime.now(UTC) - timedelta(seconds=1)
    order_id = deliver(stack, storefront, new_customer)
    complaint = open_complaint(storefront, order_id, "missing_item")
    complaint_id = complaint["complaint_id"]
    # Given the complaint's due time already passed (set back in the table: its real due time is
    # hours away)
    past = isoformat(datetime.now(UTC) - timedelta(hours=1))
    stack.client("dynamodb").update_item(
        TableName=stack.physical("OrdersTable"),
        Key={"pk": {"S": f"COMPLAINT#{complaint_id}"}, "sk": {"S": "COMPLAINT"}},
        UpdateExpression="SET due_at = :due, gsi2sk = :sk",  # the case queue's key: priority#due#id
        ExpressionAttributeValues={
            ":due": {"S": past},
            ":sk": {"S": f"{complaint['priority']}#{past}#{complaint_id}"},
        },
    )
    # When the overdue sweep runs
    swept = stack.trigger_schedule(OVERDUE_SCHEDULE)
    assert swept.ok and swept.payload["flagged"] >= 1, swept
    # Then its alert is listed, newest first, with the complaint's id and no personal data
    listed = storefront.http.get(
        f"{storefront.url}/v1/alerts", params={"since": isoformat(started), "limit": 100}, timeout=10
    )
    assert listed.status_code == 200, listed.text
    alerts = [a for a in listed.json()["alerts"] if a["details"].get("complaint_id") == complaint_id]
    assert len(alerts) == 1 and alerts[0]["source"] == "complaint_overdue"
    assert set(alerts[0]["details"]) == {"complaint_id", "order_id", "category", "priority", "due_at"}
    times = [a["at"] for a in listed.json()["alerts"]]
    assert times == sorted(times, reverse=True)
