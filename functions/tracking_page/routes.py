"""The HTTP API routes of the tracking-page function (docs/tracking-page.md):

    GET  /track/{token}                  the tracking page, with its self-service forms
    POST /track/{token}/{action}         a form: problem, return, notifications, unsubscribe
    GET  /unsubscribe/{token}            the notification settings an email's List-Unsubscribe names
    POST /unsubscribe/{token}            RFC 8058 one-click unsubscribe (`List-Unsubscribe=One-Click`)
    POST /unsubscribe/{token}/{action}   a form of the settings page: notifications, unsubscribe

A token that is malformed, tampered with, signed for another purpose or under a key no longer
accepted, or that names an order that does not exist, gets the same 404 page, byte for byte: the
page never says which. An order id alone is not a token, so it never shows an order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from shared.links import TRACK, UNSUBSCRIBE
from shared.observability import logger, metrics
from tracking_page.page import HTML, HtmlPage, PageServices, not_found, settings_page, tracking_page
from tracking_page.read_model import TrackingReadModel
from tracking_page.rendering import style_source
from tracking_page.submissions import one_click_unsubscribe, submit_form


def content_security_policy() -> str:
    """Nothing may load or run but the page's own stylesheet, allowed by its hash, and https images
    (the shop's logo, product pictures): no scripts, no framing; forms post to this site only. A
    hash rather than a nonce: the stylesheet is the same on every response."""
    return "; ".join(
        (
            "default-src 'none'",
            f"style-src {style_source()}",
            "img-src https:",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def security_headers(language: str) -> dict[str, str]:
    return {
        "Content-Type": HTML,
        "Content-Language": language,
        "Cache-Control": "private, no-store",
        # same-origin: browsers then send a real Origin with the forms (no-referrer would send
        # `Origin: null`), and the link's token still never leaves for another site
        "Referrer-Policy": "same-origin",
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


def _route(event: dict[str, Any], services: PageServices) -> HtmlPage:
    parameters = event.get("pathParameters") or {}
    token = parameters.get("token") or ""
    action = parameters.get("action")
    method = (event.get("requestContext", {}).get("http", {}).get("method") or "GET").upper()
    path = event.get("rawPath") or ""
    settings = "/unsubscribe/" in path
    requested_lang = (event.get("queryStringParameters") or {}).get("lang")
    if method == "GET" and action is None:
        return (
            settings_page(token, requested_lang, services)
            if settings
            else tracking_page(token, requested_lang, services)
        )
    if method == "POST" and action is not None:
        return submit_form(token, UNSUBSCRIBE if settings else TRACK, action, event, services)
    if method == "POST" and settings:
        return one_click_unsubscribe(token, event, services)
    return not_found()


def serve(event: dict[str, Any], services: PageServices) -> dict[str, Any]:
    """The page for an HTTP API event."""
    page = _route(event, services)
    if page.order_id is not None:
        logger.append_keys(order_id=page.order_id)
        logger.debug("page shown", locale=page.language, status=int(page.status))
        metrics.add_metric(name="TrackingPageShown", unit=MetricUnit.Count, value=1)
    else:  # the token is never logged: it is the customer's key to the page
        logger.info("tracking page not found")
        metrics.add_metric(name="TrackingPageNotFound", unit=MetricUnit.Count, value=1)
    return http_response(page)


def serve_tracking_page(
    event: dict[str, Any], accepted_keys: Callable[[], Iterable[str]], orders: TrackingReadModel
) -> dict[str, Any]:
    """The tracking page alone (no self-service forms)."""
    return serve(event, PageServices(accepted_keys, orders))


__all__ = ["HtmlPage", "PageServices", "serve", "serve_tracking_page"]
