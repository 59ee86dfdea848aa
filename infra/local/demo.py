"""`make demo`: a fresh local stack, some stock, one order, and what the customer received.

Runs the real handlers on the local runtime (moto + the synthesized template), talks to them over
HTTP like a storefront, prints the order timeline and the customer's messages, and exits 0 when
the order was confirmed and the customer was told.
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
        {"sku": "TEA-OOLONG-250G", "quantity": 2, "unit_price": "88.00"},
        {"sku": "CUP-PORCELAIN", "quantity": 1, "unit_price": "45.50"},
    ],
}
STOCK = {"TEA-OOLONG-250G": 20, "CUP-PORCELAIN": 5}


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
    wait_idle(60)
    _say(
        f"\nGET /v1/orders/{order_id} -> status {order['status']}, total {order['total']} {order['currency']}"
    )
    _say("timeline:")
    for entry in order["timeline"]:
        _say(f"  {entry['at']}  {entry['status']:<12} by {entry['by']}")

    outbox = http.get(f"{api_url}/_local/outbox", timeout=10).json()
    mine = [m for m in outbox if set(m["to"]) & {ORDER["customer"]["email"], ORDER["customer"]["phone"]}]
    _say("\nwhat the customer received (GET /_local/outbox):")
    for message in mine:
        if message["channel"] == "sms":
            _say(f"  SMS to {message['to'][0]}: {message['body']}")
        else:
            _say(f"  email to {message['to'][0]}: {message['subject']}")
    for sku in STOCK:
        level = http.get(f"{api_url}/v1/inventory/{sku}", timeout=10).json()
        _say(
            f"  stock {sku}: on_hand={level['on_hand']} reserved={level['reserved']} available={level['available']}"
        )
    ok = order["status"] == "confirmed" and {m["channel"] for m in mine} >= {"email", "sms"}
    _say(
        "\ndemo "
        + ("succeeded" if ok else "FAILED")
        + ": "
        + json.dumps({"order_id": order_id, "status": order["status"]})
    )
    return 0 if ok else 1


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
            with LocalStack(ensure_synthesized(), port=port) as stack:
                return run(stack.api_url, stack.api_key, stack.wait_idle, out=report)
        finally:
            os.dup2(report.fileno(), 1)
            report.close()


if __name__ == "__main__":
    sys.exit(main())
