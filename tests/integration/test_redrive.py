"""`python -m infra.redrive` against SQS in moto (in process): what moves, what stays, what is
stripped; how the deployed stack's queues are found; and against a running `make dev`."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from infra.config import STACK_NAME
from infra.redrive import dead_letter_queue_url, main, redrive

REPO_ROOT = Path(__file__).resolve().parents[2]
FAILURE = {
    "ordertrack.failure_reason": {"DataType": "String", "StringValue": "provider_unavailable"},
    "ordertrack.failed_channels": {"DataType": "String", "StringValue": "sms"},
    "ordertrack.failed_at": {"DataType": "String", "StringValue": "2026-11-24T10:00:00.000Z"},
}


def _queues(sqs: Any, name: str = "NotificationQueue") -> tuple[str, str]:
    dlq_url = sqs.create_queue(QueueName=f"{name}Dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    source_url = sqs.create_queue(
        QueueName=name,
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})},
    )["QueueUrl"]
    return source_url, dlq_url


def dead_letter(sqs: Any, dlq_url: str, n: int, failure: bool = True) -> str:
    attributes = {
        "event_type": {"DataType": "String", "StringValue": "order.shipped"},
        "event_id": {"DataType": "String", "StringValue": f"ord_x:v{n}"},
        "attempt": {"DataType": "Number", "StringValue": str(n)},
        "blob": {"DataType": "Binary", "BinaryValue": bytes([n, 0, 255])},
    }
    if failure:
        attributes.update(FAILURE)
    body = json.dumps({"event_id": f"ord_x:v{n}", "event_type": "order.shipped"})
    sqs.send_message(QueueUrl=dlq_url, MessageBody=body, MessageAttributes=attributes)
    return body


def drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    """Every visible message (deleted as read), with its message attributes."""
    found: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], WaitTimeSeconds=0
        ).get("Messages", [])
        if not messages:
            return found
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        found.extend(messages)


def attributes_of(message: dict[str, Any]) -> dict[str, Any]:
    return {
        name: {key: value[key] for key in ("DataType", "StringValue", "BinaryValue") if key in value}
        for name, value in message.get("MessageAttributes", {}).items()
    }


@pytest.fixture
def sqs(aws: None) -> Any:
    return boto3.client("sqs")


@pytest.fixture
def queues(sqs: Any) -> tuple[str, str]:
    return _queues(sqs)


class FlakySqs:
    """The real client, except for the calls a test makes fail."""

    def __init__(self, client: Any, **overrides: Callable[..., Any]) -> None:
        self._client = client
        self._overrides = overrides

    def __getattr__(self, name: str) -> Any:
        return self._overrides.get(name) or getattr(self._client, name)


def test_every_dead_letter_goes_back_with_its_body_and_attributes_but_not_the_failure_ones(
    sqs: Any, queues: tuple[str, str]
) -> None:
    # Given three dead letters, two with the worker's failure attributes
    source_url, dlq_url = queues
    bodies = {dead_letter(sqs, dlq_url, n, failure=n != 3) for n in (1, 2, 3)}
    seen: list[tuple[str, str]] = []

    # When they are redriven
    report = redrive(
        sqs, source_url, dlq_url, wait_seconds=0, on_message=lambda a, m: seen.append((a, m.describe()))
    )

    # Then all three are in the work queue, unchanged but for the failure attributes
    assert report.ok and len(report.moved) == 3
    moved = drain(sqs, source_url)
    assert {m["Body"] for m in moved} == bodies
    for message in moved:
        attributes = attributes_of(message)
        assert set(attributes) == {"event_type", "event_id", "attempt", "blob"}
        n = int(attributes["attempt"]["StringValue"])
        assert attributes["attempt"]["DataType"] == "Number"
        assert attributes["blob"] == {"DataType": "Binary", "BinaryValue": bytes([n, 0, 255])}
    # And the dead-letter queue is empty
    assert drain(sqs, dlq_url) == []
    # And each was reported with why it failed
    assert [action for action, _ in seen] == ["moved"] * 3
    lines = sorted(line for _, line in seen)
    assert (
        sum(
            "reason=provider_unavailable  channels=sms  failed_at=2026-11-24T10:00:00.000Z" in x
            for x in lines
        )
        == 2
    )
    assert sum("reason=-" in line for line in lines) == 1


def test_dry_run_moves_nothing_and_leaves_the_letters_visible(sqs: Any, queues: tuple[str, str]) -> None:
    source_url, dlq_url = queues
    for n in range(12):
        dead_letter(sqs, dlq_url, n)

    report = redrive(sqs, source_url, dlq_url, dry_run=True, wait_seconds=0)

    assert len(report.listed) == 12 and report.moved == []
    assert drain(sqs, source_url) == []
    assert len(drain(sqs, dlq_url)) == 12  # visible again at once, not after the visibility timeout


def test_max_moves_only_that_many(sqs: Any, queues: tuple[str, str]) -> None:
    source_url, dlq_url = queues
    for n in range(15):
        dead_letter(sqs, dlq_url, n)

    report = redrive(sqs, source_url, dlq_url, max_messages=11, wait_seconds=0)

    assert len(report.moved) == 11
    assert len(drain(sqs, source_url)) == 11
    assert len(drain(sqs, dlq_url)) == 4


def test_a_message_whose_send_fails_stays_in_the_dead_letter_queue(sqs: Any, queues: tuple[str, str]) -> None:
    # Given a work queue that refuses one message of the batch
    source_url, dlq_url = queues
    for n in range(3):
        dead_letter(sqs, dlq_url, n)

    def send_all_but_attempt_1(QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        refused = [e for e in Entries if e["MessageAttributes"]["attempt"]["StringValue"] == "1"]
        accepted = [e for e in Entries if e not in refused]
        response = sqs.send_message_batch(QueueUrl=QueueUrl, Entries=accepted)
        response["Failed"] = [
            {"Id": e["Id"], "SenderFault": False, "Code": "InternalError", "Message": "try again"}
            for e in refused
        ]
        return response

    # When the dead-letter queue is redriven
    report = redrive(
        FlakySqs(sqs, send_message_batch=send_all_but_attempt_1), source_url, dlq_url, wait_seconds=0
    )

    # Then two moved, and the third is still in the dead-letter queue, visible, failure attributes and all
    assert len(report.moved) == 2 and not report.ok
    [(letter, reason)] = report.failed
    assert reason == "InternalError: try again"
    assert len(drain(sqs, source_url)) == 2
    [left] = drain(sqs, dlq_url)
    assert left["MessageId"] == letter.message_id
    assert attributes_of(left)["ordertrack.failure_reason"]["StringValue"] == "provider_unavailable"


def test_a_send_error_stops_the_run_and_loses_nothing(sqs: Any, queues: tuple[str, str]) -> None:
    source_url, dlq_url = queues
    for n in range(4):
        dead_letter(sqs, dlq_url, n)

    def refuse(**_: Any) -> Any:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "SendMessageBatch")

    with pytest.raises(ClientError):
        redrive(FlakySqs(sqs, send_message_batch=refuse), source_url, dlq_url, wait_seconds=0)

    assert drain(sqs, source_url) == []
    assert len(drain(sqs, dlq_url)) == 4


def test_a_letter_sent_but_not_deleted_is_reported(sqs: Any, queues: tuple[str, str]) -> None:
    source_url, dlq_url = queues
    dead_letter(sqs, dlq_url, 1)

    def refuse(**_: Any) -> Any:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "DeleteMessageBatch")

    report = redrive(FlakySqs(sqs, delete_message_batch=refuse), source_url, dlq_url, wait_seconds=0)

    assert report.moved == [] and len(report.not_deleted) == 1 and not report.ok
    assert len(drain(sqs, source_url)) == 1


def test_the_dead_letter_queue_is_the_one_the_redrive_policy_names(sqs: Any) -> None:
    source_url, dlq_url = _queues(sqs, "ReservationQueue")
    assert dead_letter_queue_url(sqs, source_url) == dlq_url


# -- against the deployed stack (CloudFormation in moto) ----------------------------------------


def _deploy(stage: str) -> None:
    template = {
        "Resources": {
            "NotificationQueueDlq": {"Type": "AWS::SQS::Queue", "Properties": {}},
            "NotificationQueue": {
                "Type": "AWS::SQS::Queue",
                "Properties": {
                    "RedrivePolicy": {
                        "deadLetterTargetArn": {"Fn::GetAtt": ["NotificationQueueDlq", "Arn"]},
                        "maxReceiveCount": 5,
                    }
                },
            },
        }
    }
    boto3.client("cloudformation").create_stack(
        StackName=STACK_NAME, TemplateBody=json.dumps(template), Tags=[{"Key": "stage", "Value": stage}]
    )


def _physical(logical_id: str) -> str:
    resource = boto3.client("cloudformation").describe_stack_resource(
        StackName=STACK_NAME, LogicalResourceId=logical_id
    )
    return resource["StackResourceDetail"]["PhysicalResourceId"]


def test_main_redrives_the_deployed_stacks_notification_queue(sqs: Any, tmp_path: Path) -> None:
    # Given the deployed dev stack with two dead letters
    _deploy("dev")
    source_url, dlq_url = _physical("NotificationQueue"), _physical("NotificationQueueDlq")
    for n in (1, 2):
        dead_letter(sqs, dlq_url, n)
    out = io.StringIO()

    # When `make redrive` runs with no local stack around
    code = main(
        ["--stage", "dev", "--endpoints-file", str(tmp_path / "none.json"), "--wait-seconds", "0"], out
    )

    # Then both are back and the output says where from, where to and why they failed
    assert code == 0
    assert len(drain(sqs, source_url)) == 2
    text = out.getvalue()
    assert f"stack {STACK_NAME} (dev)" in text and source_url in text and dlq_url in text
    assert text.count("reason=provider_unavailable") == 2
    assert "moved 2 of 2 message(s)" in text


def test_main_refuses_another_stage(sqs: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _deploy("prod")
    dead_letter(sqs, _physical("NotificationQueueDlq"), 1)

    code = main(["--aws", "--stage", "dev", "--wait-seconds", "0"])

    assert code == 2
    assert "is stage 'prod', not 'dev'" in capsys.readouterr().err
    assert len(drain(sqs, _physical("NotificationQueueDlq"))) == 1


def test_main_refuses_a_queue_without_a_dead_letter_queue(
    aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _deploy("dev")
    code = main(["--aws", "--stage", "dev", "--queue", "NotificationQueueDlq"])
    assert code == 2 and "has no dead-letter queue" in capsys.readouterr().err


# -- against a running `make dev` ---------------------------------------------------------------

QUEUES_ONLY_TEMPLATE = {
    "Resources": {
        "WorkQueueDlq": {"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": 1209600}},
        "WorkQueue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "RedrivePolicy": {
                    "deadLetterTargetArn": {"Fn::GetAtt": ["WorkQueueDlq", "Arn"]},
                    "maxReceiveCount": 3,
                }
            },
        },
    }
}


def _wait_for(path: Path, process: subprocess.Popen[str], timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return json.loads(path.read_text())
        if process.poll() is not None:
            raise AssertionError(f"`python -m infra.local` exited: {process.communicate()}")
        time.sleep(0.05)
    raise AssertionError(f"{path} not written within {timeout}s")


def test_make_dev_writes_its_endpoints_and_redrive_uses_them(tmp_path: Path) -> None:
    # Given `make dev` running on a template with one work queue
    template = tmp_path / "queues.template.json"
    template.write_text(json.dumps(QUEUES_ONLY_TEMPLATE))
    endpoints_file = tmp_path / "endpoints.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "infra.local",
            "--template",
            str(template),
            "--port",
            "0",
            "--endpoints-file",
            str(endpoints_file),
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Then it says where its moto endpoint and queues are
        endpoints = _wait_for(endpoints_file, process)
        assert endpoints["pid"] == process.pid
        assert endpoints["moto_endpoint"].startswith("http://127.0.0.1:")
        assert set(endpoints["queues"]) == {"WorkQueue", "WorkQueueDlq"}
        local_sqs = boto3.client(
            "sqs",
            endpoint_url=endpoints["moto_endpoint"],
            region_name=endpoints["region"],
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        dlq_url = endpoints["queues"]["WorkQueueDlq"]["url"]
        dead_letter(local_sqs, dlq_url, 1)

        # When the redrive runs with no target named
        out = io.StringIO()
        code = main(
            ["--queue", "WorkQueue", "--endpoints-file", str(endpoints_file), "--wait-seconds", "0"], out
        )

        # Then it used the running local stack
        assert code == 0, out.getvalue()
        assert "local stack at " + endpoints["moto_endpoint"] in out.getvalue()
        [moved] = drain(local_sqs, endpoints["queues"]["WorkQueue"]["url"])
        assert "ordertrack.failure_reason" not in moved.get("MessageAttributes", {})
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    # And the file is gone once it stops
    assert not endpoints_file.exists()
