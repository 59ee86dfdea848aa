"""The local stack wired from the fixture template: HTTP API, SQS and stream mappings, schedules.

One LocalStack serves the whole module (see conftest); tests use distinct keys so they do not
see each other's records.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from infra.local.stack import LocalStack

from .conftest import eventually

pytestmark = pytest.mark.xdist_group("local_runtime_stack")


# -- HTTP API -------------------------------------------------------------------------------------


def test_route_gets_a_payload_format_2_event(stack: LocalStack) -> None:
    # Given a POST route in the template
    # When a client calls it with a query string, cookies and a JSON body
    response = requests.post(
        f"{stack.api_url}/v1/orders?tag=a&tag=b",
        json={"sku": "SKU-1"},
        headers={"Cookie": "c1=v1; c2=v2", "X-Api-Key": "k"},
        timeout=10,
    )
    # Then the handler got a 2.0 event and its structured response came back as HTTP
    assert response.status_code == 201
    assert response.headers["x-handler"] == "api"
    assert response.headers["Set-Cookie"] == "session=abc; Path=/"
    event = response.json()["event"]
    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /v1/orders"
    assert event["rawPath"] == "/v1/orders"
    assert event["rawQueryString"] == "tag=a&tag=b"
    assert event["queryStringParameters"] == {"tag": "a,b"}
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert event["headers"]["x-api-key"] == "k"
    assert json.loads(event["body"]) == {"sku": "SKU-1"}
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["http"]["method"] == "POST"
    assert context["http"]["path"] == "/v1/orders"
    assert context["http"]["sourceIp"] == "127.0.0.1"
    assert context["stage"] == "$default"
    assert context["routeKey"] == "POST /v1/orders"
    assert {"requestId", "time", "timeEpoch", "domainName", "apiId"} <= context.keys()


def test_path_parameters_greedy_routes_and_literal_precedence(stack: LocalStack) -> None:
    order = requests.get(f"{stack.api_url}/v1/orders/o-42", timeout=10).json()["event"]
    assert order["pathParameters"] == {"order_id": "o-42"}
    greedy = requests.delete(f"{stack.api_url}/v1/files/a/b/c.txt", timeout=10).json()["event"]
    assert greedy["routeKey"] == "ANY /v1/files/{proxy+}"
    assert greedy["pathParameters"] == {"proxy": "a/b/c.txt"}
    # GET /v1/orders/special is a literal route to the failing function: it wins over {order_id}
    assert requests.get(f"{stack.api_url}/v1/orders/special", timeout=10).status_code == 500


def test_bare_results_binary_bodies_and_api_gateway_errors(stack: LocalStack) -> None:
    bare = requests.get(f"{stack.api_url}/v1/bare", timeout=10)
    assert (bare.status_code, bare.json(), bare.headers["Content-Type"]) == (
        200,
        {"bare": True},
        "application/json",
    )
    binary = requests.get(f"{stack.api_url}/v1/binary", timeout=10)
    assert binary.content == b"\x89PNG\r"
    missing = requests.get(f"{stack.api_url}/v2/nothing", timeout=10)
    assert (missing.status_code, missing.json()) == (404, {"message": "Not Found"})
    boom = requests.get(f"{stack.api_url}/v1/boom", timeout=10)
    assert (boom.status_code, boom.json()) == (500, {"message": "Internal Server Error"})
    too_big = requests.post(f"{stack.api_url}/v1/orders", data=b"x" * (10 * 1024 * 1024 + 1), timeout=30)
    assert too_big.status_code == 413


def test_invocations_and_the_bytes_a_function_writes_to_its_log_are_counted(stack: LocalStack) -> None:
    # Given the API function's workers have all served a request (their imports are behind them)
    found = stack.routes.find("GET", "/v1/files/log")
    assert found is not None
    function = found[0].function
    for _ in range(function.concurrency):
        requests.get(f"{stack.api_url}/v1/files/warm", timeout=10)
    invocations, logged = function.invocations, function.log_bytes
    # When it prints 100 bytes to stdout and 7 UTF-8 bytes to stderr
    assert requests.get(f"{stack.api_url}/v1/files/log", timeout=10).json() == {"logged": True}
    # Then one more invocation and exactly 107 more log bytes are counted
    assert (function.invocations, function.log_bytes) == (invocations + 1, logged + 107)


def test_function_timeout_is_an_error_and_the_worker_is_replaced(stack: LocalStack, runtime_log: Any) -> None:
    # Given a function with Timeout 1 that sleeps 5 s
    response = requests.get(f"{stack.api_url}/v1/slow", timeout=10)
    # Then API Gateway answers 500 and the runtime logs the timeout on one line
    assert response.status_code == 500
    assert any(
        "function=SlowFunction3C4D5E6F trigger=http batch=1" in line and "outcome=Sandbox.Timedout" in line
        for line in runtime_log.lines
    )
    # And the next invocation gets a fresh worker (which times out again, but answers)
    assert requests.get(f"{stack.api_url}/v1/slow", timeout=10).status_code == 500


def test_handler_that_cannot_be_imported_fails_every_invocation(stack: LocalStack, runtime_log: Any) -> None:
    response = requests.get(f"{stack.api_url}/v1/broken", timeout=10)
    assert (response.status_code, response.json()) == (500, {"message": "Internal Server Error"})
    assert any(
        "function=BrokenFunction4A5B6C7D" in line and "outcome=Runtime.ImportModuleError" in line
        for line in runtime_log.lines
    )


def test_chunked_request_bodies_reach_the_handler(stack: LocalStack) -> None:
    response = requests.post(f"{stack.api_url}/v1/orders", data=iter([b'{"sku":', b' "SKU-2"}']), timeout=10)
    assert json.loads(response.json()["event"]["body"]) == {"sku": "SKU-2"}


def test_api_functions_get_the_configured_concurrency(stack: LocalStack) -> None:
    # Given ORDERTRACK_LOCAL_API_CONCURRENCY=2 (conftest), functions behind routes get 2 workers
    functions = requests.get(f"{stack.api_url}/_local/health", timeout=10).json()["functions"]
    assert functions["ApiFunction1A2B3C4D"] == 2
    assert functions["QueueWorkerFunction4D5E6F7A"] == 1


def test_cors_preflight_is_answered_from_the_template(stack: LocalStack) -> None:
    preflight = requests.options(
        f"{stack.api_url}/v1/orders",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=10,
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert preflight.headers["Access-Control-Max-Age"] == "600"


def test_environment_and_context_come_from_the_template(stack: LocalStack) -> None:
    body = requests.get(f"{stack.api_url}/v1/orders/o-1", timeout=10).json()
    env, context = body["env"], body["context"]
    assert env["TABLE_NAME"] == "fixture-events" == stack.physical("EventsTable7C1D2E3F")
    assert env["QUEUE_URL"] == stack.physical("WorkQueue5E6F7A8B")
    assert env["QUEUE_ARN"] == stack.physical("WorkQueue5E6F7A8B", "Arn")
    assert env["SECRET_ARN"] == stack.physical("ApiKeySecretB1C2D3E4")
    assert env["STREAM_ARN"] == stack.physical("EventsTable7C1D2E3F", "StreamArn")
    assert "/stream/" in env["STREAM_ARN"]
    assert env["JOINED"] == "us-east-1/123456789012/b"
    assert env["SUBBED"].startswith("table=fixture-events topic=arn:aws:sns:us-east-1:123456789012:")
    assert env["SUBBED"].endswith("literal=${Keep}")
    assert env["API_URL"] == stack.api_url
    assert env["POWERTOOLS_SERVICE_NAME"] == "fixture"
    assert env["AWS_ENDPOINT_URL"] == stack.moto_endpoint
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "512"
    assert env["POWERTOOLS_TRACE_DISABLED"] == "true"
    assert env["POWERTOOLS_DEV"] is None
    assert context["function_name"] == "ApiFunction1A2B3C4D"
    assert context["memory_limit_in_mb"] == 512
    assert context["invoked_function_arn"].endswith(":function:ApiFunction1A2B3C4D")
    assert 9_000 < context["remaining_ms"] <= 10_000


def test_secrets_are_provisioned_from_local_metadata_or_generated(stack: LocalStack) -> None:
    # The API key secret takes its value from env ORDERTRACK_API_KEY (set to test-key by the fixture)
    assert requests.get(f"{stack.api_url}/v1/secret", timeout=10).json() == {"api_key": "test-key"}
    generated = json.loads(
        stack.client("secretsmanager").get_secret_value(SecretId="GeneratedSecretF1A2B3C4")["SecretString"]
    )
    assert generated["username"] == "carrier"
    assert len(generated["password"]) == 24 and generated["password"].isalnum()


def test_resources_are_provisioned_as_declared(stack: LocalStack) -> None:
    sqs = stack.client("sqs")
    attributes = sqs.get_queue_attributes(
        QueueUrl=stack.physical("WorkQueue5E6F7A8B"), AttributeNames=["All"]
    )["Attributes"]
    assert attributes["VisibilityTimeout"] == "1"
    assert json.loads(attributes["RedrivePolicy"]) == {
        "deadLetterTargetArn": stack.physical("WorkDlq1A2B3C4D", "Arn"),
        "maxReceiveCount": 2,
    }
    table = stack.client("dynamodb").describe_table(TableName="fixture-events")["Table"]
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert table["GlobalSecondaryIndexes"][0]["IndexName"] == "by-kind"
    ttl = stack.client("dynamodb").describe_time_to_live(TableName="fixture-events")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    identities = stack.client("ses").list_identities()["Identities"]
    assert "orders@example.com" in identities
    # CDK's Node.js helper function is never started
    assert "CustomResourceProvider7A8B9C0D" not in stack.functions


def test_local_routes_health_outbox_and_schedules(
    stack: LocalStack, observations: Callable[[str], list[Any]]
) -> None:
    health = requests.get(f"{stack.api_url}/_local/health", timeout=10).json()
    assert health["status"] == "ok"
    assert "ApiFunction1A2B3C4D" in health["functions"]
    stack.client("ses").send_email(
        Source="orders@example.com",
        Destination={"ToAddresses": ["customer@example.com"]},
        Message={"Subject": {"Data": "Your order"}, "Body": {"Text": {"Data": "Shipped"}}},
    )
    stack.client("sns").publish(PhoneNumber="+15555550100", Message="Out for delivery")
    outbox = requests.get(f"{stack.api_url}/_local/outbox", timeout=10).json()
    assert [entry["channel"] for entry in outbox[:2]] == ["sms", "email"]  # newest first
    assert outbox[1]["to"] == ["customer@example.com"]
    assert (outbox[1]["subject"], outbox[1]["body"]) == ("Your order", "Shipped")
    assert outbox == stack.outbox()

    triggered = requests.post(f"{stack.api_url}/_local/schedules/NightlySchedule1F2A3B4C", timeout=10)
    assert triggered.json()["payload"] == {"received": {"job": "nightly"}}
    rule = stack.trigger_schedule("HourlyRule2A3B4C5D")
    assert rule.payload["received"]["detail-type"] == "Scheduled Event"
    assert requests.post(f"{stack.api_url}/_local/schedules/Nope", timeout=10).status_code == 404


# -- SQS ------------------------------------------------------------------------------------------


def _send(stack: LocalStack, bodies: list[dict[str, Any]]) -> None:
    sqs = stack.client("sqs")
    for body in bodies:
        sqs.send_message(
            QueueUrl=stack.physical("WorkQueue5E6F7A8B"),
            MessageBody=json.dumps(body),
            MessageAttributes={"origin": {"DataType": "String", "StringValue": "test"}},
        )


def _sqs_deliveries(observations: Callable[[str], list[Any]], prefix: str) -> list[list[dict[str, Any]]]:
    batches = [
        [message for message in observation["batch"] if str(message["id"]).startswith(prefix)]
        for observation in observations("sqs")
    ]
    return [batch for batch in batches if batch]


def test_sqs_batches_respect_batch_size_and_are_real_sqs_events(
    stack: LocalStack, observations: Callable[[str], list[Any]], runtime_log: Any
) -> None:
    # Given BatchSize 3 in the template, when 7 messages arrive
    _send(stack, [{"id": f"size-{index}"} for index in range(7)])
    stack.wait_idle(timeout=20)
    # Then every message was delivered once, in batches of at most 3
    batches = _sqs_deliveries(observations, "size-")
    assert sorted(message["id"] for batch in batches for message in batch) == sorted(
        f"size-{i}" for i in range(7)
    )
    assert max(len(batch) for batch in batches) <= 3
    record = batches[0][0]["record"]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == stack.physical("WorkQueue5E6F7A8B", "Arn")
    assert record["awsRegion"] == "us-east-1"
    assert {"ApproximateReceiveCount", "SentTimestamp", "ApproximateFirstReceiveTimestamp"} <= record[
        "attributes"
    ].keys()
    assert record["messageAttributes"]["origin"]["stringValue"] == "test"
    assert record["messageAttributes"]["origin"]["dataType"] == "String"
    assert {"messageId", "receiptHandle", "md5OfBody", "body"} <= record.keys()
    assert any("function=QueueWorkerFunction4D5E6F7A trigger=sqs" in line for line in runtime_log.lines)


def test_partial_batch_failure_redelivers_only_the_failed_message(
    stack: LocalStack, observations: Callable[[str], list[Any]], runtime_log: Any
) -> None:
    # Given a batch where one message fails on its first delivery
    _send(stack, [{"id": "partial-ok-1"}, {"id": "partial-fail", "fail": "once"}, {"id": "partial-ok-2"}])
    stack.wait_idle(timeout=20)
    # Then the successes were delivered once and the failure again, with ApproximateReceiveCount 2
    deliveries = [message for batch in _sqs_deliveries(observations, "partial-") for message in batch]
    counts: dict[str, list[int]] = {}
    for message in deliveries:
        counts.setdefault(message["id"], []).append(message["receive_count"])
    assert counts == {"partial-ok-1": [1], "partial-ok-2": [1], "partial-fail": [1, 2]}
    assert any("trigger=sqs" in line and 'outcome="partial 1 failed"' in line for line in runtime_log.lines)


def test_message_failing_every_time_lands_in_the_dlq_after_max_receive_count(
    stack: LocalStack, observations: Callable[[str], list[Any]]
) -> None:
    # Given maxReceiveCount 2 and a message that always fails
    marker = f"dlq-{uuid.uuid4().hex[:6]}"
    _send(stack, [{"id": marker, "fail": "always"}])
    stack.wait_idle(timeout=20)
    # Then it was delivered exactly twice and then moved to the DLQ
    deliveries = [
        message["receive_count"] for batch in _sqs_deliveries(observations, marker) for message in batch
    ]
    assert deliveries == [1, 2]
    dlq = stack.client("sqs").receive_message(
        QueueUrl=stack.physical("WorkDlq1A2B3C4D"), MaxNumberOfMessages=10
    )
    assert [json.loads(message["Body"])["id"] for message in dlq["Messages"]] == [marker]


# -- DynamoDB streams -----------------------------------------------------------------------------


def _put(stack: LocalStack, key: str, kind: str, **extra: dict[str, str]) -> None:
    stack.client("dynamodb").put_item(
        TableName="fixture-events", Item={"pk": {"S": key}, "kind": {"S": kind}, **extra}
    )


def _stream_batches(observations: Callable[[str], list[Any]], prefix: str) -> list[list[str]]:
    batches = [
        [key for key in observation["keys"] if key.startswith(prefix)]
        for observation in observations("stream")
    ]
    return [batch for batch in batches if batch]


def test_stream_records_arrive_in_order_in_batches_with_the_real_event_shape(
    stack: LocalStack, observations: Callable[[str], list[Any]]
) -> None:
    keys = [f"order-{index:02d}" for index in range(10)]
    for key in keys:
        _put(stack, key, "evt-order")
    stack.wait_idle(timeout=20)
    batches = _stream_batches(observations, "order-")
    assert [key for batch in batches for key in batch] == keys  # per-shard order, each once
    assert max(len(batch) for batch in batches) <= 4  # BatchSize 4
    first = next(o["first"] for o in observations("stream") if o["keys"][0] == "order-00")
    assert first["eventName"] == "INSERT"
    assert first["eventSource"] == "aws:dynamodb"
    assert first["eventVersion"] == "1.0"
    assert first["awsRegion"] == "us-east-1"
    assert first["eventSourceARN"] == stack.physical("EventsTable7C1D2E3F", "StreamArn")
    dynamodb = first["dynamodb"]
    assert dynamodb["Keys"] == {"pk": {"S": "order-00"}}
    assert dynamodb["NewImage"] == {"pk": {"S": "order-00"}, "kind": {"S": "evt-order"}}
    assert dynamodb["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert isinstance(dynamodb["ApproximateCreationDateTime"], int)
    assert {"SequenceNumber", "SizeBytes"} <= dynamodb.keys()


def test_filter_criteria_skip_records_that_do_not_match(
    stack: LocalStack, observations: Callable[[str], list[Any]]
) -> None:
    # Given a filter on eventName INSERT/MODIFY and NewImage.kind prefix "evt"
    _put(stack, "filter-skipped", "audit")  # kind does not match
    _put(stack, "filter-kept", "evt-kept")
    stack.client("dynamodb").delete_item(
        TableName="fixture-events", Key={"pk": {"S": "filter-kept"}}
    )  # REMOVE
    _put(stack, "filter-last", "evt-last")
    stack.wait_idle(timeout=20)
    delivered = [key for batch in _stream_batches(observations, "filter-") for key in batch]
    assert delivered == ["filter-kept", "filter-last"]


def test_bisect_isolates_a_poison_record_and_retry_exhaustion_sends_the_on_failure_record(
    stack: LocalStack, observations: Callable[[str], list[Any]]
) -> None:
    # Given BisectBatchOnFunctionError, MaximumRetryAttempts 1 and an on-failure queue,
    # when one batch of four holds a poison record (written in one transaction: one batch)
    items = [("bisect-1", False), ("bisect-2", False), ("bisect-poison", True), ("bisect-3", False)]
    stack.client("dynamodb").transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": "fixture-events",
                    "Item": {
                        "pk": {"S": key},
                        "kind": {"S": "evt-bisect"},
                        **({"poison": {"BOOL": True}} if bad else {}),
                    },
                }
            }
            for key, bad in items
        ]
    )
    stack.wait_idle(timeout=30)
    # Then the batch is split until the poison record is alone, retried once, then discarded
    batches = _stream_batches(observations, "bisect-")
    assert batches == [
        ["bisect-1", "bisect-2", "bisect-poison", "bisect-3"],
        ["bisect-1", "bisect-2"],
        ["bisect-poison", "bisect-3"],
        ["bisect-poison"],
        ["bisect-poison"],
        ["bisect-3"],
    ]
    sqs = stack.client("sqs")
    failures_url = sqs.get_queue_url(QueueName="fixture-stream-failures")["QueueUrl"]
    received = eventually(lambda: sqs.receive_message(QueueUrl=failures_url).get("Messages"))
    record = json.loads(received[0]["Body"])
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["requestContext"]["functionArn"].endswith(":function:StreamWorkerFunction5E6F7A8B")
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["version"] == "1.0"
    info = record["DDBStreamBatchInfo"]
    assert info["batchSize"] == 1
    assert info["startSequenceNumber"] == info["endSequenceNumber"]
    assert info["streamArn"] == stack.physical("EventsTable7C1D2E3F", "StreamArn")
    assert {"shardId", "approximateArrivalOfFirstRecord", "approximateArrivalOfLastRecord"} <= info.keys()
