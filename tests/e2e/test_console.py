"""The operations console on the local stack: the dev operators sign in through moto's cognito-idp,
sessions verify against the pool's JWKS served by moto, and an agent approves a held order."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import requests

from infra.local.cognito import DEFAULT_PASSWORD
from tests.e2e.conftest import Storefront, body_for

SAME_SITE = {"sec-fetch-site": "same-origin"}


def csrf_fields(body: str) -> dict[str, str]:
    return {
        name: re.search(rf'name="{name}" value="([^"]+)"', body).group(1)
        for name in ("nonce", "issued", "csrf")
    }  # type: ignore[union-attr]


def sign_in(
    url: str, username: str, password: str = DEFAULT_PASSWORD
) -> tuple[requests.Response, str | None]:
    form = requests.get(f"{url}/console/sign-in?lang=en", timeout=10)
    assert form.status_code == 200
    response = requests.post(
        f"{url}/console/sign-in?lang=en",
        data={**csrf_fields(form.text), "username": username, "password": password},
        headers=SAME_SITE,
        allow_redirects=False,
        timeout=10,
    )
    # the cookie is Secure: requests will not send it back over http, so the test carries it
    session = response.cookies.get("console_session")
    return response, session


def test_the_dev_operators_exist_in_the_local_pool(stack: Any) -> None:
    assert {(operator.username, operator.group) for operator in stack.console_operators} == {
        ("agent@local", "agent"),
        ("manager@local", "manager"),
    }


def test_a_wrong_password_is_refused_and_gives_no_session(stack: Any) -> None:
    response, session = sign_in(stack.api_url, "agent@local", "not-the-password")
    assert response.status_code == 401 and session is None


def test_an_agent_signs_in_and_approves_a_held_order(
    stack: Any, storefront: Storefront, new_customer: Any
) -> None:
    tea = f"TEA-{uuid.uuid4().hex[:8]}"
    storefront.put_stock(tea, 5)
    body = body_for(
        new_customer("en"), [{"sku": tea, "name": "Oolong tea", "quantity": 1, "unit_price": "3.00"}]
    )
    body["shipping_address"] = {**body["shipping_address"], "postal_code": "12"}  # held: not 6 digits for CN
    order_id = storefront.place(body).json()["order_id"]
    storefront.wait_for_status(order_id, {"on_hold"})

    response, session = sign_in(stack.api_url, "agent@local")
    assert response.status_code == 303 and session, response.text
    assert (
        "HttpOnly" in response.headers["Set-Cookie"] and "SameSite=Strict" in response.headers["Set-Cookie"]
    )
    cookies = {"console_session": session}
    queue = requests.get(f"{stack.api_url}/console/review?lang=en", cookies=cookies, timeout=10)
    assert queue.status_code == 200 and order_id in queue.text
    approved = requests.post(
        f"{stack.api_url}/console/review/{order_id}?lang=en",
        data={**csrf_fields(queue.text), "decision": "approve"},
        cookies=cookies,
        headers=SAME_SITE,
        allow_redirects=False,
        timeout=10,
    )
    assert approved.status_code == 303
    order = storefront.wait_for_status(order_id, {"received", "reserved", "confirmed"})
    assert any(entry["by"] == "reviewer:agent@local" for entry in order["timeline"])

    # the stats capability counts the order from the table's stream: Today's last bar shows it
    deadline = time.monotonic() + 30
    while True:
        today = requests.get(f"{stack.api_url}/console/today", cookies=cookies, timeout=10)
        assert today.status_code == 200 and "<svg" in today.text
        orders_chart = re.search(r'<svg[^>]*data-chart="orders".*?</svg>', today.text, re.S)
        assert orders_chart, today.text[:500]
        bars = re.findall(r"<title>(\d{4}-\d{2}-\d{2}): (\d+)</title>", orders_chart.group(0))
        assert len(bars) == 30
        if int(bars[-1][1]) >= 1 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert int(bars[-1][1]) >= 1, bars[-3:]
    assert requests.get(f"{stack.api_url}/console/alerts", cookies=cookies, timeout=10).status_code == 403


def test_a_manager_opens_the_manager_pages_and_a_forged_session_does_not(stack: Any) -> None:
    _, session = sign_in(stack.api_url, "manager@local")
    assert session
    alerts = requests.get(f"{stack.api_url}/console/alerts", cookies={"console_session": session}, timeout=10)
    assert alerts.status_code == 200
    header, payload, signature = session.split(".")
    forged = requests.get(
        f"{stack.api_url}/console/today",
        cookies={"console_session": f"{header}.{payload}.{signature[::-1]}"},
        allow_redirects=False,
        timeout=10,
    )
    assert forged.status_code == 303 and forged.headers["Location"].startswith("/console/sign-in")
