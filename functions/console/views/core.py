"""The console's first pages: the review queue and alerts (Today is `console.views.today`, sign-out
`console.views.signin`, the order page and search `console.views.orders` and `console.views.search`)."""

from __future__ import annotations

from console import pages
from console.pages import Page
from console.sessions import AGENT, MANAGER
from console.views import Request, Route
from shared.observability import logger


def review_queue(request: Request) -> Page:
    notice = pages.TEXT[request.locale]["reviewed"] if request.query.get("done") else None
    cursor = (request.query.get("cursor") or "")[:4096]
    return pages.review_page(request.operator, request.locale, request.services, notice=notice, cursor=cursor)


def review(request: Request) -> Page:
    decision = request.field("decision")
    order_id = request.segment(1)
    if len(request.parts) != 2 or decision not in ("approve", "reject"):
        return pages.message_page(400, request.operator, request.locale, request.services, "not_found")
    logger.info(
        "console review", extra={"order_id": order_id, "decision": decision, "role": request.operator.role}
    )
    return pages.review(request.operator, request.locale, request.services, order_id, decision)  # type: ignore[arg-type]


def alerts(request: Request) -> Page:
    return pages.alerts_page(request.operator, request.locale, request.services)


ROUTES = (
    Route("GET", "review", (AGENT,), review_queue),
    Route("POST", "review", (AGENT,), review),
    Route("GET", "alerts", (MANAGER,), alerts),
)
