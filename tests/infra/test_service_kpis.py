"""Service KPIs in the template: the aggregates consumer's stream mapping, the dashboard, and an
alarm on every dead-letter queue, every function's error rate and the delivery exception rate,
each paging the operations topic."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.constructs.service_kpis import AGGREGATED_ENTITIES as INFRA_ENTITIES
from stats.domain.contributions import AGGREGATED_ENTITIES
from tests.infra.conftest import SYNTH_GROUP, SynthesizedApp

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group(SYNTH_GROUP)]

CONSUMER = "MaintainKpiAggregatesFunction"


def _mapping_of(app: SynthesizedApp, function: str) -> dict[str, Any]:
    [props] = [
        m["Properties"]
        for m in app.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": function}
    ]
    return props


def _alarms(app: SynthesizedApp) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in app.of_type("AWS::CloudWatch::Alarm").items()}


def _dead_letter_queues(app: SynthesizedApp) -> set[str]:
    queues = app.of_type("AWS::SQS::Queue")
    redrive_targets = {
        q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for q in queues.values()
        if "RedrivePolicy" in q["Properties"]
    }
    on_failure = {
        m["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
        for m in app.of_type("AWS::Lambda::EventSourceMapping").values()
        if "DestinationConfig" in m["Properties"]
    }
    return redrive_targets | on_failure


def test_the_consumer_reads_the_aggregated_entities_from_the_orders_stream(
    synthesized: SynthesizedApp,
) -> None:
    props = _mapping_of(synthesized, CONSUMER)
    assert props["EventSourceArn"] == {"Fn::GetAtt": ["OrdersTable", "StreamArn"]}
    patterns = [json.loads(f["Pattern"]) for f in props["FilterCriteria"]["Filters"]]
    assert patterns == [{"dynamodb": {"NewImage": {"entity": {"S": list(AGGREGATED_ENTITIES)}}}}]
    assert "stats_aggregate" not in INFRA_ENTITIES and list(AGGREGATED_ENTITIES) == INFRA_ENTITIES
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # a retry starts where the batch or its first unwritten group started, and never gives up on
    # counts (the on-failure queue only receives the batch's metadata)
    assert props["BisectBatchOnFunctionError"] is False
    assert props.get("MaximumRetryAttempts", -1) == -1
    assert props["StartingPosition"] == "TRIM_HORIZON"
    assert props["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["KpiAggregatesDlq", "Arn"]
    }


def test_the_consumer_writes_the_table_and_reads_only_its_checkpoints_and_stream(
    synthesized: SynthesizedApp,
) -> None:
    variables = synthesized.props(CONSUMER)["Environment"]["Variables"]
    assert variables["ORDERS_TABLE_NAME"] == {"Ref": "OrdersTable"}
    assert variables["POWERTOOLS_SERVICE_NAME"] == "stats"
    actions = {
        action
        for policy in synthesized.of_type("AWS::IAM::Policy").values()
        if {"Ref": "MaintainKpiAggregatesRole"} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }
    assert {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"} <= actions
    assert not {"dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchGetItem"} & actions


def test_every_dead_letter_queue_has_a_depth_alarm(synthesized: SynthesizedApp) -> None:
    dlqs = _dead_letter_queues(synthesized)
    assert {"KpiAggregatesDlq", "OrderChangesDlq", "ReservationQueueDlq", "NotificationQueueDlq"} <= dlqs
    watched = {}
    for props in _alarms(synthesized).values():
        if props.get("MetricName") == "ApproximateNumberOfMessagesVisible":
            [dimension] = props["Dimensions"]
            watched[dimension["Value"]["Fn::GetAtt"][0]] = props
    assert set(watched) == dlqs
    for props in watched.values():
        assert props["ComparisonOperator"] == "GreaterThanThreshold" and props["Threshold"] == 0
        assert props["AlarmActions"] == [{"Ref": "OperationsAlerts"}]


def test_every_function_has_an_error_rate_alarm(synthesized: SynthesizedApp) -> None:
    functions = set(synthesized.of_type("AWS::Lambda::Function"))
    covered = set()
    for props in _alarms(synthesized).values():
        metrics = props.get("Metrics") or []
        expressions = [m["Expression"] for m in metrics if "Expression" in m]
        if expressions and "errors / invocations" in expressions[0]:
            names = {m["MetricStat"]["Metric"]["MetricName"] for m in metrics if "MetricStat" in m}
            assert names == {"Errors", "Invocations"}
            [function] = {
                m["MetricStat"]["Metric"]["Dimensions"][0]["Value"]["Ref"]
                for m in metrics
                if "MetricStat" in m
            }
            covered.add(function)
            assert props["AlarmActions"] == [{"Ref": "OperationsAlerts"}]
    assert covered == functions


def test_the_delivery_exception_rate_alarm_uses_the_kpi_metrics(synthesized: SynthesizedApp) -> None:
    props = _alarms(synthesized)["DeliveryExceptionRateAlarm"]
    stats = {
        m["MetricStat"]["Metric"]["MetricName"]: m["MetricStat"]["Metric"]
        for m in props["Metrics"]
        if "MetricStat" in m
    }
    assert set(stats) == {"ShipmentsDelivered", "DeliveryExceptions"}
    for metric in stats.values():
        assert metric["Namespace"] == "ordertrack"
        assert metric["Dimensions"] == [{"Name": "service", "Value": "stats"}]
    assert props["AlarmActions"] == [{"Ref": "OperationsAlerts"}]


def test_the_dashboard_shows_kpis_queues_functions_and_alarms(synthesized: SynthesizedApp) -> None:
    dashboard = synthesized.props("OperationsDashboard")
    body = json.dumps(dashboard["DashboardBody"])
    for name in (
        "OrdersReceived",
        "OrdersOnHold",
        "TimeToConfirm",
        "TimeToDeliver",
        "NotificationsSent",
        "FeedbackResponses",
        "ComplaintsOpened",
        "ApproximateNumberOfMessagesVisible",
        "Errors",
        "DeliveryExceptionRateAlarm",
    ):
        assert name in body, name
