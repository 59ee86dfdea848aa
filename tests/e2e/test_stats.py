"""KPIs on the local runtime: an order placed, confirmed, shipped and delivered through the API and
a carrier webhook shows up in `GET /v1/stats` for today, from the aggregates the stream keeps."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import Storefront
from tests.e2e.test_carrier_webhooks import confirmed_order, post_generic, secret, ship

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def stats(storefront: Storefront, first: str, last: str) -> dict[str, Any]:
    response = storefront.http.get(
        f"{storefront.url}/v1/stats", params={"from": first, "to": last}, timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()


def wait_for(storefront: Storefront, day: str, reached: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    report = stats(storefront, day, day)
    while not reached(report) and time.monotonic() < deadline:
        time.sleep(0.2)
        report = stats(storefront, day, day)
    assert reached(report), report
    return report


def test_a_delivered_order_shows_in_todays_figures(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    today = datetime.now(UTC).date().isoformat()
    before = stats(storefront, today, today)
    # Given an order placed and confirmed (stock reserved by the worker)
    order_id = confirmed_order(storefront, new_customer)
    # When it is shipped and the carrier reports it delivered today, ahead of its estimate
    tracking_number = f"SF{uuid.uuid4().int % 10**13:013d}"
    ship(storefront, order_id, "sf-express", tracking_number)
    now = datetime.now(UTC)
    document = {
        "event_id": f"evt-{uuid.uuid4().hex[:12]}",
        "tracking_number": tracking_number,
        "carrier": "sf-express",
        "estimated_delivery": (now + timedelta(days=2)).date().isoformat(),
        "checkpoints": [
            {"occurred_at": now.isoformat(), "status": "delivered", "message": "签收", "location": "上海"}
        ],
    }
    assert post_generic(storefront, document, secret(stack, "generic")).status_code == 200
    storefront.wait_for_status(order_id, {"delivered"})

    # Then today's figures count it: received, confirmed, shipped, delivered on time
    def counted(report: dict[str, Any]) -> bool:
        return (
            report["orders"]["received"] >= before["orders"]["received"] + 1
            and report["orders"]["confirmed"] >= before["orders"]["confirmed"] + 1
            and report["delivery"]["delivered"] >= before["delivery"]["delivered"] + 1
            and report["delivery"]["on_time"] >= before["delivery"]["on_time"] + 1
        )

    report = wait_for(storefront, today, counted)
    assert report["delivery"]["by_carrier"]["sf-express"]["shipped"] >= 1
    assert report["orders"]["received_to_confirmed"]["count"] >= 1
    assert report["orders"]["received_to_confirmed"]["median_seconds"] is not None
    assert report["delivery"]["shipped_to_delivered"]["p90_seconds"] is not None
    # and a bad range is refused
    refused = storefront.http.get(
        f"{storefront.url}/v1/stats", params={"from": today, "to": "soon"}, timeout=10
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["field"] == "query.to"
