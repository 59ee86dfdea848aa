"""Composition root of the notification worker: settings, clients and adapters, each built on
first use and cached for the container, never at import time. Tests set the environment first
and call `reset()` between cases; importing the handler stays cheap because boto3 (pulled in by
the adapters and by Powertools idempotency) is only imported on the first invocation."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from notifications.models.settings import NotificationSettings
from shared.observability import metrics

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    from notifications.domain.notify_customer import CustomerNotifier


@cache
def notification_settings() -> NotificationSettings:
    return NotificationSettings()  # type: ignore[call-arg]


@cache
def idempotency_config() -> IdempotencyConfig:
    """The one config object the ledger uses; the handler registers each invocation's context on it."""
    from notifications.adapters.idempotent_ledger import delivery_idempotency_config

    return delivery_idempotency_config()


@cache
def customer_notifier() -> CustomerNotifier:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from notifications.adapters.delivery_metrics import PowertoolsDeliveryMetrics
    from notifications.adapters.idempotent_ledger import IdempotentDeliveryLedger
    from notifications.adapters.ses_email import SesEmailSender
    from notifications.adapters.sns_sms import SnsSmsSender
    from notifications.domain.notify_customer import CustomerNotifier
    from orders.adapters.dynamo_orders import DynamoOrderRepository
    from shared.aws_clients import aws_client

    settings = notification_settings()
    if metrics.namespace is None:  # without a namespace the metrics flush would fail the whole batch
        metrics.namespace = settings.powertools_metrics_namespace
    dynamodb = aws_client("dynamodb")
    persistence = DynamoDBPersistenceLayer(table_name=settings.idempotency_table_name, boto3_client=dynamodb)
    return CustomerNotifier(
        orders=DynamoOrderRepository(settings.orders_table_name, dynamodb),
        email=SesEmailSender(aws_client("ses"), settings.sender_email),
        sms=SnsSmsSender(aws_client("sns"), settings.sms_sender_id),
        ledger=IdempotentDeliveryLedger(persistence, idempotency_config()),
        metrics=PowertoolsDeliveryMetrics(metrics),
        tracking_base_url=settings.tracking_base_url,
    )


def reset() -> None:
    for cached in (notification_settings, idempotency_config, customer_notifier):
        cached.cache_clear()
