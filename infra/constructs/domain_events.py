"""Domain events: the stack's EventBridge bus, and the rules that route its events to consumers' queues.

The order events dispatcher publishes every domain event (catalogue: `shared.domain_events`,
docs/domain-events.md) to the bus `ordertrack-<stage>`. A consumer subscribes with
`subscribe_to_domain_events`: a work queue with its dead-letter queue, a rule matching the
detail-types it needs, and the function draining the queue with partial batch responses. The rule
delivers to the queue under a queue policy that admits `events.amazonaws.com` for that rule only
(`aws:SourceArn`), retries delivery, and dead-letters what it cannot deliver to the same
dead-letter queue, so one alarm covers both.

Merchants route the same events to their own endpoints or accounts with rules of their own on the
bus (docs/domain-events.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import CfnOutput, Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from constructs import Construct

from infra.config import QueueConsumerSettings
from infra.constructs.lambda_function import ServiceFunction
from infra.constructs.logical_ids import pin_logical_id
from infra.constructs.queues import WorkQueue
from shared.domain_events import CATALOGUE, SOURCE, DomainEvent

BUS_LOGICAL_ID = "DomainEventBus"
DELIVERY_RETRY_ATTEMPTS = 185
"""EventBridge's own default and maximum: it retries a failed delivery for up to 24 hours."""
DELIVERY_MAX_EVENT_AGE = Duration.hours(24)


def bus_name(stage: str) -> str:
    return f"ordertrack-{stage}"


class DomainEvents(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str) -> None:
        super().__init__(scope, construct_id)
        self.bus = events.EventBus(
            self,
            "Bus",
            event_bus_name=bus_name(stage),
            description="ordertrack domain events (docs/domain-events.md)",
        )
        pin_logical_id(self.bus, BUS_LOGICAL_ID)
        for name, value, description in (
            (
                "DomainEventBusName",
                self.bus.event_bus_name,
                "The event bus ordertrack publishes its domain events to",
            ),
            (
                "DomainEventBusArn",
                self.bus.event_bus_arn,
                "ARN of the domain event bus (rules, cross-account)",
            ),
        ):
            output = CfnOutput(self, name, value=value, description=description)
            output.override_logical_id(name)

    def grant_publish(self, publisher: ServiceFunction) -> None:
        """events:PutEvents on this bus only, and the bus's name in EVENT_BUS_NAME."""
        self.bus.grant_put_events_to(publisher.function)
        publisher.function.add_environment("EVENT_BUS_NAME", self.bus.event_bus_name)


def subscribe_to_domain_events(
    scope: Construct,
    bus: events.IEventBus,
    consumer: ServiceFunction,
    *,
    logical_id: str,
    detail_types: Sequence[type[DomainEvent]],
    settings: QueueConsumerSettings,
    detail: Mapping[str, Any] | None = None,
) -> WorkQueue:
    """Route `detail_types` from the bus to a new work queue `logical_id` (DLQ `<logical_id>Dlq`,
    rule `<logical_id>Rule`) that `consumer` drains; `detail` narrows the rule to events whose
    detail matches it (EventBridge pattern syntax, e.g. `{"sku": [{"prefix": "HOT-"}]}`)."""
    unknown = [event for event in detail_types if event not in CATALOGUE]
    if unknown:
        raise ValueError(f"not in the domain event catalogue: {unknown}")
    work = WorkQueue(scope, logical_id, logical_id=logical_id, settings=settings)
    rule = events.Rule(
        scope,
        f"{logical_id}Rule",
        event_bus=bus,
        description=f"Routes {', '.join(e.detail_type for e in detail_types)} to {logical_id}",
        event_pattern=events.EventPattern(
            source=[SOURCE],
            detail_type=[event.detail_type for event in detail_types],
            detail=dict(detail) if detail else None,
        ),
        targets=[
            targets.SqsQueue(
                work.queue,
                dead_letter_queue=work.dlq,
                retry_attempts=DELIVERY_RETRY_ATTEMPTS,
                max_event_age=DELIVERY_MAX_EVENT_AGE,
            )
        ],
    )
    pin_logical_id(rule, f"{logical_id}Rule")
    consumer.consume_queue(work.queue, settings)
    return work
