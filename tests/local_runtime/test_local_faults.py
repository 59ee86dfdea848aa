"""One fault spec for the whole local stack: ORDERTRACK_LOCAL_FAULTS at start (never during
provisioning), then `/_local/faults` and `LocalStack.set_faults`, applied to the moto server, the
provider simulator and every function runtime at once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from infra.local.fault_control import StackFaults
from infra.local.faults import FaultSpecError
from infra.local.stack import LocalStack
from infra.local.template import LOCAL_CREDENTIALS, REGION

from .conftest import FIXTURE_TEMPLATE, FIXTURES

pytestmark = pytest.mark.xdist_group("local_runtime_faults_stack")

WORKER = "QueueWorkerFunction4D5E6F7A"
AT_START = f"dynamodb.*=5xx:1.0,sqs.*=5xx:1.0,lambda.{WORKER}=crash:0.25,provider.shippo=5xx:1.0"


# -- StackFaults with fakes ------------------------------------------------------------------------


class FakeMoto:
    def __init__(self) -> None:
        self.spec = ""

    def set_faults(self, spec: str) -> None:
        self.spec = spec

    def faults(self) -> dict[str, Any]:
        return {"faults": self.spec, "injected": {"sqs.SendMessage=throttle": 2}}


class FakeSimulator(FakeMoto):
    def fault_counts(self) -> dict[str, int]:
        return {"provider.shippo=5xx": 1}


def test_nothing_is_applied_until_the_stack_is_started_then_everything_at_once() -> None:
    moto, simulator = FakeMoto(), FakeSimulator()
    runtimes = {"A": SimpleNamespace(), "B": SimpleNamespace(crashes_injected=3)}
    faults = StackFaults(
        "lambda.A=crash:0.5,sqs.SendMessage=throttle:0.1", moto, lambda: simulator, lambda: runtimes
    )
    assert (moto.spec, simulator.spec, vars(runtimes["A"])) == ("", "", {})

    faults.activate()

    assert moto.spec == simulator.spec == "lambda.A=crash:0.5,sqs.SendMessage=throttle:0.1"
    assert (runtimes["A"].crash_rate, runtimes["B"].crash_rate) == (0.5, 0.0)
    assert faults.counts() == {"sqs.SendMessage=throttle": 2, "provider.shippo=5xx": 1, "lambda.B=crash": 3}

    with pytest.raises(FaultSpecError):
        faults.set("lambda.A=crash:0.9,sqs.SendMessage=throttle:9")
    assert (moto.spec, runtimes["A"].crash_rate) == ("lambda.A=crash:0.5,sqs.SendMessage=throttle:0.1", 0.5)

    faults.set("")
    assert (moto.spec, simulator.spec, runtimes["A"].crash_rate) == ("", "", 0.0)


def test_a_malformed_setting_stops_the_stack_before_it_starts() -> None:
    with pytest.raises(FaultSpecError, match="sqs faults are"):
        LocalStack(
            FIXTURE_TEMPLATE, port=0, code_root=FIXTURES, env={"ORDERTRACK_LOCAL_FAULTS": "sqs.*=crash:1"}
        )


# -- a LocalStack started with faults ------------------------------------------------------------


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    env = {"ORDERTRACK_LOCAL_FAULTS": AT_START, "ORDERTRACK_LOCAL_FAULTS_SEED": "7"}
    with LocalStack(FIXTURE_TEMPLATE, port=0, code_root=FIXTURES, env=env) as local:
        yield local


def our_code(stack: LocalStack, service: str) -> Any:
    """A client as a function's code has one: faulted."""
    return boto3.client(
        service,
        endpoint_url=stack.moto_endpoint,
        region_name=REGION,
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
        **LOCAL_CREDENTIALS,
    )


def local_faults(stack: LocalStack, spec: str | None = None) -> tuple[int, dict[str, Any]]:
    if spec is None:
        response = requests.get(f"{stack.api_url}/_local/faults", timeout=10)
    else:
        response = requests.post(
            f"{stack.api_url}/_local/faults", data=json.dumps({"faults": spec}), timeout=10
        )
    return response.status_code, response.json()


def test_provisioning_is_never_faulted_and_the_spec_applies_once_started(stack: LocalStack) -> None:
    # every DynamoDB and SQS request fails at rate 1, yet the tables and queues were created
    table = stack.physical("ObservationsTable4E1F7A2B")
    assert stack.client("dynamodb").describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE"

    with pytest.raises(ClientError) as failed:
        our_code(stack, "dynamodb").get_item(TableName=table, Key={"kind": {"S": "x"}, "at": {"S": "y"}})

    assert failed.value.response["Error"]["Code"] == "InternalServerError"
    assert stack.moto.faults()["seed"] == 7
    assert stack.functions[WORKER].crash_rate == 0.25
    assert {f.crash_rate for name, f in stack.functions.items() if name != WORKER} == {0.0}
    assert stack.providers is not None
    assert stack.providers.serve("GET", "/shippo/tracks/shippo/1Z0000000000000001", {}, b"").status == 503
    status, state = local_faults(stack)
    assert status == 200
    assert state["faults"] == AT_START.replace("1.0", "1")
    assert state["injected"]["dynamodb.*=5xx"] >= 1
    assert state["injected"]["provider.shippo=5xx"] == 1


def test_post_local_faults_replaces_the_spec_everywhere_and_an_empty_one_clears_it(stack: LocalStack) -> None:
    queue = stack.physical("WorkQueue5E6F7A8B", "QueueUrl")
    try:
        status, state = local_faults(stack, "sqs.SendMessage=throttle:1.0")
        assert (status, state["faults"]) == (200, "sqs.SendMessage=throttle:1")
        with pytest.raises(ClientError) as throttled:
            our_code(stack, "sqs").send_message(QueueUrl=queue, MessageBody=json.dumps({"id": "x"}))
        assert throttled.value.response["Error"]["Code"] == "RequestThrottled"
        assert stack.functions[WORKER].crash_rate == 0.0
        assert stack.providers is not None
        assert stack.providers.serve("GET", "/shippo/tracks/shippo/1Z0000000000000002", {}, b"").status != 503
        assert stack.fault_counts()["sqs.SendMessage=throttle"] == 1

        status, refused = local_faults(stack, "sqs.SendMessage=throttle:2")
        assert status == 400
        assert "between 0 and 1" in refused["message"]
        assert local_faults(stack)[1]["faults"] == "sqs.SendMessage=throttle:1"
    finally:
        stack.set_faults("")

    assert local_faults(stack)[1]["faults"] == ""
    assert our_code(stack, "sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])[
        "Attributes"
    ]
