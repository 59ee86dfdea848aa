"""Registration queue -> each shipment's tracking number registered with its provider.

A provider outage (429, 5xx, timeout: `ProviderUnavailable`) hands the job back to the queue with
exponential backoff (its visibility timeout), so it is tried again, then dead-letters after the
queue's receive count (`make redrive`); a job that must wait (a Kuaidi100 resubscription) comes
back when it is due. Permanent refusals are recorded on the shipment and alert operations."""

from __future__ import annotations

import random
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import EventType
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field, Json

from carriers import dependencies as wiring
from carriers.adapters.dynamo_tracking import DynamoTrackingStore
from carriers.adapters.providers.registry import tracking_providers
from carriers.adapters.sns_alerts import SnsOperationsAlerts
from carriers.adapters.sqs_registration_queue import SqsRegistrationQueue
from carriers.domain.carrier_catalog import CarrierRouting
from carriers.domain.register_tracking import Deferred, Outcome, ProviderUnavailable, TrackingRegistrar
from carriers.models.registration import RegistrationJob
from shared.alert_log import DynamoAlertLog, RecordedAlerts
from shared.aws_clients import aws_client
from shared.observability import logger, metrics
from shared.partial_batches import process_partial_batch
from shared.settings import FunctionSettings
from shared.short_retries import ShortRetryBatchProcessor
from shared.sqs_records import SqsRecord


class RegistrationWorkerSettings(FunctionSettings):
    orders_table_name: str
    operations_alerts_topic_arn: str
    registration_queue_url: str
    carrier_routing: Json[CarrierRouting] = Field(default_factory=CarrierRouting)  # built on first use
    registration_retry_base_seconds: int = 30
    registration_retry_max_seconds: int = 900


class RegistrationRecord(SqsRecord):
    body: Json[RegistrationJob]  # type: ignore[assignment]


@cache
def settings() -> RegistrationWorkerSettings:
    return RegistrationWorkerSettings()  # type: ignore[call-arg]


@cache
def queue() -> SqsRegistrationQueue:
    return SqsRegistrationQueue(settings().registration_queue_url, aws_client("sqs"))


@cache
def registrar() -> TrackingRegistrar:
    config = settings()
    return TrackingRegistrar(
        store=DynamoTrackingStore(config.orders_table_name, aws_client("dynamodb")),
        providers=tracking_providers(),
        routing=config.carrier_routing,
        alerts=RecordedAlerts(
            DynamoAlertLog(config.orders_table_name, aws_client("dynamodb"), lambda: wiring.clock().now()),
            "tracking_registration",
            SnsOperationsAlerts(config.operations_alerts_topic_arn, aws_client("sns")),
        ),
    )


def backoff_seconds(receive_count: int, base: int, ceiling: int, rng: random.Random | None = None) -> int:
    """Exponential in the receive count, with jitter (half to all of it), at most `ceiling`."""
    full = min(ceiling, base * 2 ** max(0, receive_count - 1))
    return max(1, int((rng or random).uniform(full / 2, full)))


processor = ShortRetryBatchProcessor(
    event_type=EventType.SQS, model=RegistrationRecord, sqs_client=lambda: aws_client("sqs")
)  # throttling left after botocore's retries: the record comes back in seconds


def register_record(record: RegistrationRecord) -> str:
    job = record.body
    logger.append_keys(tracking_number=job.tracking_number, job=job.kind)
    now = wiring.clock().now()
    try:
        outcome = registrar().process(job, now)
    except Deferred as deferred:
        wait = int((deferred.until - now).total_seconds()) + 1
        queue().retry_after(record.receiptHandle, wait)
        logger.debug("registration deferred", seconds=wait)
        raise
    except ProviderUnavailable as unavailable:
        config = settings()
        receives = int(record.attributes.ApproximateReceiveCount)
        wait = backoff_seconds(
            receives, config.registration_retry_base_seconds, config.registration_retry_max_seconds
        )
        if unavailable.retry_after:
            wait = max(wait, int(unavailable.retry_after))
        queue().retry_after(record.receiptHandle, wait)
        logger.warning(
            "provider unavailable, registration retried later",
            provider=unavailable.provider,
            detail=unavailable.detail,
            receive_count=receives,
            retry_in_seconds=wait,
        )
        metrics.add_metric(name="TrackingRegistrationsRetried", unit=MetricUnit.Count, value=1)
        raise
    logger.debug("tracking registration processed", outcome=outcome.value)
    if outcome in (Outcome.FAILED, Outcome.GAVE_UP):
        metrics.add_metric(name="TrackingRegistrationsFailed", unit=MetricUnit.Count, value=1)
    elif outcome in (Outcome.REGISTERED, Outcome.ALREADY_REGISTERED, Outcome.RESUBSCRIBED):
        metrics.add_metric(name="TrackingRegistrations", unit=MetricUnit.Count, value=1)
    return outcome.value


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_batch(
        event=event, record_handler=register_record, processor=processor, context=context
    )
