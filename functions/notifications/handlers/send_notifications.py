"""Notification queue -> customer email and SMS (see notifications.domain.notify_customer).

Partial batch responses: a record that must be retried is reported as failed after its
visibility is set to the backoff, and comes back from SQS then; channels it already delivered are
not sent again. On its last attempt it is forwarded to the dead-letter queue with its reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.typing import LambdaContext

from notifications.dependencies import idempotency_config, task_runner
from notifications.domain.tasks import Delivery
from notifications.models.messages import NotificationMessage
from shared.observability import logger, metrics
from shared.partial_batches import process_partial_batch

if TYPE_CHECKING:
    from notifications.domain.tasks import TaskRunner

processor = BatchProcessor(event_type=EventType.SQS, model=NotificationMessage)


def notify_for_message(record: NotificationMessage, runner: TaskRunner | None = None) -> None:
    task = record.body
    logger.append_keys(order_id=task.order_id, event_id=task.event_id, due=task.due)
    delivery = Delivery(
        attempt=int(record.attributes.ApproximateReceiveCount),
        receipt_handle=record.receiptHandle,
        raw_body=task.model_dump_json(),
    )
    (runner or task_runner()).run(task.event(), task.due, delivery)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    idempotency_config().register_lambda_context(context)
    return process_partial_batch(
        event=event, record_handler=notify_for_message, processor=processor, context=context
    )
