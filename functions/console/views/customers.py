"""The customer page (`GET /console/customers/{customer_id}`, docs/console.md): the customers
capability's own view (`customers.domain.customer_data.customer_view`, as `GET /v1/customers/{id}`
reads it: keys and indexes only) with its orders, cases, returns, notification preferences and the
summary of messages sent, each linked to its console page."""

from __future__ import annotations

from urllib.parse import unquote

from console.pages import Page, message_page, page
from console.sessions import AGENT
from console.views import Request, Route
from console.views.orders_words import WORDS
from customers.domain.customer_data import customer_view
from shared.errors import NotFound

MAX_CUSTOMER_ID = 128


def customer_page(request: Request) -> Page:
    customer_id = unquote(request.segment(1)) if len(request.parts) == 2 else ""
    services = request.services
    if not 0 < len(customer_id) <= MAX_CUSTOMER_ID:
        return message_page(404, request.operator, request.locale, services, "not_found_page")
    try:
        view = customer_view(customer_id, services.desk.customers)
    except NotFound:
        return message_page(404, request.operator, request.locale, services, "not_found_page")
    preferences = {
        name: value for name, value in (view["preferences"] or {}).items() if name != "customer_id"
    }
    return page(
        "customers.html",
        200,
        request.operator,
        request.locale,
        services,
        f"/console/customers/{request.segment(1)}",
        "customer_title",
        words=WORDS,
        heading=f"{WORDS[request.locale]['customer_title']} {customer_id}",
        view=view,
        preferences=preferences,
    )


ROUTES = (Route("GET", "customers", (AGENT,), customer_page),)
