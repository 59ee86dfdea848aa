"""Run by the customer-service overdue schedule (`service.handlers.flag_overdue_complaints`): alert
operations, once per due time, about delivery exceptions past it."""

from __future__ import annotations

from functools import cache

from aws_lambda_powertools.metrics import MetricUnit

from delivery_exceptions.domain.overdue import flag_overdue_exceptions
from delivery_exceptions.domain.ports import ExceptionStore, OperationsAlerts
from shared.aws_clients import aws_client
from shared.clock import Clock
from shared.observability import logger, metrics
from shared.settings import FunctionSettings


class OverdueExceptionsSettings(FunctionSettings):
    orders_table_name: str
    operations_alerts_topic_arn: str


@cache
def dependencies() -> tuple[ExceptionStore, OperationsAlerts]:
    from carriers.adapters.sns_alerts import SnsOperationsAlerts
    from delivery_exceptions.adapters.dynamo_exceptions import DynamoExceptionStore

    settings = OverdueExceptionsSettings()  # type: ignore[call-arg]
    return (
        DynamoExceptionStore(settings.orders_table_name, aws_client("dynamodb")),
        SnsOperationsAlerts(settings.operations_alerts_topic_arn, aws_client("sns")),
    )


def check_overdue_exceptions(clock: Clock) -> dict[str, int]:
    store, alerts = dependencies()
    flagged = flag_overdue_exceptions(store, alerts, clock)
    logger.info("overdue delivery exceptions check done", flagged=flagged)
    metrics.add_metric(name="DeliveryExceptionsOverdue", unit=MetricUnit.Count, value=flagged)
    return {"exceptions_flagged": flagged}
