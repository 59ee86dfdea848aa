"""The reservation worker in the template: batches large enough to group-commit a hot SKU, a
dead-letter threshold no conflict reaches, and the right to hand a record back within seconds."""

from __future__ import annotations

from typing import Any

import pytest

from tests.infra.conftest import SYNTH_GROUP, SynthesizedApp

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group(SYNTH_GROUP)]


def _reservation_mapping(app: SynthesizedApp) -> dict[str, Any]:
    [props] = [
        m["Properties"]
        for m in app.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": "ReserveStockFunction"}
    ]
    return props


def test_the_worker_reads_batches_of_fifty_within_one_second(synthesized: SynthesizedApp) -> None:
    props = _reservation_mapping(synthesized)
    assert props["EventSourceArn"] == {"Fn::GetAtt": ["ReservationQueue", "Arn"]}
    assert (props["BatchSize"], props["MaximumBatchingWindowInSeconds"]) == (50, 1)
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_a_conflict_cannot_dead_letter_an_order_within_a_hundred_receives(
    synthesized: SynthesizedApp,
) -> None:
    queue = synthesized.props("ReservationQueue")
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 100
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["ReservationQueueDlq", "Arn"]}
    function = synthesized.props("ReserveStockFunction")
    assert queue["VisibilityTimeout"] >= 6 * function["Timeout"] + 1


def test_the_worker_may_change_the_visibility_of_its_own_queue_only(synthesized: SynthesizedApp) -> None:
    variables = synthesized.props("ReserveStockFunction")["Environment"]["Variables"]
    assert variables["RESERVATION_QUEUE_URL"] == {"Ref": "ReservationQueue"}
    role = synthesized.props("ReserveStockFunction")["Role"]["Fn::GetAtt"][0]
    resources = []
    for policy in synthesized.of_type("AWS::IAM::Policy").values():
        if {"Ref": role} not in policy["Properties"]["Roles"]:
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if "sqs:ChangeMessageVisibility" in actions:
                resources.append(statement["Resource"])
    assert resources == [{"Fn::GetAtt": ["ReservationQueue", "Arn"]}]
