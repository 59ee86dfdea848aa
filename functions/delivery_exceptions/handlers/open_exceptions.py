"""`ShipmentExceptionRaised` events, routed by a rule on the stack's event bus to this consumer's
queue -> one delivery exception (work item) per episode, stored once however often it is delivered."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import EventType
from aws_lambda_powertools.utilities.typing import LambdaContext

from delivery_exceptions import dependencies
from delivery_exceptions.domain.opening import exception_for
from delivery_exceptions.domain.ports import ExceptionStore
from delivery_exceptions.domain.rules import ExceptionRules
from shared.aws_clients import aws_client
from shared.domain_events import ShipmentExceptionRaised, bus_event_record
from shared.errors import RetryableError
from shared.observability import logger, metrics
from shared.partial_batches import process_partial_batch
from shared.short_retries import ShortRetryBatchProcessor

ShipmentExceptionRaisedRecord = bus_event_record(ShipmentExceptionRaised)

processor = ShortRetryBatchProcessor(
    event_type=EventType.SQS, model=ShipmentExceptionRaisedRecord, sqs_client=lambda: aws_client("sqs")
)


def open_exception(
    record: Any, store: ExceptionStore | None = None, rules: ExceptionRules | None = None
) -> str:
    """Store the event's exception unless its episode is open already; returns its id."""
    raised: ShipmentExceptionRaised = record.body.detail
    exception = exception_for(raised, rules or dependencies.rules())
    refused = (store or dependencies.store()).open_all([exception])
    if refused:
        raise RetryableError(f"exception not stored: {refused[0]}")
    logger.info(
        "delivery exception opened",
        exception_id=exception.exception_id,
        order_id=exception.order_id,
        reason=exception.reason.value,
    )
    return exception.exception_id


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_batch(
        event=event, record_handler=open_exception, processor=processor, context=context
    )
