"""moto-backed AWS for the notification worker: orders table (shared fixture), idempotency table,
a verified SES sender, and the worker's environment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from notifications import dependencies
from orders.adapters.dynamo_orders import DynamoOrderRepository
from orders.models.order import OrderRecord
from shared.brand import Brand

REGION = "us-east-1"
IDEMPOTENCY_TABLE = "ordertrack-idempotency-test"
BRAND = Brand(shop_name={"en": "Acme Tea", "zh-CN": "艾克米茶"}, sms_signature={"zh-CN": "艾克米"})
SENDER = "orders@shop.example.com"
TRACKING = "https://track.example.com"
LINK_KEY = "integration-link-key"


@pytest.fixture
def idempotency_table(dynamodb: Any) -> str:
    dynamodb.create_table(
        TableName=IDEMPOTENCY_TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    )
    dynamodb.update_time_to_live(
        TableName=IDEMPOTENCY_TABLE, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"}
    )
    return IDEMPOTENCY_TABLE


@pytest.fixture
def worker_env(monkeypatch: pytest.MonkeyPatch, orders_table: str, idempotency_table: str) -> Iterator[None]:
    from shared.aws_clients import aws_client

    sqs = aws_client("sqs")
    dlq_url = sqs.create_queue(QueueName="notifications-dlq")["QueueUrl"]
    queue_url = sqs.create_queue(QueueName="notifications")["QueueUrl"]
    secret_arn = aws_client("secretsmanager").create_secret(
        Name="link-signing-key", SecretString=json.dumps({"key": LINK_KEY})
    )["ARN"]
    for name, value in {
        "ORDERS_TABLE_NAME": orders_table,
        "IDEMPOTENCY_TABLE_NAME": idempotency_table,
        "SENDER_EMAIL": SENDER,
        "SMS_SENDER_ID": "ordertrack",
        "TRACKING_BASE_URL": TRACKING,
        "LINK_SIGNING_SECRET_ARN": secret_arn,
        "NOTIFICATION_QUEUE_URL": queue_url,
        "NOTIFICATION_DLQ_URL": dlq_url,
        "MAX_RECEIVE_COUNT": "3",
        "COLLAPSE_WINDOW_SECONDS": "0",
        "POWERTOOLS_SERVICE_NAME": "notifications",
        "BRAND": BRAND.as_variable(),
    }.items():
        monkeypatch.setenv(name, value)
    aws_client("ses").verify_email_identity(EmailAddress=SENDER)
    dependencies.reset()
    yield
    dependencies.reset()


@pytest.fixture
def orders(worker_env: None, dynamodb: Any, orders_table: str) -> DynamoOrderRepository:
    return DynamoOrderRepository(orders_table, dynamodb)


def sent_emails() -> list[Any]:
    return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)


def sent_sms() -> list[tuple[str, str]]:
    return list(sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values())


def store(orders: DynamoOrderRepository, order: OrderRecord) -> None:
    orders.create(order)
