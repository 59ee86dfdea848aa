"""`make demo`: a fresh local stack, some stock, one order shipped with SF Express, and what the
customer received, from order to delivery.

Runs the real handlers on the local runtime (moto + the synthesized template), talks to them over
HTTP like a storefront, and ships the order with a tracking number the provider simulator plays
(docs/provider-simulator.md): the shipment is registered with Kuaidi100 (the simulator), which
pushes its journey to the stack's webhook. No webhook is posted by hand. Prints the order timeline,
the shipment's registration and the customer's messages, and exits 0 when the order was delivered
and the customer was told at every step.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from typing import Any

import requests

ORDER = {
    "customer": {
        "id": "cust-1001",
        "name": "李伟",
        "email": "li.wei@example.com",
        "phone": "+8613800138000",
        "locale": "zh-CN",
    },
    "shipping_address": {
        "name": "李伟",
        "line1": "南京西路 1266 号",
        "line2": "恒隆广场 12 楼",
        "city": "上海",
        "region": "上海市",
        "postal_code": "200040",
        "country": "CN",
    },
    "currency": "CNY",
    "items": [
        {"sku": "TEA-OOLONG-250G", "name": "Tieguanyin oolong, 250 g", "quantity": 2, "unit_price": "88.00"},
        {"sku": "CUP-PORCELAIN", "name": "Porcelain tea cup", "quantity": 1, "unit_price": "45.50"},
    ],
}
STOCK = {"TEA-OOLONG-250G": 20, "CUP-PORCELAIN": 5}
CARRIER = "sf-express"
TRACKING_NUMBER_PREFIX = "SIM4SF"  # the simulator's delivered journey (docs/provider-simulator.md)
DEMO_SETTINGS = {
    # a short burst window and a quick simulator, so the journey ends within a minute
    "ORDERTRACK_COLLAPSE_WINDOW_SECONDS": "3",
    "ORDERTRACK_SIMULATOR_SPEED": "3",
}


def run(api_url: str, api_key: str, wait_idle: Any, out: Any = sys.stdout) -> int:
    def _say(text: str = "") -> None:
        print(text, file=out, flush=True)

    http = requests.Session()
    http.headers["x-api-key"] = api_key
    _say(f"ordertrack demo against {api_url}")
    for sku, on_hand in STOCK.items():
        level = http.put(f"{api_url}/v1/inventory/{sku}", json={"on_hand": on_hand}, timeout=10).json()
        _say(f"  stock {sku}: on_hand={level['on_hand']} available={level['available']}")

    response = http.post(
        f"{api_url}/v1/orders",
        json=ORDER,
        headers={"Idempotency-Key": f"demo-{uuid.uuid4().hex}"},
        timeout=10,
    )
    if response.status_code != 201:
        _say(f"order refused: {response.status_code} {response.text}")
        return 1
    order_id = response.json()["order_id"]
    _say(f"\nPOST /v1/orders -> {response.status_code} {response.text}")

    deadline = time.monotonic() + 60
    order: dict[str, Any] = {}
    while time.monotonic() < deadline:
        order = http.get(f"{api_url}/v1/orders/{order_id}", timeout=10).json()
        if order["status"] != "received":
            break
        time.sleep(0.2)
    if order["status"] != "confirmed":
        _say(f"order not confirmed: {order['status']}")
        return 1
    wait_idle(60)
    number = f"{TRACKING_NUMBER_PREFIX}{uuid.uuid4().int % 10**10:010d}"
    shipped = http.post(
        f"{api_url}/v1/orders/{order_id}/shipments",
        json={"carrier": CARRIER, "tracking_number": number},
        headers={"Idempotency-Key": f"demo-{uuid.uuid4().hex}"},
        timeout=10,
    )
    _say(f"\nPOST /v1/orders/{order_id}/shipments {CARRIER} {number} -> {shipped.status_code}")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        order = http.get(f"{api_url}/v1/orders/{order_id}", timeout=10).json()
        if order["status"] in ("delivered", "delivery_exception", "returned_to_sender"):
            break
        time.sleep(0.5)
    # messages wait out the burst window (and SMS the customer's quiet hours): wait for the delivery
    # email rather than for an idle stack
    delivered_by = time.monotonic() + 60
    while time.monotonic() < delivered_by and not _told_of_delivery(http, api_url):
        time.sleep(0.5)
    order = http.get(f"{api_url}/v1/orders/{order_id}", timeout=10).json()
    _say(
        f"\nGET /v1/orders/{order_id} -> status {order['status']}, total {order['total']} {order['currency']}"
    )
    for shipment in order.get("shipments", []):
        _say(
            f"shipment {shipment['shipment_id']}: tracking_registration {json.dumps(shipment['tracking_registration'])}"
        )
    _say("timeline:")
    for entry in order["timeline"]:
        message = (entry.get("details") or {}).get("message") or ""
        _say(f"  {entry['at']}  {entry['status']:<17} by {entry['by']:<24} {message}".rstrip())

    mine = _customer_messages(http, api_url)
    _say("\nwhat the customer received (GET /_local/outbox):")
    for message in reversed(mine):  # oldest first
        if message["channel"] == "sms":
            _say(f"  SMS to {message['to'][0]}: {message['body']}")
        else:
            _say(f"  email to {message['to'][0]}: {message['subject']}")
    for sku in STOCK:
        level = http.get(f"{api_url}/v1/inventory/{sku}", timeout=10).json()
        _say(
            f"  stock {sku}: on_hand={level['on_hand']} reserved={level['reserved']} available={level['available']}"
        )
    registration = (order.get("shipments") or [{}])[0].get("tracking_registration") or {}
    ok = (
        order["status"] == "delivered"
        and registration.get("status") == "registered"
        and {m["channel"] for m in mine} >= {"email", "sms"}
        and _told_of_delivery(http, api_url)
    )
    _say(
        "\ndemo "
        + ("succeeded" if ok else "FAILED")
        + ": "
        + json.dumps({"order_id": order_id, "status": order["status"], "messages": len(mine)})
    )
    return 0 if ok else 1


def _customer_messages(http: requests.Session, api_url: str) -> list[dict[str, Any]]:
    outbox = http.get(f"{api_url}/_local/outbox", timeout=10).json()
    return [m for m in outbox if set(m["to"]) & {ORDER["customer"]["email"], ORDER["customer"]["phone"]}]


def _told_of_delivery(http: requests.Session, api_url: str) -> bool:
    return any(
        m["channel"] == "email" and "签收" in (m.get("subject") or "")
        for m in _customer_messages(http, api_url)
    )


def main() -> int:
    from infra.local.stack import LocalStack
    from infra.synth import ensure_synthesized

    port = int(os.environ.get("PORT", "0"))
    sys.stdout.flush()
    report = os.fdopen(os.dup(1), "w", encoding="utf-8")
    with open(os.devnull, "w") as devnull:
        # The function workers inherit stdout for their JSON logs; keep the demo's report readable.
        os.dup2(devnull.fileno(), 1)
        try:
            settings = {name: os.environ.get(name, value) for name, value in DEMO_SETTINGS.items()}
            with LocalStack(ensure_synthesized(), port=port, env=settings) as stack:
                return run(stack.api_url, stack.api_key, stack.wait_idle, out=report)
        finally:
            os.dup2(report.fileno(), 1)
            report.close()


if __name__ == "__main__":
    sys.exit(main())
