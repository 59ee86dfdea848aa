"""Unpaid reservations: a scheduled sweep releases holds whose time ran out (status `expired`).

DynamoDB TTL is not used for this: its deletions can lag by up to 48 hours. Holds are found
through the sparse index `gsi3` (`HOLD` / expiry time), so the sweep never scans the table.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from constructs import Construct

from infra.config import OrderLifecycleSettings
from infra.constructs.lambda_function import FunctionRuntime, ServiceFunction
from infra.constructs.logical_ids import pin_logical_id

HANDLER = "orders.handlers.expire_holds.handler"
SCHEDULE_LOGICAL_ID = "ExpireHoldsSchedule"


class OrderHolds(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        runtime: FunctionRuntime,
        settings: OrderLifecycleSettings,
        orders_table: dynamodb.ITable,
    ) -> None:
        super().__init__(scope, construct_id)
        self.sweeper = ServiceFunction(
            self,
            "ExpireHolds",
            runtime=runtime,
            name="ExpireHolds",
            handler=HANDLER,
            service_name="orders",
            description="Releases stock held for unpaid orders once their hold expires",
            settings=settings.sweeper,
            environment={"ORDERS_TABLE_NAME": orders_table.table_name},
        )
        self.sweeper.grant_table_read_write_data(orders_table)
        self.schedule = events.Rule(
            self,
            "ExpireHoldsSchedule",
            description="Release expired payment holds",
            schedule=events.Schedule.rate(Duration.minutes(settings.expiry_sweep_minutes)),
            targets=[targets.LambdaFunction(self.sweeper.function, retry_attempts=2)],
        )
        pin_logical_id(self.schedule, SCHEDULE_LOGICAL_ID)
