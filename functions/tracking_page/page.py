"""`GET /track/{token}`: verify the signed link, read the order, answer with the page.

A token that is malformed, tampered with, signed for another purpose or under a key no longer
accepted, or that names an order that does not exist, gets the same 404 page, byte for byte: the
page never says which. An order id alone is not a token, so it never shows an order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from shared.links import TRACK, verify
from shared.observability import logger, metrics
from tracking_page.read_model import TrackingReadModel
from tracking_page.rendering import (
    DEFAULT_LOCALE,
    choose_locale,
    render_not_found,
    render_tracking_page,
    style_source,
)

HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class HtmlPage:
    status: int
    body: str
    language: str
    order_id: str | None = None  # the order shown; None for the not-found page


def not_found() -> HtmlPage:
    return HtmlPage(HTTPStatus.NOT_FOUND, render_not_found(), DEFAULT_LOCALE)


def tracking_page(
    token: str, requested_lang: str | None, accepted_keys: Iterable[str], orders: TrackingReadModel
) -> HtmlPage:
    link = verify(accepted_keys, token, TRACK)
    if link is None:
        return not_found()
    tracked = orders.tracked_order(link.order_id)
    if tracked is None:
        return not_found()
    locale = choose_locale(requested_lang, tracked.order.customer.locale)
    return HtmlPage(HTTPStatus.OK, render_tracking_page(tracked, locale), locale, link.order_id)


def content_security_policy() -> str:
    """Nothing may load or run but the page's own stylesheet, allowed by its hash (no scripts, no
    images, no forms, no framing). A hash rather than a nonce: the stylesheet is the same on every
    response, so the policy is computed once per container and needs no per-request randomness."""
    return "; ".join(
        (
            "default-src 'none'",
            f"style-src {style_source()}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


def security_headers(language: str) -> dict[str, str]:
    return {
        "Content-Type": HTML,
        "Content-Language": language,
        "Cache-Control": "private, no-store",
        "Referrer-Policy": "no-referrer",
        "X-Robots-Tag": "noindex",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": content_security_policy(),
    }


def http_response(page: HtmlPage) -> dict[str, Any]:
    """The HTTP API (payload 2.0) response for a page."""
    return {
        "statusCode": int(page.status),
        "headers": security_headers(page.language),
        "body": page.body,
        "isBase64Encoded": False,
    }


def serve_tracking_page(
    event: dict[str, Any], accepted_keys: Callable[[], Iterable[str]], orders: TrackingReadModel
) -> dict[str, Any]:
    """The page for an HTTP API event: the token from the path, `lang` from the query string."""
    token = (event.get("pathParameters") or {}).get("token") or ""
    requested_lang = (event.get("queryStringParameters") or {}).get("lang")
    page = tracking_page(token, requested_lang, accepted_keys(), orders)
    if page.order_id is not None:
        logger.append_keys(order_id=page.order_id)
        logger.debug("tracking page shown", locale=page.language)
        metrics.add_metric(name="TrackingPageShown", unit=MetricUnit.Count, value=1)
    else:  # the token is never logged: it is the customer's key to the page
        logger.info("tracking page not found")
        metrics.add_metric(name="TrackingPageNotFound", unit=MetricUnit.Count, value=1)
    return http_response(page)
