"""Orders table stream (orders, shipments, notifications, feedback, complaints, returns) -> the
daily KPI aggregates, each record counted once, and the same figures as CloudWatch metrics."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.aws_clients import aws_client
from shared.observability import logger, metrics
from shared.partial_batches import process_partial_batch
from shared.settings import FunctionSettings
from stats import dependencies as wiring
from stats.adapters.dynamo_aggregates import DynamoAggregates
from stats.adapters.emf_metrics import EmfKpiMetrics
from stats.domain.ports import AggregateStore, KpiMetrics
from stats.domain.record_change import Recorded, record_change


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


processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def observed_at(record: DynamoDBRecord) -> datetime:
    seconds = record.dynamodb.approximate_creation_date_time if record.dynamodb else None
    if isinstance(seconds, datetime):
        return seconds.astimezone(UTC)
    return datetime.fromtimestamp(float(seconds), UTC) if seconds else wiring.clock().now()


def aggregate_record(
    record: DynamoDBRecord, store: AggregateStore | None = None, kpi_metrics: KpiMetrics | None = None
) -> Recorded:
    if store is None or kpi_metrics is None:
        store, kpi_metrics = dependencies()
    change = record.dynamodb
    old = change.old_image if change else None
    new = change.new_image if change else None
    outcome = record_change(
        str(record.event_id), old or None, new or None, observed_at(record), store, kpi_metrics
    )
    if outcome == Recorded.DUPLICATE:
        logger.info("stream record already aggregated", event_id=record.event_id)
    return outcome


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_batch(
        event=event, record_handler=aggregate_record, processor=processor, context=context
    )
