"""Orders table stream, filtered to new tracking links -> apply the checkpoints that arrived before
the shipment was registered (carriers often report before the merchant does)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from carriers import dependencies
from carriers.domain.apply_tracking import ApplyResult, apply_stored_events
from carriers.domain.ports import TrackingStore
from carriers.handlers.apply_tracking_events import default_store, delay_policy
from shared.clock import isoformat
from shared.observability import logger, metrics

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def apply_for_link(record: DynamoDBRecord, store: TrackingStore | None = None) -> ApplyResult:
    image = (record.dynamodb.new_image if record.dynamodb else None) or {}
    tracking_number = str(image.get("tracking_number") or str(image["pk"]).removeprefix("TRACKING#"))
    now = isoformat(dependencies.clock().now())
    result = apply_stored_events(tracking_number, store or default_store(), now, policy=delay_policy())
    logger.info("tracking link processed", tracking_number=tracking_number, result=result.value)
    return result


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=apply_for_link, processor=processor, context=context
    )
