"""Orders table stream, filtered to new tracking links -> apply the checkpoints that arrived before
the shipment was registered (carriers often report before the merchant does), then queue the
number's registration with the provider that tracks its carrier (carriers.domain.register_tracking)."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
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
from shared.observability import logger, metrics
from shared.settings import FunctionSettings


class RegistrationRequestSettings(FunctionSettings):
    registration_queue_url: str
    carrier_routing: Json[CarrierRouting] = Field(default_factory=CarrierRouting)  # built on first use


@cache
def registrations() -> tuple[RegistrationQueue, CarrierRouting]:
    settings = RegistrationRequestSettings()  # type: ignore[call-arg]
    return SqsRegistrationQueue(settings.registration_queue_url, aws_client("sqs")), settings.carrier_routing


processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def apply_for_link(
    record: DynamoDBRecord,
    store: TrackingStore | None = None,
    registration: tuple[RegistrationQueue, CarrierRouting] | None = None,
) -> ApplyResult:
    image = (record.dynamodb.new_image if record.dynamodb else None) or {}
    tracking_number = str(image.get("tracking_number") or str(image["pk"]).removeprefix("TRACKING#"))
    store = store or default_store()
    moment = dependencies.clock().now()
    result = apply_stored_events(tracking_number, store, isoformat(moment), policy=delay_policy())
    link = TrackingLink.model_validate({**image, "tracking_number": tracking_number})
    queue, routing = registration or registrations()
    queued = request_registration(link, store, queue, routing, moment)  # type: ignore[arg-type]
    logger.info(
        "tracking link processed",
        tracking_number=tracking_number,
        result=result.value,
        registration_queued=queued,
    )
    return result


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=apply_for_link, processor=processor, context=context
    )
