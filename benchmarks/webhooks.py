"""Carrier webhooks on the local stack: acknowledgements per second through the HTTP API against
raw `PutItem` calls per second on the same moto server, and the time from a webhook's 200 to the
checkpoint on the order's timeline (p50, p99).

Latency samples are taken one webhook at a time, each posted once the stack is idle: on AWS the
previous webhook's downstream work (stream consumers, notifications) runs on its own capacity, on
two local cores it would compete with the next one's path. The timeline is read every 10 ms (a
reader hammering the moto server would slow down the very path it times). Samples go to several
shipments, five checkpoints each, as a parcel's journey has: applying a checkpoint rereads and
rewrites all of its shipment's earlier ones, so one shipment with 40 would time that instead."""

from __future__ import annotations

import json
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from carriers.domain.signatures import generic_signature

SKU = "BENCH-WEBHOOK-SKU"
CHECKPOINTS_PER_SHIPMENT = 5
"""Samples are spread over shipments, each getting this many checkpoints: a parcel's journey."""


def _secret(stack: Any) -> str:
    return stack.settings.get("ORDERTRACK_GENERIC_WEBHOOK_SECRET", "local-generic-secret")


def _document(tracking_number: str, moment: datetime, status: str = "in_transit") -> bytes:
    return json.dumps(
        {
            "event_id": uuid.uuid4().hex,
            "tracking_number": tracking_number,
            "carrier": "sf-express",
            "checkpoints": [{"occurred_at": moment.isoformat(), "status": status, "message": "bench"}],
        },
        separators=(",", ":"),
    ).encode()


def _rate(calls: int, clients: int, call: Any) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(lambda _: call(), range(calls)))
    return calls / (time.perf_counter() - started)


def _shipped_order(stack: Any, session: requests.Session, tracking_number: str) -> str:
    from tests.factories import order_body

    api = stack.api_url
    headers = {"x-api-key": stack.api_key}
    tag = uuid.uuid4().hex[:8]  # one customer per order: repeated orders would be held as duplicates
    customer = {
        "id": f"webhook-{tag}",
        "name": "Alex Doe",
        "email": f"webhook-{tag}@example.com",
        "phone": f"+86139{int(tag, 16) % 10**8:08d}",
        "locale": "en",
    }
    body = order_body(
        customer=customer, items=[{"sku": SKU, "name": f"Item {SKU}", "quantity": 1, "unit_price": "10.00"}]
    )
    placed = session.post(
        f"{api}/v1/orders", json=body, headers={**headers, "Idempotency-Key": uuid.uuid4().hex}, timeout=30
    )
    order_id = placed.json()["order_id"]
    deadline = time.monotonic() + 60
    while (
        session.get(f"{api}/v1/orders/{order_id}", headers=headers, timeout=30).json()["status"]
        != "confirmed"
    ):
        if time.monotonic() > deadline:
            raise RuntimeError("the benchmark order was never confirmed")
        time.sleep(0.05)
    shipped = session.post(
        f"{api}/v1/orders/{order_id}/shipments",
        json={"carrier": "sf-express", "tracking_number": tracking_number},
        headers=headers,
        timeout=30,
    )
    if shipped.status_code >= 300:
        raise RuntimeError(f"shipment refused: {shipped.status_code} {shipped.text[:200]}")
    return order_id


def measure(stack: Any, calls: int = 200, clients: int = 4, samples: int = 40) -> dict[str, float]:
    session = requests.Session()
    url = f"{stack.api_url}/v1/webhooks/generic"
    secret = _secret(stack)
    dynamodb = stack.client("dynamodb")
    table = stack.physical("OrdersTable")
    start = datetime(2025, 7, 1, tzinfo=UTC)

    def post(body: bytes) -> None:
        signature = generic_signature(body, secret, int(time.time()))
        response = session.post(
            url,
            data=body,
            headers={"content-type": "application/json", "ordertrack-signature": signature},
            timeout=30,
        )
        if response.status_code != 200:
            raise RuntimeError(f"webhook answered {response.status_code}: {response.text[:200]}")

    def ack() -> None:  # a tracking number no shipment has: the worker stores it and stops
        post(_document(f"BENCH{uuid.uuid4().hex[:12].upper()}", start))

    def put_item() -> None:
        dynamodb.put_item(
            TableName=table,
            Item={
                "pk": {"S": f"BENCH#{uuid.uuid4().hex}"},
                "sk": {"S": "RAW"},
                "entity": {"S": "benchmark"},
                "payload": {"S": "x" * 400},
            },
        )

    for _ in range(10):
        ack()
        put_item()
    stack.wait_idle(timeout=60)
    ack_rate = _rate(calls, clients, ack)
    raw_rate = _rate(calls, clients, put_item)
    stack.wait_idle(timeout=120)

    session.put(
        f"{stack.api_url}/v1/inventory/{SKU}",
        json={"on_hand": 100000},
        headers={"x-api-key": stack.api_key},
        timeout=30,
    )
    shipments = {}
    for _ in range(max(1, -(-samples // CHECKPOINTS_PER_SHIPMENT))):
        stack.wait_idle(timeout=120)
        tracking_number = f"SFBENCH{uuid.uuid4().hex[:8].upper()}"
        shipments[tracking_number] = _shipped_order(stack, session, tracking_number)

    def timeline_length(order_id: str) -> int:
        key = {"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": "ORDER"}}
        item = dynamodb.get_item(
            TableName=table, Key=key, ConsistentRead=True, ProjectionExpression="timeline"
        )
        return len(item["Item"]["timeline"]["L"])

    latencies = []
    numbers = list(shipments)
    for index in range(samples):
        tracking_number = numbers[index % len(numbers)]
        stack.wait_idle(timeout=120)
        before = timeline_length(shipments[tracking_number])
        post(_document(tracking_number, start + timedelta(minutes=index)))
        accepted = time.perf_counter()
        while timeline_length(shipments[tracking_number]) <= before:
            if time.perf_counter() - accepted > 30:
                raise RuntimeError("a checkpoint never reached the timeline")
            time.sleep(0.01)
        latencies.append(time.perf_counter() - accepted)
    latencies.sort()
    return {
        "ack_per_s": ack_rate,
        "raw_per_s": raw_rate,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "samples": float(len(latencies)),
    }
