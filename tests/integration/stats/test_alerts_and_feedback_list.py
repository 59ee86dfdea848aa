"""Stored alerts and the survey answers' list against moto: the alert items and their listing,
the overdue-complaint sweep storing its alert as well as publishing it, and `GET /v1/feedback`
reading gsi3 by month of submission."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import boto3
import pytest

from orders.adapters.dynamo_orders import DynamoOrderRepository
from orders.models.api import TimelineEntry
from orders.models.order import OrderStatus
from shared.alert_log import DynamoAlertLog
from shared.clock import isoformat
from tests.factories import order_body
from tests.fakes.orders import FrozenClock
from tests.integration.conftest import table_items
from tests.integration.service.test_customer_service_api import Call, call, env  # noqa: F401

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> FrozenClock:  # noqa: F811
    from service import dependencies as service_wiring
    from storefront_api import dependencies

    frozen = FrozenClock(NOW)
    monkeypatch.setattr(dependencies, "clock", lambda: frozen)
    monkeypatch.setattr(service_wiring, "clock", lambda: frozen)
    dependencies.alert_log.cache_clear()
    dependencies.feedback_list.cache_clear()
    return frozen


def test_alerts_are_listed_newest_first_across_months_page_by_page(dynamodb: Any, orders_table: str) -> None:
    moments = iter([datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)])
    ids = count(1)
    now = {"at": NOW}
    log = DynamoAlertLog(orders_table, dynamodb, lambda: now["at"], lambda: f"alr_{next(ids)}")
    for moment in moments:
        now["at"] = moment
        log.record("low_stock", "Low stock: TEA", {"sku": "TEA", "customer_email": "a@example.com"})
    for hour in (8, 9):
        now["at"] = NOW.replace(hour=hour)
        log.record("complaint_overdue", "complaint overdue", {"complaint_id": f"cmp_{hour}"})

    first, cursor = log.newest(datetime(2026, 11, 1, tzinfo=UTC), 3, None)
    rest, end = log.newest(datetime(2026, 11, 1, tzinfo=UTC), 3, cursor)
    recent, _ = log.newest(datetime(2026, 11, 25, tzinfo=UTC), 10, None)

    assert [a.alert_id for a in first] == ["alr_4", "alr_3", "alr_2"] and cursor
    assert [a.alert_id for a in rest] == ["alr_1"] and end is None
    assert [a.alert_id for a in recent] == ["alr_4", "alr_3", "alr_2"]
    assert first[2].details == {"sku": "TEA"}  # no personal data stored
    items = [i for i in table_items(dynamodb, orders_table) if i["entity"]["S"] == "alert"]
    assert {i["pk"]["S"] for i in items} == {"ALERTS#2026-11", "ALERTS#2026-12"}
    newest = next(i for i in items if i["alert_id"]["S"] == "alr_4")
    assert newest["sk"]["S"] == "2026-12-07T09:00:00.000Z#alr_4"
    assert int(newest["expires_at"]["N"]) == int((NOW.replace(hour=9) + timedelta(days=90)).timestamp())


def test_an_overdue_complaint_is_stored_published_and_listed(
    call: Call,  # noqa: F811
    clock: FrozenClock,
    env: dict[str, str],  # noqa: F811
    dynamodb: Any,
    orders_table: str,
) -> None:
    sqs = boto3.client("sqs")
    inbox = sqs.create_queue(QueueName="ops-inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    boto3.client("sns").subscribe(TopicArn=env["OPERATIONS_ALERTS_TOPIC_ARN"], Protocol="sqs", Endpoint=arn)
    order_id = delivered(call, dynamodb, orders_table, clock, "al-1")
    body = {"order_id": order_id, "category": "damage", "description": "Dented."}
    status, complaint, _ = call("POST", "/v1/complaints", body, {"idempotency-key": "al-c1"})
    assert status == 201

    from service.handlers.flag_overdue_complaints import check_overdue

    clock.moment = NOW + timedelta(days=5)
    assert check_overdue() == {"flagged": 1}

    status, page, _ = call("GET", "/v1/alerts?limit=10")
    assert status == 200 and page["next_cursor"] is None
    [alert] = page["alerts"]
    assert alert["source"] == "complaint_overdue" and alert["at"] == isoformat(clock.moment)
    assert alert["details"]["complaint_id"] == complaint["complaint_id"]
    [message] = sqs.receive_message(QueueUrl=inbox).get("Messages", [])
    assert json.loads(json.loads(message["Body"])["Message"])["complaint_id"] == complaint["complaint_id"]
    later = isoformat(clock.moment + timedelta(minutes=1)).replace("Z", "%2B00:00")
    assert call("GET", f"/v1/alerts?since={later}")[1]["alerts"] == []
    assert call("GET", "/v1/alerts?cursor=garbage")[0] == 400
    assert call("GET", "/v1/alerts?limit=0")[0] == 422


def delivered(call: Call, dynamodb: Any, table: str, clock: FrozenClock, key: str) -> str:  # noqa: F811
    status, body, _ = call("POST", "/v1/orders", order_body(), {"idempotency-key": key})
    assert status == 201, body
    orders = DynamoOrderRepository(table, dynamodb)
    entry = TimelineEntry(
        status=OrderStatus.DELIVERED, at=isoformat(clock.now()), by="system:carrier-tracking"
    )
    assert orders.transition(orders.get(body["order_id"]), entry)
    return str(body["order_id"])


def test_feedback_is_listed_newest_first_by_submission_day_and_rating(
    call: Call,  # noqa: F811
    clock: FrozenClock,
    dynamodb: Any,
    orders_table: str,
) -> None:
    # Given answers rated 5, 1, 2 on Nov 30, Dec 1 and Dec 2 (the second one edited from 4 to 1)
    answered = []
    for n, (day, rating) in enumerate([(30, 5), (1, 4), (2, 2)]):
        clock.moment = datetime(2026, 11 if day == 30 else 12, day, 12, 0, tzinfo=UTC)
        order_id = delivered(call, dynamodb, orders_table, clock, f"fl-{n}")
        status, _, _ = call("POST", f"/v1/orders/{order_id}/feedback", {"rating": rating, "comment": f"n{n}"})
        assert status == 201
        answered.append(order_id)
    clock.moment = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)
    assert call("POST", f"/v1/orders/{answered[1]}/feedback", {"rating": 1})[0] == 200

    status, everything, _ = call("GET", "/v1/feedback?from=2026-11-30&to=2026-12-02")
    assert status == 200
    assert [a["order_id"] for a in everything["answers"]] == answered[::-1]
    assert everything["answers"][1]["rating"] == 1 and everything["answers"][1]["submitted_at"].startswith(
        "2026-12-01"
    )

    # When only ratings up to 2 are asked for, a page of one at a time
    status, first, _ = call("GET", "/v1/feedback?from=2026-11-01&to=2026-12-31&max_rating=2&limit=1")
    status, second, _ = call(
        "GET",
        f"/v1/feedback?from=2026-11-01&to=2026-12-31&max_rating=2&limit=1&cursor={first['next_cursor']}",
    )
    assert [a["order_id"] for a in first["answers"] + second["answers"]] == [answered[2], answered[1]]
    _, third, _ = call(
        "GET",
        f"/v1/feedback?from=2026-11-01&to=2026-12-31&max_rating=2&limit=1&cursor={second['next_cursor']}",
    )
    assert third == {"answers": [], "next_cursor": None}
    assert (
        call("GET", "/v1/feedback?from=2026-12-01&to=2026-12-01")[1]["answers"][0]["order_id"] == answered[1]
    )

    # And bad input is a 422 that names the field
    status, error, _ = call("GET", "/v1/feedback?from=2026-09-01&to=2026-12-31")
    assert status == 422 and error["error"]["details"][0]["field"] == "query.to"
    assert call("GET", "/v1/feedback?from=2026-12-02&to=2026-12-01")[0] == 422
    assert call("GET", "/v1/feedback?from=2026-12-01&to=2026-12-02&max_rating=6")[0] == 422
    items = [i for i in table_items(dynamodb, orders_table) if i["entity"]["S"] == "feedback"]
    assert {i["gsi3pk"]["S"] for i in items} == {"FEEDBACK#2026-11", "FEEDBACK#2026-12"}
