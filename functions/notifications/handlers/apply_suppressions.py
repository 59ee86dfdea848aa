"""SuppressionQueue -> the suppression list: SES permanent bounces and complaints suppress email,
SMS opt-out replies suppress SMS and opt-in replies lift it (partial batch failures). SES `Send`
events confirm deliveries a crash interrupted (`notifications.adapters.delivery_confirmations`).

A record that is not valid JSON, or is neither an SES event nor an SMS reply, fails alone and
reaches the dead-letter queue after the queue's maxReceiveCount. Duplicate deliveries are harmless:
suppressing keeps the first record and lifting deletes what may already be gone. Logs carry masked
recipients only and never the text of a reply.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import EventType
from aws_lambda_powertools.utilities.typing import LambdaContext

from notifications import dependencies
from notifications.adapters.delivery_confirmations import DynamoDeliveryConfirmations, entry_of
from notifications.adapters.dynamo_suppressions import DynamoSuppressionList
from notifications.domain.ports import SuppressionList
from notifications.domain.suppressions import (
    SuppressionChange,
    apply_suppression_changes,
    email_feedback_changes,
    sms_reply_change,
)
from notifications.models.feedback import EmailFeedback, FeedbackQueueRecord, InboundSms
from shared.aws_clients import aws_client
from shared.clock import Clock, isoformat
from shared.observability import logger, metrics
from shared.partial_batches import process_partial_batch
from shared.settings import FunctionSettings
from shared.short_retries import ShortRetryBatchProcessor

SEND_EVENT = "Send"


class SuppressionSettings(FunctionSettings):
    orders_table_name: str


@cache
def default_suppressions() -> SuppressionList:
    settings = SuppressionSettings()  # type: ignore[call-arg]
    return DynamoSuppressionList(settings.orders_table_name, aws_client("dynamodb"))


processor = ShortRetryBatchProcessor(
    event_type=EventType.SQS, model=FeedbackQueueRecord, sqs_client=lambda: aws_client("sqs")
)  # throttling left after botocore's retries: the record comes back in seconds


def changes_for(payload: EmailFeedback | InboundSms) -> list[SuppressionChange]:
    if isinstance(payload, InboundSms):
        change = sms_reply_change(payload)
        if change is None:
            logger.info("sms reply ignored: not a keyword", inbound_message_id=payload.inbound_message_id)
            return []
        return [change]
    changes = email_feedback_changes(payload)
    if not changes:
        logger.info(
            "email feedback ignored",
            event_type=payload.event_type,
            bounce_type=payload.bounce.bounce_type if payload.bounce else None,
            message_id=payload.mail.message_id if payload.mail else None,
        )
    return changes


@cache
def default_confirmations() -> DynamoDeliveryConfirmations:
    settings = SuppressionSettings()  # type: ignore[call-arg]
    return DynamoDeliveryConfirmations(settings.orders_table_name, aws_client("dynamodb"))


def confirm_send(payload: EmailFeedback, confirmations: DynamoDeliveryConfirmations | None = None) -> None:
    """SES accepted an email: if a crash left its delivery claimed, record SES's message id on the
    entry, so the delivery's retry completes it instead of sending it again."""
    key = entry_of(payload.mail.tags) if payload.mail else None
    if key is None or payload.mail is None or not payload.mail.message_id:
        return  # not a delivery's email
    if (confirmations or default_confirmations()).accepted(key, payload.mail.message_id):
        logger.info("SES confirmed the send of an interrupted delivery", message_id=payload.mail.message_id)
        metrics.add_metric(name="InterruptedSendsConfirmed", unit=MetricUnit.Count, value=1)


def apply_feedback(
    record: FeedbackQueueRecord,
    suppressions: SuppressionList | None = None,
    clock: Clock | None = None,
    confirmations: DynamoDeliveryConfirmations | None = None,
) -> list[SuppressionChange]:
    if isinstance(record.body, EmailFeedback) and record.body.event_type == SEND_EVENT:
        confirm_send(record.body, confirmations)
        return []
    changes = changes_for(record.body)
    at = isoformat((clock or dependencies.clock()).now())
    apply_suppression_changes(changes, suppressions or default_suppressions(), at)
    for change in changes:
        logger.info(
            "suppression list changed",
            action=change.action.value,
            channel=change.channel.value,
            reason=change.reason,
            source=change.source,
            recipient=change.masked_address,
        )
        metrics.add_metric(
            name=f"Suppression_{change.action.value}_{change.channel.value}", unit=MetricUnit.Count, value=1
        )
    return changes


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_batch(
        event=event, record_handler=apply_feedback, processor=processor, context=context
    )
