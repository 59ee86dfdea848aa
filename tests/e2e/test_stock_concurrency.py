"""Concurrency against the local runtime: many one-unit orders racing for scarce stock never
oversell, and the books end balanced."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.e2e.conftest import Storefront, body_for

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def race(storefront: Storefront, new_customer: Any, orders: int, units: int) -> None:
    """Given a SKU holding `units`, when `orders` one-unit orders arrive at once, then exactly
    `units` are confirmed, the rest are out of stock, and the SKU is fully reserved."""
    sku = f"HOT-{uuid.uuid4().hex[:8]}".upper()
    assert storefront.put_stock(sku, units).status_code == 200
    line = [{"sku": sku, "name": f"Item {sku}", "quantity": 1, "unit_price": "9.90"}]
    bodies = [body_for(new_customer("en", phone=False), line) for _ in range(orders)]

    with ThreadPoolExecutor(max_workers=16) as pool:
        placed = list(pool.map(storefront.place, bodies))

    assert {response.status_code for response in placed} == {201}
    decided = {"confirmed", "out_of_stock"}
    decisions = {
        r.json()["order_id"]: storefront.wait_for_status(r.json()["order_id"], decided, timeout=240)["status"]
        for r in placed
    }
    statuses = list(decisions.values())
    assert statuses.count("confirmed") == units
    assert statuses.count("out_of_stock") == orders - units
    level = storefront.stock(sku)
    assert (level["on_hand"], level["reserved"], level["available"]) == (units, units, 0)
    history = storefront.http.get(f"{storefront.url}/v1/inventory/{sku}/history?limit=100", timeout=10).json()
    reserves = [entry for entry in history["entries"] if entry["kind"] == "reserve"]
    # group commit: one audit record per batch, listing its orders; together exactly the confirmed ones
    listed = [line for entry in reserves for line in entry["orders"]]
    assert sum(entry["reserved_delta"] for entry in reserves) == units
    assert sorted(line["order_id"] for line in listed) == sorted(
        o for o, s in decisions.items() if s == "confirmed"
    )
    assert all(line["quantity"] == 1 for line in listed)
    assert len(reserves) < units  # batches carried several orders each


def test_40_concurrent_orders_for_10_units_confirm_exactly_10(
    storefront: Storefront, new_customer: Any
) -> None:
    race(storefront, new_customer, orders=40, units=10)


@pytest.mark.slow
def test_200_concurrent_orders_for_50_units_confirm_exactly_50(
    storefront: Storefront, new_customer: Any
) -> None:
    started = time.monotonic()
    race(storefront, new_customer, orders=200, units=50)
    print(f"200 orders for 50 units decided in {time.monotonic() - started:.1f}s")
