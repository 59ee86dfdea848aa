"""The console's case desk as `console.dependencies` wires it, against moto: the service store's
queue through the case indexes (never a Scan), the moves in the table with the operator's name, and
the customer's messages on the notification queue (the reply and the resolution with its signed
"was this resolved?" token; never the internal note)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest

from service.adapters.dynamo_service import DynamoServiceStore
from service.domain.complaints import open_complaint
from service.domain.ports import ComplaintQuery
from service.domain.rules import ServiceRules
from service.models.records import ComplaintCategory
from shared.links import CASE, verify
from tests.fakes.orders import FrozenClock
from tests.unit.service.fakes import DELIVERED_AT, delivered_order

NOW = DELIVERED_AT + timedelta(hours=2)
LINK_KEY = "case-link-key-" + "x" * 20
NOTE = "INTERNAL: customer is a reseller"


@pytest.fixture
def wired(monkeypatch: pytest.MonkeyPatch, orders_table: str) -> Iterator[dict[str, str]]:
    sqs = boto3.client("sqs")
    queue = sqs.create_queue(QueueName="notifications")["QueueUrl"]
    secret = boto3.client("secretsmanager").create_secret(
        Name="link-signing", SecretString=json.dumps({"key": LINK_KEY})
    )["ARN"]
    for name, value in {
        "ORDERS_TABLE_NAME": orders_table,
        "LINK_SIGNING_SECRET_ARN": secret,
        "CONSOLE_USER_POOL_ID": "eu-west-1_pool",
        "CONSOLE_CLIENT_ID": "client",
        "NOTIFICATION_QUEUE_URL": queue,
        "CUSTOMER_SERVICE_RULES": json.dumps({"case_answer_days": 10}),
    }.items():
        monkeypatch.setenv(name, value)
    from console import dependencies

    dependencies.reset()
    yield {"queue": queue}
    dependencies.reset()


def messages(queue: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    found = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
    return [json.loads(message["Body"]) for message in found]


def test_the_wired_desk_lists_works_a_case_and_tells_the_customer(
    dynamodb: Any, orders_table: str, wired: dict[str, str]
) -> None:
    from console.dependencies import case_desk

    # Given a complaint opened on the storefront
    store = DynamoServiceStore(orders_table, dynamodb)
    case_id = open_complaint(
        order=delivered_order(),
        category=ComplaintCategory.DAMAGE,
        description="Dented tin.",
        source="storefront",
        idempotency_key="k-1",
        request_hash="h",
        store=store,
        rules=ServiceRules(),
        clock=FrozenClock(DELIVERED_AT),
    ).complaint.complaint_id
    calls: list[str] = []
    dynamodb.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))
    desk = case_desk(FrozenClock(NOW))

    # When the console lists the queue and an agent works the case
    queue, _ = desk.queue(ComplaintQuery(limit=25))
    assert [case.complaint_id for case in queue] == [case_id]
    desk.assign(case_id, "agent@local", "agent@local")
    desk.note(case_id, NOTE, "agent@local", "console:n1")
    desk.reply(case_id, "A new tin is on its way.", "agent@local", "console:n2")
    desk.reply(case_id, "A new tin is on its way.", "agent@local", "console:n2")  # a double submit
    (case, timeline) = desk.resolve(case_id, "Replacement sent.", "agent@local")

    # Then the case is resolved with every move by the operator, read and written by key and index
    assert "Scan" not in calls and "Query" in calls and "TransactWriteItems" in calls
    assert case.status == "resolved" and case.resolved_by == "agent@local"
    assert [(e.type, e.by) for e in timeline] == [
        ("opened", "storefront"),
        ("assigned", "agent@local"),
        ("note", "agent@local"),
        ("reply", "agent@local"),
        ("resolved", "agent@local"),
    ]
    # and the notification queue holds the reply (its retry under the same id) and the resolution
    sent = messages(wired["queue"])
    assert sorted(m["event_type"] for m in sent) == [
        "complaint.replied",
        "complaint.replied",
        "complaint.resolved",
    ]
    assert len({m["event_id"] for m in sent if m["event_type"] == "complaint.replied"}) == 1
    assert not any(NOTE in json.dumps(m) for m in sent)
    resolved = next(m for m in sent if m["event_type"] == "complaint.resolved")
    token = verify((LINK_KEY,), resolved["details"]["case_token"], CASE)
    assert token is not None and token.order_id == case_id
    assert token.expires_at == int((NOW + timedelta(days=10)).timestamp())
