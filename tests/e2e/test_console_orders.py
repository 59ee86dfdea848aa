"""The console's search and order actions on the local stack: an agent finds a customer's order by
phone and by email (the storefront's keyed lookups, under the stack's contact-lookup secret) and
cancels it from the order page; the cancel is on the order's timeline with the agent's name and
its reservation is released."""

from __future__ import annotations

import uuid
from typing import Any

import requests

from tests.e2e.conftest import Storefront, body_for
from tests.e2e.test_console import SAME_SITE, csrf_fields, sign_in


def test_an_agent_finds_an_order_by_phone_and_email_and_cancels_it(
    stack: Any, storefront: Storefront, new_customer: Any
) -> None:
    tea = f"TEA-{uuid.uuid4().hex[:8]}"
    storefront.put_stock(tea, 5)
    customer = new_customer("en")
    body = body_for(customer, [{"sku": tea, "name": "Oolong tea", "quantity": 2, "unit_price": "3.00"}])
    order_id = storefront.place(body).json()["order_id"]
    storefront.wait_for_status(order_id, {"reserved", "confirmed"})

    _, session = sign_in(stack.api_url, "agent@local")
    assert session
    cookies = {"console_session": session}
    national = customer["phone"].removeprefix("+86")
    for query in (f"+86 {national[:3]} {national[3:7]} {national[7:]}", customer["email"].upper()):
        found = requests.get(
            f"{stack.api_url}/console/search",
            params={"q": query, "lang": "en"},
            cookies=cookies,
            allow_redirects=False,
            timeout=10,
        )
        assert found.status_code == 303, found.text[:500]
        assert found.headers["Location"] == f"/console/orders/{order_id}?lang=en"

    page = requests.get(f"{stack.api_url}/console/orders/{order_id}?lang=en", cookies=cookies, timeout=10)
    assert page.status_code == 200 and f"/console/orders/{order_id}/cancel" in page.text
    cancelled = requests.post(
        f"{stack.api_url}/console/orders/{order_id}/cancel?lang=en",
        data={**csrf_fields(page.text), "reason": "customer called"},
        cookies=cookies,
        headers=SAME_SITE,
        allow_redirects=False,
        timeout=10,
    )
    assert cancelled.status_code == 303, cancelled.text[:500]
    order = storefront.order(order_id)
    assert order["status"] == "cancelled"
    assert order["timeline"][-1]["by"] == "agent@local"
    assert storefront.stock(tea)["reserved"] == 0
    assert (
        requests.get(
            f"{stack.api_url}/console/search", params={"q": "+8613900000000"}, cookies=cookies, timeout=10
        ).status_code
        == 404
    )
