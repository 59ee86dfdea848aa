"""The customer tracking page on the local runtime: an order placed, shipped and scanned through the
API, then opened from its signed link as the customer's browser would, without an API key."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from carriers.domain.signatures import generic_signature
from shared import links
from tests.e2e.conftest import Storefront, body_for

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
SKU = "TEA-TRACKING-PAGE-E2E"
CHINA = timezone(timedelta(hours=8))
SCANS = [  # hours ago, status, message, location (as in events/carriers/generic/)
    (20, "info_received", "顺丰已收到您的订单信息", "深圳"),
    (12, "in_transit", "快件已被顺丰揽收", "深圳市南山区"),
    (1, "out_for_delivery", "快件正在派送中", "上海市浦东新区"),
]


@dataclass(frozen=True)
class TrackedParcel:
    order_id: str
    tracking_number: str
    url: str  # the tracking page link the customer receives


def link_key(stack: Any) -> str:
    return stack.settings.get("ORDERTRACK_LINK_SIGNING_KEY", "local-link-signing-key")


def ship_and_scan(stack: Any, storefront: Storefront, customer: dict[str, Any]) -> TrackedParcel:
    """Place an order, ship it with SF Express and post three signed carrier scans; wait until the
    order is out for delivery."""
    storefront.put_stock(SKU, 1000)
    placed = storefront.place(
        body_for(customer, [{"sku": SKU, "name": f"Item {SKU}", "quantity": 2, "unit_price": "88.00"}])
    )
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    storefront.wait_for_status(order_id, {"confirmed"})
    tracking_number = f"SF{uuid.uuid4().int % 10**13:013d}"
    shipped = storefront.http.post(
        f"{storefront.url}/v1/orders/{order_id}/shipments",
        json={"carrier": "sf-express", "tracking_number": tracking_number},
        timeout=10,
    )
    assert shipped.status_code in (200, 201), shipped.text

    now = datetime.now(CHINA).replace(microsecond=0)
    document = {
        "event_id": f"evt-{uuid.uuid4().hex[:12]}",
        "tracking_number": tracking_number,
        "carrier": "sf-express",
        "estimated_delivery": (now + timedelta(days=1)).date().isoformat(),
        "checkpoints": [
            {
                "occurred_at": (now - timedelta(hours=hours)).isoformat(),
                "status": status,
                "message": message,
                "location": location,
            }
            for hours, status, message, location in SCANS
        ],
    }
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    secret = stack.settings.get("ORDERTRACK_GENERIC_WEBHOOK_SECRET", "local-generic-secret")
    posted = requests.post(
        f"{storefront.url}/v1/webhooks/generic",
        data=body,
        headers={
            "content-type": "application/json",
            "ordertrack-signature": generic_signature(body, secret, int(time.time())),
        },
        timeout=10,
    )
    assert posted.status_code == 200, posted.text
    storefront.wait_for_status(order_id, {"out_for_delivery"})
    token = links.sign(link_key(stack), order_id)
    return TrackedParcel(order_id, tracking_number, f"{storefront.url}/track/{token}")


def test_a_customer_opens_the_signed_link_and_sees_where_the_parcel_is(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    # Given a zh-CN customer's order, shipped and scanned three times by the carrier
    customer = new_customer("zh-CN")
    parcel = ship_and_scan(stack, storefront, customer)

    # When they open the link from their message (a plain browser request: no API key)
    page = requests.get(parcel.url, timeout=10)

    # Then the page is HTML in Chinese, with the latest scan first, and private
    assert page.status_code == 200, page.text
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["X-Robots-Tag"] == "noindex"
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'; style-src 'sha256-")
    html = page.content.decode("utf-8")
    assert '<html lang="zh-CN">' in html
    assert "派送中" in html and "顺丰速运" in html and parcel.tracking_number in html
    assert (
        html.index("快件正在派送中") < html.index("快件已被顺丰揽收") < html.index("顺丰已收到您的订单信息")
    )
    assert customer["email"] not in html and customer["phone"] not in html
    assert customer["email"][0] + "***@example.com" in html

    # And the language switch shows the same order in English
    english = requests.get(parcel.url + "?lang=en", timeout=10)
    assert english.status_code == 200
    assert (
        '<html lang="en">' in english.text
        and "Out for delivery" in english.text
        and "SF Express" in english.text
    )


def test_a_tampered_link_or_a_bare_order_id_gets_the_same_404_page(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    storefront.put_stock(SKU, 1000)
    placed = storefront.place(
        body_for(
            new_customer("en"), [{"sku": SKU, "name": f"Item {SKU}", "quantity": 1, "unit_price": "88.00"}]
        )
    )
    order_id = placed.json()["order_id"]
    token = links.sign(link_key(stack), order_id)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    opened = requests.get(f"{storefront.url}/track/{token}", timeout=10)
    refused = [
        requests.get(f"{storefront.url}/track/{candidate}", timeout=10)
        for candidate in (
            tampered,
            order_id,
            links.sign(link_key(stack), "ord_unknown"),
            links.sign("guess", order_id),
        )
    ]

    assert opened.status_code == 200
    for response in refused:
        assert response.status_code == 404
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.content == refused[0].content
    assert order_id.encode() not in refused[0].content
