"""DynamoDB stream of the orders table (orders, stock items, tracking links) -> reservation and
notification jobs on their queues, and ordertrack's domain events on the stack's event bus."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from orders import dependencies
from orders.adapters.eventbridge_bus import EventBridgeBus
from orders.adapters.sqs_publisher import SqsEventPublisher
from orders.domain.change_events import DomainEventBus, publish_change_events
from orders.domain.dispatch import Destination, EventPublisher, FeedbackInvitations, dispatch_order_change
from shared.aws_clients import aws_client
from shared.clock import isoformat
from shared.observability import logger, metrics
from shared.partial_batches import process_partial_batch
from shared.settings import FunctionSettings


class DispatcherSettings(FunctionSettings):
    reservation_queue_url: str
    notification_queue_url: str
    event_bus_name: str
    # survey invitations (none are sent without the link-signing secret)
    link_signing_secret_arn: str = ""
    feedback_delay_seconds: int = 24 * 3600
    feedback_link_days: int = 30


@cache
def settings() -> DispatcherSettings:
    return DispatcherSettings()  # type: ignore[call-arg]


def _sign_feedback_link(order_id: str, expires_at: int) -> str:
    from shared.link_keys import link_keys
    from shared.links import FEEDBACK, sign

    return sign(
        link_keys(settings().link_signing_secret_arn).current, order_id, FEEDBACK, expires_at=expires_at
    )


@cache
def default_invitations() -> FeedbackInvitations | None:
    current = settings()
    if not current.link_signing_secret_arn:
        return None
    return FeedbackInvitations(
        delay=timedelta(seconds=current.feedback_delay_seconds),
        link_days=current.feedback_link_days,
        sign=_sign_feedback_link,
    )


@cache
def default_publisher() -> EventPublisher:
    settings = DispatcherSettings()  # type: ignore[call-arg]
    queues = {
        Destination.RESERVATION: settings.reservation_queue_url,
        Destination.NOTIFICATION: settings.notification_queue_url,
    }
    return SqsEventPublisher(queues, aws_client("sqs"))


@cache
def default_bus() -> DomainEventBus:
    return EventBridgeBus(settings().event_bus_name, aws_client("events"))


processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def dispatch_record(
    record: DynamoDBRecord,
    publisher: EventPublisher | None = None,
    invitations: FeedbackInvitations | None = None,
    bus: DomainEventBus | None = None,
) -> int:
    """Jobs first, then the change's domain events: a record that fails either is
    retried whole, and every consumer applies a repeated job or event once."""
    change = record.dynamodb
    old = (change.old_image if change else None) or None
    new = (change.new_image if change else None) or None
    jobs = 0
    if new and new.get("entity") == "order":
        jobs = dispatch_order_change(
            old, new, publisher or default_publisher(), invitations or default_invitations()
        )
    created = change.approximate_creation_date_time if change else None
    at = isoformat(datetime.fromtimestamp(created, UTC) if created else dependencies.clock().now())
    events = publish_change_events(old, new, str(record.event_id), at, bus or default_bus())
    return jobs + events


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_batch(
        event=event, record_handler=dispatch_record, processor=processor, context=context
    )
