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

    handler.dependencies.cache_clear()
    link_keys._secrets_provider.cache_clear()
    yield
    handler.dependencies.cache_clear()
    link_keys._secrets_provider.cache_clear()


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
