"""DynamoDB stream of the orders table (orders, stock items, tracking links) -> reservation and
notification jobs on their queues, and ordertrack's domain events on the stack's event bus, sent
for the whole batch at once (`orders.domain.dispatch_batch`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from orders import dependencies
from orders.adapters.eventbridge_bus import EventBridgeBus
from orders.adapters.sqs_publisher import SqsEventPublisher
from orders.domain.dispatch import Destination, FeedbackInvitations
from orders.domain.dispatch_batch import Change, EventSender, JobSender, plan, send
from shared.aws_clients import aws_client
from shared.clock import isoformat
from shared.failed_records import with_failed_records_counted
from shared.observability import logger, metrics
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
def default_publisher() -> SqsEventPublisher:
    settings = DispatcherSettings()  # type: ignore[call-arg]
    queues = {
        Destination.RESERVATION: settings.reservation_queue_url,
        Destination.NOTIFICATION: settings.notification_queue_url,
    }
    return SqsEventPublisher(queues, aws_client("sqs"))


@cache
def default_bus() -> EventBridgeBus:
    return EventBridgeBus(settings().event_bus_name, aws_client("events"))


def _reader(raw: dict[str, Any]) -> Callable[[], Change]:
    def read() -> Change:
        record = DynamoDBRecord(raw)
        change = record.dynamodb
        created = change.approximate_creation_date_time if change else None
        at = isoformat(datetime.fromtimestamp(created, UTC) if created else dependencies.clock().now())
        return Change(
            identifier=str(change.sequence_number if change else ""),
            old=(change.old_image if change else None) or None,
            new=(change.new_image if change else None) or None,
            change_id=str(record.event_id),
            at=at,
        )

    return read


def _sequence_number(raw: dict[str, Any]) -> str:
    return str((raw.get("dynamodb") or {}).get("SequenceNumber", ""))


def dispatch_batch(
    records: list[dict[str, Any]],
    context: LambdaContext,
    publisher: JobSender | None = None,
    bus: EventSender | None = None,
    invitations: FeedbackInvitations | None = None,
) -> dict[str, Any]:
    """Plan every record, send the batch's jobs and events together, report what is left undone."""
    read, work = plan(
        (_reader(raw) for raw in records),
        invitations or default_invitations(),
        on_error=lambda error: logger.exception("a stream record could not be read or planned"),
    )
    undone = send(work, publisher or default_publisher(), bus or default_bus())  # type: ignore[arg-type]
    identifiers = [read[position].identifier for position in sorted(undone)]
    if len(read) < len(records):  # the record after the last one read could not be planned
        identifiers.append(_sequence_number(records[len(read)]))
    if identifiers:
        logger.warning(
            "stream records left for a retry",
            records=len(identifiers),
            first=identifiers[0],
            errors=sorted(set(undone.values())),
        )
    return with_failed_records_counted(
        {"batchItemFailures": [{"itemIdentifier": identifier} for identifier in identifiers]}, context
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dispatch_batch(event.get("Records") or [], context)
