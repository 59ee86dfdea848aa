"""moto-backed queue, secrets, an order and a shipment for the carrier handlers."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from carriers.adapters.shipment_records import register_shipment
from carriers.handlers.receive_webhook import secret_env_name
from carriers.models.tracking import Provider
from orders.adapters.dynamo_orders import order_item
from orders.models.order import OrderRecord, OrderStatus
from tests.factories import load_event, order_body
from tests.unit.carriers.samples import SAMPLE_SECRETS


@pytest.fixture
def webhook_env(aws: None, orders_table: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Queue and one secret per provider (the sample secrets), wired as the construct wires them."""
    sqs = boto3.client("sqs")
    queue_url = sqs.create_queue(QueueName="carrier-webhooks")["QueueUrl"]
    secrets = boto3.client("secretsmanager")
    registration_url = sqs.create_queue(QueueName="tracking-registrations")["QueueUrl"]
    monkeypatch.setenv("WEBHOOK_QUEUE_URL", queue_url)
    monkeypatch.setenv("REGISTRATION_QUEUE_URL", registration_url)
    monkeypatch.setenv("ORDERS_TABLE_NAME", orders_table)
    for provider, secret in SAMPLE_SECRETS.items():
        arn = secrets.create_secret(Name=f"{provider}-webhook", SecretString=json.dumps({"secret": secret}))[
            "ARN"
        ]
        monkeypatch.setenv(f"{secret_env_name(Provider(provider))}_ARN", arn)
    from carriers.handlers import apply_linked_events, apply_tracking_events, receive_webhook
    from shared.observability import metrics

    # the handlers were imported (at collection) before the `aws` fixture set the namespace
    monkeypatch.setattr(metrics.provider, "namespace", "ordertrack")

    caches = (
        receive_webhook.dependencies,
        apply_tracking_events.default_store,
        apply_tracking_events.registration_queue,
        apply_tracking_events.worker_settings,
        apply_linked_events.registrations,
    )
    for cache in caches:
        cache.cache_clear()
    yield {"queue_url": queue_url, "registration_queue_url": registration_url}
    for cache in caches:
        cache.cache_clear()


@pytest.fixture
def shipped(dynamodb: Any, orders_table: str) -> Callable[..., str]:
    """An order in `shipped` with one shipment per tracking number; returns the order id."""

    def make(*tracking_numbers: str, register: bool = True) -> str:
        order = OrderRecord.model_validate(
            {
                **order_body(),
                "order_id": "ord_carriers",
                "status": OrderStatus.SHIPPED,
                "version": 3,
                "request_hash": "x",
                "total": "176.00",
                "created_at": "2026-11-24T10:00:00.000Z",
                "updated_at": "2026-11-24T10:00:00.000Z",
                "timeline": [{"status": "shipped", "at": "2026-11-24T10:00:00.000Z", "by": "storefront"}],
            }
        )
        dynamodb.put_item(TableName=orders_table, Item=order_item(order))
        if register:
            for index, number in enumerate(tracking_numbers):
                register_shipment(
                    dynamodb,
                    orders_table,
                    order_id=order.order_id,
                    shipment_id=f"shp_{index + 1}",
                    carrier="ups",
                    tracking_number=number,
                    lines=[{"sku": "TEA-OOLONG-250G", "quantity": 1}],
                    created_at="2026-11-24T10:00:00.000Z",
                )
        return order.order_id

    return make


def sqs_event_from_queue(queue_url: str) -> dict[str, Any]:
    """Drain the queue into one SQS Lambda event shaped like events/carriers/lambda/sqs_webhook_message.json."""
    template = load_event("carriers/lambda/sqs_webhook_message.json")["Records"][0]
    sqs = boto3.client("sqs")
    records = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            break
        for message in messages:
            record = copy.deepcopy(template)
            record.update(
                messageId=message["MessageId"], receiptHandle=message["ReceiptHandle"], body=message["Body"]
            )
            records.append(record)
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return {"Records": records}
