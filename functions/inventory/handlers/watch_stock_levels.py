"""`StockLevelChanged` events, routed by a rule on the stack's event bus to the watcher's queue ->
one low-stock alert per crossing below the threshold."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import EventType
from aws_lambda_powertools.utilities.typing import LambdaContext

from inventory import dependencies as wiring
from inventory.adapters.dynamo_low_stock import DynamoLowStockFlags
from inventory.adapters.sns_alerts import SnsAlertPublisher
from inventory.domain.low_stock import AlertDecision, StockSnapshot, watch_stock_level
from shared.alert_log import DynamoAlertLog, RecordedAlertPublisher
from shared.aws_clients import aws_client
from shared.domain_events import StockLevelChanged, bus_event_record
from shared.observability import logger, metrics
from shared.partial_batches import process_partial_batch
from shared.settings import FunctionSettings
from shared.short_retries import ShortRetryBatchProcessor

StockLevelChangedRecord = bus_event_record(StockLevelChanged)


class WatchStockLevelsSettings(FunctionSettings):
    orders_table_name: str
    operations_alerts_topic_arn: str


@cache
def dependencies() -> tuple[DynamoLowStockFlags, RecordedAlertPublisher]:
    settings = WatchStockLevelsSettings()  # type: ignore[call-arg]
    return (
        DynamoLowStockFlags(settings.orders_table_name, aws_client("dynamodb")),
        RecordedAlertPublisher(
            DynamoAlertLog(settings.orders_table_name, aws_client("dynamodb"), lambda: wiring.clock().now()),
            "low_stock",
            SnsAlertPublisher(settings.operations_alerts_topic_arn, aws_client("sns")),
        ),
    )


processor = ShortRetryBatchProcessor(
    event_type=EventType.SQS, model=StockLevelChangedRecord, sqs_client=lambda: aws_client("sqs")
)  # throttling left after botocore's retries: the record comes back in seconds


def snapshot_of(change: StockLevelChanged) -> StockSnapshot:
    return StockSnapshot(
        sku=change.sku,
        on_hand=change.on_hand,
        reserved=change.reserved,
        available=change.available,
        low_stock_threshold=change.low_stock_threshold,
        low_stock_alerted=change.low_stock_alerted,
    )


def watch_record(record: Any) -> AlertDecision:
    snapshot = snapshot_of(record.body.detail)
    flags, publisher = dependencies()
    decision = watch_stock_level(snapshot, flags, publisher, wiring.clock())
    if decision != AlertDecision.NOTHING:
        logger.info(
            "low-stock watch", sku=snapshot.sku, decision=decision.value, available=snapshot.available
        )
    if decision == AlertDecision.ALERTED:
        metrics.add_metric(name="LowStockAlert", unit=MetricUnit.Count, value=1)
    return decision


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_batch(
        event=event, record_handler=watch_record, processor=processor, context=context
    )
