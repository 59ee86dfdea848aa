"""Orders table stream (orders, shipments, notifications, feedback, complaints, returns) -> the
daily KPI aggregates, a whole batch summed in memory and written once per aggregate, each record
counted once (see `stats.domain.aggregate_batch`), and the same figures as CloudWatch metrics.

The batch is aggregated as a whole, so this consumer builds its partial batch response itself
(the records from the first group that could not be written) instead of Powertools'
`BatchProcessor`, which handles records one at a time."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent, event_source
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.aws_clients import aws_client
from shared.failed_records import with_failed_records_counted
from shared.observability import logger, metrics
from shared.settings import FunctionSettings
from stats import dependencies as wiring
from stats.adapters.dynamo_aggregates import DynamoAggregates
from stats.adapters.emf_metrics import EmfKpiMetrics
from stats.domain.aggregate_batch import StreamChange, aggregate_batch
from stats.domain.ports import AggregateStore, KpiMetrics


class MaintainAggregatesSettings(FunctionSettings):
    orders_table_name: str
    powertools_service_name: str = "stats"


@cache
def dependencies() -> tuple[AggregateStore, KpiMetrics]:
    settings = MaintainAggregatesSettings()  # type: ignore[call-arg]
    return (
        DynamoAggregates(settings.orders_table_name, aws_client("dynamodb"), lambda: wiring.clock().now()),
        EmfKpiMetrics(metrics, settings.powertools_service_name),
    )


def observed_at(record: DynamoDBRecord) -> datetime:
    seconds = record.dynamodb.approximate_creation_date_time if record.dynamodb else None
    if isinstance(seconds, datetime):
        return seconds.astimezone(UTC)
    return datetime.fromtimestamp(float(seconds), UTC) if seconds else wiring.clock().now()


def stream_change(record: DynamoDBRecord) -> StreamChange:
    change = record.dynamodb
    return StreamChange(
        source_id=str(record.event_id),
        sequence=str(change.sequence_number if change else ""),
        old=(change.old_image if change else None) or None,
        new=(change.new_image if change else None) or None,
        observed_at=observed_at(record),
    )


def aggregate_stream_batch(
    event: DynamoDBStreamEvent, store: AggregateStore | None = None, kpi_metrics: KpiMetrics | None = None
) -> dict[str, Any]:
    if store is None or kpi_metrics is None:
        store, kpi_metrics = dependencies()
    outcome = aggregate_batch([stream_change(record) for record in event.records], store, kpi_metrics)
    logger.info(
        "stream batch aggregated",
        applied=outcome.applied,
        duplicates=outcome.duplicates,
        writes=outcome.groups,
        handed_back=len(outcome.failed),
    )
    return outcome.batch_item_failures()


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@event_source(data_class=DynamoDBStreamEvent)
def handler(event: DynamoDBStreamEvent, context: LambdaContext) -> dict[str, Any]:
    return with_failed_records_counted(aggregate_stream_batch(event), context)
