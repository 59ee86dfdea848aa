"""Order events: the orders table's stream, filtered to order items, fanned out to the work queues."""

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
from infra.constructs.lambda_function import STREAM_READ_REASON, FunctionRuntime, ServiceFunction
from infra.constructs.queues import stream_failure_queue

HANDLER = "orders.handlers.dispatch_order_changes.handler"
ORDER_ITEMS_ONLY = {"dynamodb": {"NewImage": {"entity": {"S": lambda_.FilterRule.is_equal("order")}}}}
"""Only changes that leave an order item behind reach the dispatcher (deletes carry no NewImage)."""


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
            description="Turns order changes from the orders table stream into reservation and notification jobs",
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
        self.dispatcher.consume_table_stream(orders_table, settings, self.dlq, ORDER_ITEMS_ONLY)
