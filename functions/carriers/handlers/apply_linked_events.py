"""`ShipmentTrackingLinked` events, routed by a rule on the stack's event bus to this consumer's
queue -> apply the checkpoints that arrived before the shipment was registered (carriers often report before the merchant does), then queue the
number's registration with the provider that tracks its carrier (carriers.domain.register_tracking)."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import EventType
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field, Json

from carriers import dependencies
from carriers.adapters.sqs_registration_queue import SqsRegistrationQueue
from carriers.dependencies import default_store, delay_policy
from carriers.domain.apply_tracking import ApplyResult, apply_stored_events
from carriers.domain.carrier_catalog import CarrierRouting
from carriers.domain.ports import TrackingStore
from carriers.domain.register_tracking import RegistrationQueue, request_registration
from carriers.models.shipment import TrackingLink
from shared.aws_clients import aws_client
from shared.clock import isoformat
from shared.domain_events import ShipmentTrackingLinked, bus_event_record
from shared.observability import logger, metrics
from shared.partial_batches import process_partial_batch
from shared.settings import FunctionSettings
from shared.short_retries import ShortRetryBatchProcessor

ShipmentTrackingLinkedRecord = bus_event_record(ShipmentTrackingLinked)


class RegistrationRequestSettings(FunctionSettings):
    registration_queue_url: str
    carrier_routing: Json[CarrierRouting] = Field(default_factory=CarrierRouting)  # built on first use


@cache
def registrations() -> tuple[RegistrationQueue, CarrierRouting]:
    settings = RegistrationRequestSettings()  # type: ignore[call-arg]
    return SqsRegistrationQueue(settings.registration_queue_url, aws_client("sqs")), settings.carrier_routing


processor = ShortRetryBatchProcessor(
    event_type=EventType.SQS, model=ShipmentTrackingLinkedRecord, sqs_client=lambda: aws_client("sqs")
)  # throttling left after botocore's retries: the record comes back in seconds


def apply_for_link(
    record: Any,
    store: TrackingStore | None = None,
    registration: tuple[RegistrationQueue, CarrierRouting] | None = None,
) -> ApplyResult:
    linked: ShipmentTrackingLinked = record.body.detail
    tracking_number = linked.tracking_number
    store = store or default_store()
    moment = dependencies.clock().now()
    result = apply_stored_events(tracking_number, store, isoformat(moment), policy=delay_policy())
    link = TrackingLink.model_validate({**linked.model_dump(), "created_at": linked.occurred_at})
    queue, routing = registration or registrations()
    queued = request_registration(link, store, queue, routing, moment)  # type: ignore[arg-type]
    logger.debug(
        "tracking link processed",
        tracking_number=tracking_number,
        result=result.value,
        registration_queued=queued,
    )
    return result


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_batch(
        event=event, record_handler=apply_for_link, processor=processor, context=context
    )
