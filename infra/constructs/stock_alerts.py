"""Low-stock alerts: `StockLevelChanged` events, routed from the domain event bus to the
`StockLevelChangesQueue`, drive the watch_stock_levels function, which publishes to the
`OperationsAlerts` topic."""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_sns as sns
from constructs import Construct

from infra.config import QueueConsumerSettings
from infra.constructs.domain_events import subscribe_to_domain_events
from infra.constructs.lambda_function import FunctionRuntime, ServiceFunction
from infra.constructs.operations_alerts import grant_alert_publishing
from shared.domain_events import StockLevelChanged

HANDLER = "inventory.handlers.watch_stock_levels.handler"


class StockAlerts(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        runtime: FunctionRuntime,
        settings: QueueConsumerSettings,
        orders_table: dynamodb.ITable,
        operations_alerts: sns.ITopic,
        domain_events: events.IEventBus,
    ) -> None:
        super().__init__(scope, construct_id)
        self.watcher = ServiceFunction(
            self,
            "WatchStockLevels",
            runtime=runtime,
            name="WatchStockLevels",
            handler=HANDLER,
            service_name="inventory",
            description="Publishes one low-stock alert per crossing below a SKU's threshold",
            settings=settings.function,
            environment={
                "ORDERS_TABLE_NAME": orders_table.table_name,
                "OPERATIONS_ALERTS_TOPIC_ARN": operations_alerts.topic_arn,
            },
        )
        # the armed flag (UpdateItem on stock items) and the reservation rate (Query of the audit trail)
        self.watcher.grant_table_read_write_data(orders_table)
        grant_alert_publishing(operations_alerts, self.watcher)
        work = subscribe_to_domain_events(
            self,
            domain_events,
            self.watcher,
            logical_id="StockLevelChangesQueue",
            detail_types=[StockLevelChanged],
            settings=settings,
        )
        self.queue = work.queue
        self.dlq = work.dlq
