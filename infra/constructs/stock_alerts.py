"""Low-stock alerts: `StockLevelChanged` events, routed from the domain event bus to the
`StockLevelChangesQueue`, drive the watch_stock_levels function, which publishes to the
`OperationsAlerts` topic."""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from constructs import Construct

from infra.config import QueueConsumerSettings
from infra.constructs.domain_events import subscribe_to_domain_events
from infra.constructs.lambda_function import FunctionRuntime, ServiceFunction
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
        function = self.watcher.function
        # the armed flag (UpdateItem on stock items) and the reservation rate (Query of the audit trail)
        self.watcher.grant_table_read_write_data(orders_table)
        # sns:Publish on the topic only. Not `grant_publish`: the topic's key is the AWS-managed SNS
        # key, whose key policy already lets SNS use it for any publisher in the account, so the
        # kms:GenerateDataKey* statement grant_publish adds (on key/*, as the key has no known ARN)
        # would only widen the role.
        iam.Grant.add_to_principal(
            grantee=function, actions=["sns:Publish"], resource_arns=[operations_alerts.topic_arn]
        )
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
