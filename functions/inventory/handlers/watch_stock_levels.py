"""Orders table stream (stock items only) -> one low-stock alert per crossing below the threshold."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from inventory import dependencies as wiring
from inventory.adapters.dynamo_low_stock import DynamoLowStockFlags
from inventory.adapters.sns_alerts import SnsAlertPublisher
from inventory.domain.low_stock import AlertDecision, StockSnapshot, watch_stock_level
from shared.aws_clients import aws_client
from shared.observability import logger, metrics
from shared.partial_batches import process_partial_batch
from shared.settings import FunctionSettings


class WatchStockLevelsSettings(FunctionSettings):
    orders_table_name: str
    operations_alerts_topic_arn: str


@cache
def dependencies() -> tuple[DynamoLowStockFlags, SnsAlertPublisher]:
    settings = WatchStockLevelsSettings()  # type: ignore[call-arg]
    return (
        DynamoLowStockFlags(settings.orders_table_name, aws_client("dynamodb")),
        SnsAlertPublisher(settings.operations_alerts_topic_arn, aws_client("sns")),
    )


processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def snapshot_of(record: DynamoDBRecord) -> StockSnapshot | None:
    image = record.dynamodb.new_image if record.dynamodb else None
    if not image or image.get("entity") != "stock":
        return None
    return StockSnapshot(
        sku=str(image["sku"]),
        on_hand=int(image.get("on_hand", 0)),
        reserved=int(image.get("reserved", 0)),
        available=int(image.get("available", 0)),
        low_stock_threshold=int(image.get("low_stock_threshold", 0)),
        low_stock_alerted=bool(image.get("low_stock_alerted", False)),
    )


def watch_record(record: DynamoDBRecord) -> AlertDecision:
    snapshot = snapshot_of(record)
    if snapshot is None:
        return AlertDecision.NOTHING
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
