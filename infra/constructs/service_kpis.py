"""Service KPIs: a stream consumer that keeps the daily KPI aggregates (and publishes the same
figures as CloudWatch metrics), the operations dashboard, and the alarms that page operations.

Alarms (actions: the `OperationsAlerts` topic):
- every dead-letter queue and stream on-failure queue holding a message;
- every function's error rate (errors / invocations) above `FUNCTION_ERROR_RATE_PERCENT`;
- the delivery exception rate (exceptions / shipments reaching an outcome) above
  `DELIVERY_EXCEPTION_RATE_PERCENT`, once at least `DELIVERY_EXCEPTION_MIN_OUTCOMES` shipments
  reached one in the hour;
- throttles, stream iterator age, DynamoDB throttling, API 5xx and 429 and failed batch records
  (`infra.constructs.operations_alarms`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aws_cdk import CfnResource, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from infra.config import StreamConsumerSettings
from infra.constructs.lambda_function import (
    METRICS_NAMESPACE,
    STREAM_READ_REASON,
    FunctionRuntime,
    ServiceFunction,
)
from infra.constructs.logical_ids import pin_logical_id
from infra.constructs.nag import TABLE_INDEX_WILDCARD, suppress
from infra.constructs.operations_alarms import OperationsAlarms
from infra.constructs.queues import stream_failure_queue
from stats.domain.case_contributions import RETURN_REASON_CODES

HANDLER = "stats.handlers.maintain_aggregates.handler"
SERVICE_NAME = "stats"
AGGREGATED_ENTITIES = ["order", "shipment", "notification", "feedback", "complaint", "return"]
"""Kept equal to `stats.domain.contributions.AGGREGATED_ENTITIES` (an infra test compares them)."""
AGGREGATED_ITEMS_ONLY = {"dynamodb": {"NewImage": {"entity": {"S": AGGREGATED_ENTITIES}}}}
"""Only changes that leave one of those items behind; the aggregates themselves (entity
`stats_aggregate`) and their markers never come back to the consumer."""

FUNCTION_ERROR_RATE_PERCENT = 5
DELIVERY_EXCEPTION_RATE_PERCENT = 10
DELIVERY_EXCEPTION_MIN_OUTCOMES = 10
ALARM_PERIOD = Duration.minutes(5)
KPI_PERIOD = Duration.hours(1)
CHANNELS = ("email", "sms")


def service_functions_in(scope: IConstruct) -> list[ServiceFunction]:
    """Every ordertrack function under `scope`, in tree order."""
    return [node for node in scope.node.find_all() if isinstance(node, ServiceFunction)]


def work_queue_dead_letter_queues_in(scope: IConstruct) -> list[sqs.IQueue]:
    """The dead-letter queue of every queue under `scope` that redrives to one."""
    found: dict[str, sqs.IQueue] = {}
    for node in scope.node.find_all():
        if isinstance(node, sqs.Queue) and node.dead_letter_queue is not None:
            found.setdefault(node.dead_letter_queue.queue.node.path, node.dead_letter_queue.queue)
    return list(found.values())


def kpi_metric(name: str, statistic: str = "Sum", **dimensions: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map={"service": SERVICE_NAME, **dimensions},
        statistic=statistic,
        period=KPI_PERIOD,
    )


class ServiceKpis(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        runtime: FunctionRuntime,
        settings: StreamConsumerSettings,
        orders_table: dynamodb.ITable,
        operations_alerts: sns.ITopic,
        functions: Sequence[ServiceFunction],
        dead_letter_queues: Sequence[sqs.IQueue],
    ) -> None:
        super().__init__(scope, construct_id)
        self.dlq = stream_failure_queue(self, "KpiAggregatesDlq", "KPI aggregates")
        self.consumer = ServiceFunction(
            self,
            "MaintainKpiAggregates",
            runtime=runtime,
            name="MaintainKpiAggregates",
            handler=HANDLER,
            service_name=SERVICE_NAME,
            description="Keeps the daily KPI aggregates from the orders table stream, each record once",
            settings=settings.function,
            environment={"ORDERS_TABLE_NAME": orders_table.table_name},
            unscoped_resource_reasons=[STREAM_READ_REASON],
        )
        # a group's conditional checkpoint Put and ADD updates in one TransactWriteItems; a refused
        # group's checkpoint is read back (GetItem) to skip what it covered: no query, no scan
        orders_table.grant_write_data(self.consumer.function)
        orders_table.grant(self.consumer.function, "dynamodb:GetItem")
        suppress(
            self.consumer.role,
            "AwsSolutions-IAM5",
            "A table grant_write_data also covers the table's global secondary indexes, which IAM "
            "can only name with the table ARN followed by /index/*.",
            applies_to=[TABLE_INDEX_WILDCARD],
        )
        self.consumer.consume_table_stream(orders_table, settings, self.dlq, AGGREGATED_ITEMS_ONLY)

        self.alarm_action = cloudwatch_actions.SnsAction(operations_alerts)
        all_functions = [*functions, *([] if self.consumer in functions else [self.consumer])]
        all_dlqs = _unique([*dead_letter_queues, self.dlq])
        self.dlq_alarms = [self._dlq_alarm(queue) for queue in all_dlqs]
        self.error_rate_alarms = [self._error_rate_alarm(function) for function in all_functions]
        self.delivery_exception_alarm = self._delivery_exception_alarm()
        # throttles, stream lag, API 5xx and 429, failed records: every function, stream consumer,
        # table and API stage of the stack
        self.operations_alarms = OperationsAlarms(
            self, "Alarms", within=Stack.of(self), functions=all_functions, alarm_action=self.alarm_action
        )
        self.dashboard = self._dashboard(all_functions, all_dlqs)

    # -- alarms ---------------------------------------------------------------------------------

    def _alarm(self, alarm: cloudwatch.Alarm, logical_id: str) -> cloudwatch.Alarm:
        alarm.add_alarm_action(self.alarm_action)
        pin_logical_id(alarm, logical_id)
        return alarm

    def _dlq_alarm(self, queue: sqs.IQueue) -> cloudwatch.Alarm:
        logical_id = _logical_id_of(queue)
        return self._alarm(
            cloudwatch.Alarm(
                self,
                f"{logical_id}Depth",
                alarm_description=f"Messages are waiting in the dead-letter queue {logical_id}: "
                "inspect them and redrive once the cause is fixed.",
                metric=queue.metric_approximate_number_of_messages_visible(
                    period=Duration.minutes(1), statistic="Maximum"
                ),
                threshold=0,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            f"{logical_id}DepthAlarm",
        )

    def _error_rate_alarm(self, function: ServiceFunction) -> cloudwatch.Alarm:
        name = function.node.id
        return self._alarm(
            cloudwatch.Alarm(
                self,
                f"{name}ErrorRate",
                alarm_description=f"More than {FUNCTION_ERROR_RATE_PERCENT} % of {name} invocations "
                "failed in 5 minutes.",
                metric=error_rate(function.function),
                threshold=FUNCTION_ERROR_RATE_PERCENT,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            f"{name}ErrorRateAlarm",
        )

    def _delivery_exception_alarm(self) -> cloudwatch.Alarm:
        return self._alarm(
            cloudwatch.Alarm(
                self,
                "DeliveryExceptionRate",
                alarm_description=f"More than {DELIVERY_EXCEPTION_RATE_PERCENT} % of the shipments that "
                "reached an outcome in the last hour ended in a delivery exception.",
                metric=delivery_exception_rate(),
                threshold=DELIVERY_EXCEPTION_RATE_PERCENT,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            "DeliveryExceptionRateAlarm",
        )

    # -- dashboard ------------------------------------------------------------------------------

    def _dashboard(
        self, functions: Sequence[ServiceFunction], dlqs: Sequence[sqs.IQueue]
    ) -> cloudwatch.Dashboard:
        dashboard = cloudwatch.Dashboard(self, "Dashboard", default_interval=Duration.days(7))
        pin_logical_id(dashboard, "OperationsDashboard")
        orders = ["OrdersReceived", "OrdersConfirmed", "OrdersOnHold", "OrdersOutOfStock"]
        dashboard.add_widgets(
            cloudwatch.TextWidget(
                markdown="# ordertrack operations\nKPIs from the order stream (namespace "
                f"`{METRICS_NAMESPACE}`, service `{SERVICE_NAME}`); `GET /v1/stats` gives exact "
                "figures for any range of days.",
                width=24,
                height=2,
            )
        )
        dashboard.add_widgets(
            cloudwatch.SingleValueWidget(
                title="Orders (dashboard range)",
                metrics=[kpi_metric(name) for name in orders],
                set_period_to_time_range=True,
                width=12,
            ),
            cloudwatch.SingleValueWidget(
                title="Delivery and feedback (dashboard range)",
                metrics=[
                    kpi_metric("ShipmentsDelivered"),
                    kpi_metric("DeliveryExceptions"),
                    kpi_metric("FeedbackResponses"),
                    kpi_metric("ComplaintsOpened"),
                ],
                set_period_to_time_range=True,
                width=12,
            ),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Orders per hour", left=[kpi_metric(name) for name in orders], width=8
            ),
            cloudwatch.GraphWidget(
                title="Time to confirm and to deliver (seconds)",
                left=[kpi_metric("TimeToConfirm", "p50"), kpi_metric("TimeToConfirm", "p90")],
                right=[kpi_metric("TimeToDeliver", "p50"), kpi_metric("TimeToDeliver", "p90")],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Delivery exception and on-time rates (%)",
                left=[delivery_exception_rate(), on_time_rate()],
                left_annotations=[
                    cloudwatch.HorizontalAnnotation(
                        value=DELIVERY_EXCEPTION_RATE_PERCENT, label="exception alarm"
                    )
                ],
                width=8,
            ),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Notifications sent per channel",
                left=[kpi_metric("NotificationsSent", Channel=channel) for channel in CHANNELS],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Feedback and surveys",
                left=[
                    kpi_metric("SurveyInvitations"),
                    kpi_metric("FeedbackResponses"),
                    kpi_metric("FeedbackSatisfied"),
                ],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Complaints",
                left=[
                    kpi_metric("ComplaintsOpened"),
                    kpi_metric("ComplaintsResolved"),
                    kpi_metric("ComplaintsOverdue"),
                ],
                width=8,
            ),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Time to ship, from confirmation (seconds)",
                left=[kpi_metric("TimeToShip", "p50"), kpi_metric("TimeToShip", "p90")],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Complaint first response and resolution (seconds)",
                left=[
                    kpi_metric("ComplaintFirstResponseTime", "p50"),
                    kpi_metric("ComplaintFirstResponseTime", "p90"),
                ],
                right=[
                    kpi_metric("ComplaintResolutionTime", "p50"),
                    kpi_metric("ComplaintResolutionTime", "p90"),
                ],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Complaints answered by their due time, and returns per reason",
                left=[kpi_metric("ComplaintsResponseDue"), kpi_metric("ComplaintsAnsweredOnTime")],
                right=[kpi_metric("ReturnReasons", Reason=code) for code in sorted(RETURN_REASON_CODES)],
                width=8,
            ),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Dead-letter queues (messages waiting)",
                left=[
                    queue.metric_approximate_number_of_messages_visible(
                        period=Duration.minutes(5), statistic="Maximum", label=_logical_id_of(queue)
                    )
                    for queue in dlqs
                ],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Function errors",
                left=[
                    s.function.metric_errors(period=ALARM_PERIOD, statistic="Sum", label=s.node.id)
                    for s in functions
                ],
                right=[
                    s.function.metric_invocations(period=ALARM_PERIOD, statistic="Sum", label=s.node.id)
                    for s in functions
                ],
                width=12,
            ),
        )
        dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(
                title="Alarms",
                alarms=[*self.dlq_alarms, *self.error_rate_alarms, self.delivery_exception_alarm],
                width=24,
            )
        )
        dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(
                title="Capacity and failed records",
                alarms=self.operations_alarms.alarms,
                width=24,
            )
        )
        return dashboard


def error_rate(function: lambda_.IFunction) -> cloudwatch.MathExpression:
    return cloudwatch.MathExpression(
        expression="IF(invocations > 0, 100 * errors / invocations, 0)",
        using_metrics={
            "errors": function.metric_errors(period=ALARM_PERIOD, statistic="Sum"),
            "invocations": function.metric_invocations(period=ALARM_PERIOD, statistic="Sum"),
        },
        label="error rate (%)",
        period=ALARM_PERIOD,
    )


def delivery_exception_rate() -> cloudwatch.MathExpression:
    outcomes = "(FILL(delivered, 0) + FILL(exceptions, 0))"
    return cloudwatch.MathExpression(
        expression=f"IF({outcomes} >= {DELIVERY_EXCEPTION_MIN_OUTCOMES}, "
        f"100 * FILL(exceptions, 0) / {outcomes}, 0)",
        using_metrics={
            "delivered": kpi_metric("ShipmentsDelivered"),
            "exceptions": kpi_metric("DeliveryExceptions"),
        },
        label="delivery exception rate (%)",
        period=KPI_PERIOD,
    )


def on_time_rate() -> cloudwatch.MathExpression:
    return cloudwatch.MathExpression(
        expression="IF(FILL(promised, 0) > 0, 100 * FILL(ontime, 0) / promised, 0)",
        using_metrics={
            "promised": kpi_metric("DeliveriesPromised"),
            "ontime": kpi_metric("DeliveriesOnTime"),
        },
        label="on-time delivery rate (%)",
        period=KPI_PERIOD,
    )


def _logical_id_of(queue: sqs.IQueue) -> str:
    """The queue's (pinned) CloudFormation logical id."""
    child = queue.node.default_child
    if not isinstance(child, CfnResource):
        raise TypeError(f"{queue.node.path} is not a queue defined in this stack")
    return str(Stack.of(child).resolve(child.logical_id))


def _unique(queues: Iterable[sqs.IQueue]) -> list[sqs.IQueue]:
    seen: dict[str, sqs.IQueue] = {}
    for queue in queues:
        seen.setdefault(queue.node.path, queue)
    return list(seen.values())
