"""Low-stock alerts: the orders table's stream, filtered to stock items, drives the
watch_stock_levels function, which publishes to the `OperationsAlerts` topic."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sns as sns
from constructs import Construct

from infra.config import StreamConsumerSettings
from infra.constructs.lambda_function import FunctionRuntime, ServiceFunction
from infra.constructs.nag import suppress
from infra.constructs.queues import dead_letter_queue

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
        self.dlq = dead_letter_queue(self, "StockLevelChangesDlq", logical_id="StockLevelChangesDlq")
        suppress(
            self.dlq,
            "AwsSolutions-SQS3",
            "This queue is itself a dead-letter queue: the on-failure destination of the stock-level "
            "stream mapping, so it must not redrive anywhere else.",
        )
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
            unscoped_resource_reasons=[
                "Reading a DynamoDB stream also needs dynamodb:ListStreams, which IAM cannot scope to "
                "a table or stream, so the statement CDK adds for the event source uses Resource *."
            ],
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
                filters=[lambda_.FilterCriteria.filter(STOCK_ITEMS_ONLY)],
            )
        )
