"""Notification preferences and an order's notification log, over HTTP against the local runtime
(routes wired from the synthesized template, data in moto)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Storefront, body_for

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

ENTRY_FIELDS = {
    "notification_id",
    "event_id",
    "event_type",
    "channel",
    "template",
    "locale",
    "status",
    "reason",
    "recipient",
    "message_id",
    "segments",
    "release_at",
    "fallback_for",
    "at",
}


def test_a_customer_sets_and_reads_their_preferences(storefront: Storefront) -> None:
    url = f"{storefront.url}/v1/customers/cust-{uuid.uuid4().hex[:8]}/preferences"
    # Given a customer who never set anything: the defaults
    default = storefront.http.get(url, timeout=10)
    assert default.status_code == 200
    assert default.json()["updated_at"] is None
    assert default.json()["channels"] == {"email": True, "sms": True}

    # When they switch SMS off and set quiet hours in their time zone
    wanted = {
        "channels": {"email": True, "sms": False},
        "locale": "zh-CN",
        "time_zone": "Asia/Shanghai",
        "quiet_hours": {"start": "22:00", "end": "08:00"},
    }
    saved = storefront.http.put(url, json=wanted, timeout=10)

    # Then the stored document comes back, and reads back the same
    assert saved.status_code == 200
    assert {key: saved.json()[key] for key in wanted} == wanted
    assert storefront.http.get(url, timeout=10).json() == saved.json()


def test_bad_preferences_are_refused_with_the_field_named(storefront: Storefront) -> None:
    url = f"{storefront.url}/v1/customers/cust-{uuid.uuid4().hex[:8]}/preferences"
    response = storefront.http.put(
        url,
        json={"time_zone": "Asia/Atlantis", "quiet_hours": {"start": "09:00", "end": "09:00"}},
        timeout=10,
    )
    assert response.status_code == 422
    fields = {detail["field"] for detail in response.json()["error"]["details"]}
    assert fields == {"time_zone", "quiet_hours"}
    assert storefront.http.get(url, timeout=10).json()["updated_at"] is None


def test_preferences_need_the_api_key(storefront: Storefront) -> None:
    url = f"{storefront.url}/v1/customers/cust-1/preferences"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.put(url, json={}, headers={"x-api-key": "nope"}, timeout=10).status_code == 403


def test_an_orders_notifications_are_listed(storefront: Storefront, new_customer: Any) -> None:
    # Given a confirmed order
    sku = f"E2E-NOTIFY-{uuid.uuid4().hex[:6]}".upper()
    assert storefront.put_stock(sku, 5).status_code == 200
    placed = storefront.place(
        body_for(
            new_customer("en"), [{"sku": sku, "name": f"Item {sku}", "quantity": 1, "unit_price": "5.00"}]
        )
    )
    order_id = placed.json()["order_id"]
    storefront.wait_for_status(order_id, {"confirmed"})

    # When the storefront reads its notifications
    response = storefront.http.get(f"{storefront.url}/v1/orders/{order_id}/notifications", timeout=10)

    # Then it gets the order's log (as far as the worker got), every entry with every field and a
    # masked recipient
    assert response.status_code == 200
    body = response.json()
    assert body["order_id"] == order_id
    for entry in body["notifications"]:
        assert set(entry) == ENTRY_FIELDS
        assert entry["notification_id"].startswith(order_id)
        assert entry["recipient"] is None or "*" in entry["recipient"]


def test_notifications_of_an_unknown_order_are_404(storefront: Storefront) -> None:
    response = storefront.http.get(f"{storefront.url}/v1/orders/ord_{'a' * 24}/notifications", timeout=10)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
