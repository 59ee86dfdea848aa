"""The console's first pages: the review queue, an order, search, alerts, sign-out."""

from __future__ import annotations

from console import pages
from console.pages import Page
from console.routes_common import cleared_cookie
from console.sessions import AGENT, MANAGER
from console.views import Request, Route
from shared.observability import logger


def review_queue(request: Request) -> Page:
    notice = pages.TEXT[request.locale]["reviewed"] if request.query.get("done") else None
    return pages.review_page(request.operator, request.locale, request.services, notice=notice)


def review(request: Request) -> Page:
    decision = request.field("decision")
    order_id = request.segment(1)
    if len(request.parts) != 2 or decision not in ("approve", "reject"):
        return pages.message_page(400, request.operator, request.locale, request.services, "not_found")
    logger.info(
        "console review", extra={"order_id": order_id, "decision": decision, "role": request.operator.role}
    )
    return pages.review(request.operator, request.locale, request.services, order_id, decision)  # type: ignore[arg-type]


def order(request: Request) -> Page:
    order_id = request.segment(1) if len(request.parts) == 2 else ""
    return pages.order_page(request.operator, request.locale, request.services, order_id)


def search(request: Request) -> Page:
    return pages.search(request.operator, request.locale, request.services, request.query.get("q") or "")


def alerts(request: Request) -> Page:
    return pages.alerts_page(request.operator, request.locale, request.services)


def sign_out(request: Request) -> Page:
    # the browser forgets the session; the ID token itself stays valid until it expires (1 h)
    return Page(
        303,
        "",
        request.locale,
        location=f"/console/sign-in?lang={request.locale}",
        cookies=[cleared_cookie()],
    )


ROUTES = (
    Route("GET", "review", (AGENT,), review_queue),
    Route("POST", "review", (AGENT,), review),
    Route("GET", "orders", (AGENT,), order),
    Route("GET", "search", (AGENT,), search),
    Route("GET", "alerts", (MANAGER,), alerts),
    Route("POST", "sign-out", (AGENT, MANAGER), sign_out),
)
