"""Self-service from the signed tracking link on the local runtime (routes wired from the
synthesized template): a problem report becomes a complaint, notification choices become the
customer's preferences, RFC 8058 one-click unsubscribe works without a page, and a form posted
from another site changes nothing."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from shared import links
from tests.e2e.conftest import Storefront
from tests.e2e.test_tracking_page import link_key, ship_and_scan

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def hidden_fields(html: str, action: str) -> tuple[str, dict[str, str]]:
    """The form posting to `<token>/<action>`: its action URL and hidden fields."""
    found = re.search(rf'<form method="post" action="([^"]*/{action})"(.*?)</form>', html, re.S)
    assert found, f"no {action} form"
    fields = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', found.group(2))
    return unescape(found.group(1)), {name: unescape(value) for name, value in fields}


def post_form(page_url: str, action_url: str, fields: dict[str, str], origin: str) -> requests.Response:
    """As a browser posts a form: urlencoded, with its Origin."""
    return requests.post(
        f"{page_url.rsplit('/', 1)[0]}/{action_url}",
        data=fields,
        headers={"Origin": origin, "Sec-Fetch-Site": "same-origin"},
        timeout=10,
    )


def preferences(storefront: Storefront, customer_id: str) -> dict[str, Any]:
    response = storefront.http.get(f"{storefront.url}/v1/customers/{customer_id}/preferences", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def case_opened_sent(storefront: Storefront, order_id: str) -> list[dict[str, Any]]:
    response = storefront.http.get(f"{storefront.url}/v1/orders/{order_id}/notifications", timeout=10)
    assert response.status_code == 200, response.text
    return [
        e
        for e in response.json()["notifications"]
        if e["event_type"] == "complaint.opened" and e["status"] == "sent"
    ]


def test_a_problem_report_and_notification_choices_from_the_tracking_page(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    customer = new_customer("en")
    parcel = ship_and_scan(stack, storefront, customer)
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(storefront.url))
    page = requests.get(parcel.url, timeout=10).text

    # a problem, reported from the page, is a complaint from the customer's link
    action, fields = hidden_fields(page, "problem")
    reported = post_form(
        parcel.url, action, {**fields, "category": "delivery_delay", "description": "Still not here"}, origin
    )
    assert reported.status_code == 200, reported.text
    [complaint_id] = re.findall(r"cmp_[a-z0-9]+", reported.text)
    complaint = storefront.http.get(f"{storefront.url}/v1/complaints/{complaint_id}", timeout=10).json()
    assert (complaint["order_id"], complaint["category"], complaint["description"]) == (
        parcel.order_id,
        "delivery_delay",
        "Still not here",
    )
    # and the customer is told it is open, by email and text, before the choices below (quiet
    # hours) would hold those messages until morning
    deadline = time.monotonic() + 60
    while len(told := case_opened_sent(storefront, parcel.order_id)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert sorted(e["channel"] for e in told) == ["email", "sms"], told

    # every message of the journey so far is out before quiet hours start (at night in the
    # customer's zone the product would rightly hold one still in its burst window until morning)
    stack.wait_idle(60)

    # text messages off and quiet hours on: the customer's preferences
    action, fields = hidden_fields(page, "notifications")
    saved = post_form(
        parcel.url, action, {**fields, "email": "on", "quiet_start": "21:30", "quiet_end": "07:00"}, origin
    )
    assert saved.status_code == 200, saved.text
    stored = preferences(storefront, customer["id"])
    assert stored["channels"] == {"email": True, "sms": False}
    assert stored["quiet_hours"] == {"start": "21:30", "end": "07:00"}

    # the same form from another site changes nothing, even with the page's genuine token
    action, fields = hidden_fields(page, "unsubscribe")
    forged = post_form(parcel.url, action, fields, "https://attacker.example")
    assert forged.status_code == 403
    assert preferences(storefront, customer["id"])["channels"] == {"email": True, "sms": False}


def test_one_click_unsubscribe_from_an_email_header(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    customer = new_customer("zh-CN")
    parcel = ship_and_scan(stack, storefront, customer)
    token = links.sign(
        link_key(stack), parcel.order_id, links.UNSUBSCRIBE, expires_at=int(time.time()) + 3600
    )
    url = links.link(storefront.url, token, links.UNSUBSCRIBE)
    assert url is not None

    settings_page = requests.get(url, timeout=10)
    assert settings_page.status_code == 200 and '<html lang="zh-CN">' in settings_page.text
    assert preferences(storefront, customer["id"])["channels"] == {"email": True, "sms": True}  # GET: nothing

    # as a mail provider sends it (RFC 8058 section 3.2): no cookie, no origin, no form token
    done = requests.post(
        url,
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert done.status_code == 200, done.text
    assert preferences(storefront, customer["id"])["channels"] == {"email": False, "sms": False}

    # a tracking token is not an unsubscribe token
    assert (
        requests.post(
            parcel.url.replace("/track/", "/unsubscribe/"),
            data="List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=10,
        ).status_code
        == 404
    )
