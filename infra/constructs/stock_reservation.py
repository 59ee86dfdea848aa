"""Stock reservation: `ReservationQueue` drained by the reserve_stock worker."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda_event_sources as event_sources
from constructs import Construct

from infra.config import QueueConsumerSettings
from infra.constructs.lambda_function import FunctionRuntime, ServiceFunction
from infra.constructs.nag import TABLE_INDEX_WILDCARD, suppress
from infra.constructs.queues import WorkQueue

HANDLER = "inventory.handlers.reserve_stock.handler"


class StockReservation(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        runtime: FunctionRuntime,
        settings: QueueConsumerSettings,
        orders_table: dynamodb.ITable,
    ) -> None:
        super().__init__(scope, construct_id)
        work = WorkQueue(self, "ReservationQueue", logical_id="ReservationQueue", settings=settings)
        self.queue = work.queue
        self.dlq = work.dlq

        self.worker = ServiceFunction(
            self,
            "ReserveStock",
            runtime=runtime,
            name="ReserveStock",
            handler=HANDLER,
            service_name="inventory",
            description="Reserves stock for new orders from ReservationQueue",
            settings=settings.function,
            environment={"ORDERS_TABLE_NAME": orders_table.table_name},
        )
        orders_table.grant_read_write_data(self.worker.function)
        suppress(
            self.worker.role,
            "AwsSolutions-IAM5",
            "grant_read_write_data on the orders table also covers its global secondary indexes, "
            "which IAM can only name with the table ARN followed by /index/*.",
            applies_to=[TABLE_INDEX_WILDCARD],
        )
        self.worker.function.add_event_source(
            event_sources.SqsEventSource(
                self.queue,
                batch_size=settings.batch_size,
                max_batching_window=Duration.seconds(settings.batching_window_seconds),
                report_batch_item_failures=True,
            )
        )
