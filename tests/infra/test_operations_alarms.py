"""Capacity and failed-work alarms in the template: stream iterator age, Lambda throttles, DynamoDB
throttling, HTTP API 5xx and 429, and failed batch records; every one pages OperationsAlerts, and
each kind covers everything of its kind in the template."""

from __future__ import annotations

from typing import Any

import pytest

from infra.constructs import operations_alarms
from shared.partial_batches import FAILED_RECORDS_METRIC
from tests.infra.conftest import SYNTH_GROUP, SynthesizedApp

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group(SYNTH_GROUP)]

TOPIC = {"Ref": "OperationsAlerts"}


def _alarms(app: SynthesizedApp) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in app.of_type("AWS::CloudWatch::Alarm").items()}


def _mappings(app: SynthesizedApp) -> list[dict[str, Any]]:
    return [m["Properties"] for m in app.of_type("AWS::Lambda::EventSourceMapping").values()]


def _function_of(dimensions: list[dict[str, Any]], name: str = "FunctionName") -> str:
    [value] = [d["Value"] for d in dimensions if d["Name"] == name]
    return str(value["Ref"])


def _pages_operations(props: dict[str, Any]) -> None:
    assert props["AlarmActions"] == [TOPIC]
    assert props["TreatMissingData"] == "notBreaching"


def test_every_stream_consumer_has_an_iterator_age_alarm(synthesized: SynthesizedApp) -> None:
    stream_readers = {
        m["FunctionName"]["Ref"]
        for m in _mappings(synthesized)
        if m["EventSourceArn"].get("Fn::GetAtt", [None, None])[1] == "StreamArn"
    }
    assert "DispatchOrderChangesFunction" in stream_readers
    watched = {}
    for props in _alarms(synthesized).values():
        if props.get("MetricName") == "IteratorAge":
            assert props["Namespace"] == "AWS/Lambda" and props["Statistic"] == "Maximum"
            watched[_function_of(props["Dimensions"])] = props
    assert set(watched) == stream_readers
    for props in watched.values():
        _pages_operations(props)
        # more than a minute behind (milliseconds), for five consecutive minutes
        assert props["Threshold"] == 60_000 and props["ComparisonOperator"] == "GreaterThanThreshold"
        assert props["Period"] == 60 and props["EvaluationPeriods"] == 5


def test_every_function_has_a_throttles_alarm(synthesized: SynthesizedApp) -> None:
    functions = set(synthesized.of_type("AWS::Lambda::Function"))
    watched = {}
    for props in _alarms(synthesized).values():
        if props.get("MetricName") == "Throttles":
            assert props["Namespace"] == "AWS/Lambda" and props["Statistic"] == "Sum"
            watched[_function_of(props["Dimensions"])] = props
    assert set(watched) == functions
    for props in watched.values():
        _pages_operations(props)
        assert props["Threshold"] == 0 and props["ComparisonOperator"] == "GreaterThanThreshold"
        assert props["Period"] == 300 and props["EvaluationPeriods"] == 1


def test_every_table_and_index_has_its_throttled_reads_and_writes_alarmed(
    synthesized: SynthesizedApp,
) -> None:
    tables = synthesized.of_type("AWS::DynamoDB::Table")
    assert {"OrdersTable", "IdempotencyTable"} <= set(tables)
    for logical_id, table in tables.items():
        props = _alarms(synthesized)[f"{logical_id}ThrottledRequestsAlarm"]
        _pages_operations(props)
        assert props["Threshold"] == 0 and props["ComparisonOperator"] == "GreaterThanThreshold"
        stats = [m["MetricStat"] for m in props["Metrics"] if "MetricStat" in m]
        watched = set()
        for stat in stats:
            metric = stat["Metric"]
            assert metric["Namespace"] == "AWS/DynamoDB" and stat["Stat"] == "Sum"
            dimensions = {d["Name"]: d["Value"] for d in metric["Dimensions"]}
            assert dimensions.pop("TableName") == {"Ref": logical_id}
            watched.add((metric["MetricName"], dimensions.get("GlobalSecondaryIndexName")))
        scopes = [None, *(i["IndexName"] for i in table["Properties"].get("GlobalSecondaryIndexes", []))]
        assert watched == {(f"{kind}ThrottleEvents", scope) for kind in ("Read", "Write") for scope in scopes}
        [expression] = [m["Expression"] for m in props["Metrics"] if "Expression" in m]
        assert expression.count("FILL(") == len(stats)  # the alarm sums every one of them
    assert (
        len(
            [
                s
                for s in _alarms(synthesized)["OrdersTableThrottledRequestsAlarm"]["Metrics"]
                if "MetricStat" in s
            ]
        )
        == 8
    )


def _rate_alarm_parts(props: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    [expression] = [m["Expression"] for m in props["Metrics"] if "Expression" in m]
    stats = {m["Id"]: m["MetricStat"] for m in props["Metrics"] if "MetricStat" in m}
    return expression, stats["answers"], stats["requests"]


def test_the_api_stage_alarms_on_its_5xx_rate(synthesized: SynthesizedApp) -> None:
    [stage] = synthesized.of_type("AWS::ApiGatewayV2::Stage").values()
    props = _alarms(synthesized)["StorefrontApiServerErrorRateAlarm"]
    _pages_operations(props)

    expression, errors, requests = _rate_alarm_parts(props)

    api_dimensions = [{"Name": "ApiId", "Value": stage["Properties"]["ApiId"]}]  # its only stage
    assert errors["Metric"] == {
        "Namespace": "AWS/ApiGateway",
        "MetricName": "5xx",
        "Dimensions": api_dimensions,
    }
    assert requests["Metric"] == {
        "Namespace": "AWS/ApiGateway",
        "MetricName": "Count",
        "Dimensions": api_dimensions,
    }
    assert errors["Stat"] == requests["Stat"] == "Sum"
    assert expression == "IF(FILL(requests, 0) >= 20, 100 * FILL(answers, 0) / requests, 0)"
    assert props["Threshold"] == 1 and props["ComparisonOperator"] == "GreaterThanThreshold"


def test_the_api_stage_counts_429s_from_its_access_log_and_alarms_on_their_rate(
    synthesized: SynthesizedApp,
) -> None:
    [stage] = synthesized.of_type("AWS::ApiGatewayV2::Stage").values()
    log_group = stage["Properties"]["AccessLogSettings"]["DestinationArn"]["Fn::GetAtt"][0]
    assert '"status":"$context.status"' in stage["Properties"]["AccessLogSettings"]["Format"]
    metric_filter = synthesized.props("StorefrontApiThrottledRequestsFilter")
    assert metric_filter["LogGroupName"] == {"Ref": log_group}
    # `status` is a JSON string in the access log: the pattern compares it as one
    assert metric_filter["FilterPattern"] == '{ $.status = "429" }'
    [transformation] = metric_filter["MetricTransformations"]
    assert transformation == {
        "MetricName": "StorefrontApiThrottledRequests",
        "MetricNamespace": "ordertrack",
        "MetricValue": "1",
        "Unit": "Count",
    }

    props = _alarms(synthesized)["StorefrontApiThrottledRateAlarm"]
    _pages_operations(props)
    _, throttled, requests = _rate_alarm_parts(props)
    assert throttled["Metric"] == {"Namespace": "ordertrack", "MetricName": "StorefrontApiThrottledRequests"}
    assert requests["Metric"]["MetricName"] == "Count"
    assert props["Threshold"] == 1


def test_every_queue_and_stream_consumer_alarms_on_failed_records(synthesized: SynthesizedApp) -> None:
    assert operations_alarms.FAILED_RECORDS_METRIC == FAILED_RECORDS_METRIC
    consumers = {m["FunctionName"]["Ref"] for m in _mappings(synthesized)}
    assert {"ReserveStockFunction", "SendNotificationsFunction", "DispatchOrderChangesFunction"} <= consumers
    watched = {}
    for props in _alarms(synthesized).values():
        if props.get("MetricName") == FAILED_RECORDS_METRIC:
            assert props["Namespace"] == "ordertrack" and props["Statistic"] == "Sum"
            function = _function_of(props["Dimensions"], "function_name")
            service = _function_of_service(props["Dimensions"])
            variables = synthesized.props(function)["Environment"]["Variables"]
            # the dimensions the function's Powertools metrics carry
            assert service == variables["POWERTOOLS_SERVICE_NAME"]
            assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "ordertrack"
            watched[function] = props
    assert set(watched) == consumers
    for props in watched.values():
        _pages_operations(props)
        # failures in three consecutive 5-minute periods: retried conflicts alone do not page
        assert props["Threshold"] == 0 and props["ComparisonOperator"] == "GreaterThanThreshold"
        assert props["Period"] == 300 and props["EvaluationPeriods"] == 3


def _function_of_service(dimensions: list[dict[str, Any]]) -> str:
    [value] = [d["Value"] for d in dimensions if d["Name"] == "service"]
    return str(value)


def test_the_dashboard_shows_the_new_alarms(synthesized: SynthesizedApp) -> None:
    import json

    body = json.dumps(synthesized.props("OperationsDashboard")["DashboardBody"])
    for name in (
        "DispatchOrderChangesIteratorAgeAlarm",
        "StorefrontApiThrottlesAlarm",
        "OrdersTableThrottledRequestsAlarm",
        "StorefrontApiServerErrorRateAlarm",
        "StorefrontApiThrottledRateAlarm",
        "ReserveStockFailedRecordsAlarm",
    ):
        assert name in body, name
