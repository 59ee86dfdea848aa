"""Order events: the orders table's stream, filtered to order items, fanned out to the work queues."""

from __future__ import annotations

from aws_cdk import (
    Duration,
)
from aws_cdk import (
    aws_dynamodb as dynamodb,
)
from aws_cdk import (
    aws_lambda as lambda_,
)
from aws_cdk import (
    aws_lambda_event_sources as event_sources,
)
from aws_cdk import (
    aws_sqs as sqs,
)
from constructs import Construct

from infra.config import StreamConsumerSettings
from infra.constructs.lambda_function import FunctionRuntime, ServiceFunction
from infra.constructs.nag import suppress
from infra.constructs.queues import dead_letter_queue

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
        self.dlq = dead_letter_queue(self, "OrderChangesDlq", logical_id="OrderChangesDlq")
        suppress(
            self.dlq,
            "AwsSolutions-SQS3",
            "This queue is itself a dead-letter queue: the on-failure destination of the orders "
            "table stream mapping, so it must not redrive anywhere else.",
        )

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
            unscoped_resource_reasons=[
                "Reading a DynamoDB stream also needs dynamodb:ListStreams, which IAM cannot scope to "
                "a table or stream, so the statement CDK adds for the event source uses Resource *."
            ],
        )
        function = self.dispatcher.function
        reservation_queue.grant_send_messages(function)
        notification_queue.grant_send_messages(function)
        function.add_event_source(
            event_sources.DynamoEventSource(
                orders_table,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=settings.batch_size,
                max_batching_window=Duration.seconds(settings.batching_window_seconds),
                bisect_batch_on_error=True,
                retry_attempts=settings.retry_attempts,
                max_record_age=Duration.seconds(settings.max_record_age_seconds),
                report_batch_item_failures=True,
                on_failure=event_sources.SqsDlq(self.dlq),
                filters=[lambda_.FilterCriteria.filter(ORDER_ITEMS_ONLY)],
            )
        )
