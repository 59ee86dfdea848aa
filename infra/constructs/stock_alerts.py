"""Low-stock alerts: the orders table's stream, filtered to stock items, drives the
watch_stock_levels function, which publishes to the `OperationsAlerts` topic."""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct

from infra.config import StreamConsumerSettings
from infra.constructs.lambda_function import STREAM_READ_REASON, FunctionRuntime, ServiceFunction
from infra.constructs.operations_alerts import grant_alert_publishing
from infra.constructs.queues import stream_failure_queue

HANDLER = "inventory.handlers.watch_stock_levels.handler"
STOCK_ITEMS_ONLY = {"dynamodb": {"NewImage": {"entity": {"S": lambda_.FilterRule.is_equal("stock")}}}}
"""Only changes that leave a stock item behind reach the watcher (orders and audit records do not)."""


class StockAlerts(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        runtime: FunctionRuntime,
        settings: StreamConsumerSettings,
        orders_table: dynamodb.ITable,
        operations_alerts: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dlq = stream_failure_queue(self, "StockLevelChangesDlq", "stock-level")
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
            unscoped_resource_reasons=[STREAM_READ_REASON],
        )
        # the armed flag (UpdateItem on stock items) and the reservation rate (Query of the audit trail)
        self.watcher.grant_table_read_write_data(orders_table)
        grant_alert_publishing(operations_alerts, self.watcher)
        self.watcher.consume_table_stream(orders_table, settings, self.dlq, STOCK_ITEMS_ONLY)
