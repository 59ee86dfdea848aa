"""Stock reservation: `ReservationQueue` drained by the reserve_stock worker."""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from infra.config import QueueConsumerSettings
from infra.constructs.lambda_function import FunctionRuntime, ServiceFunction
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
            environment={
                "ORDERS_TABLE_NAME": orders_table.table_name,
                "RESERVATION_QUEUE_URL": self.queue.queue_url,
            },
        )
        self.worker.grant_table_read_write_data(orders_table)
        # The event source's consume grant includes sqs:ChangeMessageVisibility on this queue, which
        # the worker calls to hand a conflicting record back within seconds.
        self.worker.consume_queue(self.queue, settings)
