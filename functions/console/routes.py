"""The HTTP API routes of the operations console (docs/console.md):

    GET  /console                       -> /console/today
    GET  /console/sign-in               the sign-in form
    POST /console/sign-in               Cognito USER_PASSWORD_AUTH; the session cookies on success,
                                        or a challenge page (console.sign_in_flow)
    GET|POST /console/sign-in/new-password, /console/sign-in/code   a challenge's page and answer
    GET  /console/account               the operator's TOTP status and enrolment (console.views.signin)
    POST /console/sign-out              ends the session at Cognito and here (CSRF-checked)
    GET  /console/today                 KPI tiles, 30-day trend (inline SVG), latest alerts
    GET  /console/review                held orders with their reasons
    POST /console/review/{order_id}     approve or reject (CSRF-checked), on the order's timeline
    GET  /console/orders/{order_id}     an order: status, shipments, timeline
    GET  /console/search?q=             an order id opens the order
    GET  /console/alerts                every stored alert (manager only)

Every page but sign-in needs a session whose ID token verifies (console.sessions); without one the
browser is sent to the sign-in page (303). A page the operator's groups do not allow is a 403 page.
Every POST must come from this site (`Sec-Fetch-Site`/`Origin`) and carry a CSRF token bound to
the operator (or, for sign-in, to the sign-in form); anything else is a 403 that changes nothing.
"""

from __future__ import annotations

from typing import Any

from console import pages, sign_in_flow
from console.pages import Page
from console.ports import ConsoleServices
from console.rendering import style_source
from console.routes_common import SESSION_COOKIE, posted_form, posted_genuinely
from console.sessions import Operator, may_open
from console.texts import choose_locale
from console.views import Request, Route
from console.views.registry import AREAS
from shared.observability import logger

__all__ = ["PAGE_ROLES", "ROUTES", "SESSION_COOKIE", "route", "serve"]


def _routes() -> dict[tuple[str, str], Route]:
    table: dict[tuple[str, str], Route] = {}
    for area in AREAS:
        for entry in area.ROUTES:
            assert (entry.method, entry.page) not in table, f"two routes for {entry.method} {entry.page}"
            table[(entry.method, entry.page)] = entry
    return table


ROUTES = _routes()
PAGE_ROLES: dict[tuple[str, str], tuple[str, ...]] = {key: entry.roles for key, entry in ROUTES.items()}
"""Which groups open which page (a manager opens everything); a page missing here is a 404."""


def content_security_policy() -> str:
    return "; ".join(
        (
            "default-src 'none'",
            f"style-src {style_source()}",
            "img-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def http_response(page: Page) -> dict[str, Any]:
    headers = {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Language": page.locale,
        "Cache-Control": "private, no-store",
        "Referrer-Policy": "same-origin",
        "X-Robots-Tag": "noindex",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": content_security_policy(),
        "Strict-Transport-Security": "max-age=31536000",
    }
    if page.location:
        headers["Location"] = page.location
    response: dict[str, Any] = {
        "statusCode": page.status,
        "headers": headers,
        "body": page.body,
        "isBase64Encoded": False,
    }
    if page.cookies:
        response["cookies"] = page.cookies
    return response


def _redirect(location: str, locale: str, cookies: list[str] | None = None) -> Page:
    return Page(303, "", locale, location=location, cookies=cookies or [])


def serve(event: dict[str, Any], services: ConsoleServices) -> dict[str, Any]:
    return http_response(route(event, services))


def route(event: dict[str, Any], services: ConsoleServices) -> Page:
    method = (event.get("requestContext", {}).get("http", {}).get("method") or "GET").upper()
    path = (event.get("rawPath") or "").rstrip("/")
    query = event.get("queryStringParameters") or {}
    locale = choose_locale(query.get("lang"), event.get("headers") or {})
    parts = path.split("/")[2:]  # after "/console"
    page_name = parts[0] if parts else ""

    if page_name == "sign-in":
        return sign_in_flow.serve(event, method, parts, locale, services)

    signed_in = sign_in_flow.signed_in(event, services)
    if signed_in is None:
        return _redirect(f"/console/sign-in?lang={locale}", locale, sign_in_flow.leftover_cookies(event))
    page = _signed_in_page(event, method, parts, query, locale, signed_in.operator, services)
    page.cookies = [*signed_in.cookies, *page.cookies]  # a session refreshed on this request
    return page


def _signed_in_page(
    event: dict[str, Any],
    method: str,
    parts: list[str],
    query: dict[str, str],
    locale: str,
    operator: Operator,
    services: ConsoleServices,
) -> Page:
    page_name = parts[0] if parts else ""
    if not page_name:
        return _redirect(f"/console/today?lang={locale}", locale)
    required = PAGE_ROLES.get((method, page_name))
    if required is None:
        return pages.message_page(404, operator, locale, services, "not_found")
    if not may_open(operator, required):
        logger.info("console page refused", extra={"page": page_name, "role": operator.role})
        return pages.message_page(403, operator, locale, services, "forbidden")
    form: dict[str, list[str]] | None = None
    if method == "POST":
        form = posted_form(event)
        if not posted_genuinely(event, form, pages.SIGNED_IN_FORMS, operator.subject, services):
            return pages.message_page(403, operator, locale, services, "sign_in_expired")
    request = Request(method, parts, query, operator, locale, services, form, event)
    return ROUTES[(method, page_name)].handler(request)
