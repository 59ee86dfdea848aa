"""Webhook queue -> normalized checkpoints applied to shipments and orders (partial batch failures)."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import EventType
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Json

from carriers import dependencies
from carriers.adapters.sqs_registration_queue import MAX_DELAY_SECONDS, SqsRegistrationQueue
from carriers.dependencies import default_store, delay_policy, worker_settings
from carriers.domain.apply_tracking import ApplyResult, apply_tracking_update
from carriers.domain.intake import parse_update
from carriers.domain.ports import TrackingStore
from carriers.domain.register_tracking import RegistrationQueue, resubscription_job
from carriers.models.tracking import WebhookMessage, parse_time
from shared.aws_clients import aws_client
from shared.clock import isoformat
from shared.observability import logger, metrics
from shared.partial_batches import process_partial_batch
from shared.short_retries import ShortRetryBatchProcessor
from shared.sqs_records import SqsRecord


class WebhookQueueRecord(SqsRecord):
    body: Json[WebhookMessage]  # type: ignore[assignment]


@cache
def registration_queue() -> RegistrationQueue:
    return SqsRegistrationQueue(worker_settings().registration_queue_url, aws_client("sqs"))


processor = ShortRetryBatchProcessor(
    event_type=EventType.SQS, model=WebhookQueueRecord, sqs_client=lambda: aws_client("sqs")
)  # throttling left after botocore's retries: the record comes back in seconds


def apply_message(
    record: WebhookQueueRecord,
    store: TrackingStore | None = None,
    registrations: RegistrationQueue | None = None,
) -> ApplyResult:
    message = record.body
    update = parse_update(message.provider, message.payload, message.received_at)
    logger.append_keys(provider=message.provider.value, tracking_number=update.tracking_number)
    now = isoformat(dependencies.clock().now())
    result = apply_tracking_update(
        update, store or default_store(), now, delay_policy(), received_at=message.received_at
    )
    if update.stopped:  # the provider stopped tracking: resubscribe when its rules allow it
        after = worker_settings().kuaidi100_resubscribe_after_seconds
        received = parse_time(message.received_at)
        job = resubscription_job(update.tracking_number, update.stopped, received, timedelta(seconds=after))
        (registrations or registration_queue()).request(job, delay_seconds=min(after, MAX_DELAY_SECONDS))
        logger.info("provider stopped tracking", reason=update.stopped)
    logger.debug("carrier update processed", result=result.value, checkpoints=len(update.checkpoints))
    metrics.add_metric(name=f"CarrierUpdate_{result.value}", unit=MetricUnit.Count, value=1)
    return result


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_batch(
        event=event, record_handler=apply_message, processor=processor, context=context
    )
