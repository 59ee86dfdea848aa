"""Notification queue -> email and SMS to the customer for confirmed and out-of-stock orders.

Partial batch responses: a record whose delivery must be retried (throttling, provider outage,
the same delivery in progress elsewhere) is reported as failed and comes back from SQS; the
channels it already delivered are not sent again (see notifications.adapters.idempotent_ledger).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.typing import LambdaContext

from notifications.dependencies import customer_notifier, idempotency_config
from notifications.models.messages import OrderEventMessage
from shared.observability import logger, metrics

if TYPE_CHECKING:
    from notifications.domain.model import DeliveryOutcome
    from notifications.domain.notify_customer import CustomerNotifier

processor = BatchProcessor(event_type=EventType.SQS, model=OrderEventMessage)


def notify_for_message(
    record: OrderEventMessage, notifier: CustomerNotifier | None = None
) -> list[DeliveryOutcome]:
    event = record.body
    logger.append_keys(order_id=event.order_id, event_id=event.event_id)
    return (notifier or customer_notifier()).notify(event)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    idempotency_config().register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=notify_for_message, processor=processor, context=context
    )
