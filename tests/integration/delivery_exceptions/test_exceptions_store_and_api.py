"""Delivery exceptions against moto: the store's conditional writes and index queries, and the
routes through the storefront API function (queue, read, assign, actions)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from delivery_exceptions.adapters.dynamo_exceptions import DynamoExceptionStore
from delivery_exceptions.domain.opening import exception_for, raised_event
from delivery_exceptions.domain.overdue import flag_overdue_exceptions
from delivery_exceptions.domain.ports import ExceptionQuery
from delivery_exceptions.domain.rules import ExceptionRules
from delivery_exceptions.models.records import ExceptionRecord, ExceptionStatus
from shared.clock import isoformat
from tests.factories import FakeLambdaContext, http_event, order_body
from tests.fakes.orders import FrozenClock
from tests.integration.conftest import table_items

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
Call = Callable[..., tuple[int, Any]]


def opened(order_id: str, reason: str, minutes_ago: int, shipment_id: str = "shp_1") -> ExceptionRecord:
    image = {
        "entity": "shipment",
        "order_id": order_id,
        "shipment_id": shipment_id,
        "tracking_number": "SF1234567890123",
        "carrier": "sf-express",
        "status": "delivery_exception",
        "status_reason": reason,
        "tracking_version": 3,
    }
    event = raised_event(None, image, isoformat(NOW - timedelta(minutes=minutes_ago)))
    assert event is not None
    return exception_for(event, ExceptionRules())


@pytest.fixture
def store(dynamodb: Any, orders_table: str) -> DynamoExceptionStore:
    return DynamoExceptionStore(orders_table, dynamodb)


def test_opening_is_conditional_and_the_item_keeps_no_pii_in_its_keys(
    store: DynamoExceptionStore, dynamodb: Any, orders_table: str
) -> None:
    exception = opened("ord_" + "a" * 24, "address_issue", 10)

    assert store.open_all([exception, exception]) == {}
    assert store.open_all([exception]) == {}

    [item] = [i for i in table_items(dynamodb, orders_table) if i["pk"]["S"].startswith("EXCEPTION#")]
    assert item["sk"]["S"] == "EXCEPTION" and item["entity"]["S"] == "delivery_exception"
    assert item["gsi3pk"]["S"] == "EXCEPTIONS#active"
    assert item["gsi3sk"]["S"] == f"{exception.due_at}#{exception.exception_id}"
    assert item["gsi2pk"]["S"] == "EXCEPTION_DUE"
    assert store.exception(exception.exception_id) == exception


def test_the_queue_is_one_index_query_by_due_time_with_filters_and_cursors(
    store: DynamoExceptionStore,
) -> None:
    address = opened("ord_" + "a" * 24, "address_issue", 300)  # due 4 h after: overdue by 1 h
    lost = opened("ord_" + "b" * 24, "lost", 60)  # due in 23 h
    late = opened("ord_" + "c" * 24, "late", 30)  # due in 23.5 h
    store.open_all([lost, late, address])
    taken = {"assignee": "ops-wang", "status": ExceptionStatus.IN_PROGRESS, "version": 2}
    assert store.save(lost.model_copy(update=taken), 1)
    now = isoformat(NOW)

    everything, cursor = store.queue(ExceptionQuery(now=now))
    assert [e.exception_id for e in everything] == [
        address.exception_id,
        lost.exception_id,
        late.exception_id,
    ]
    assert cursor is None
    overdue, _ = store.queue(ExceptionQuery(now=now, overdue=True))
    assert [e.exception_id for e in overdue] == [address.exception_id]
    mine, _ = store.queue(ExceptionQuery(now=now, assignee="ops-wang"))
    assert [e.exception_id for e in mine] == [lost.exception_id]
    by_reason, _ = store.queue(ExceptionQuery(now=now, reason="late", status="open"))
    assert [e.exception_id for e in by_reason] == [late.exception_id]

    pages, cursor = [], None
    while True:
        page, cursor = store.queue(ExceptionQuery(now=now, status="open", limit=1, cursor=cursor))
        pages += [e.exception_id for e in page]
        if cursor is None:
            break
    assert pages == [address.exception_id, late.exception_id]  # `lost` is in progress


def test_resolved_exceptions_leave_the_active_queue_and_the_due_sweep(store: DynamoExceptionStore) -> None:
    exception = opened("ord_" + "a" * 24, "address_issue", 300)
    store.open_all([exception])
    resolved = exception.model_copy(update={"status": ExceptionStatus.RESOLVED, "version": 2})

    assert store.save(resolved, 1)
    assert not store.save(resolved.model_copy(update={"version": 3}), 1)  # a stale version

    assert store.queue(ExceptionQuery(now=isoformat(NOW)))[0] == []
    assert [
        e.exception_id for e in store.queue(ExceptionQuery(status="resolved", now=isoformat(NOW)))[0]
    ] == [exception.exception_id]
    assert store.due(isoformat(NOW), 10) == []


def test_the_overdue_sweep_reads_the_due_index_and_alerts_once(store: DynamoExceptionStore) -> None:
    overdue = opened("ord_" + "a" * 24, "address_issue", 300)
    not_yet = opened("ord_" + "b" * 24, "lost", 60)
    store.open_all([overdue, not_yet])
    sent: list[dict[str, object]] = []

    class Alerts:
        def alert(self, subject: str, details: dict[str, object]) -> None:
            sent.append(details)

    assert [e.exception_id for e in store.due(isoformat(NOW), 10)] == [overdue.exception_id]
    assert flag_overdue_exceptions(store, Alerts(), FrozenClock(NOW)) == 1
    assert flag_overdue_exceptions(store, Alerts(), FrozenClock(NOW)) == 0
    assert [d["exception_id"] for d in sent] == [overdue.exception_id]
    assert store.due(isoformat(NOW), 10) == []


# -- through the storefront API function -----------------------------------------------------------


@pytest.fixture
def call(monkeypatch: pytest.MonkeyPatch, orders_table: str, api_key_secret: str) -> Iterator[Call]:
    queue = boto3.client("sqs").create_queue(QueueName="notifications")["QueueUrl"]
    for name, value in {
        "ORDERS_TABLE_NAME": orders_table,
        "API_KEY_SECRET_ARN": api_key_secret,
        "NOTIFICATION_QUEUE_URL": queue,
    }.items():
        monkeypatch.setenv(name, value)
    from storefront_api import dependencies

    for cached in (
        dependencies.settings,
        dependencies.order_repository,
        dependencies._secrets_provider,
        dependencies.customer_events,
        dependencies.exception_store,
    ):
        cached.cache_clear()
    monkeypatch.setattr(dependencies, "clock", lambda: FrozenClock(NOW))
    from storefront_api.handler import handler

    def invoke(method: str, path: str, body: Any = None, headers: dict[str, str] | None = None):
        response = handler(http_event(method, path, body, headers), FakeLambdaContext())
        return response["statusCode"], json.loads(response["body"])

    invoke.queue = queue  # type: ignore[attr-defined]
    yield invoke
    for cached in (dependencies.settings, dependencies.exception_store, dependencies.customer_events):
        cached.cache_clear()


def queued(queue_url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    messages = []
    while batch := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        messages += [json.loads(m["Body"]) for m in batch]
    return messages


def test_the_queue_and_its_actions_over_the_api(call: Call, dynamodb: Any, orders_table: str) -> None:
    status, order = call("POST", "/v1/orders", order_body(), {"idempotency-key": "exc-1"})
    assert status == 201, order
    exception = opened(order["order_id"], "address_issue", 300)
    DynamoExceptionStore(orders_table, dynamodb).open_all([exception])
    path = f"/v1/exceptions/{exception.exception_id}"

    status, page = call("GET", "/v1/exceptions?overdue=true&reason=address_problem")
    assert status == 200 and [e["exception_id"] for e in page["exceptions"]] == [exception.exception_id]
    assert page["exceptions"][0]["overdue"] is True and page["exceptions"][0]["due_at"] == exception.due_at

    status, assigned = call("POST", f"{path}/assign", {"assignee": "ops-wang", "by": "ops-lin"})
    assert status == 200 and assigned["status"] == "in_progress" and assigned["assignee"] == "ops-wang"

    contact = {"action": "contact_customer", "by": "ops-wang", "message": "Please confirm your address."}
    status, first = call("POST", f"{path}/actions", contact, {"idempotency-key": "c-1"})
    status_again, again = call("POST", f"{path}/actions", contact, {"idempotency-key": "c-1"})
    assert status == status_again == 200 and first == again
    events = [e for e in queued(call.queue) if e["event_type"] == "exception.customer_contacted"]  # type: ignore[attr-defined]
    assert len({e["event_id"] for e in events}) == 1 and events[0]["details"]["note"] == contact["message"]

    status, reused = call("POST", f"{path}/actions", {**contact, "message": "x"}, {"idempotency-key": "c-1"})
    assert status == 422 and reused["error"]["code"] == "idempotency_key_reused"

    too_much = {"action": "refund", "by": "ops-wang", "amount": "99999.00"}
    status, refused = call("POST", f"{path}/actions", too_much, {"idempotency-key": "r-1"})
    assert status == 422 and refused["error"]["code"] == "refund_not_allowed"
    status, wrong = call(
        "POST", f"{path}/actions", {"action": "refund", "by": "x"}, {"idempotency-key": "r-2"}
    )
    assert status == 422 and wrong["error"]["code"] == "validation_failed"

    status, resolved = call(
        "POST", f"{path}/actions", {"action": "resolve", "by": "ops-wang"}, {"idempotency-key": "d"}
    )
    assert status == 200 and resolved["status"] == "resolved" and resolved["overdue"] is False
    assert [e["action"] for e in resolved["timeline"]] == [
        "opened",
        "assigned",
        "contact_customer",
        "resolve",
    ]
    status, closed = call("POST", f"{path}/assign", {"assignee": "ops-lin", "by": "ops-lin"})
    assert status == 409 and closed["error"]["code"] == "illegal_transition"

    status, missing = call("GET", "/v1/exceptions/exc_" + "a" * 24)
    assert status == 404 and missing["error"]["code"] == "not_found"
    status, no_key = call("POST", f"{path}/actions", contact)
    assert status == 422 and no_key["error"]["code"] == "validation_failed"


def test_the_overdue_schedule_alerts_operations_about_exceptions_too(
    monkeypatch: pytest.MonkeyPatch, store: DynamoExceptionStore, orders_table: str
) -> None:
    topic = boto3.client("sns").create_topic(Name="ops")["TopicArn"]
    monkeypatch.setenv("ORDERS_TABLE_NAME", orders_table)
    monkeypatch.setenv("OPERATIONS_ALERTS_TOPIC_ARN", topic)
    from delivery_exceptions.handlers import flag_overdue_exceptions

    flag_overdue_exceptions.dependencies.cache_clear()
    store.open_all([opened("ord_" + "a" * 24, "address_issue", 300)])

    assert flag_overdue_exceptions.check_overdue_exceptions(FrozenClock(NOW)) == {"exceptions_flagged": 1}
    assert flag_overdue_exceptions.check_overdue_exceptions(FrozenClock(NOW)) == {"exceptions_flagged": 0}
    flag_overdue_exceptions.dependencies.cache_clear()
    # the alert is stored too (GET /v1/alerts), once
    from shared.alert_log import DynamoAlertLog

    log = DynamoAlertLog(orders_table, boto3.client("dynamodb"), lambda: NOW)
    stored, _ = log.newest(NOW - timedelta(days=1), 10, None)
    assert [a.source for a in stored] == ["exception_overdue"]
