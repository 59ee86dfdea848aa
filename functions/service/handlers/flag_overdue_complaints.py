"""Scheduled (EventBridge): alert operations, once, about complaints past their response due time,
and about delivery exceptions past theirs (`delivery_exceptions`, on the same schedule)."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from service import dependencies as wiring
from service.dependencies import OverdueComplaintsSettings
from service.domain.complaints import flag_overdue_complaints
from service.domain.ports import ComplaintStore, OperationsAlerts
from shared.alert_log import DynamoAlertLog, RecordedAlerts
from shared.aws_clients import aws_client
from shared.clock import Clock
from shared.observability import logger, metrics


@cache
def dependencies() -> tuple[ComplaintStore, OperationsAlerts]:
    from carriers.adapters.sns_alerts import SnsOperationsAlerts
    from service.adapters.dynamo_service import DynamoServiceStore

    settings = OverdueComplaintsSettings()  # type: ignore[call-arg]
    return (
        DynamoServiceStore(settings.orders_table_name, aws_client("dynamodb")),
        RecordedAlerts(
            DynamoAlertLog(settings.orders_table_name, aws_client("dynamodb"), lambda: wiring.clock().now()),
            "complaint_overdue",
            SnsOperationsAlerts(settings.operations_alerts_topic_arn, aws_client("sns")),
        ),
    )


def check_overdue(clock: Clock | None = None) -> dict[str, int]:
    store, alerts = dependencies()
    flagged = flag_overdue_complaints(store, alerts, clock or wiring.clock())
    logger.info("overdue complaints check done", flagged=flagged)
    metrics.add_metric(name="ComplaintsOverdue", unit=MetricUnit.Count, value=flagged)
    return {"flagged": flagged}


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    from delivery_exceptions.handlers.flag_overdue_exceptions import check_overdue_exceptions

    return {**check_overdue(), **check_overdue_exceptions(wiring.clock())}
