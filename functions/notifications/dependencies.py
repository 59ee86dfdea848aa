"""Composition root of the notification worker: settings, clients and adapters, each built on
first use and cached for the container, never at import time. Tests set the environment first
and call `reset()` between cases; importing the handler stays cheap because boto3 (pulled in by
the adapters and by Powertools idempotency) is only imported on the first invocation."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from notifications.models.settings import NotificationSettings
from shared.clock import Clock, DeferredClock, SystemClock
from shared.observability import metrics

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    from notifications.domain.notify_customer import CustomerNotifier
    from notifications.domain.tasks import TaskRunner


@cache
def notification_settings() -> NotificationSettings:
    return NotificationSettings()  # type: ignore[call-arg]


@cache
def idempotency_config() -> IdempotencyConfig:
    """The one config object the ledger uses; the handler registers each invocation's context on it."""
    from notifications.adapters.idempotent_ledger import delivery_idempotency_config

    return delivery_idempotency_config()


def tracking_link(order_id: str) -> str | None:
    """`<base>/track/<signed token>`, or None when no base URL or key is configured."""
    from shared import links
    from shared.link_keys import link_keys

    settings = notification_settings()
    if not settings.tracking_base_url or not settings.link_signing_secret_arn:
        return None
    key = link_keys(settings.link_signing_secret_arn).current
    return links.link(settings.tracking_base_url, links.sign(key, order_id))


def feedback_link(token: str) -> str | None:
    """`<base>/feedback/<token>` for a survey token the dispatcher signed, or None without a base URL."""
    from shared import links

    return links.link(notification_settings().tracking_base_url, token, links.FEEDBACK)


def case_link(token: str) -> str | None:
    """`<base>/case/<token>`: the "was your complaint resolved?" page of a resolved case."""
    from shared import links

    return links.link(notification_settings().tracking_base_url, token, links.CASE)


def unsubscribe_link(order_id: str) -> str | None:
    """`<base>/unsubscribe/<signed token>` for an email's List-Unsubscribe header: the customer's
    notification settings, and RFC 8058 one-click unsubscribe by POST. It works for
    `UNSUBSCRIBE_LINK_DAYS` after sending. None without a base URL or key."""
    from shared import links
    from shared.link_keys import link_keys

    settings = notification_settings()
    if not settings.tracking_base_url or not settings.link_signing_secret_arn:
        return None
    key = link_keys(settings.link_signing_secret_arn).current
    expires = int(clock().now().timestamp()) + links.UNSUBSCRIBE_LINK_DAYS * 86_400
    token = links.sign(key, order_id, links.UNSUBSCRIBE, expires_at=expires)
    return links.link(settings.tracking_base_url, token, links.UNSUBSCRIBE)


@cache
def sqs_tasks():  # type: ignore[no-untyped-def]
    from notifications.adapters.sqs_tasks import SqsNotificationTasks
    from shared.aws_clients import aws_client

    settings = notification_settings()
    return SqsNotificationTasks(
        aws_client("sqs"), settings.notification_queue_url, settings.notification_dlq_url
    )


@cache
def customer_notifier() -> CustomerNotifier:
    from notifications.adapters.delivery_metrics import PowertoolsDeliveryMetrics
    from notifications.adapters.dynamo_notification_log import DynamoNotificationLog
    from notifications.adapters.dynamo_preferences import DynamoPreferenceStore
    from notifications.adapters.dynamo_suppressions import DynamoSuppressionList
    from notifications.adapters.idempotent_ledger import IdempotentDeliveryLedger
    from notifications.adapters.log_entry_records import LogEntryPersistenceLayer
    from notifications.adapters.ses_email import SesEmailSender
    from notifications.adapters.sns_sms import SnsSmsSender
    from notifications.domain.notify_customer import CustomerNotifier
    from orders.adapters.dynamo_orders import DynamoOrderRepository
    from shared.aws_clients import aws_client, provider_client

    settings = notification_settings()
    if metrics.namespace is None:  # without a namespace the metrics flush would fail the whole batch
        metrics.namespace = settings.powertools_metrics_namespace
    dynamodb = aws_client("dynamodb")
    table = settings.orders_table_name
    # delivery records live on the log entries; the idempotency table is only read, for the records
    # written before (kept 14 days: the fallback can go 14 days after the deploy that moved them)
    persistence = LogEntryPersistenceLayer(table, dynamodb, legacy_table_name=settings.idempotency_table_name)
    return CustomerNotifier(
        orders=DynamoOrderRepository(table, dynamodb),
        email=SesEmailSender(
            provider_client("sesv2"),
            settings.sender_email,
            settings.ses_configuration_set,
            confirm_within_seconds=settings.ses_confirmation_seconds,
        ),
        sms=SnsSmsSender(provider_client("sns"), settings.sms_sender_id),
        ledger=IdempotentDeliveryLedger(persistence, idempotency_config()),
        metrics=PowertoolsDeliveryMetrics(metrics),
        preferences=DynamoPreferenceStore(table, dynamodb),
        suppressions=DynamoSuppressionList(table, dynamodb),
        log=DynamoNotificationLog(table, dynamodb),
        scheduler=sqs_tasks(),
        policy=settings.policy(),
        tracking_link=tracking_link,
        feedback_link=feedback_link,
        case_link=case_link,
        unsubscribe_link=unsubscribe_link,
        clock=DeferredClock(lambda: clock()),
        brand=settings.brand,
    )


@cache
def task_runner() -> TaskRunner:
    from notifications.domain.tasks import TaskRunner

    settings = notification_settings()
    return TaskRunner(
        notifier=customer_notifier(),
        retries=sqs_tasks(),
        max_receive_count=settings.max_receive_count,
        retry_base_seconds=settings.retry_base_seconds,
        clock=DeferredClock(lambda: clock()),
    )


def reset() -> None:
    for cached in (notification_settings, idempotency_config, customer_notifier, sqs_tasks, task_runner):
        cached.cache_clear()


def clock() -> Clock:
    """The time source of the notification handlers and domain services: frozen in tests."""
    return SystemClock()
