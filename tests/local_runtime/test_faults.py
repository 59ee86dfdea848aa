"""The fault spec shared by every local fake (`ORDERTRACK_LOCAL_FAULTS`) and its seeded draw."""

from __future__ import annotations

import random

import pytest

from infra.local.faults import Fault, FaultDraw, FaultSpec, FaultSpecError, parse
from infra.local.providers import parse_faults


def test_a_spec_names_aws_operations_function_crashes_and_providers() -> None:
    spec = parse(
        " ses.SendEmail=throttle:0.3, sns.Publish=5xx:0.2,dynamodb.TransactWriteItems=throttle:0.1,"
        "dynamodb.*=limit:0.05,lambda.ReserveStockFunction=crash:0.05,provider.shippo=timeout:1,"
    )

    assert spec.aws() == (
        Fault("ses", "SendEmail", "throttle", 0.3),
        Fault("sns", "Publish", "5xx", 0.2),
        Fault("dynamodb", "TransactWriteItems", "throttle", 0.1),
        Fault("dynamodb", "*", "limit", 0.05),
    )
    assert spec.crashes() == {"ReserveStockFunction": 0.05}
    assert spec.providers() == (Fault("provider", "shippo", "timeout", 1.0),)
    # the operation's own entries come before the service's `*`
    assert [f.name for f in spec.for_request("dynamodb", "TransactWriteItems")] == ["TransactWriteItems", "*"]
    assert [f.name for f in spec.for_request("dynamodb", "PutItem")] == ["*"]
    assert spec.for_request("sqs", "SendMessage") == ()
    # the text form parses back to the same spec
    assert parse(str(spec)) == spec


@pytest.mark.parametrize("empty", ["", None, " , ,"])
def test_an_empty_spec_is_no_faults(empty: str | None) -> None:
    assert parse(empty) == FaultSpec()
    assert not parse(empty)


@pytest.mark.parametrize(
    ("spec", "complaint"),
    [
        ("ses.SendEmail", "expected <target>=<kind>:<rate>"),
        ("ses.SendEmail=throttle", "expected <target>=<kind>:<rate>"),
        ("SendEmail=throttle:0.1", "expected <target>=<kind>:<rate>"),
        ("ses.SendEmail=throttle:x", "the rate is not a number"),
        ("ses.SendEmail=throttle:1.5", "between 0 and 1"),
        ("ses.SendEmail=throttle:-0.1", "between 0 and 1"),
        ("ses.SendEmail=boom:0.1", "faults are throttle, 5xx, limit"),
        ("ses.SendEmail=limit:0.1", "is a DynamoDB fault"),
        ("lambda.ReserveStockFunction=throttle:0.1", "lambda faults are crash"),
        ("lambda.*=crash:0.1", "name the lambda"),
        ("provider.shippo=crash:0.1", "provider faults are 5xx, timeout"),
        ("ses.SendEmail=throttle:0.1,sns.Publish=nope:1", "'sns.Publish=nope:1'"),
    ],
)
def test_a_malformed_entry_is_refused_with_what_is_wrong(spec: str, complaint: str) -> None:
    with pytest.raises(FaultSpecError, match=complaint.replace("(", r"\(").replace(".", r"\.")):
        parse(spec)


def test_the_provider_simulator_refuses_what_the_shared_parser_refuses() -> None:
    # an AWS entry is not the simulator's, but a malformed one is refused everywhere
    assert parse_faults("sns.Publish=5xx:0.5,provider.easypost=5xx:0.5") == {"easypost": [("5xx", 0.5)]}
    with pytest.raises(FaultSpecError):
        parse_faults("sns.Publish=5xx:2,provider.easypost=5xx:0.5")


def test_a_seeded_draw_is_repeatable_and_counts_by_target_and_kind() -> None:
    spec = parse("dynamodb.PutItem=throttle:0.5,dynamodb.*=5xx:0.25")
    draw = FaultDraw(spec, seed=11)
    candidates = spec.for_request("dynamodb", "PutItem")

    drawn = [draw.draw(candidates) for _ in range(200)]

    replay = random.Random(11)
    expected: list[Fault | None] = []
    for _ in range(200):
        if replay.random() < 0.5:
            expected.append(candidates[0])
        elif replay.random() < 0.25:
            expected.append(candidates[1])
        else:
            expected.append(None)
    assert drawn == expected
    assert draw.counts() == {
        "dynamodb.PutItem=throttle": expected.count(candidates[0]),
        "dynamodb.*=5xx": expected.count(candidates[1]),
    }
    assert 0 < draw.counts()["dynamodb.*=5xx"] < draw.counts()["dynamodb.PutItem=throttle"]


def test_reseeding_starts_the_draws_again_and_keeps_the_counts() -> None:
    spec = parse("sqs.SendMessage=throttle:0.5")
    draw = FaultDraw(spec, seed=3)
    first = [draw.draw(spec.aws()) for _ in range(20)]
    counted = sum(fault is not None for fault in first)

    draw.reseed(3)

    assert [draw.draw(spec.aws()) for _ in range(20)] == first
    assert draw.counts() == {"sqs.SendMessage=throttle": 2 * counted}


def test_rates_zero_and_one_never_and_always_fire() -> None:
    spec = parse("sqs.SendMessage=throttle:0,sqs.*=5xx:1")
    draw = FaultDraw(spec)
    assert {draw.draw(spec.for_request("sqs", "SendMessage")) for _ in range(50)} == {spec.aws()[1]}
    draw.replace(parse(""))
    assert draw.draw(draw.spec.for_request("sqs", "SendMessage")) is None
