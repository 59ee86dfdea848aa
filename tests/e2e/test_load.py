"""Load: many concurrent orders competing for scarce stock (run by `make bench`, not `make test`)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.e2e.conftest import Storefront, body_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group("e2e")]


def test_120_concurrent_orders_for_40_units_confirm_exactly_40(
    storefront: Storefront, new_customer: Any
) -> None:
    scarce, plenty = f"HOT-{uuid.uuid4().hex[:6]}".upper(), f"BULK-{uuid.uuid4().hex[:6]}".upper()
    storefront.put_stock(scarce, 40)
    storefront.put_stock(plenty, 10_000)
    customers = [new_customer("en", phone=False) for _ in range(120)]
    lines = [
        {"sku": scarce, "name": f"Item {scarce}", "quantity": 1, "unit_price": "5.00"},
        {"sku": plenty, "name": f"Item {plenty}", "quantity": 2, "unit_price": "1.00"},
    ]

    with ThreadPoolExecutor(max_workers=8) as pool:
        placed = list(pool.map(lambda customer: storefront.place(body_for(customer, lines)), customers))

    assert {response.status_code for response in placed} == {201}
    statuses = [
        storefront.wait_for_status(r.json()["order_id"], {"confirmed", "out_of_stock"}, timeout=180)["status"]
        for r in placed
    ]
    assert statuses.count("confirmed") == 40 and statuses.count("out_of_stock") == 80
    hot, bulk = storefront.stock(scarce), storefront.stock(plenty)
    assert (hot["reserved"], hot["available"]) == (40, 0)
    assert (bulk["reserved"], bulk["available"]) == (80, 9_920)
    storefront.stack.wait_idle(180)
    for customer in customers:
        assert len(storefront.outbox_for(customer["email"])) == 1
