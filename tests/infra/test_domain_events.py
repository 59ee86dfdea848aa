"""The domain event bus in the template: at most two readers of the orders table's stream, the
bus, and for each subscriber a rule, a queue with its dead-letter queue (alarmed), a queue policy
that admits that rule only, and a consumer reporting partial batch failures."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.domain_events import ShipmentExceptionRaised, ShipmentTrackingLinked, StockLevelChanged
from tests.infra.conftest import SYNTH_GROUP, SynthesizedApp, statement_actions

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group(SYNTH_GROUP)]

SUBSCRIBERS = {
    # queue logical id -> (detail-types, consumer function)
    "StockLevelChangesQueue": ([StockLevelChanged.detail_type], "WatchStockLevelsFunction"),
    "TrackingLinksQueue": ([ShipmentTrackingLinked.detail_type], "ApplyLinkedEventsFunction"),
    "DeliveryExceptionsQueue": ([ShipmentExceptionRaised.detail_type], "OpenDeliveryExceptionsFunction"),
}


def _mappings(app: SynthesizedApp) -> list[dict[str, Any]]:
    return [m["Properties"] for m in app.of_type("AWS::Lambda::EventSourceMapping").values()]


def _queue_policy_statements(app: SynthesizedApp, queue: str) -> list[dict[str, Any]]:
    return [
        statement
        for policy in app.of_type("AWS::SQS::QueuePolicy").values()
        if {"Ref": queue} in policy["Properties"]["Queues"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_at_most_two_functions_read_the_orders_table_stream(synthesized: SynthesizedApp) -> None:
    readers = [
        m["FunctionName"]
        for m in _mappings(synthesized)
        if m["EventSourceArn"] == {"Fn::GetAtt": ["OrdersTable", "StreamArn"]}
    ]
    assert len(readers) <= 2
    assert sorted(r["Ref"] for r in readers) == [
        "DispatchOrderChangesFunction",
        "MaintainKpiAggregatesFunction",
    ]


def test_the_bus_is_named_for_the_stage_and_its_name_and_arn_are_outputs(synthesized: SynthesizedApp) -> None:
    [bus_id] = synthesized.of_type("AWS::Events::EventBus")
    assert bus_id == "DomainEventBus"
    assert synthesized.props(bus_id)["Name"] == "ordertrack-dev"
    outputs = synthesized.template.get("Outputs", {})
    assert outputs["DomainEventBusName"]["Value"] == {"Ref": "DomainEventBus"}
    assert outputs["DomainEventBusArn"]["Value"] == {"Fn::GetAtt": ["DomainEventBus", "Arn"]}


def test_the_dispatcher_may_put_events_on_the_bus_only(synthesized: SynthesizedApp) -> None:
    variables = synthesized.props("DispatchOrderChangesFunction")["Environment"]["Variables"]
    assert variables["EVENT_BUS_NAME"] == {"Ref": "DomainEventBus"}
    puts = [
        statement
        for policy in synthesized.of_type("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "events:PutEvents" in statement_actions(statement)
    ]
    assert [statement["Resource"] for statement in puts] == [{"Fn::GetAtt": ["DomainEventBus", "Arn"]}]
    roles = {
        role["Ref"]
        for policy in synthesized.of_type("AWS::IAM::Policy").values()
        if any(
            "events:PutEvents" in statement_actions(s)
            for s in policy["Properties"]["PolicyDocument"]["Statement"]
        )
        for role in policy["Properties"]["Roles"]
    }
    assert roles == {"DispatchOrderChangesRole"}


@pytest.mark.parametrize("queue", sorted(SUBSCRIBERS))
def test_a_rule_routes_the_subscribers_detail_types_to_its_queue(
    synthesized: SynthesizedApp, queue: str
) -> None:
    detail_types, _ = SUBSCRIBERS[queue]
    rule = synthesized.props(f"{queue}Rule")
    assert rule["EventBusName"] == {"Ref": "DomainEventBus"}
    assert rule["State"] == "ENABLED"
    assert rule["EventPattern"] == {"source": ["ordertrack"], "detail-type": detail_types}
    [target] = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [queue, "Arn"]}
    assert target["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": [f"{queue}Dlq", "Arn"]}
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400}
    assert "Input" not in target and "InputTransformer" not in target  # the whole event is the body


@pytest.mark.parametrize("queue", sorted(SUBSCRIBERS))
def test_the_queue_and_its_dlq_admit_eventbridge_for_that_rule_only(
    synthesized: SynthesizedApp, queue: str
) -> None:
    for logical_id in (queue, f"{queue}Dlq"):
        allowed = [s for s in _queue_policy_statements(synthesized, logical_id) if s["Effect"] == "Allow"]
        assert allowed, logical_id
        for statement in allowed:
            assert statement["Principal"] == {"Service": "events.amazonaws.com"}, logical_id
            assert "sqs:SendMessage" in statement_actions(statement)
            assert statement["Resource"] == {"Fn::GetAtt": [logical_id, "Arn"]}
            assert statement["Condition"] == {
                "ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [f"{queue}Rule", "Arn"]}}
            }, logical_id


@pytest.mark.parametrize("queue", sorted(SUBSCRIBERS))
def test_the_subscriber_drains_its_queue_with_partial_batch_responses(
    synthesized: SynthesizedApp, queue: str
) -> None:
    _, function = SUBSCRIBERS[queue]
    [mapping] = [m for m in _mappings(synthesized) if m["FunctionName"] == {"Ref": function}]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [queue, "Arn"]}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    props = synthesized.props(queue)
    assert props["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": [f"{queue}Dlq", "Arn"]}
    assert props["RedrivePolicy"]["maxReceiveCount"] == 5
    assert props["VisibilityTimeout"] >= 6 * synthesized.props(function)["Timeout"]
    assert synthesized.props(f"{queue}Dlq")["MessageRetentionPeriod"] == 14 * 24 * 3600


@pytest.mark.parametrize("queue", sorted(SUBSCRIBERS))
def test_the_subscribers_dead_letter_queue_is_alarmed(synthesized: SynthesizedApp, queue: str) -> None:
    alarms = [
        alarm["Properties"]
        for alarm in synthesized.of_type("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("MetricName") == "ApproximateNumberOfMessagesVisible"
        and json.dumps(alarm["Properties"].get("Dimensions"))
        == json.dumps([{"Name": "QueueName", "Value": {"Fn::GetAtt": [f"{queue}Dlq", "QueueName"]}}])
    ]
    assert len(alarms) == 1
    assert alarms[0]["AlarmActions"] == [{"Ref": "OperationsAlerts"}]


def test_the_exception_opener_gets_the_stage_rules(synthesized: SynthesizedApp) -> None:
    variables = synthesized.props("OpenDeliveryExceptionsFunction")["Environment"]["Variables"]
    assert variables["DELIVERY_EXCEPTION_RULES"] == "{}"
    assert variables["ORDERS_TABLE_NAME"] == {"Ref": "OrdersTable"}
