"""`GET /track/{token}`: only a valid signed link shows an order; everything else is one 404 page."""

from __future__ import annotations

import pytest

from shared import links
from shared.order_numbers import short_order_code
from tests.factories import http_event
from tests.unit.tracking_page.conftest import KEY, PREVIOUS_KEY
from tests.unit.tracking_page.fakes import ORDER_ID, FakeTrackingReadModel, a_shipment, a_tracked_order
from tracking_page.routes import serve_tracking_page

SECURITY_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "same-origin",  # forms then carry a real Origin; the token stays on the site
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
}


def page_event(token: str, query: str = "") -> dict:
    event = http_event("GET", f"/track/{token}" + (f"?{query}" if query else ""))
    event["routeKey"] = "GET /track/{token}"
    event["pathParameters"] = {"token": token}
    del event["headers"]["x-api-key"]
    return event


def serve(token: str, query: str = "", orders: FakeTrackingReadModel | None = None, keys=(KEY,)) -> dict:
    orders = orders if orders is not None else FakeTrackingReadModel(a_tracked_order(a_shipment()))
    return serve_tracking_page(page_event(token, query), lambda: keys, orders)


def test_a_valid_link_shows_the_order_in_the_customers_language_with_strict_headers() -> None:
    response = serve(links.sign(KEY, ORDER_ID))

    assert response["statusCode"] == 200
    headers = response["headers"]
    assert SECURITY_HEADERS.items() <= headers.items()
    assert headers["Content-Language"] == "zh-CN"
    policy = dict(part.split(" ", 1) for part in headers["Content-Security-Policy"].split("; "))
    assert policy["default-src"] == "'none'"
    assert policy["style-src"].startswith("'sha256-") and "unsafe-inline" not in policy["style-src"]
    assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'none'"
    assert "script-src" not in policy  # falls back to default-src 'none': no script at all
    assert '<html lang="zh-CN">' in response["body"] and short_order_code(ORDER_ID) in response["body"]
    assert ORDER_ID not in response["body"].replace(links.sign(KEY, ORDER_ID), "")  # only in its links


def test_lang_in_the_query_switches_the_language() -> None:
    response = serve(links.sign(KEY, ORDER_ID), "lang=en")

    assert response["headers"]["Content-Language"] == "en"
    assert '<html lang="en">' in response["body"] and "On its way" in response["body"]


def test_a_link_signed_with_the_previous_key_still_works_during_a_rotation() -> None:
    response = serve(links.sign(PREVIOUS_KEY, ORDER_ID), keys=(KEY, PREVIOUS_KEY))

    assert response["statusCode"] == 200


def _tampered(token: str) -> str:
    last = token[-1]
    return token[:-1] + ("A" if last != "A" else "B")


UNKNOWN_ORDER = "ord_doesnotexist"
NOT_FOUND_TOKENS = {
    "order id alone": ORDER_ID,
    "tampered signature": _tampered(links.sign(KEY, ORDER_ID)),
    "signature of another order": ORDER_ID + "." + links.sign(KEY, UNKNOWN_ORDER).split(".")[1],
    "another key": links.sign("not-our-key-" + "x" * 30, ORDER_ID),
    "feedback link": links.sign(KEY, ORDER_ID, links.FEEDBACK, expires_at=4_000_000_000),
    "valid link, unknown order": links.sign(KEY, UNKNOWN_ORDER),
    "garbage": "<script>alert(1)</script>",
    "empty": "",
    "extra part": links.sign(KEY, ORDER_ID) + ".x",
}


def test_every_failing_token_gets_the_same_404_page_byte_for_byte() -> None:
    responses = {reason: serve(token) for reason, token in NOT_FOUND_TOKENS.items()}
    responses["retired key"] = serve(links.sign(PREVIOUS_KEY, ORDER_ID), keys=(KEY,))
    responses["with lang"] = serve(_tampered(links.sign(KEY, ORDER_ID)), "lang=zh-CN")

    first = next(iter(responses.values()))
    assert first["statusCode"] == 404
    assert SECURITY_HEADERS.items() <= first["headers"].items()
    for reason, response in responses.items():
        assert response == first, reason
    body = first["body"]
    assert ORDER_ID not in body and UNKNOWN_ORDER not in body and "alert" not in body
    assert "We can&#39;t find this tracking page" in body and "找不到此跟踪页面" in body


def test_a_token_that_does_not_verify_reads_nothing() -> None:
    orders = FakeTrackingReadModel(a_tracked_order(a_shipment()))
    for token in (ORDER_ID, _tampered(links.sign(KEY, ORDER_ID)), ""):
        serve(token, orders=orders)

    assert orders.reads == []


@pytest.mark.parametrize("query", ["lang=fr", "lang=", "lang=en,zh-CN", "lang=EN", "other=1"])
def test_an_unsupported_lang_falls_back_to_the_customers_language(query: str) -> None:
    response = serve(links.sign(KEY, ORDER_ID), query)

    assert response["statusCode"] == 200
    assert response["headers"]["Content-Language"] == "zh-CN"
