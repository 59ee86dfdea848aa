"""Low-stock alerts in the template: their own stream mapping on stock items only, with the
properties every stream consumer must keep, and publishing to the operations topic only."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra.conftest import SYNTH_GROUP, SynthesizedApp

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group(SYNTH_GROUP)]

STOCK_ITEMS_FILTER = {"dynamodb": {"NewImage": {"entity": {"S": ["stock"]}}}}


def _mapping_of(app: SynthesizedApp, function: str) -> dict[str, Any]:
    [props] = [
        m["Properties"]
        for m in app.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": function}
    ]
    return props


def test_the_watcher_reads_stock_items_from_the_orders_stream(synthesized: SynthesizedApp) -> None:
    props = _mapping_of(synthesized, "WatchStockLevelsFunction")
    assert props["EventSourceArn"] == {"Fn::GetAtt": ["OrdersTable", "StreamArn"]}
    assert [json.loads(f["Pattern"]) for f in props["FilterCriteria"]["Filters"]] == [STOCK_ITEMS_FILTER]
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["BisectBatchOnFunctionError"] is True
    assert props["StartingPosition"] == "TRIM_HORIZON"
    destination = props["DestinationConfig"]["OnFailure"]["Destination"]
    assert destination == {"Fn::GetAtt": ["StockLevelChangesDlq", "Arn"]}


def test_the_order_dispatcher_still_sees_order_items_only(synthesized: SynthesizedApp) -> None:
    props = _mapping_of(synthesized, "DispatchOrderChangesFunction")
    patterns = [json.loads(f["Pattern"]) for f in props["FilterCriteria"]["Filters"]]
    assert patterns == [{"dynamodb": {"NewImage": {"entity": {"S": ["order"]}}}}]


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
