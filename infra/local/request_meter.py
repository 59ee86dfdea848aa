"""What the local moto server was asked to do, counted as AWS bills it.

Installed by ``python -m infra.local.moto_server`` and read through its local endpoint
``GET /_ordertrack/meter`` (``POST /_ordertrack/meter/reset`` starts again):

* every request, by service and action (from the SigV4 credential scope and ``X-Amz-Target`` or
  ``Action``); SQS ``ReceiveMessage`` calls are split into those that returned messages and empty
  polls, and ``PutEvents`` also counts its entries;
* messages other services delivered to SQS queues in-process (SNS subscriptions, EventBridge
  targets): on AWS each is a request on the queue too;
* every DynamoDB write (``PutItem``, ``UpdateItem``, ``DeleteItem``, ``BatchWriteItem``,
  ``TransactWriteItems``), priced in write units by :mod:`infra.local.write_units` from the item
  as it was just before and just after the request (both read under the server's DynamoDB lock,
  so nothing else interleaves): by table, by index and by partition key value.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from infra.local.write_units import IndexSpec, TableSpec, WriteCost, item_size, write_cost

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
_WRITE_ACTIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
_BILLED_FAILURES = ("ConditionalCheckFailedException", "TransactionCanceledException")


class RequestMeter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests: Counter[str] = Counter()
            self.seconds: Counter[str] = Counter()  # server time spent on each action
            self.units: Counter[str] = Counter()  # "<table>" or "<table>/<index>"
            self.partitions: Counter[tuple[str, str]] = Counter()  # (table[/index], key value)
            self.writes: Counter[str] = Counter()  # "<Action>" and "<Action> failed"
            self.shapes: Counter[tuple[str, str, str]] = Counter()  # (table[/index], item shape, operation)
            self.sizes: dict[str, int] = {}  # item shape -> the largest item written, in bytes

    def count_request(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self.requests[name] += amount

    def add_time(self, name: str, seconds: float) -> None:
        with self._lock:
            self.seconds[name] += seconds

    def add_write(
        self, action: str, cost: WriteCost, failed: bool, shape: str = "?", operation: str = "", size: int = 0
    ) -> None:
        with self._lock:
            self.sizes[shape] = max(size, self.sizes.get(shape, 0))
            self.writes[f"{action} failed" if failed else action] += 1
            for charge in cost.charges:
                target = charge.table if charge.index is None else f"{charge.table}/{charge.index}"
                self.units[target] += charge.units
                self.partitions[(target, charge.partition)] += charge.units
                label = f"{operation or action}{' failed' if failed else ''}"
                self.shapes[(target, shape, label)] += charge.units

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": dict(self.requests),
                "seconds": {name: round(value, 6) for name, value in self.seconds.items()},
                "write_units": dict(self.units),
                "writes": dict(self.writes),
                "partitions": [
                    {"target": target, "key": key, "units": units}
                    for (target, key), units in self.partitions.most_common()
                ],
                "items": [
                    {
                        "target": target,
                        "shape": shape,
                        "operation": operation,
                        "units": units,
                        "largest_item_bytes": self.sizes.get(shape, 0),
                    }
                    for (target, shape, operation), units in self.shapes.most_common()
                ],
            }


METER = RequestMeter()
_delivering = threading.local()  # set while an SQS Send* request is served over HTTP


def request_name(environ: dict[str, Any], body: bytes) -> str:
    """``<service>.<Action>`` of one AWS request (``?`` parts when unknown)."""
    scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    service = scope.group(1) if scope else "?"
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return f"{service}.{target.rsplit('.', 1)[-1]}"
    query = parse_qs(environ.get("QUERY_STRING", ""))
    action = (query.get("Action") or [""])[0]
    if not action and body and b"Action=" in body:
        action = (parse_qs(body.decode(errors="replace")).get("Action") or [""])[0]
    if not action:  # a REST API (SES v2 SendEmail is POST /v2/email/outbound-emails)
        from infra.local.aws_faults import rest_operation

        method = str(environ.get("REQUEST_METHOD", "?"))
        action = rest_operation(service, method, str(environ.get("PATH_INFO", "/"))) or method
    return f"{service}.{action}"


def metered_app(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """WSGI middleware counting every request (and what an SQS receive returned)."""
    import io

    def call(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        name = request_name(environ, body)
        if name == "events.PutEvents":
            METER.count_request("events.PutEvents entries", _entries(body))
        started = time.perf_counter()
        chunks = list(app(environ, start_response))
        if name == "sqs.ReceiveMessage" and not any(b"ReceiptHandle" in chunk for chunk in chunks):
            name = "sqs.ReceiveMessage (empty)"
        METER.count_request(name)
        METER.add_time(name, time.perf_counter() - started)
        return chunks

    return call


def _entries(body: bytes) -> int:
    try:
        return len(json.loads(body or b"{}").get("Entries") or [])
    except ValueError:
        return 0


def install() -> None:
    """Meter DynamoDB writes and in-process SQS deliveries (call once, after the moto patches)."""
    _meter_dynamodb_writes()
    _meter_service_deliveries()


def _meter_dynamodb_writes() -> None:
    from moto.dynamodb.responses import DynamoHandler

    from infra.local.moto_patches import DYNAMODB_LOCK

    original = DynamoHandler.call_action

    @functools.wraps(original)
    def call_action(self: Any) -> Any:
        action = self._get_action()
        if action not in _WRITE_ACTIONS:
            return original(self)
        request = _json(self.body)
        with DYNAMODB_LOCK:
            backend = self.dynamodb_backend
            targets = _targets(backend, action, request)
            before = [_image(table, key) for table, key, _ in targets]
            status, headers, body = original(self)
            after = [_image(table, key) for table, key, _ in targets]
        error = _json(body).get("__type", "") if int(status) >= 400 else ""
        failed = any(error.endswith(billed) for billed in _BILLED_FAILURES)
        if error and not failed:
            return status, headers, body  # validation and other errors are not billed
        transactional = action == "TransactWriteItems"
        for (table, key, kind), old, new in zip(targets, before, after, strict=True):
            cost = write_cost(
                _spec(table),
                old,
                None if failed else new,
                key=key,
                transactional=transactional,
                failed=failed,
                check_only=kind == "ConditionCheck",
            )
            operation = action if kind == action else f"{action}.{kind}"
            size = max(item_size(old), item_size(None if failed else new))
            METER.add_write(action, cost, failed, item_shape(key), operation, size)
        return status, headers, body

    DynamoHandler.call_action = call_action  # type: ignore[method-assign]


_ID_PART = re.compile(r"[^#]*\d[^#]*")


def item_shape(key: dict[str, Any]) -> str:
    """A key's shape, the parts that name one thing (ids, dates, tokens: anything with a digit)
    replaced by ``*``: ``ORDER#ord_12ab / TIMELINE#2026-12-07#3`` -> ``ORDER#* / TIMELINE#*#*``."""
    parts = []
    for value in key.values():
        text = str(next(iter(value.values()), "")) if isinstance(value, dict) else str(value)
        parts.append(_ID_PART.sub("*", text) if "#" in text else "*")
    return " / ".join(parts)


def _json(body: Any) -> dict[str, Any]:
    if isinstance(body, dict):
        return body
    try:
        value = json.loads(body or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _targets(backend: Any, action: str, request: dict[str, Any]) -> list[tuple[Any, dict[str, Any], str]]:
    """(moto table, key in DynamoDB JSON, operation) of every item the request names."""
    named: list[tuple[str, dict[str, Any], str]] = []
    if action in ("PutItem", "UpdateItem", "DeleteItem"):
        source = request.get("Item") if action == "PutItem" else request.get("Key")
        named.append((request.get("TableName", ""), source or {}, action))
    elif action == "BatchWriteItem":
        for table_name, writes in (request.get("RequestItems") or {}).items():
            for write in writes:
                if "PutRequest" in write:
                    named.append((table_name, write["PutRequest"].get("Item") or {}, "Put"))
                elif "DeleteRequest" in write:
                    named.append((table_name, write["DeleteRequest"].get("Key") or {}, "Delete"))
    else:
        for entry in request.get("TransactItems") or []:
            for operation, body in entry.items():
                source = body.get("Item") if operation == "Put" else body.get("Key")
                named.append((body.get("TableName", ""), source or {}, operation))
    targets = []
    for table_name, source, operation in named:
        table = backend.tables.get(table_name)
        if table is None:
            continue
        key_names = [table.hash_key_attr, *([table.range_key_attr] if table.range_key_attr else [])]
        key = {name: source[name] for name in key_names if name in source}
        if len(key) == len(key_names):
            targets.append((table, key, operation))
    return targets


def _image(table: Any, key: dict[str, Any]) -> dict[str, Any] | None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    item = table.get_item(DynamoType(key[table.hash_key_attr]), range_value)
    return None if item is None else item.to_json()["Attributes"]


def _spec(table: Any) -> TableSpec:
    indexes = []
    for index in [*(table.global_indexes or []), *(table.indexes or [])]:
        schema = {part["KeyType"]: part["AttributeName"] for part in index.schema}
        projection = index.projection or {}
        indexes.append(
            IndexSpec(
                name=index.name,
                hash_key=schema["HASH"],
                range_key=schema.get("RANGE"),
                projection=projection.get("ProjectionType", "ALL"),
                non_key_attributes=tuple(projection.get("NonKeyAttributes") or ()),
            )
        )
    return TableSpec(table.name, table.hash_key_attr, table.range_key_attr, tuple(indexes))


def _meter_service_deliveries() -> None:
    from moto.sqs.models import SQSBackend
    from moto.sqs.responses import SQSResponse

    for action in ("send_message", "send_message_batch"):
        original_response = getattr(SQSResponse, action)

        @functools.wraps(original_response)
        def over_http(self: Any, _original: Any = original_response) -> Any:
            _delivering.http = True
            try:
                return _original(self)
            finally:
                _delivering.http = False

        setattr(SQSResponse, action, over_http)

    original_send = SQSBackend.send_message

    @functools.wraps(original_send)
    def send_message(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not getattr(_delivering, "http", False):
            METER.count_request("sqs.SendMessage (delivered by SNS/EventBridge)")
        return original_send(self, *args, **kwargs)

    SQSBackend.send_message = send_message  # type: ignore[method-assign]
