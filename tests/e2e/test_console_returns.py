"""The Returns pages on the local stack: a return the customer requested through the storefront API
is approved and received in the console by an agent, one unit resellable and one damaged; only the
resellable unit goes back on hand, and the return's history names the agent."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Storefront
from tests.e2e.test_console import SAME_SITE, csrf_fields, sign_in
from tests.e2e.test_returns import delivered

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def requested_return(storefront: Storefront, order_id: str, sku: str) -> str:
    """Two of the order's cups returned through the storefront API (one arrived cracked)."""
    created = storefront.http.post(
        f"{storefront.url}/v1/orders/{order_id}/returns",
        json={"lines": [{"sku": sku, "quantity": 2}], "reason_code": "damaged", "reason": "one cracked"},
        headers={"Idempotency-Key": f"ret-{order_id}"},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    return str(created.json()["return_id"])


def test_an_agent_approves_and_receives_a_storefront_return_in_the_console(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    customer = new_customer("en", phone=False)
    sku = f"CUP-{uuid.uuid4().hex[:8].upper()}"
    order_id = delivered(stack, storefront, customer, sku)
    return_id = requested_return(storefront, order_id, sku)

    _, session = sign_in(stack.api_url, "agent@local")
    assert session
    cookies = {"console_session": session}
    page = f"{stack.api_url}/console/returns/{order_id}/{return_id}"

    def queue(status: str) -> str:
        ids, cursor = "", None
        while True:
            params = {"lang": "en", "status": status, **({"cursor": cursor} if cursor else {})}
            answer = requests.get(
                f"{stack.api_url}/console/returns", params=params, cookies=cookies, timeout=10
            )
            assert answer.status_code == 200
            ids += answer.text
            found = re.search(r'cursor=([^"&]+)"', answer.text)
            if not found:
                return ids
            cursor = requests.utils.unquote(found.group(1))

    assert return_id in queue("requested")

    def post(action: str, fields: dict[str, str]) -> requests.Response:
        form = requests.get(f"{page}?lang=en", cookies=cookies, timeout=10)
        assert form.status_code == 200, form.text[:500]
        return requests.post(
            f"{page}/{action}?lang=en",
            data={**csrf_fields(form.text), **fields},
            cookies=cookies,
            headers=SAME_SITE,
            allow_redirects=False,
            timeout=10,
        )

    assert post("approve", {"note": "photos checked"}).status_code == 303
    before = storefront.stock(sku)
    received = post("receive", {f"resellable.{sku}": "1", f"damaged.{sku}": "1", "note": "one cracked"})
    assert received.status_code == 303, received.text[-800:]

    after = storefront.stock(sku)
    assert after["on_hand"] == before["on_hand"] + 1
    assert after["damaged_returns"] == before.get("damaged_returns", 0) + 1
    [stored] = [
        r
        for r in storefront.http.get(f"{storefront.url}/v1/orders/{order_id}/returns", timeout=10).json()[
            "returns"
        ]
        if r["return_id"] == return_id
    ]
    assert stored["status"] == "received"
    assert [entry["by"] for entry in stored["history"]][-2:] == ["agent@local", "agent@local"]
    assert return_id in queue("received")
