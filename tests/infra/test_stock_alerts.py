"""Low-stock alerts in the template: `StockLevelChanged` events from the bus (the dispatcher reads
stock items from the stream), and publishing to the operations topic only."""

from __future__ import annotations

import json

import pytest

from tests.infra.conftest import SYNTH_GROUP, SynthesizedApp

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group(SYNTH_GROUP)]


def test_the_watcher_reads_stock_level_changes_from_its_queue_not_the_stream(
    synthesized: SynthesizedApp,
) -> None:
    [props] = [
        m["Properties"]
        for m in synthesized.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": "WatchStockLevelsFunction"}
    ]
    assert props["EventSourceArn"] == {"Fn::GetAtt": ["StockLevelChangesQueue", "Arn"]}
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    rule = synthesized.props("StockLevelChangesQueueRule")
    assert rule["EventPattern"] == {"source": ["ordertrack"], "detail-type": ["StockLevelChanged"]}


def test_the_dispatcher_turns_stock_items_into_events(synthesized: SynthesizedApp) -> None:
    [props] = [
        m["Properties"]
        for m in synthesized.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": "DispatchOrderChangesFunction"}
    ]
    patterns = [json.loads(f["Pattern"]) for f in props["FilterCriteria"]["Filters"]]
    assert {"dynamodb": {"NewImage": {"entity": {"S": ["stock"]}}}} in patterns


def test_the_watcher_publishes_to_the_operations_topic_only(synthesized: SynthesizedApp) -> None:
    variables = synthesized.props("WatchStockLevelsFunction")["Environment"]["Variables"]
    assert variables["OPERATIONS_ALERTS_TOPIC_ARN"] == {"Ref": "OperationsAlerts"}
    statements = [
        statement
        for policy in synthesized.of_type("AWS::IAM::Policy").values()
        if {"Ref": "WatchStockLevelsRole"} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    publishes = [s for s in statements if "sns:Publish" in json.dumps(s["Action"])]
    assert [s["Resource"] for s in publishes] == [{"Ref": "OperationsAlerts"}]
