"""Scheduled (EventBridge): flag shipments with no checkpoint for too long or past their delivery date."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from carriers import dependencies as wiring
from carriers.adapters.dynamo_tracking import DynamoTrackingStore
from carriers.adapters.providers.registry import tracking_providers
from carriers.adapters.sns_alerts import SnsOperationsAlerts
from carriers.adapters.sqs_webhook_queue import SqsWebhookQueue
from carriers.domain.ask_provider import ProviderCheck
from carriers.domain.delays import DelayPolicy
from carriers.domain.flag_delays import flag_delayed_shipments
from carriers.domain.ports import OperationsAlerts, TrackingStore
from shared.alert_log import DynamoAlertLog, RecordedAlerts
from shared.aws_clients import aws_client
from shared.clock import Clock, isoformat
from shared.observability import logger, metrics
from shared.settings import FunctionSettings


class DelayCheckSettings(FunctionSettings):
    orders_table_name: str
    operations_alerts_topic_arn: str
    webhook_queue_url: str  # what a provider query finds goes the way of a push
    stalled_after_hours: int = 48
    watch_lookback_days: int = 14


@cache
def dependencies() -> tuple[TrackingStore, OperationsAlerts, DelayPolicy, ProviderCheck]:
    settings = DelayCheckSettings()  # type: ignore[call-arg]
    policy = DelayPolicy(
        stalled_after=timedelta(hours=settings.stalled_after_hours),
        lookback_days=settings.watch_lookback_days,
    )
    return (
        DynamoTrackingStore(settings.orders_table_name, aws_client("dynamodb")),
        RecordedAlerts(
            DynamoAlertLog(settings.orders_table_name, aws_client("dynamodb"), lambda: wiring.clock().now()),
            "delivery_delay",
            SnsOperationsAlerts(settings.operations_alerts_topic_arn, aws_client("sns")),
        ),
        policy,
        ProviderCheck(tracking_providers(), SqsWebhookQueue(settings.webhook_queue_url, aws_client("sqs"))),
    )


def check_delays(clock: Clock | None = None) -> dict[str, int]:
    store, alerts, policy, check = dependencies()
    now = (clock or wiring.clock()).now()
    flagged = flag_delayed_shipments(store, alerts, now, isoformat(now), policy, check)
    logger.info("delay check done", flagged=flagged)
    metrics.add_metric(name="ShipmentsFlaggedDelayed", unit=MetricUnit.Count, value=flagged)
    return {"flagged": flagged}


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    return check_delays()
