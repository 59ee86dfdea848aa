"""The console's routes with fakes: sessions, CSRF, group rules, the review queue, Today."""

from __future__ import annotations

import base64
import hashlib
import re
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest

from console.ports import ConsoleServices
from console.routes import SESSION_COOKIE, serve
from orders.models.order import OrderStatus
from stats.domain.contributions import ORDERS
from tests.factories import http_event
from tests.fakes.orders import FrozenClock
from tests.unit.console.conftest import held_order, mint

BROWSER = {"host": "console.example", "origin": "https://console.example", "sec-fetch-site": "same-origin"}


def request(
    services: ConsoleServices,
    method: str,
    path: str,
    form: dict[str, str] | None = None,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    event = http_event(
        method, path, urlencode(form) if form is not None else None, {**BROWSER, **(headers or {})}
    )
    event["headers"].pop("x-api-key")
    event["headers"]["content-type"] = "application/x-www-form-urlencoded"
    if token:
        event["cookies"] = [f"{SESSION_COOKIE}={token}"]
    return serve(event, services)


def csrf_fields(body: str) -> dict[str, str]:
    return {
        name: re.search(rf'name="{name}" value="([^"]+)"', body).group(1)
        for name in ("nonce", "issued", "csrf")
    }  # type: ignore[union-attr]


def test_without_a_session_every_page_sends_the_browser_to_sign_in(services: ConsoleServices) -> None:
    for path in ("/console", "/console/today", "/console/review", "/console/orders/o1", "/console/alerts"):
        response = request(services, "GET", path)
        assert response["statusCode"] == 303, path
        assert response["headers"]["Location"].startswith("/console/sign-in")


def test_signing_in_sets_a_strict_http_only_session_cookie(
    services: ConsoleServices, clock: FrozenClock
) -> None:
    token = mint(clock)
    services.authenticator.tokens[("agent@local", "right-password")] = token  # type: ignore[attr-defined]
    form = request(services, "GET", "/console/sign-in?lang=en")
    assert form["statusCode"] == 200 and 'autocomplete="current-password"' in form["body"]
    fields = {**csrf_fields(form["body"]), "username": "agent@local", "password": "right-password"}
    response = request(services, "POST", "/console/sign-in?lang=en", fields)
    assert response["statusCode"] == 303 and response["headers"]["Location"] == "/console/today?lang=en"
    [cookie] = response["cookies"]
    assert cookie.startswith(f"{SESSION_COOKIE}={token};")
    assert {"HttpOnly", "Secure", "SameSite=Strict", "Path=/console"} <= {
        part.strip() for part in cookie.split(";")
    }


def test_a_wrong_password_or_a_forged_sign_in_form_gets_no_cookie(services: ConsoleServices) -> None:
    form = request(services, "GET", "/console/sign-in?lang=en")
    wrong = request(
        services,
        "POST",
        "/console/sign-in?lang=en",
        {**csrf_fields(form["body"]), "username": "a", "password": "b"},
    )
    assert (
        wrong["statusCode"] == 401
        and "cookies" not in wrong
        and "Wrong username or password" in wrong["body"]
    )
    forged = {"nonce": "n" * 22, "issued": "1795000000", "csrf": "x", "username": "a", "password": "b"}
    assert request(services, "POST", "/console/sign-in?lang=en", forged)["statusCode"] == 400
    cross_site = request(
        services,
        "POST",
        "/console/sign-in",
        {**csrf_fields(form["body"]), "username": "a", "password": "b"},
        headers={"sec-fetch-site": "cross-site"},
    )
    assert cross_site["statusCode"] == 400 and "cookies" not in cross_site


def test_an_agent_approves_a_held_order_on_its_timeline(
    services: ConsoleServices, clock: FrozenClock
) -> None:
    order = held_order(services.orders, clock)  # type: ignore[arg-type]
    token = mint(clock)
    queue = request(services, "GET", "/console/review?lang=en", token=token)
    assert (
        queue["statusCode"] == 200
        and order.order_number in queue["body"]
        and "first_order_high_value" in queue["body"]
    )
    fields = {**csrf_fields(queue["body"]), "decision": "approve"}
    response = request(services, "POST", f"/console/review/{order.order_id}?lang=en", fields, token=token)
    assert response["statusCode"] == 303
    reviewed = services.orders.get(order.order_id)
    assert reviewed is not None and reviewed.status == OrderStatus.RECEIVED
    assert reviewed.timeline[-1].by == "reviewer:agent@local"
    again = request(services, "POST", f"/console/review/{order.order_id}?lang=en", fields, token=token)
    assert again["statusCode"] == 409  # already reviewed: nothing changes
    assert services.orders.get(order.order_id).version == reviewed.version  # type: ignore[union-attr]


def test_a_review_without_the_operators_csrf_token_changes_nothing(
    services: ConsoleServices, clock: FrozenClock
) -> None:
    order = held_order(services.orders, clock)  # type: ignore[arg-type]
    other = mint(clock, sub="sub-other", **{"cognito:username": "other@local"})
    their_fields = csrf_fields(request(services, "GET", "/console/review", token=other)["body"])
    response = request(
        services,
        "POST",
        f"/console/review/{order.order_id}",
        {**their_fields, "decision": "approve"},
        token=mint(clock),
    )
    assert response["statusCode"] == 403
    assert services.orders.get(order.order_id).status == OrderStatus.ON_HOLD  # type: ignore[union-attr]


def test_an_agent_gets_a_403_page_for_manager_pages_and_a_manager_opens_them(
    services: ConsoleServices, clock: FrozenClock
) -> None:
    assert request(services, "GET", "/console/alerts", token=mint(clock))["statusCode"] == 403
    manager = mint(clock, **{"cognito:groups": ["manager"], "cognito:username": "manager@local"})
    assert request(services, "GET", "/console/alerts", token=manager)["statusCode"] == 200
    assert request(services, "GET", "/console/review", token=manager)["statusCode"] == 200
    nobody = mint(clock, **{"cognito:groups": None})
    assert request(services, "GET", "/console/today", token=nobody)["statusCode"] == 403


def test_today_shows_kpi_tiles_and_a_30_day_svg_chart_under_a_strict_policy(
    services: ConsoleServices, clock: FrozenClock
) -> None:
    day = clock.now().date().isoformat()
    services.aggregates.items[(day, ORDERS)] = {"received": 7}  # type: ignore[attr-defined]
    response = request(
        services, "GET", "/console/today", token=mint(clock), headers={"accept-language": "zh-CN,zh;q=0.9"}
    )
    assert response["statusCode"] == 200
    body = response["body"]
    assert 'lang="zh-CN"' in body and "今日概览" in body
    assert body.count("<rect ") == 6 * 30 and "<title>" + day + ": 7</title>" in body  # a chart per tile
    assert "<script" not in body
    policy = response["headers"]["Content-Security-Policy"]
    assert (
        "default-src 'none'" in policy and "script-src" not in policy and "frame-ancestors 'none'" in policy
    )
    [style] = re.findall(r"<style>(.*?)</style>", body, re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in policy  # the inlined stylesheet is exactly the one allowed


def test_the_order_page_and_search_by_order_id(services: ConsoleServices, clock: FrozenClock) -> None:
    order = held_order(services.orders, clock)  # type: ignore[arg-type]
    sent = SimpleNamespace(
        at="2026-11-24T10:00:01.000Z",
        event_type="order_received",
        channel="email",
        recipient="l***@example.com",
        status="sent",
        reason=None,
    )
    services.notifications = SimpleNamespace(
        entries=lambda order_id: [sent] if order_id == order.order_id else []
    )
    token = mint(clock)
    page = request(services, "GET", f"/console/orders/{order.order_id}?lang=en", token=token)
    assert "order_received · email l***@example.com" in page["body"] and "Notifications sent" in page["body"]
    assert (
        page["statusCode"] == 200
        and order.order_number in page["body"]
        and "system:hold-rules" in page["body"]
    )
    found = request(services, "GET", f"/console/search?q={order.order_id}", token=token)
    assert found["statusCode"] == 303 and found["headers"]["Location"].startswith(
        f"/console/orders/{order.order_id}"
    )
    assert request(services, "GET", "/console/search?q=nope", token=token)["statusCode"] == 404


def test_signing_out_clears_the_cookie(services: ConsoleServices, clock: FrozenClock) -> None:
    token = mint(clock)
    fields = csrf_fields(request(services, "GET", "/console/today", token=token)["body"])
    response = request(services, "POST", "/console/sign-out", fields, token=token)
    assert response["statusCode"] == 303
    assert response["cookies"][0].startswith(f"{SESSION_COOKIE}=;") and "Max-Age=0" in response["cookies"][0]


def test_the_review_queue_shows_the_longest_waiting_orders_first_a_page_at_a_time(
    services: ConsoleServices, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from console import pages

    monkeypatch.setattr(pages, "REVIEW_PAGE", 2)
    held = []
    for n in range(3):  # placed a minute apart: the first waited longest
        held.append(held_order(services.orders, clock, key=f"k{n}"))  # type: ignore[arg-type]
        clock.moment += timedelta(minutes=1)
    token = mint(clock)
    first = request(services, "GET", "/console/review?lang=en", token=token)
    assert first["statusCode"] == 200
    body = first["body"]
    assert held[0].order_id in body and held[1].order_id in body and held[2].order_id not in body
    assert body.index(held[0].order_id) < body.index(held[1].order_id)
    next_href = re.search(r'href="(/console/review\?lang=en&amp;cursor=[^"]+)"', body)
    assert next_href is not None
    second = request(services, "GET", next_href.group(1).replace("&amp;", "&"), token=token)
    assert held[2].order_id in second["body"] and held[0].order_id not in second["body"]
    assert "cursor=" not in second["body"].split("<main", 1)[1]  # the last page has no next link
