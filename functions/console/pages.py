"""The console's pages, each a pure function of the request's operator, its locale and the
console's ports (docs/console.md). Capabilities are reached through their domain functions, reading
through indexes only: the review queue is the status index's `on_hold` partition, the KPIs are the
stats capability's daily aggregates, the alerts its stored alert log."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

from console.ports import ConsoleServices
from console.rendering import render, trend_chart
from console.sessions import Operator
from console.texts import TEXT, other_locale
from orders.domain.manage_orders import review_order, search_orders
from orders.domain.ports import OrderQuery
from shared.errors import Conflict, InvalidRequest, NotFound
from shared.form_tokens import FormToken, issue
from stats.domain.alerts import alerts_since

REVIEW_PAGE = 50
ANONYMOUS = "anonymous"
SIGN_IN_FORM = "sign-in"
SIGNED_IN_FORMS = "console"
"""The CSRF action of every form a signed-in page shows (sign-out, reviews): bound to the operator."""


@dataclass
class Page:
    status: int
    body: str
    locale: str
    location: str | None = None
    cookies: list[str] = field(default_factory=list)


def form_token(services: ConsoleServices, action: str, binding: str) -> FormToken:
    issued = int(services.clock.now().timestamp())
    return issue(services.form_keys()[0], action, binding, services.new_nonce(), issued)


def _language_href(path: str, locale: str, query: str = "") -> str:
    return f"{path}?lang={other_locale(locale)}{query}"


def _page(
    template: str,
    status: int,
    operator: Operator,
    locale: str,
    services: ConsoleServices,
    path: str,
    heading_key: str,
    words: Mapping[str, Mapping[str, str]] | None = None,
    **context: Any,
) -> Page:
    t = {**TEXT[locale], **(words or {}).get(locale, {})}
    body = render(
        template,
        t=t,
        locale=locale,
        other_locale=other_locale(locale),
        language_href=_language_href(path, locale, context.pop("language_query", "")),
        operator=operator,
        heading=context.pop("heading", None) or t[heading_key],
        notice=context.pop("notice", None),
        form=form_token(services, SIGNED_IN_FORMS, operator.subject),
        **context,
    )
    return Page(status, body, locale)


def sign_in_page(
    locale: str, services: ConsoleServices, error: str | None = None, username: str = ""
) -> Page:
    t = TEXT[locale]
    body = render(
        "sign_in.html",
        t=t,
        locale=locale,
        other_locale=other_locale(locale),
        language_href=_language_href("/console/sign-in", locale),
        error=t[error] if error else None,
        username=username,
        form=form_token(services, SIGN_IN_FORM, ANONYMOUS),
    )
    return Page(401 if error == "sign_in_failed" else 400 if error else 200, body, locale)


def message_page(status: int, operator: Operator, locale: str, services: ConsoleServices, key: str) -> Page:
    return _page(
        "message.html", status, operator, locale, services, "/console/today", key, message=TEXT[locale][key]
    )


def alerts_page(operator: Operator, locale: str, services: ConsoleServices) -> Page:
    alerts, _ = alerts_since(None, 100, None, services.alerts, services.clock)
    t = TEXT[locale]
    return _page(
        "today.html",
        200,
        operator,
        locale,
        services,
        "/console/alerts",
        "alerts",
        tiles=[],
        chart=trend_chart([]),
        alerts=alerts,
        heading=t["alerts"],
    )


def review_page(
    operator: Operator,
    locale: str,
    services: ConsoleServices,
    notice: str | None = None,
    status: int = 200,
    cursor: str | None = None,
) -> Page:
    """The held orders, oldest first (the longest waiting is decided first), a page at a time."""
    try:
        held, next_cursor = search_orders(
            OrderQuery(status="on_hold", limit=REVIEW_PAGE, cursor=cursor or None, oldest_first=True),
            services.orders,
        )
    except InvalidRequest:
        return message_page(400, operator, locale, services, "not_found_page")
    held.sort(key=lambda order: order.created_at)
    return _page(
        "review.html",
        status,
        operator,
        locale,
        services,
        "/console/review",
        "review",
        orders=held,
        notice=notice,
        next_href=f"/console/review?lang={locale}&cursor={quote(next_cursor)}" if next_cursor else None,
    )


def review(
    operator: Operator,
    locale: str,
    services: ConsoleServices,
    order_id: str,
    decision: Literal["approve", "reject"],
) -> Page:
    try:
        review_order(order_id, decision, operator.username, None, services.orders, services.clock)
    except NotFound:
        return message_page(404, operator, locale, services, "not_found")
    except Conflict as error:
        return review_page(operator, locale, services, notice=error.message, status=409)
    return Page(303, "", locale, location=f"/console/review?lang={locale}&done=1")


page = _page
"""Render `template` inside the console's layout: the operator, the language link, the CSRF token of
the signed-in forms; `words` (an area's `WORDS`) are merged over the console's own `t`."""
