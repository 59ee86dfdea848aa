"""Order events: the orders table's stream, filtered to orders, stock items, tracking links,
shipments whose carrier estimate may have moved and shipments in a delivery problem,
turned by one dispatcher into reservation and notification jobs (work queues) and into domain
events published on the stack's event bus (`infra.constructs.domain_events`).

The dispatcher is one of the stream's two readers (the other is the KPI aggregates consumer):
everything else that reacts to a change subscribes to the bus, so the stream is never read by more
than the two readers per shard AWS advises."""

from __future__ import annotations

from aws_cdk import (
    aws_dynamodb as dynamodb,
)
from aws_cdk import (
    aws_lambda as lambda_,
)
from aws_cdk import (
    aws_sqs as sqs,
)
from constructs import Construct

from infra.config import StreamConsumerSettings
from infra.constructs.domain_events import DomainEvents
from infra.constructs.lambda_function import STREAM_READ_REASON, FunctionRuntime, ServiceFunction
from infra.constructs.queues import stream_failure_queue

HANDLER = "orders.handlers.dispatch_order_changes.handler"
ORDER_ITEMS_ONLY = {"dynamodb": {"NewImage": {"entity": {"S": lambda_.FilterRule.is_equal("order")}}}}
"""Changes that leave an order item behind (deletes carry no NewImage): jobs, and order events."""
STOCK_ITEMS_ONLY = {"dynamodb": {"NewImage": {"entity": {"S": lambda_.FilterRule.is_equal("stock")}}}}
"""Changes that leave a stock item behind (orders and audit records do not): `StockLevelChanged`."""
NEW_TRACKING_LINKS = {
    # INSERT: a new tracking number; MODIFY: a recycled one taken over by a newer shipment
    "eventName": lambda_.FilterRule.or_("INSERT", "MODIFY"),
    "dynamodb": {"NewImage": {"entity": {"S": lambda_.FilterRule.is_equal("tracking_link")}}},
}
"""Tracking links written: `ShipmentTrackingLinked`."""
REVISED_ESTIMATES = {
    "eventName": lambda_.FilterRule.is_equal("MODIFY"),
    "dynamodb": {
        "OldImage": {"estimated_delivery": {"S": lambda_.FilterRule.exists()}},
        "NewImage": {
            "entity": {"S": lambda_.FilterRule.is_equal("shipment")},
            "estimated_delivery": {"S": lambda_.FilterRule.exists()},
        },
    },
}
"""Shipments that had a carrier estimate and still have one: `order.estimate_revised` when it moved
(the filter cannot compare the two; the dispatcher does)."""
SHIPMENT_PROBLEMS = {
    "dynamodb": {
        "NewImage": {
            "entity": {"S": lambda_.FilterRule.is_equal("shipment")},
            "status": {"S": lambda_.FilterRule.or_("delivery_exception", "returned_to_sender")},
        }
    },
}
"""Shipments in a delivery problem: `ShipmentExceptionRaised` when the problem is new (the
dispatcher compares the images), which opens a delivery exception (docs/exceptions.md)."""
DISPATCHED_CHANGES = (
    ORDER_ITEMS_ONLY,
    STOCK_ITEMS_ONLY,
    NEW_TRACKING_LINKS,
    REVISED_ESTIMATES,
    SHIPMENT_PROBLEMS,
)
"""One filter each: a record reaches the dispatcher if it matches any of them."""


class OrderEvents(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        runtime: FunctionRuntime,
        settings: StreamConsumerSettings,
        orders_table: dynamodb.ITable,
        reservation_queue: sqs.IQueue,
        notification_queue: sqs.IQueue,
        domain_events: DomainEvents,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dlq = stream_failure_queue(self, "OrderChangesDlq", "orders table")

        self.dispatcher = ServiceFunction(
            self,
            "DispatchOrderChanges",
            runtime=runtime,
            name="DispatchOrderChanges",
            handler=HANDLER,
            service_name="orders",
            description="Turns orders table changes into reservation and notification jobs and domain events",
            settings=settings.function,
            environment={
                "RESERVATION_QUEUE_URL": reservation_queue.queue_url,
                "NOTIFICATION_QUEUE_URL": notification_queue.queue_url,
            },
            unscoped_resource_reasons=[STREAM_READ_REASON],
        )
        function = self.dispatcher.function
        reservation_queue.grant_send_messages(function)
        notification_queue.grant_send_messages(function)
        domain_events.grant_publish(self.dispatcher)
        self.dispatcher.consume_table_stream(orders_table, settings, self.dlq, DISPATCHED_CHANGES)
