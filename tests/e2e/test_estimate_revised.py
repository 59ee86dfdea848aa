"""A carrier estimate that slips reaches the customer once, on the local runtime: webhook -> shipment
-> the orders table's stream (filtered to shipments whose estimate may have moved) -> dispatcher ->
notification worker -> outbox; an estimate that moves earlier sends nothing."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import Storefront
from tests.e2e.test_carrier_webhooks import GENERIC, post_generic, redated, secret, ship
from tests.e2e.test_notification_journey import messages_for, notification_log, place_confirmed

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_a_slipped_estimate_is_told_once_and_an_earlier_one_not_at_all(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    customer = new_customer(locale="en")
    tracking_number = f"SF{uuid.uuid4().int % 10**13:013d}"
    key = secret(stack, "generic")
    order_id = place_confirmed(storefront, customer)
    assert len(messages_for(storefront, customer, 2, timeout=90)) == 2  # before shipping: no collapse
    ship(storefront, order_id, "sf-express", tracking_number)
    assert len(messages_for(storefront, customer, 4, timeout=90)) == 4  # confirmed, shipped: email + SMS each

    # Given the carrier's scans (moved to end an hour ago) with an estimate two days out
    sample = json.loads((GENERIC / "02_in_transit.json").read_text(encoding="utf-8"))
    last = datetime.fromisoformat(sample["checkpoints"][-1]["occurred_at"])
    now = datetime.now(UTC)
    scans = redated({**sample, "tracking_number": tracking_number}, now - timedelta(hours=1) - last)
    today = now.date()

    def estimate(days: int) -> dict[str, Any]:
        return {**scans, "estimated_delivery": (today + timedelta(days=days)).isoformat()}

    assert post_generic(storefront, estimate(2), key).status_code == 200
    assert len(messages_for(storefront, customer, 5, timeout=90)) == 5  # in transit: email
    stack.wait_idle(30)

    # When the carrier moves it two days later (twice: a redelivered webhook), then a day earlier
    assert post_generic(storefront, estimate(4), key).status_code == 200
    assert post_generic(storefront, estimate(4), key).status_code == 200
    stack.wait_idle(30)
    assert post_generic(storefront, estimate(3), key).status_code == 200
    stack.wait_idle(30)

    # Then the customer is told once, by email and SMS, with the new date
    messages = messages_for(storefront, customer, 7, timeout=90)
    revised = today + timedelta(days=4)
    told = [m for m in messages if f"{revised:%b} {revised.day}" in m["body"] and "expected" in m["body"]]
    assert sorted(m["channel"] for m in told) == ["email", "sms"], [m["body"][:200] for m in messages]
    assert len(messages) == 7
    log = notification_log(storefront, order_id)
    assert [
        (e["template"], e["channel"], e["status"]) for e in log if e["template"] == "estimate_revised"
    ] == [
        ("estimate_revised", "email", "sent"),
        ("estimate_revised", "sms", "sent"),
    ]
    assert [e["at"] for e in log] == sorted(e["at"] for e in log)  # in time order
