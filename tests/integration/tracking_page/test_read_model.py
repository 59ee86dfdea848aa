"""The tracking page's read model and handler against moto: what the carrier worker wrote is what
the page reads, with one query of the order and one per shipment, and nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from carriers.adapters.dynamo_tracking import DynamoTrackingStore
from carriers.adapters.shipment_records import register_shipment
from carriers.domain.apply_tracking import apply_tracking_update
from carriers.models.tracking import TrackingUpdate
from orders.adapters.dynamo_orders import order_item
from shared import links
from tests.factories import FakeLambdaContext, http_event
from tests.unit.tracking_page.fakes import ORDER_ID, SF_CHECKPOINTS, an_order, checkpoint
from tracking_page.dynamo_read_model import DynamoTrackingReadModel

KEY = "integration-link-key-" + "k" * 20
NOW = "2025-07-02T00:00:00.000Z"


class CountingClient:
    """The DynamoDB client, recording the name of every call."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return method(*args, **kwargs)

        return call


@pytest.fixture
def shipped_order(dynamodb: Any, orders_table: str) -> Callable[[], None]:
    """An order with two shipments: SF Express in transit, UPS with a failed delivery attempt."""

    def make() -> None:
        dynamodb.put_item(TableName=orders_table, Item=order_item(an_order(status="delivery_exception")))
        store = DynamoTrackingStore(orders_table, dynamodb)
        for number, (carrier, tracking_number) in enumerate(
            (("sf-express", "SF1000000001"), ("ups", "1Z999AA10000000031")), 1
        ):
            register_shipment(
                dynamodb,
                orders_table,
                order_id=ORDER_ID,
                shipment_id=f"shp_{number}",
                carrier=carrier,
                tracking_number=tracking_number,
                lines=[{"sku": "TEA-OOLONG-250G" if number == 1 else "CUP-PORCELAIN", "quantity": 1}],
                created_at="2025-07-01T00:30:00.000Z",
            )
        apply_tracking_update(
            TrackingUpdate(
                provider="generic",
                tracking_number="SF1000000001",
                checkpoints=SF_CHECKPOINTS,
                estimated_delivery="2025-07-03",
            ),
            store,
            NOW,
        )
        apply_tracking_update(
            TrackingUpdate(
                provider="generic",
                tracking_number="1Z999AA10000000031",
                checkpoints=[
                    checkpoint("2025-07-01T10:00:00+08:00", "in_transit", "Departed facility", "Shenzhen"),
                    checkpoint(
                        "2025-07-02T15:00:00+08:00",
                        "attempt_fail",
                        "Receiver not available",
                        "Shanghai",
                        reason="recipient_unavailable",
                    ),
                ],
            ),
            store,
            NOW,
        )

    return make


def test_the_read_model_returns_the_order_its_shipments_and_every_checkpoint(
    dynamodb: Any, orders_table: str, shipped_order: Callable[[], None]
) -> None:
    # Given an order whose shipments the carrier worker has updated
    shipped_order()
    client = CountingClient(dynamodb)

    # When the page's read model reads it
    tracked = DynamoTrackingReadModel(orders_table, client).tracked_order(ORDER_ID)

    # Then it has everything the page shows, from one query of the order and one per shipment
    assert tracked is not None
    assert tracked.order.order_id == ORDER_ID and tracked.order.customer.locale == "zh-CN"
    by_number = {shipment.tracking_number: shipment for shipment in tracked.shipments}
    sf, ups = by_number["SF1000000001"], by_number["1Z999AA10000000031"]
    assert (sf.carrier, sf.tracking_status, sf.status, sf.estimated_delivery) == (
        "sf-express",
        "in_transit",
        "in_transit",
        "2025-07-03",
    )
    assert sorted(cp.occurred_at for cp in sf.checkpoints) == sorted(cp.occurred_at for cp in SF_CHECKPOINTS)
    assert (ups.tracking_status, ups.status_reason, ups.status) == (
        "attempt_fail",
        "recipient_unavailable",
        "delivery_exception",
    )
    assert [line.sku for line in ups.lines] == ["CUP-PORCELAIN"]
    assert client.calls == ["query", "query", "query"]


def test_an_unknown_order_is_none_after_one_query(dynamodb: Any, orders_table: str) -> None:
    client = CountingClient(dynamodb)

    assert DynamoTrackingReadModel(orders_table, client).tracked_order("ord_missing") is None
    assert client.calls == ["query"]


@pytest.fixture
def page_environment(aws: None, orders_table: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The function's environment as the construct wires it, the link key in Secrets Manager."""
    arn = boto3.client("secretsmanager").create_secret(
        Name="link-signing-key", SecretString=json.dumps({"key": KEY, "previous_key": "old-" + KEY})
    )["ARN"]
    monkeypatch.setenv("ORDERS_TABLE_NAME", orders_table)
    monkeypatch.setenv("LINK_SIGNING_SECRET_ARN", arn)
    from shared import link_keys
    from tracking_page import handler

    handler.dependencies.reset()
    link_keys._secrets_provider.cache_clear()
    yield
    handler.dependencies.reset()
    link_keys._secrets_provider.cache_clear()


def _post(path: str, token: str, action: str | None, body: str, headers: dict[str, str]) -> dict[str, Any]:
    from tracking_page.handler import handler

    event = http_event("POST", path, body=body, headers=headers)
    event["routeKey"] = "POST " + ("/track/{token}/{action}" if action else "/unsubscribe/{token}")
    event["pathParameters"] = {"token": token, **({"action": action} if action else {})}
    return handler(event, FakeLambdaContext())


def _get(token: str, query: str = "") -> dict[str, Any]:
    from tracking_page.handler import handler

    event = http_event("GET", f"/track/{token}" + (f"?{query}" if query else ""), headers={})
    event["routeKey"] = "GET /track/{token}"
    event["pathParameters"] = {"token": token}
    return handler(event, FakeLambdaContext())


def test_the_handler_shows_the_page_for_a_signed_link_and_404_otherwise(
    page_environment: None, shipped_order: Callable[[], None]
) -> None:
    shipped_order()

    shown = _get(links.sign(KEY, ORDER_ID), "lang=en")
    rotated = _get(links.sign("old-" + KEY, ORDER_ID))
    missing = _get(links.sign(KEY, "ord_missing"))
    forged = _get(links.sign("guessed-key", ORDER_ID))

    assert shown["statusCode"] == 200 and shown["headers"]["Content-Type"] == "text/html; charset=utf-8"
    body = shown["body"]
    assert "Delivery problem" in body and "The carrier could not deliver your parcel." in body
    assert "SF Express" in body and "UPS" in body and "Receiver not available" in body
    assert rotated["statusCode"] == 200 and '<html lang="zh-CN">' in rotated["body"]
    assert missing["statusCode"] == forged["statusCode"] == 404
    assert missing == forged


def test_the_forms_write_a_complaint_and_the_preferences_and_one_click_unsubscribes(
    page_environment: None,
    shipped_order: Callable[[], None],
    dynamodb: Any,
    orders_table: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The self-service forms through the handler, against the table (moto)."""
    import re
    from urllib.parse import urlencode

    from notifications.adapters.dynamo_preferences import DynamoPreferenceStore
    from service.adapters.dynamo_service import DynamoServiceStore
    from tracking_page import dependencies

    queue = boto3.client("sqs").create_queue(QueueName="notifications")["QueueUrl"]
    monkeypatch.setenv("NOTIFICATION_QUEUE_URL", queue)
    dependencies.reset()
    shipped_order()
    token = links.sign(KEY, ORDER_ID)
    page = _get(token)["body"]
    headers = {"content-type": "application/x-www-form-urlencoded", "host": "track.example.com"}

    def form(action: str) -> dict[str, str]:
        found = re.search(rf'action="{re.escape(token)}/{action}"(.*?)</form>', page, re.S)
        assert found, action
        return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', found.group(1)))

    reported = _post(
        f"/track/{token}/problem",
        token,
        "problem",
        urlencode({**form("problem"), "category": "damage", "description": "Dented tin"}),
        headers,
    )
    saved = _post(
        f"/track/{token}/notifications",
        token,
        "notifications",
        urlencode({**form("notifications"), "sms": "on", "quiet_start": "22:00", "quiet_end": "07:30"}),
        headers,
    )

    assert reported["statusCode"] == 200 and saved["statusCode"] == 200
    [complaint_id] = re.findall(r"cmp_[a-z0-9]+", reported["body"])
    complaint = DynamoServiceStore(orders_table, dynamodb).complaint(complaint_id)
    assert (
        complaint is not None
        and complaint.description == "Dented tin"
        and complaint.source == "customer_link"
    )
    customer = an_order().customer.id
    stored = DynamoPreferenceStore(orders_table, dynamodb).get(customer)
    assert stored is not None and (stored.channels.email, stored.channels.sms) == (False, True)
    assert stored.quiet_hours is not None and stored.quiet_hours.end == "07:30"

    expires = int(dependencies.clock().now().timestamp()) + 3600  # the function's own clock
    unsubscribe = links.sign(KEY, ORDER_ID, links.UNSUBSCRIBE, expires_at=expires)
    done = _post(f"/unsubscribe/{unsubscribe}", unsubscribe, None, "List-Unsubscribe=One-Click", headers)
    assert done["statusCode"] == 200
    stored = DynamoPreferenceStore(orders_table, dynamodb).get(customer)
    assert stored is not None and (stored.channels.email, stored.channels.sms) == (False, False)
