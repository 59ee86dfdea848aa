"""Search from every page's header (`GET /console/search?q=`), docs/console.md:

- an order id opens the order;
- an email (has `@`), a phone (starts with `+`, international form), or else an order number, a
  tracking number and a national phone number of each of the stage's phone regions
  (`OrderDesk.phone_regions`, `console.phone_regions` in the stage config; `13800138000` is
  `+8613800138000` in CN): the storefront's own search (`orders.domain.manage_orders.search_orders`, as
  `GET /v1/orders` runs it: the order lookups, phones and emails by their keyed hash, and the
  tracking-number index); one order found opens it (303), several list them, none is a 404 page.

Never logs the query: only which kinds were searched and how many orders were found."""

from __future__ import annotations

import re
from collections.abc import Sequence

from console.pages import Page, page
from console.sessions import AGENT
from console.views import Request, Route
from console.views.orders import refused
from console.views.orders_words import WORDS
from orders.domain.manage_orders import search_orders
from orders.domain.order_lookups import normalise_phone
from orders.domain.ports import OrderQuery
from orders.models.api import ORDER_ID_PATTERN, ORDER_NUMBER_PATTERN
from orders.models.order import OrderRecord
from orders.models.reshipments import TRACKING_PATTERN
from shared.errors import ValidationFailed
from shared.observability import logger

MAX_QUERY = 80
RESULTS = 20
"""Orders per kind searched: a contact with more orders is better read on the customer page."""
ORDER_ID = re.compile(ORDER_ID_PATTERN)
ORDER_NUMBER = re.compile(ORDER_NUMBER_PATTERN)
TRACKING_NUMBER = re.compile(TRACKING_PATTERN)


NATIONAL_NUMBER = re.compile(r"^\(?[0-9][0-9 ()-]{5,19}$")


def national_phones(text: str, regions: Sequence[str]) -> list[str]:
    """The E.164 numbers a national number (no `+`) is valid as, in each region given, in order."""
    if not NATIONAL_NUMBER.match(text):
        return []
    found: list[str] = []
    for region in regions:
        try:
            e164 = normalise_phone(text, region)
        except ValueError:
            continue
        if e164 not in found:
            found.append(e164)
    return found


def search_kinds(text: str, phone_regions: Sequence[str] = ()) -> list[tuple[str, str]]:
    """What the text can be, each with the value searched: an `email`, a `phone`, or an order
    `number`, a `tracking` number and a national `phone` number of the regions given."""
    if "@" in text:
        return [("email", text)]
    if text.startswith("+"):
        return [("phone", text)]
    kinds = []
    if ORDER_NUMBER.match(text):
        kinds.append(("number", text))
    if TRACKING_NUMBER.match(text):
        kinds.append(("tracking", text))
    kinds.extend(("phone", e164) for e164 in national_phones(text, phone_regions))
    return kinds


def find_orders(request: Request, kind: str, text: str) -> list[OrderRecord]:
    services = request.services
    query = OrderQuery(limit=RESULTS)
    if kind == "tracking":
        query = OrderQuery(limit=RESULTS, tracking_number=text)
    found, _ = search_orders(
        query,
        services.orders,
        services.desk.hasher,
        phone=text if kind == "phone" else None,
        email=text if kind == "email" else None,
        order_number=text if kind == "number" else None,
    )
    return found


def _query_text(request: Request) -> str:
    raw = request.query.get("q") or ""
    text = raw.strip()[:MAX_QUERY]
    if raw[:1] == " " and text[:1].isdigit():  # a `+` sent unencoded in a query string reads as a space
        text = "+" + text
    return text


def search(request: Request) -> Page:
    text = _query_text(request)
    locale, services = request.locale, request.services
    if ORDER_ID.match(text) and services.orders.get(text) is not None:
        logger.info("console search", extra={"kinds": "order_id", "found": 1})
        return Page(303, "", locale, location=f"/console/orders/{text}?lang={locale}")
    kinds = search_kinds(text, services.desk.phone_regions)
    found: dict[str, OrderRecord] = {}
    for kind, value in kinds:
        try:
            orders = find_orders(request, kind, value)
        except ValidationFailed as error:  # not a valid phone: say why, as the API would
            return refused(request, error, "/console/today", "today")
        except LookupError:  # no contact-lookup key in this stack
            return _nothing(request, 503, "search_unavailable")
        for order in orders:
            found.setdefault(order.order_id, order)
    searched = ",".join(kind for kind, _ in kinds) or "none"
    logger.info("console search", extra={"kinds": searched, "found": len(found)})
    if not found:
        return _nothing(request, 404, "nothing_found")
    if len(found) == 1:
        [order_id] = found
        return Page(303, "", locale, location=f"/console/orders/{order_id}?lang={locale}")
    orders = sorted(found.values(), key=lambda order: order.created_at, reverse=True)
    return page(
        "search_results.html",
        200,
        request.operator,
        locale,
        services,
        "/console/search",
        "search_results",
        words=WORDS,
        orders=orders,
    )


def _nothing(request: Request, status: int, key: str) -> Page:
    return page(
        "message.html",
        status,
        request.operator,
        request.locale,
        request.services,
        "/console/today",
        "search_results",
        words=WORDS,
        message=WORDS[request.locale][key],
    )


ROUTES = (Route("GET", "search", (AGENT,), search),)
