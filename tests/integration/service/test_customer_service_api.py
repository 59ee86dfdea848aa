"""Feedback, complaints and returns through the storefront API function and the survey page
function, against moto (table, notification queue, link key, operations topic)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest

from carriers.adapters.dynamo_tracking import DynamoTrackingStore
from carriers.domain.apply_tracking import apply_tracking_update
from carriers.models.tracking import Checkpoint, TrackingUpdate
from orders.adapters.dynamo_orders import DynamoOrderRepository
from orders.models.api import TimelineEntry
from orders.models.order import OrderStatus
from service.domain.links import feedback_token
from shared.clock import isoformat
from tests.factories import FakeLambdaContext, http_event, order_body
from tests.integration.conftest import table_items

LINK_KEY = "integration-link-key"
Call = Callable[..., tuple[int, Any, dict[str, str]]]


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, orders_table: str, api_key_secret: str) -> dict[str, str]:
    sqs = boto3.client("sqs")
    queue = sqs.create_queue(QueueName="notifications")["QueueUrl"]
    secret = boto3.client("secretsmanager").create_secret(
        Name="link-key", SecretString=json.dumps({"key": LINK_KEY})
    )["ARN"]
    topic = boto3.client("sns").create_topic(Name="ops")["TopicArn"]
    values = {
        "ORDERS_TABLE_NAME": orders_table,
        "API_KEY_SECRET_ARN": api_key_secret,
        "NOTIFICATION_QUEUE_URL": queue,
        "LINK_SIGNING_SECRET_ARN": secret,
        "OPERATIONS_ALERTS_TOPIC_ARN": topic,
        "CUSTOMER_SERVICE_RULES": "{}",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    from service import dependencies as page_dependencies
    from service.handlers import flag_overdue_complaints
    from shared import link_keys
    from storefront_api import dependencies

    for cached in (
        dependencies.settings,
        dependencies.order_repository,
        dependencies.stock_levels,
        dependencies._secrets_provider,
        dependencies.service_store,
        dependencies.return_desk,
        dependencies.customer_events,
        dependencies.service_rules,
        page_dependencies.page_settings,
        page_dependencies.page_rules,
        page_dependencies.page_orders,
        page_dependencies.page_store,
        page_dependencies.page_time_zones,
        link_keys._secrets_provider,
        flag_overdue_complaints.dependencies,
    ):
        cached.cache_clear()
    return values


@pytest.fixture
def call(env: dict[str, str]) -> Iterator[Call]:
    from storefront_api.handler import handler

    def invoke(method: str, path: str, body: Any = None, headers: dict[str, str] | None = None):
        response = handler(http_event(method, path, body, headers), FakeLambdaContext())
        content_type = response.get("headers", {}).get("Content-Type", "")
        payload = json.loads(response["body"]) if "json" in content_type else response["body"]
        return response["statusCode"], payload, response.get("headers", {})

    yield invoke


def page(method: str, token: str, form: dict[str, Any] | None = None, content_type: str | None = None):
    from service.handlers.feedback_page import handler

    body = urlencode(form or {}, doseq=True) if form is not None else None
    event = http_event(
        method,
        f"/feedback/{token}",
        body,
        {"content-type": content_type or "application/x-www-form-urlencoded"},
    )
    event["headers"].pop("x-api-key")
    event["pathParameters"] = {"token": token}
    response = handler(event, FakeLambdaContext())
    return response["statusCode"], response["body"], response["headers"]


def delivered_order(
    call: Call, dynamodb: Any, table: str, key: str, delivered_at: datetime | None = None
) -> str:
    status, body, _ = call("POST", "/v1/orders", order_body(), {"idempotency-key": key})
    assert status == 201, body
    order_id = body["order_id"]
    orders = DynamoOrderRepository(table, dynamodb)
    order = orders.get(order_id)
    at = isoformat(delivered_at or datetime.now(UTC) - timedelta(hours=1))
    assert orders.transition(
        order, TimelineEntry(status=OrderStatus.DELIVERED, at=at, by="system:carrier-tracking")
    )
    return order_id


def queued(queue_url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    messages = []
    while True:
        batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            return messages
        messages += [json.loads(m["Body"]) for m in batch]


def token_for(order_id: str, days: int = 30) -> str:
    return feedback_token(LINK_KEY, order_id, int((datetime.now(UTC) + timedelta(days=days)).timestamp()))


def test_the_survey_page_stores_feedback_once_and_a_low_rating_opens_a_complaint(
    call: Call, dynamodb: Any, orders_table: str, env: dict[str, str]
) -> None:
    order_id = delivered_order(call, dynamodb, orders_table, "fb-1")
    token = token_for(order_id)

    status, html, headers = page("GET", token)
    assert status == 200 and 'lang="zh-CN"' in html and 'name="rating"' in html
    assert headers["Referrer-Policy"] == "no-referrer" and "text/html" in headers["Content-Type"]

    # bad input: 400 page, nothing written
    before = len(table_items(dynamodb, orders_table))
    status, html, _ = page("POST", token, {"rating": "9", "comment": "<b>x</b>"})
    assert status == 400 and "&lt;b&gt;x&lt;/b&gt;" in html
    assert len(table_items(dynamodb, orders_table)) == before
    assert page("POST", token, {"rating": "5"}, content_type="application/json")[0] == 415

    form = {"rating": "1", "nps": "2", "comment": "<script>x</script> late again", "categories": ["late"]}
    status, html, _ = page("POST", token, form)
    assert status == 200 and "<script>x</script>" not in html
    status, _, _ = page("POST", token, {**form, "rating": "2"})  # a change within 7 days
    assert status == 200

    items = [i for i in table_items(dynamodb, orders_table) if i["entity"]["S"] in {"feedback", "complaint"}]
    feedback = next(i for i in items if i["entity"]["S"] == "feedback")
    complaints = [i for i in items if i["entity"]["S"] == "complaint"]
    assert feedback["pk"]["S"] == f"FEEDBACK#{order_id}" and feedback["rating"]["N"] == "2"
    assert feedback["source"]["S"] == "customer_link"
    assert len(complaints) == 1 and complaints[0]["category"]["S"] == "delivery_delay"

    # tampered: a 404 page that does not name the order
    status, html, _ = page("GET", token[:-2] + "zz")
    assert status == 404 and order_id not in html

    status, queue_page, _ = call("GET", "/v1/complaints?status=open")
    assert status == 200 and [c["order_id"] for c in queue_page["complaints"]] == [order_id]


def test_storefront_feedback_needs_a_delivered_order_and_valid_fields(
    call: Call, dynamodb: Any, orders_table: str
) -> None:
    status, body, _ = call("POST", "/v1/orders", order_body(), {"idempotency-key": "fb-2"})
    received = body["order_id"]
    status, body, _ = call("POST", f"/v1/orders/{received}/feedback", {"rating": 5})
    assert status == 409 and body["error"]["details"]["current_status"] == "received"
    order_id = delivered_order(call, dynamodb, orders_table, "fb-3")
    for bad in ({"rating": 6}, {"rating": 0}, {"rating": 5, "comment": "x" * 2001}, {"rating": 5, "nps": 11}):
        status, body, _ = call("POST", f"/v1/orders/{order_id}/feedback", bad)
        assert status == 422, body
    status, body, _ = call("POST", f"/v1/orders/{order_id}/feedback", {"rating": 5, "nps": 10})
    assert status == 201 and body["source"] == "storefront"
    status, body, _ = call("POST", f"/v1/orders/{order_id}/feedback", {"rating": 4})
    assert status == 200 and body["rating"] == 4


def test_complaints_queue_resolve_once_and_overdue_alert(
    call: Call, dynamodb: Any, orders_table: str, env: dict[str, str]
) -> None:
    order_id = delivered_order(call, dynamodb, orders_table, "c-1")
    body = {"order_id": order_id, "category": "damage", "description": "The tin was dented."}
    status, first, headers = call("POST", "/v1/complaints", body, {"idempotency-key": "cmp-1"})
    assert status == 201 and first["priority"] == "p2" and headers["Idempotent-Replayed"] == "false"
    status, again, headers = call("POST", "/v1/complaints", body, {"idempotency-key": "cmp-1"})
    assert again["complaint_id"] == first["complaint_id"] and headers["Idempotent-Replayed"] == "true"
    status, reused, _ = call(
        "POST", "/v1/complaints", {**body, "category": "other"}, {"idempotency-key": "cmp-1"}
    )
    assert status == 422 and reused["error"]["code"] == "idempotency_key_reused"
    assert call("POST", "/v1/complaints", body)[0] == 422  # no Idempotency-Key

    # a repeat complaint by the same customer, sent with the customer's link token, is p1
    status, second, _ = call(
        "POST",
        "/v1/complaints",
        {"token": token_for(order_id), "category": "damage", "description": "Again."},
        {"idempotency-key": "cmp-2"},
    )
    assert status == 201 and second["priority"] == "p1" and second["source"] == "customer_link"
    assert "repeat_complainant" in second["priority_reasons"]
    status, refused, _ = call(
        "POST",
        "/v1/complaints",
        {"token": "ord_x.zz.bad", "category": "other", "description": "?"},
        {"idempotency-key": "cmp-3"},
    )
    assert status == 404 and refused["error"]["code"] == "link_not_found"

    status, p1, _ = call("GET", "/v1/complaints?status=open&priority=p1")
    assert [c["complaint_id"] for c in p1["complaints"]] == [second["complaint_id"]]
    status, page1, _ = call("GET", "/v1/complaints?limit=1")
    assert page1["complaints"][0]["priority"] == "p1" and page1["next_cursor"]
    status, page2, _ = call("GET", f"/v1/complaints?limit=1&cursor={page1['next_cursor']}")
    assert page2["complaints"][0]["complaint_id"] == first["complaint_id"]
    assert call("GET", "/v1/complaints?cursor=garbage")[0] == 400

    resolve = {"resolution": "Replacement sent.", "resolved_by": "ops-lin"}
    status, resolved, _ = call("POST", f"/v1/complaints/{first['complaint_id']}/resolve", resolve)
    assert status == 200 and resolved["status"] == "resolved"
    status, conflict, _ = call(
        "POST", f"/v1/complaints/{first['complaint_id']}/resolve", {**resolve, "resolution": "other"}
    )
    assert status == 409 and conflict["error"]["details"]["current_status"] == "resolved"
    [event] = [e for e in queued(env["NOTIFICATION_QUEUE_URL"]) if e["event_type"] == "complaint.resolved"]
    assert event["event_id"] == f"{first['complaint_id']}:resolved"
    assert event["details"]["resolution"] == "Replacement sent."

    # the sweep alerts once for the open (overdue) complaint, not for the resolved one
    from service.handlers.flag_overdue_complaints import check_overdue
    from tests.fakes.orders import FrozenClock

    later = FrozenClock(datetime.now(UTC) + timedelta(days=5))
    assert check_overdue(later) == {"flagged": 1}
    assert check_overdue(later) == {"flagged": 0}
    status, flagged, _ = call("GET", f"/v1/complaints/{second['complaint_id']}")
    assert flagged["overdue"] is True


def test_a_return_through_every_status_with_a_tracked_return_parcel(
    call: Call, dynamodb: Any, orders_table: str, env: dict[str, str]
) -> None:
    order_id = delivered_order(call, dynamodb, orders_table, "r-1")
    sku = order_body()["items"][0]["sku"]
    bought = order_body()["items"][0]["quantity"]
    base = f"/v1/orders/{order_id}/returns"

    status, too_many, _ = call(
        "POST",
        base,
        {"lines": [{"sku": sku, "quantity": bought + 1}], "reason_code": "other", "reason": "x"},
        {"idempotency-key": "x"},
    )
    assert status == 409 and too_many["error"]["code"] == "return_quantity_exceeded"
    status, created, _ = call(
        "POST",
        base,
        {"lines": [{"sku": sku, "quantity": 1}], "reason_code": "not_as_described", "reason": "Too bitter"},
        {"idempotency-key": "r"},
    )
    assert status == 201 and created["status"] == "requested"
    return_id = created["return_id"]
    status, retried, headers = call(
        "POST",
        base,
        {"lines": [{"sku": sku, "quantity": 1}], "reason_code": "not_as_described", "reason": "Too bitter"},
        {"idempotency-key": "r"},
    )
    assert retried["return_id"] == return_id and headers["Idempotent-Replayed"] == "true"

    assert call("POST", f"{base}/{return_id}/refund", {})[0] == 409
    assert call("POST", f"{base}/{return_id}/approve", {"by": "ops-lin"})[0] == 200
    status, shipped, _ = call(
        "POST", f"{base}/{return_id}/shipment", {"carrier": "sf-express", "tracking_number": "SF9990001112"}
    )
    assert status == 200 and shipped["tracking_number"] == "SF9990001112"

    # the carrier reports the return parcel delivered (back at the warehouse): the order stays delivered
    store = DynamoTrackingStore(orders_table, dynamodb)
    update = TrackingUpdate(
        provider="generic",
        tracking_number="SF9990001112",
        checkpoints=[
            Checkpoint(status="in_transit", occurred_at=datetime.now(UTC), raw_code="t", provider="generic"),
            Checkpoint(
                status="delivered",
                occurred_at=datetime.now(UTC) + timedelta(minutes=1),
                raw_code="d",
                provider="generic",
            ),
        ],
    )
    apply_tracking_update(update, store, isoformat(datetime.now(UTC)))
    order = DynamoOrderRepository(orders_table, dynamodb).get(order_id)
    assert order.status == OrderStatus.DELIVERED
    parcel = next(s for s in store.shipments(order_id) if s.tracking_number == "SF9990001112")
    assert parcel.status == "delivered"

    assert call("PUT", f"/v1/inventory/{sku}", {"on_hand": 0})[0] == 200  # the returned SKU's stock
    assert call("POST", f"{base}/{return_id}/receive", {})[0] == 200
    status, refunded, _ = call("POST", f"{base}/{return_id}/refund", {"note": "Refunded to card"})
    assert status == 200 and [h["status"] for h in refunded["history"]] == [
        "requested",
        "approved",
        "received",
        "refunded",
    ]
    events = [e for e in queued(env["NOTIFICATION_QUEUE_URL"]) if e["event_type"].startswith("return.")]
    assert {e["event_type"] for e in events} == {
        "return.requested",
        "return.approved",
        "return.received",
        "return.refunded",
    }
    status, listed, _ = call("GET", base)
    assert [r["return_id"] for r in listed["returns"]] == [return_id]
    item = next(i for i in table_items(dynamodb, orders_table) if i["sk"]["S"] == f"RETURN#{return_id}")
    assert item["entity"]["S"] == "return" and item["pk"]["S"] == f"ORDER#{order_id}"


def test_returns_close_after_the_window(call: Call, dynamodb: Any, orders_table: str) -> None:
    order_id = delivered_order(call, dynamodb, orders_table, "r-2", datetime.now(UTC) - timedelta(days=31))
    sku = order_body()["items"][0]["sku"]
    status, body, _ = call(
        "POST",
        f"/v1/orders/{order_id}/returns",
        {"lines": [{"sku": sku, "quantity": 1}], "reason_code": "changed_mind"},
        {"idempotency-key": "late"},
    )
    assert status == 409 and body["error"]["code"] == "return_not_allowed"
    assert not [i for i in table_items(dynamodb, orders_table) if i["sk"]["S"].startswith("RETURN")]


@pytest.mark.parametrize("operation", ["TransactWriteItems", "GetItem"])
def test_a_throttled_survey_page_is_a_503_page_in_the_customers_language_that_saves_nothing(
    call: Call, monkeypatch: pytest.MonkeyPatch, dynamodb: Any, orders_table: str, operation: str
) -> None:
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    order_id = delivered_order(call, dynamodb, orders_table, f"fb-busy-{operation}")
    token = token_for(order_id)
    real = BaseClient._make_api_call

    def throttled(self: Any, name: str, params: dict[str, Any]) -> Any:
        if name == "GetItem" == operation:
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, name)
        if name == operation == "TransactWriteItems":
            reasons = [{"Code": "ThrottlingError"}, {"Code": "None"}]
            raise ClientError(
                {"Error": {"Code": "TransactionCanceledException"}, "CancellationReasons": reasons}, name
            )
        return real(self, name, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", throttled)
    form = {"rating": "2", "comment": "slow", "categories": ["late"]}
    status, html, headers = page("POST", token, form)
    assert status == 503 and headers["Retry-After"] == "1"
    assert "text/html" in headers["Content-Type"] and "Traceback" not in html
    if operation == "TransactWriteItems":  # the order was read: the page speaks its language
        assert 'lang="zh-CN"' in html and "系统繁忙" in html
    monkeypatch.setattr(BaseClient, "_make_api_call", real)
    assert not [
        i for i in table_items(dynamodb, orders_table) if i["entity"]["S"] in {"feedback", "complaint"}
    ]
    assert page("POST", token, form)[0] == 200  # the same form, sent again, is saved


def test_a_bug_behind_the_survey_page_still_fails_the_invocation(
    call: Call, monkeypatch: pytest.MonkeyPatch, dynamodb: Any, orders_table: str
) -> None:
    from service.handlers import feedback_page

    def broken() -> Any:
        raise KeyError("bug")

    order_id = delivered_order(call, dynamodb, orders_table, "fb-bug")
    monkeypatch.setattr(feedback_page, "page_orders", broken)
    with pytest.raises(KeyError):
        page("GET", token_for(order_id))
