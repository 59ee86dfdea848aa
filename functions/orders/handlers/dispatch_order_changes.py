"""DynamoDB stream of the orders table -> reservation and notification queues."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from orders.adapters.sqs_publisher import SqsEventPublisher
from orders.domain.dispatch import Destination, EventPublisher, dispatch_order_change
from shared.aws_clients import aws_client
from shared.observability import logger, metrics
from shared.settings import FunctionSettings


class DispatcherSettings(FunctionSettings):
    reservation_queue_url: str
    notification_queue_url: str


@cache
def default_publisher() -> EventPublisher:
    settings = DispatcherSettings()  # type: ignore[call-arg]
    queues = {
        Destination.RESERVATION: settings.reservation_queue_url,
        Destination.NOTIFICATION: settings.notification_queue_url,
    }
    return SqsEventPublisher(queues, aws_client("sqs"))


processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def dispatch_record(record: DynamoDBRecord, publisher: EventPublisher | None = None) -> int:
    change = record.dynamodb
    old = change.old_image if change else None
    new = change.new_image if change else None
    return dispatch_order_change(old or None, new or None, publisher or default_publisher())


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=dispatch_record, processor=processor, context=context
    )
