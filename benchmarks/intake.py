"""Intake throughput: orders accepted per second through the local HTTP API, against raw
`PutItem` calls per second on the same moto server, measured in interleaved rounds."""

from __future__ import annotations

import json
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parent.parent


def _sample_body() -> dict[str, Any]:
    event = json.loads((REPO / "events/apigw/create_order.json").read_text(encoding="utf-8"))
    return json.loads(event["body"])


def _raw_item(body: dict[str, Any]) -> dict[str, Any]:
    """Exactly the item intake stores for this body (same attributes, index keys and size), marked
    so the order stream's event filter ignores it."""
    from datetime import UTC, datetime

    from orders.adapters.dynamo_orders import order_item
    from orders.domain.place_order import place_order
    from orders.models.api import CreateOrderRequest

    class Capture:
        def create(self, order: Any) -> None:
            self.order = order

    class Clock:
        def now(self) -> datetime:
            return datetime.now(UTC)

    capture = Capture()
    place_order(CreateOrderRequest.model_validate(body), uuid.uuid4().hex, capture, Clock())  # type: ignore[arg-type]
    return {**order_item(capture.order), "entity": {"S": "benchmark"}}


def _timed(calls: int, clients: int, call: Any) -> float:
    """Calls per second for `calls` calls spread over `clients` threads."""
    started = time.perf_counter()
    if clients == 1:
        for _ in range(calls):
            call()
    else:
        with ThreadPoolExecutor(max_workers=clients) as pool:
            list(pool.map(lambda _: call(), range(calls)))
    return calls / (time.perf_counter() - started)


def measure(stack: Any, calls: int = 150, rounds: int = 3, clients: int = 1) -> dict[str, float]:
    body = _sample_body()
    session = requests.Session()
    session.headers.update({"x-api-key": stack.api_key, "content-type": "application/json"})
    url = f"{stack.api_url}/v1/orders"
    payload = json.dumps(body, ensure_ascii=False).encode()
    dynamodb = stack.client("dynamodb")
    table = stack.physical("OrdersTable")
    item = _raw_item(body)

    def place_order() -> None:
        response = session.post(url, data=payload, headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=30)
        if response.status_code != 201:
            raise RuntimeError(f"intake answered {response.status_code}: {response.text[:200]}")

    def put_item() -> None:
        key = uuid.uuid4().hex
        dynamodb.put_item(TableName=table, Item={**item, "pk": {"S": f"BENCH#{key}"}, "sk": {"S": "ORDER"}})

    for _ in range(20):  # warm both paths: worker imports, connection pools
        place_order()
        put_item()
    api, raw, api_busy = [], [], []
    for _ in range(rounds):
        stack.wait_idle(300)
        # The intake path itself, as on AWS where the pipeline runs on other machines: the event
        # source mappings are disabled meanwhile (records wait in the stream), both sides alike.
        with stack.event_sources_disabled():
            api.append(_timed(calls, clients, place_order))
            raw.append(_timed(calls, clients, put_item))
        stack.wait_idle(300)
        # For information: intake while the same two cores also run the whole pipeline.
        api_busy.append(_timed(calls, clients, place_order))
    stack.wait_idle(300)
    return {
        "api_per_s": statistics.median(api),
        "raw_per_s": statistics.median(raw),
        "api_with_pipeline_per_s": statistics.median(api_busy),
    }
