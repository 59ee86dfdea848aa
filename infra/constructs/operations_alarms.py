"""Alarms on capacity and on work that is failing without an error: each pages `OperationsAlerts`.

Found in the tree of the stack (like the dead-letter queue and error-rate alarms of ServiceKpis),
so a function, stream mapping, table or API stage added later is covered without a change here:

- `<function>IteratorAgeAlarm`: every function reading a DynamoDB stream lags behind it (Lambda
  `IteratorAge`, Maximum) by more than `ITERATOR_AGE_SECONDS` for `ITERATOR_AGE_MINUTES` minutes;
- `<function>ThrottlesAlarm`: any invocation of a function throttled in 5 minutes (Lambda `Throttles`,
  Sum): the account's or the function's concurrency ran out;
- `<table>ThrottledRequestsAlarm`: any read or write of a table or of one of its global secondary
  indexes throttled in 5 minutes (DynamoDB `ReadThrottleEvents` + `WriteThrottleEvents`, which count
  per table or per index and every cause: on-demand maximum, partition key range, account limit).
  The SDK retries throttled requests, but each one means a partition or the table is at its limit;
- `<stage>ServerErrorRateAlarm`: more than `API_ERROR_RATE_PERCENT` % of an HTTP API stage's
  requests answered 5xx (API Gateway `5xx` / `Count`, dimension `ApiId`) in 5 minutes,
  once at least `API_MIN_REQUESTS` requests came;
- `<stage>ThrottledRateAlarm`: the same for 429 answers. HTTP APIs publish no 429 metric (only `4xx`),
  so a metric filter on the stage's JSON access log counts `"status": "429"` as
  `<stage>ThrottledRequests` (namespace `ordertrack`);
- `<function>FailedRecordsAlarm`: a queue or stream consumer reported failed records
  (`FailedRecords`, from `shared.partial_batches`) in `FAILED_RECORDS_PERIODS` consecutive
  5-minute periods. A batch with failures is not a failed invocation, so the error-rate alarm never
  sees it; a single retried conflict does not page, failures that go on do.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import CfnResource, Duration, Stack
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct, IConstruct

from infra.constructs.lambda_function import METRICS_NAMESPACE, ServiceFunction
from infra.constructs.logical_ids import pin_logical_id

ALARM_PERIOD = Duration.minutes(5)
ITERATOR_AGE_SECONDS = 60
ITERATOR_AGE_MINUTES = 5
API_ERROR_RATE_PERCENT = 1
API_MIN_REQUESTS = 20
FAILED_RECORDS_PERIODS = 3
FAILED_RECORDS_METRIC = "FailedRecords"
"""Kept equal to `shared.partial_batches.FAILED_RECORDS_METRIC` (an infra test compares them)."""
THROTTLED_REQUESTS_METRIC = "ThrottledRequests"
THROTTLED_STATUS = "429"


def _logical_id(construct: IConstruct) -> str:
    child = construct.node.default_child
    if not isinstance(child, CfnResource):
        raise TypeError(f"{construct.node.path} has no CloudFormation resource")
    return str(Stack.of(child).resolve(child.logical_id))


def stream_consumers_in(scope: IConstruct) -> list[ServiceFunction]:
    """Every ordertrack function with a DynamoDB stream event source mapping under `scope`."""
    return _consumers_in(scope, streams_only=True)


def batch_consumers_in(scope: IConstruct) -> list[ServiceFunction]:
    """Every ordertrack function with an event source mapping (queue or stream) under `scope`."""
    return _consumers_in(scope, streams_only=False)


def _consumers_in(scope: IConstruct, *, streams_only: bool) -> list[ServiceFunction]:
    found: dict[str, ServiceFunction] = {}
    for node in scope.node.find_all():
        if not isinstance(node, lambda_.EventSourceMapping):
            continue
        owner = node.node.scope.node.scope if node.node.scope else None  # mapping -> Function -> ours
        if not isinstance(owner, ServiceFunction):
            continue
        mapping: lambda_.CfnEventSourceMapping = node.node.default_child  # type: ignore[assignment]
        source = Stack.of(node).resolve(mapping.event_source_arn)
        reads_a_stream = isinstance(source, dict) and source.get("Fn::GetAtt", [None, None])[1] == "StreamArn"
        if reads_a_stream or not streams_only:
            found.setdefault(owner.node.path, owner)
    return list(found.values())


class OperationsAlarms(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        within: IConstruct,
        functions: Sequence[ServiceFunction],
        alarm_action: cloudwatch.IAlarmAction,
    ) -> None:
        """Alarms for `functions` and for the stream consumers, tables and HTTP API stages under `within`."""
        super().__init__(scope, construct_id)
        self.alarm_action = alarm_action
        self.iterator_age_alarms = [self._iterator_age_alarm(f) for f in stream_consumers_in(within)]
        self.throttle_alarms = [self._throttles_alarm(f) for f in functions]
        tables = [node for node in within.node.find_all() if isinstance(node, dynamodb.Table)]
        self.table_throttle_alarms = [self._table_throttles_alarm(table) for table in tables]
        stages = [node for node in within.node.find_all() if isinstance(node, apigwv2.HttpStage)]
        self.api_alarms = [alarm for stage in stages for alarm in self._api_alarms(stage, within)]
        self.failed_records_alarms = [self._failed_records_alarm(f) for f in batch_consumers_in(within)]

    @property
    def alarms(self) -> list[cloudwatch.Alarm]:
        return [
            *self.iterator_age_alarms,
            *self.throttle_alarms,
            *self.table_throttle_alarms,
            *self.api_alarms,
            *self.failed_records_alarms,
        ]

    def _alarm(self, logical_id: str, **props: object) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            logical_id,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            **props,  # type: ignore[arg-type]
        )
        alarm.add_alarm_action(self.alarm_action)
        pin_logical_id(alarm, logical_id)
        return alarm

    def _iterator_age_alarm(self, consumer: ServiceFunction) -> cloudwatch.Alarm:
        name = consumer.node.id
        return self._alarm(
            f"{name}IteratorAgeAlarm",
            alarm_description=f"{name} has been more than {ITERATOR_AGE_SECONDS} s behind its DynamoDB "
            f"stream for {ITERATOR_AGE_MINUTES} minutes: its changes reach customers late.",
            metric=consumer.function.metric("IteratorAge", statistic="Maximum", period=Duration.minutes(1)),
            threshold=ITERATOR_AGE_SECONDS * 1000,  # milliseconds
            evaluation_periods=ITERATOR_AGE_MINUTES,
        )

    def _throttles_alarm(self, function: ServiceFunction) -> cloudwatch.Alarm:
        name = function.node.id
        return self._alarm(
            f"{name}ThrottlesAlarm",
            alarm_description=f"{name} invocations were throttled in the last 5 minutes: the account's "
            "or the function's concurrency is exhausted.",
            metric=function.function.metric_throttles(statistic="Sum", period=ALARM_PERIOD),
            threshold=0,
            evaluation_periods=1,
        )

    def _table_throttles_alarm(self, table: dynamodb.Table) -> cloudwatch.Alarm:
        logical_id = _logical_id(table)
        cfn: dynamodb.CfnTable = table.node.default_child  # type: ignore[assignment]
        indexes = [
            index["indexName"] for index in Stack.of(table).resolve(cfn.global_secondary_indexes) or []
        ]
        scopes: list[dict[str, str]] = [{"TableName": table.table_name}]
        scopes += [{"TableName": table.table_name, "GlobalSecondaryIndexName": index} for index in indexes]
        using = {
            f"{kind.lower()}{position}": cloudwatch.Metric(
                namespace="AWS/DynamoDB",
                metric_name=f"{kind}ThrottleEvents",
                dimensions_map=dimensions,
                statistic="Sum",
                period=ALARM_PERIOD,
            )
            for position, dimensions in enumerate(scopes)
            for kind in ("Read", "Write")
        }
        return self._alarm(
            f"{logical_id}ThrottledRequestsAlarm",
            alarm_description=f"Reads or writes of {logical_id} or its indexes were throttled in the last "
            "5 minutes: a partition (hot key) or the table reached its throughput limit.",
            metric=cloudwatch.MathExpression(
                expression=" + ".join(f"FILL({metric}, 0)" for metric in using),
                using_metrics=using,  # type: ignore[arg-type]
                label="throttled reads and writes (table and indexes)",
                period=ALARM_PERIOD,
            ),
            threshold=0,
            evaluation_periods=1,
        )

    def _api_alarms(self, stage: apigwv2.HttpStage, within: IConstruct) -> list[cloudwatch.Alarm]:
        name = _logical_id(stage).removesuffix("DefaultStage").removesuffix("Stage")
        # the API's own metrics (dimension ApiId, as documented for HTTP APIs): it has this one stage
        api = stage.api
        requests = api.metric_count(statistic="Sum", period=ALARM_PERIOD)
        alarms = [
            self._api_rate_alarm(
                f"{name}ServerErrorRateAlarm",
                f"More than {API_ERROR_RATE_PERCENT} % of {name} requests were answered with a 5xx in "
                "5 minutes: the functions behind it fail or time out.",
                api.metric_server_error(statistic="Sum", period=ALARM_PERIOD),
                requests,
            )
        ]
        access_logs = _access_log_group_of(stage, within)
        if access_logs is not None:
            metric_filter = logs.MetricFilter(
                self,
                f"{name}ThrottledRequests",
                log_group=access_logs,
                filter_pattern=logs.FilterPattern.string_value("$.status", "=", THROTTLED_STATUS),
                metric_namespace=METRICS_NAMESPACE,
                metric_name=f"{name}{THROTTLED_REQUESTS_METRIC}",
                metric_value="1",
                unit=cloudwatch.Unit.COUNT,
            )
            pin_logical_id(metric_filter, f"{name}ThrottledRequestsFilter")
            alarms.append(
                self._api_rate_alarm(
                    f"{name}ThrottledRateAlarm",
                    f"More than {API_ERROR_RATE_PERCENT} % of {name} requests were refused with 429 "
                    "in 5 minutes: callers exceed the stage's throttling limits (api.throttling_* in "
                    "cdk.json).",
                    metric_filter.metric(statistic="Sum", period=ALARM_PERIOD),
                    requests,
                )
            )
        return alarms

    def _api_rate_alarm(
        self, logical_id: str, description: str, answers: cloudwatch.IMetric, requests: cloudwatch.IMetric
    ) -> cloudwatch.Alarm:
        return self._alarm(
            logical_id,
            alarm_description=description,
            metric=cloudwatch.MathExpression(
                expression=f"IF(FILL(requests, 0) >= {API_MIN_REQUESTS}, "
                "100 * FILL(answers, 0) / requests, 0)",
                using_metrics={"answers": answers, "requests": requests},
                label="share of requests (%)",
                period=ALARM_PERIOD,
            ),
            threshold=API_ERROR_RATE_PERCENT,
            evaluation_periods=1,
        )

    def _failed_records_alarm(self, consumer: ServiceFunction) -> cloudwatch.Alarm:
        name = consumer.node.id
        return self._alarm(
            f"{name}FailedRecordsAlarm",
            alarm_description=f"{name} reported failed records in each of the last "
            f"{FAILED_RECORDS_PERIODS * 5} minutes: they are being retried and will reach the "
            "dead-letter queue if the cause stays.",
            metric=cloudwatch.Metric(
                namespace=METRICS_NAMESPACE,
                metric_name=FAILED_RECORDS_METRIC,
                dimensions_map={
                    "function_name": consumer.function.function_name,
                    "service": consumer.service_name,
                },
                statistic="Sum",
                period=ALARM_PERIOD,
            ),
            threshold=0,
            evaluation_periods=FAILED_RECORDS_PERIODS,
        )


def _access_log_group_of(stage: apigwv2.HttpStage, within: IConstruct) -> logs.ILogGroup | None:
    """The log group the stage writes its access log to, if it is one of `within`."""
    cfn: apigwv2.CfnStage = stage.node.default_child  # type: ignore[assignment]
    settings = Stack.of(stage).resolve(cfn.access_log_settings) or {}
    destination = settings.get("destinationArn")
    if not isinstance(destination, dict) or "Fn::GetAtt" not in destination:
        return None
    [target, _] = destination["Fn::GetAtt"]
    for node in within.node.find_all():
        if isinstance(node, logs.LogGroup) and _logical_id(node) == target:
            return node
    return None
