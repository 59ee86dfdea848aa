"""Sample requests and events for tests, loaded from the canonical files in `events/`."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

EVENTS = Path(__file__).resolve().parent.parent / "events"


def load_event(relative: str) -> dict[str, Any]:
    return json.loads((EVENTS / relative).read_text(encoding="utf-8"))


def order_body(**overrides: Any) -> dict[str, Any]:
    """The body of the canonical create-order request, with top-level fields replaced."""
    body = json.loads(load_event("apigw/create_order.json")["body"])
    body.update(copy.deepcopy(overrides))
    return body


def http_event(
    method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event built from the canonical sample."""
    event = load_event("apigw/create_order.json")
    path, _, query = path.partition("?")
    event["rawQueryString"] = query
    if query:
        event["queryStringParameters"] = dict(parse_qsl(query, keep_blank_values=True))
    event["routeKey"] = f"{method} {path}"
    event["rawPath"] = path
    event["requestContext"]["http"].update(method=method, path=path)
    event["headers"] = {"content-type": "application/json", "x-api-key": "test-key", **(headers or {})}
    if body is None:
        event["body"] = None
    else:
        event["body"] = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return event


class FakeLambdaContext:
    function_name = "test-function"
    function_version = "$LATEST"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id = "00000000-0000-0000-0000-000000000000"
    log_group_name = "/aws/lambda/test-function"
    log_stream_name = "2026/11/24/[$LATEST]test"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def from_bus(sample: str, detail: Any) -> dict[str, Any]:
    """An SQS event as a rule on the domain event bus delivers it: the canonical sample `sample`
    (events/sqs/) with its EventBridge event's `detail` replaced by `detail` (a domain event)."""
    event = copy.deepcopy(load_event(sample))
    for record in event["Records"]:
        body = json.loads(record["body"])
        body["detail-type"] = detail.detail_type
        body["detail"] = detail.model_dump(mode="json")
        record["body"] = json.dumps(body)
    return event


def stream_record_change(record: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The (old, new) images of a DynamoDB stream record, deserialized as the dispatcher sees them."""
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

    change = DynamoDBRecord(record).dynamodb
    return (change.old_image or None, change.new_image or None) if change else (None, None)
