"""Crashed workers (``lambda.<Function>=crash:<rate>``): the worker dies after some of its writes,
Lambda reports ``Runtime.ExitError``, a fresh worker takes over and the event source redelivers.

One moto server for the module; each test has its own tables and queues. The crash point is drawn
from a seeded :class:`CrashDraw`, so a test knows where the worker was due to die.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from infra.local.crashes import MAX_CRASH_AFTER_CALLS, CrashDraw
from infra.local.functions import FunctionRuntime, FunctionSpec, configure_runtime_log
from infra.local.invocation_probe import FAULT_HEADER
from infra.local.moto_process import MotoServer, local_client
from infra.local.sqs_source import SqsEventSource
from infra.local.stream_source import StreamEventSource
from infra.local.template import REGION

from .conftest import FIXTURES, _Lines, eventually

pytestmark = pytest.mark.xdist_group("local_runtime_crash")
SEED = "crash-tests"
Runtimes = Callable[..., FunctionRuntime]


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server


@pytest.fixture
def runtimes(moto: MotoServer) -> Iterator[Runtimes]:
    """Started FunctionRuntimes on fixture handlers, stopped after the test."""
    configure_runtime_log()
    started: list[FunctionRuntime] = []

    def start(handler: str, environment: dict[str, str] | None = None, endpoint: str = "") -> FunctionRuntime:
        logical_id = f"Crash{uuid.uuid4().hex[:8]}"
        spec = FunctionSpec(
            logical_id=logical_id,
            function_name=logical_id,
            function_arn=f"arn:aws:lambda:{REGION}:123456789012:function:{logical_id}",
            handler=f"fixture_handlers.{handler}.handler",
            runtime="python3.11",
            timeout_s=20,
            memory_mb=128,
            environment=environment or {},
        )
        runtime = FunctionRuntime(spec, endpoint or moto.endpoint, code_root=FIXTURES, fault_seed=SEED)
        runtime.start()
        started.append(runtime)
        return runtime

    yield start
    for runtime in started:
        runtime.stop()


@pytest.fixture
def log(runtime_log: _Lines) -> _Lines:
    runtime_log.lines.clear()
    return runtime_log


def _table(moto: MotoServer, stream: bool = False, key: str = "kind") -> dict[str, Any]:
    """A new table keyed (kind, at), or (pk) with a stream; its description."""
    schema = [("kind", "HASH"), ("at", "RANGE")] if key == "kind" else [("pk", "HASH")]
    return local_client("dynamodb", moto.endpoint).create_table(
        TableName=f"crash-{uuid.uuid4().hex[:8]}",
        KeySchema=[{"AttributeName": name, "KeyType": kind} for name, kind in schema],
        AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name, _ in schema],
        BillingMode="PAY_PER_REQUEST",
        **({"StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}} if stream else {}),
    )["TableDescription"]


def _items(moto: MotoServer, table: str, kind: str) -> list[dict[str, Any]]:
    return local_client("dynamodb", moto.endpoint).query(
        TableName=table,
        KeyConditionExpression="kind = :kind",
        ExpressionAttributeValues={":kind": {"S": kind}},
    )["Items"]


def _written(moto: MotoServer, table: str, kind: str) -> list[str]:
    """The sort keys written for ``kind``, in order."""
    return [item["at"]["S"] for item in _items(moto, table, kind)]


def _observed(moto: MotoServer, table: str, kind: str) -> list[Any]:
    """What the fixture handlers recorded for ``kind``, oldest first."""
    return [json.loads(item["payload"]["S"]) for item in _items(moto, table, kind)]


def _crash_points(runtime: FunctionRuntime, count: int) -> list[int | None]:
    """The crash points the runtime's draws give at rate 1 (the same seed, the same function)."""
    twin = CrashDraw(runtime.spec.logical_id, SEED)
    twin.rate = 1.0
    return [twin.draw() for _ in range(count)]


def _exit_error(request_id: str) -> dict[str, str]:
    return {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: signal: killed",
    }


# -- the crash itself ---------------------------------------------------------------------------


def test_worker_dies_after_its_kth_aws_call_and_a_fresh_worker_serves_the_next(
    moto: MotoServer, runtimes: Runtimes, log: _Lines
) -> None:
    # Given a function that writes more items than any crash point, crashing at every invocation
    table = _table(moto)["TableName"]
    runtime = runtimes("crash_probe")
    (k,) = _crash_points(runtime, 1)
    runtime.crash_rate = 1.0
    # When it is invoked
    writes = MAX_CRASH_AFTER_CALLS + 2
    crashed = runtime.invoke({"table": table, "kind": "first", "writes": writes}, trigger="test")
    # Then the writes up to the k-th call are in moto, the later ones are not, and the result is lost
    assert k is not None and 1 <= k <= MAX_CRASH_AFTER_CALLS
    assert _written(moto, table, "first") == [f"{index:03d}" for index in range(k)]
    assert (crashed.payload, crashed.function_error) == (_exit_error(crashed.request_id), "Unhandled")
    assert crashed.faults == ["crash"]
    assert runtime.crashes_injected == 1
    assert any(
        f"function={runtime.spec.logical_id} trigger=test" in line
        and line.endswith("outcome=Runtime.ExitError faults=crash")
        for line in log.lines
    )
    # And without crashes the next invocation succeeds, on a fresh worker (its first invocation)
    runtime.crash_rate = 0.0
    healthy = runtime.invoke({"table": table, "kind": "second", "writes": 2}, trigger="test")
    assert healthy.ok and healthy.payload == {"written": 2, "served_by_this_worker": 1}
    assert healthy.faults == []
    assert _written(moto, table, "second") == ["000", "001"]
    assert runtime.crashes_injected == 1
    assert log.lines[-1].endswith("outcome=ok")


def test_worker_with_fewer_calls_dies_after_its_side_effects_just_before_returning(
    moto: MotoServer, runtimes: Runtimes, tmp_path: Path
) -> None:
    # Given a function whose only side effect is a file (no AWS call), crashing at every invocation
    runtime = runtimes("crash_probe")
    runtime.crash_rate = 1.0
    marker = tmp_path / "marker"
    # When it is invoked
    result = runtime.invoke({"table": "unused", "kind": "none", "writes": 0, "marker": str(marker)}, "test")
    # Then its side effect is done but its result is lost
    assert marker.read_text() == "side effect done"
    assert result.payload == _exit_error(result.request_id)
    assert result.faults == ["crash"]


# -- AWS faults on the invocation line ------------------------------------------------------------


class _ThrottlingDynamoDb(ThreadingHTTPServer):
    """Answers DynamoDB JSON requests: the first ``throttles`` with a marked ThrottlingException
    (as the local moto server marks the errors it injects), the others with ``{}``."""

    daemon_threads = True

    def __init__(self, throttles: int) -> None:
        super().__init__(("127.0.0.1", 0), _ThrottlingHandler)
        self.throttles = throttles
        self.requests = 0
        self.lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ThrottlingHandler(BaseHTTPRequestHandler):
    server: _ThrottlingDynamoDb

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        operation = self.headers.get("X-Amz-Target", "").rpartition(".")[2]
        with self.server.lock:
            self.server.requests += 1
            throttled = self.server.requests <= self.server.throttles
        body = b"{}"
        self.send_response(400 if throttled else 200)
        if throttled:
            body = json.dumps(
                {"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException", "message": "Throttled"}
            ).encode()
            self.send_header(FAULT_HEADER, f"dynamodb.{operation}=throttle")
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def throttling_dynamodb() -> Iterator[_ThrottlingDynamoDb]:
    server = _ThrottlingDynamoDb(throttles=2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_invocation_line_names_each_retried_fault_and_the_crash(
    runtimes: Runtimes, throttling_dynamodb: _ThrottlingDynamoDb, log: _Lines
) -> None:
    # Given DynamoDB throttling the first two attempts of a call, and a function crashing after it
    runtime = runtimes("crash_probe", endpoint=throttling_dynamodb.endpoint)
    runtime.crash_rate = 1.0
    # When the function makes one PutItem (retried twice by botocore, then accepted)
    result = runtime.invoke({"table": "t", "kind": "k", "writes": 1}, trigger="test")
    # Then each throttled attempt and the crash are on the result and on the invocation line
    assert throttling_dynamodb.requests == 3
    assert result.faults == ["dynamodb.PutItem=throttle", "dynamodb.PutItem=throttle", "crash"]
    assert log.lines[-1].endswith('outcome=Runtime.ExitError faults="dynamodb.PutItem=throttle x2,crash"')
    # And an invocation that meets no fault has no `faults` field
    runtime.crash_rate = 0.0
    assert runtime.invoke({"table": "t", "kind": "k", "writes": 1}, trigger="test").ok
    assert log.lines[-1].endswith("outcome=ok")


# -- redelivery by the event sources --------------------------------------------------------------


def _queue(moto: MotoServer, visibility_s: int, max_receives: int) -> tuple[str, str, str]:
    """A queue with a DLQ: (url, arn, dlq url)."""
    sqs = local_client("sqs", moto.endpoint)
    name = f"crash-{uuid.uuid4().hex[:8]}"
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receives)}
    url = sqs.create_queue(
        QueueName=name,
        Attributes={"VisibilityTimeout": str(visibility_s), "RedrivePolicy": json.dumps(redrive)},
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn, dlq_url


@pytest.fixture
def sqs_mapping(moto: MotoServer, runtimes: Runtimes) -> Iterator[Callable[..., Any]]:
    started: list[SqsEventSource] = []

    def start(max_receives: int, visibility_s: int) -> tuple[FunctionRuntime, str, str, str]:
        observations = _table(moto)["TableName"]
        runtime = runtimes("queue_worker", {"OBSERVATIONS_TABLE": observations})
        runtime.crash_rate = 1.0
        url, arn, dlq_url = _queue(moto, visibility_s, max_receives)
        source = SqsEventSource(
            "crash", runtime, local_client("sqs", moto.endpoint), url, arn, report_batch_item_failures=True
        )
        source.start()
        started.append(source)
        return runtime, observations, url, dlq_url

    yield start
    for source in started:
        source.stop()
        source.join(5)


def test_sqs_message_of_a_crashed_invocation_comes_back_after_its_visibility_timeout(
    moto: MotoServer, sqs_mapping: Callable[..., Any], log: _Lines
) -> None:
    # Given an SQS-triggered function whose first invocation crashes
    runtime, observations, url, dlq_url = sqs_mapping(
        max_receives=3, visibility_s=2
    )  # 2 s: time to stop the crashes
    sqs = local_client("sqs", moto.endpoint)
    # When a message arrives, and crashes stop once one has been injected
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"id": "m-1"}))
    eventually(lambda: runtime.crashes_injected >= 1)
    runtime.crash_rate = 0.0
    # Then the message was not deleted: it comes back once with a higher receive count, and is done
    eventually(lambda: len(_observed(moto, observations, "sqs")) >= 2)
    eventually(lambda: int(_attributes(sqs, url)["ApproximateNumberOfMessagesNotVisible"]) == 0)
    receive_counts = [entry["batch"][0]["receive_count"] for entry in _observed(moto, observations, "sqs")]
    assert receive_counts == [1, 2]  # the crashed attempt wrote its observation before dying
    assert runtime.crashes_injected == 1
    assert int(_attributes(sqs, url)["ApproximateNumberOfMessages"]) == 0
    assert "Messages" not in sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=0)
    assert any("trigger=sqs" in line and "faults=crash" in line for line in log.lines)


def test_sqs_message_that_always_crashes_goes_to_the_dlq_after_max_receives(
    moto: MotoServer, sqs_mapping: Callable[..., Any]
) -> None:
    # Given an SQS-triggered function that crashes at every invocation, and maxReceiveCount 2
    runtime, observations, url, dlq_url = sqs_mapping(max_receives=2, visibility_s=1)
    sqs = local_client("sqs", moto.endpoint)
    # When a message arrives
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"id": "m-2"}))
    # Then it is delivered twice, then moved to the dead-letter queue
    moved = eventually(lambda: sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=0).get("Messages"))
    assert json.loads(moved[0]["Body"]) == {"id": "m-2"}
    receive_counts = [entry["batch"][0]["receive_count"] for entry in _observed(moto, observations, "sqs")]
    assert receive_counts == [1, 2]
    assert runtime.crashes_injected == 2


def _attributes(sqs: Any, url: str) -> dict[str, str]:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]


def test_stream_batch_of_a_crashed_invocation_is_retried_then_sent_on_failure(
    moto: MotoServer, runtimes: Runtimes
) -> None:
    # Given a stream-triggered function that crashes at every invocation, with one retry allowed
    source_table = _table(moto, stream=True, key="pk")
    observations = _table(moto)["TableName"]
    runtime = runtimes("stream_worker", {"OBSERVATIONS_TABLE": observations})
    runtime.crash_rate = 1.0
    failures: list[tuple[str, dict[str, Any]]] = []
    source = StreamEventSource(
        "crash",
        runtime,
        local_client("dynamodbstreams", moto.endpoint),
        source_table["LatestStreamArn"],
        lambda destination, record: failures.append((destination, record)),
        maximum_retry_attempts=1,
        on_failure_destination="arn:aws:sqs:us-east-1:123456789012:on-failure",
    )
    source.start()
    try:
        # When an item is written
        local_client("dynamodb", moto.endpoint).put_item(
            TableName=source_table["TableName"], Item={"pk": {"S": "p-1"}}
        )
        # Then the batch is delivered twice (both crash), then its on-failure record is sent
        eventually(lambda: failures)
    finally:
        source.stop()
        source.join(5)
    assert [entry["keys"] for entry in _observed(moto, observations, "stream")] == [["p-1"], ["p-1"]]
    assert runtime.crashes_injected == 2
    (destination, record) = failures[0]
    assert destination == "arn:aws:sqs:us-east-1:123456789012:on-failure"
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["DDBStreamBatchInfo"]["batchSize"] == 1
