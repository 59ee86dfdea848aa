"""Customer notifications over whole journeys on the local stack, under the stage's policy.

Orders (half en, half zh-CN, each customer with an email and a phone) go through confirmed ->
shipped -> in transit -> out for delivery -> delivered, one step for all orders at a time with the
pipeline idle in between (real journeys take hours, so no step falls in the previous one's burst
window). Then each order's notification log is read back through the API: messages per order by
event and channel, SMS parts (GSM-7 / UCS-2 segments as billed), and the cost per 1,000 orders
at list prices: SES per 1,000 emails, SMS per part at a configurable country rate.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from benchmarks import prices
from carriers.domain.signatures import generic_signature

SKU = "BENCH-NOTIFY-SKU"
GENERIC = Path(__file__).resolve().parents[1] / "events" / "carriers" / "generic"
CARRIER_STEPS = ("02_in_transit.json", "03_out_for_delivery.json", "04_delivered.json")
SES_PRICE_PER_1000 = prices.SES_EMAIL * 1000  # USD, SES outbound email list price
# USD per SMS part by destination country: example rates for the estimate only. SMS prices change
# often and differ by origination identity and carrier surcharges; pass `--sms-price` with the
# current list price of the country you send to.
SMS_PRICE_PER_PART = prices.SNS_SMS_PART


def _customer(index: int) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    locale = "zh-CN" if index % 2 else "en"
    return {
        "id": f"bench-{tag}",
        "name": "李伟" if locale == "zh-CN" else "Alex Doe",
        "email": f"bench-{tag}@example.com",
        "phone": f"+8613900{index:06d}",
        "locale": locale,
    }


def redated(samples: list[dict[str, Any]], last: datetime) -> list[dict[str, Any]]:
    """The fixed-date carrier samples moved together so that their last checkpoint is at `last`
    (each time keeps its own offset; the estimate moves by as many days), so that the rules that
    depend on time (delay watches, the estimate) see a journey of today; signed when posted."""
    times = [datetime.fromisoformat(c["occurred_at"]) for s in samples for c in s["checkpoints"]]
    shift = last - max(times)
    moved = json.loads(json.dumps(samples))
    for sample in moved:
        for checkpoint in sample["checkpoints"]:
            checkpoint["occurred_at"] = (
                datetime.fromisoformat(checkpoint["occurred_at"]) + shift
            ).isoformat()
        if sample.get("estimated_delivery"):
            estimate = date.fromisoformat(sample["estimated_delivery"])
            sample["estimated_delivery"] = (estimate + timedelta(days=shift.days)).isoformat()
    return moved


def ship_and_deliver(stack: Any, session: requests.Session, placed: list[str]) -> dict[str, str]:
    """Ship every order (SF Express), then post each carrier step for all of them, with the
    pipeline idle after each step; returns the tracking number of each order."""
    api = stack.api_url
    tracking = {order_id: f"SF{uuid.uuid4().int % 10**13:013d}" for order_id in placed}
    for order_id, number in tracking.items():
        shipped = session.post(
            f"{api}/v1/orders/{order_id}/shipments",
            json={"carrier": "sf-express", "tracking_number": number},
            timeout=30,
        )
        if shipped.status_code >= 300:
            raise RuntimeError(f"shipment refused: {shipped.status_code} {shipped.text[:200]}")
    stack.wait_idle(120)
    secret = stack.settings.get("ORDERTRACK_GENERIC_WEBHOOK_SECRET", "local-generic-secret")
    samples = [json.loads((GENERIC / step).read_text(encoding="utf-8")) for step in CARRIER_STEPS]
    for template in redated(samples, datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)):

        def post(number: str, template: dict[str, Any] = template) -> None:
            body = json.dumps({**template, "tracking_number": number}, separators=(",", ":")).encode()
            signature = generic_signature(body, secret, int(time.time()))
            response = session.post(
                f"{api}/v1/webhooks/generic",
                data=body,
                headers={"content-type": "application/json", "ordertrack-signature": signature},
                timeout=30,
            )
            if response.status_code != 200:
                raise RuntimeError(f"webhook answered {response.status_code}")

        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(post, tracking.values()))
        stack.wait_idle(120)
    return tracking


def run_journeys(stack: Any, orders: int) -> list[dict[str, Any]]:
    from tests.factories import order_body

    api = stack.api_url
    session = requests.Session()
    session.headers["x-api-key"] = stack.api_key
    session.put(f"{api}/v1/inventory/{SKU}", json={"on_hand": 100000}, timeout=30)
    placed = []
    for index in range(orders):
        body = order_body(
            customer=_customer(index),
            items=[{"sku": SKU, "name": f"Item {SKU}", "quantity": 1, "unit_price": "66.00"}],
        )
        response = session.post(
            f"{api}/v1/orders", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=30
        )
        if response.status_code != 201:
            raise RuntimeError(f"order refused: {response.status_code} {response.text[:200]}")
        placed.append(response.json()["order_id"])
    stack.wait_idle(120)
    ship_and_deliver(stack, session, placed)
    logs = []
    for order_id in placed:
        response = session.get(f"{api}/v1/orders/{order_id}/notifications", timeout=30)
        order = session.get(f"{api}/v1/orders/{order_id}", timeout=30).json()
        logs.append({"order": order, "notifications": response.json()["notifications"]})
    return logs


def summarize(logs: list[dict[str, Any]], sms_price: float) -> dict[str, Any]:
    orders = len(logs)
    sent = [entry for log in logs for entry in log["notifications"] if entry["status"] == "sent"]
    by_event_channel = Counter((entry["template"], entry["channel"]) for entry in sent)
    emails = sum(1 for entry in sent if entry["channel"] == "email")
    texts = [entry for entry in sent if entry["channel"] == "sms"]
    parts_by_locale: dict[str, list[int]] = {}
    for entry in texts:
        parts_by_locale.setdefault(entry["locale"], []).append(int(entry["segments"] or 1))
    parts = sum(sum(values) for values in parts_by_locale.values())
    email_cost = emails / orders * 1000 * SES_PRICE_PER_1000 / 1000
    sms_cost = parts / orders * 1000 * sms_price
    statuses = Counter(entry["status"] for log in logs for entry in log["notifications"])
    delivered = sum(1 for log in logs if log["order"]["status"] == "delivered")
    return {
        "orders": orders,
        "delivered": delivered,
        "statuses": dict(statuses),
        "by_event_channel": by_event_channel,
        "emails_per_order": emails / orders,
        "sms_per_order": len(texts) / orders,
        "parts_per_order": parts / orders,
        "parts_by_locale": {k: sum(v) / len(v) for k, v in parts_by_locale.items()},
        "email_cost_per_1000": email_cost,
        "sms_cost_per_1000": sms_cost,
    }
