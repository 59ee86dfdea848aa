"""Run by the customer-service overdue schedule (`service.handlers.flag_overdue_complaints`): alert
operations, once per due time, about delivery exceptions past it."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from aws_lambda_powertools.metrics import MetricUnit

from delivery_exceptions.domain.overdue import flag_overdue_exceptions
from delivery_exceptions.domain.ports import ExceptionStore, OperationsAlerts
from shared.alert_log import DynamoAlertLog, RecordedAlerts
from shared.aws_clients import aws_client
from shared.clock import Clock
from shared.observability import logger, metrics
from shared.settings import FunctionSettings

if TYPE_CHECKING:
    from carriers.adapters.sns_alerts import SnsOperationsAlerts


class OverdueExceptionsSettings(FunctionSettings):
    orders_table_name: str
    operations_alerts_topic_arn: str


@cache
def dependencies() -> tuple[ExceptionStore, OverdueExceptionsSettings, SnsOperationsAlerts]:
    from carriers.adapters.sns_alerts import SnsOperationsAlerts
    from delivery_exceptions.adapters.dynamo_exceptions import DynamoExceptionStore

    settings = OverdueExceptionsSettings()  # type: ignore[call-arg]
    return (
        DynamoExceptionStore(settings.orders_table_name, aws_client("dynamodb")),
        settings,
        SnsOperationsAlerts(settings.operations_alerts_topic_arn, aws_client("sns")),
    )


def check_overdue_exceptions(clock: Clock) -> dict[str, int]:
    store, settings, topic = dependencies()
    # stored (GET /v1/alerts) and published, like every operations alert
    alerts: OperationsAlerts = RecordedAlerts(
        DynamoAlertLog(settings.orders_table_name, aws_client("dynamodb"), clock.now),
        "exception_overdue",
        topic,
    )
    flagged = flag_overdue_exceptions(store, alerts, clock)
    logger.info("overdue delivery exceptions check done", flagged=flagged)
    metrics.add_metric(name="DeliveryExceptionsOverdue", unit=MetricUnit.Count, value=flagged)
    return {"exceptions_flagged": flagged}
