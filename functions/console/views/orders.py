"""The order page and its actions (docs/console.md, "Orders, customers, search and stock"):

    GET  /console/orders/{order_id}            status, shipments with their carrier registration and
                                               checkpoints, messages sent, cases, returns, timeline
    POST /console/orders/{order_id}/cancel     orders.domain.manage_orders.cancel_order
    POST /console/orders/{order_id}/edit       orders.domain.edit_order (the shipping address)
    POST /console/orders/{order_id}/reship     orders.domain.reshipments.open_reshipment

Each action is the storefront's own domain function with the operator's name as its actor, so it is
on the order's timeline; the form's CSRF nonce is the Idempotency-Key (a resent form applies once).
A refusal (the domain's NotFound, Conflict or validation error) is a 4xx page that changed nothing;
success answers 303 to the order page with a notice."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError

from console.pages import Page, message_page, page
from console.sessions import AGENT
from console.views import Request, Route
from console.views.orders_words import WORDS
from orders.domain.edit_order import EDITABLE, edit_order
from orders.domain.lifecycle import can_move
from orders.domain.manage_orders import cancel_order
from orders.domain.reshipments import (
    ReshipmentAsked,
    eligible_reason,
    open_reshipment,
    reshipment_lines,
)
from orders.models.api import TimelineEntry
from orders.models.order import OrderRecord, OrderStatus
from orders.models.reshipments import OrderEditRequest
from shared.errors import Conflict, DomainError, NotFound, ValidationFailed
from shared.observability import logger

ADDRESS_FIELDS = ("name", "line1", "line2", "city", "region", "postal_code", "country")
CARRIER_ACTOR = "carrier:"


def plausible_id(text: str) -> bool:
    return 0 < len(text) <= 64 and all(c.isalnum() or c in "-_" for c in text)


def refused(request: Request, error: DomainError, back: str, back_key: str = "back_to_order") -> Page:
    """The domain's refusal as a page with its status (4xx): nothing was changed."""
    details = error.details if isinstance(error.details, list) else []
    issues = [
        f"{item.get('field', '')}: {item.get('issue', '')}" for item in details if isinstance(item, dict)
    ]
    return page(
        "orders_refused.html",
        error.http_status,
        request.operator,
        request.locale,
        request.services,
        back,
        "refused",
        words=WORDS,
        message=error.message,
        issues=issues,
        back=f"{back}?lang={request.locale}",
        back_key=back_key,
    )


def done_notice(request: Request) -> str | None:
    """The notice of a Post/Redirect/Get: `?done=<what>` names what the action did."""
    done = request.query.get("done") or ""
    return WORDS[request.locale].get(f"done_{done}") if done else None


def invalid(error: ValidationError) -> ValidationFailed:
    """A form's fields refused by the domain's own model, as the API would say it (no values)."""
    return ValidationFailed(
        "The form is not valid.",
        details=[
            {"field": ".".join(str(part) for part in issue["loc"]) or "form", "issue": issue["msg"]}
            for issue in error.errors(include_url=False, include_input=False)
        ],
    )


class _CaseCategories:
    """`OrderCases` (the reshipment rule's port) over the cases the page has already read."""

    def __init__(self, cases: Sequence[Any]) -> None:
        self._categories = [str(getattr(case, "category", "")) for case in cases]

    def categories(self, order_id: str) -> list[str]:
        return self._categories


QUANTITY_FIELD = "quantity."


def reshippable(order: OrderRecord, cases: Sequence[Any]) -> dict[str, int]:
    """The units per SKU `open_reshipment` would accept now (the reshipment rules themselves);
    empty when it would refuse the order."""
    try:
        eligible_reason(order, None, _CaseCategories(cases))
        return reshipment_lines(order, None)
    except Conflict:
        return {}


def checkpoints_by_shipment(order: OrderRecord) -> dict[str, list[TimelineEntry]]:
    """The carrier's checkpoints of each shipment, newest first, as the order's timeline has them."""
    found: dict[str, list[TimelineEntry]] = {}
    for entry in reversed(order.timeline):
        shipment_id = (entry.details or {}).get("shipment_id")
        if entry.by.startswith(CARRIER_ACTOR) and shipment_id is not None:
            found.setdefault(str(shipment_id), []).append(entry)
    return found


def order_page(request: Request) -> Page:
    order_id = request.segment(1) if len(request.parts) == 2 else ""
    services = request.services
    order = services.orders.get(order_id) if plausible_id(order_id) else None
    if order is None:
        return message_page(404, request.operator, request.locale, services, "not_found")
    cases = list(services.desk.cases.complaints_of_order(order_id))
    desk = services.desk
    reship_units = reshippable(order, cases) if desk.reshipment_ports is not None else {}
    actions = {
        "cancel": order.status != OrderStatus.CANCELLED and can_move(order.status, OrderStatus.CANCELLED),
        "edit": desk.edit_ports is not None and order.status in EDITABLE,
        "reship": bool(reship_units),
    }
    return page(
        "order.html",
        200,
        request.operator,
        request.locale,
        services,
        f"/console/orders/{order_id}",
        "title",
        words=WORDS,
        heading=order.order_number,
        notice=done_notice(request),
        order=order,
        notifications=services.notifications.entries(order_id),
        returns=services.returns.returns(order_id),
        cases=cases,
        checkpoints=checkpoints_by_shipment(order),
        actions=actions,
        address_fields=ADDRESS_FIELDS,
        address=order.shipping_address.model_dump(mode="json"),
        reship_units=list(reship_units.items()),
        item_names={item.sku: item.name for item in order.items},
    )


def _cancel(request: Request, order_id: str) -> None:
    services = request.services
    reason = request.field("reason", 200) or None
    cancel_order(
        order_id, reason, request.operator.username, services.orders, services.desk.stock, services.clock
    )


def _edit(request: Request, order_id: str) -> None:
    factory = request.services.desk.edit_ports
    if factory is None:
        raise NotFound("Order edits are not available here.", details={"order_id": order_id})
    address = {name: request.field(name, 200) for name in ADDRESS_FIELDS}
    address["country"] = address["country"].upper()
    try:
        body = OrderEditRequest.model_validate(
            {
                "shipping_address": {name: value for name, value in address.items() if value},
                "by": request.operator.username,
            }
        )
    except ValidationError as error:
        raise invalid(error) from None
    edit_order(order_id, body, request.field("nonce"), factory())


def _reship(request: Request, order_id: str) -> None:
    factory = request.services.desk.reshipment_ports
    if factory is None:
        raise NotFound("Reshipments are not available here.", details={"order_id": order_id})
    asked = ReshipmentAsked(
        lines=_reship_quantities(request),
        note=request.field("note", 500) or None,
        by=request.operator.username,
    )
    open_reshipment(order_id, asked, request.field("nonce"), factory())


def _reship_quantities(request: Request) -> list[tuple[str, int]] | None:
    """The units per SKU the form asks for (`quantity.<sku>`), the SKUs with none left out; None
    (every unit not reshipped yet) when the form names no SKU. The domain checks each against
    what is left to reship."""
    asked: list[tuple[str, int]] = []
    named = False
    for name in sorted(request.form or {}):
        if not name.startswith(QUANTITY_FIELD):
            continue
        named = True
        units = request.units(name)
        if units is None:
            raise ValidationFailed(
                "A quantity to reship is a whole number of units.",
                details=[{"field": f"form.{name}", "issue": "not a whole number"}],
            )
        if units:
            asked.append((name.removeprefix(QUANTITY_FIELD), units))
    if named and not asked:
        raise ValidationFailed(
            "Choose at least one unit to reship.",
            details=[{"field": "form.quantity", "issue": "every quantity is 0"}],
        )
    return asked if named else None


ACTIONS: dict[str, tuple[Callable[[Request, str], None], str]] = {
    "cancel": (_cancel, "cancelled"),
    "edit": (_edit, "edited"),
    "reship": (_reship, "reshipped"),
}


def order_action(request: Request) -> Page:
    order_id, action = request.segment(1), request.segment(2)
    chosen = ACTIONS.get(action) if len(request.parts) == 3 and plausible_id(order_id) else None
    if chosen is None:
        return message_page(404, request.operator, request.locale, request.services, "not_found")
    run, done = chosen
    try:
        run(request, order_id)
    except DomainError as error:
        logger.info(
            "console order action refused",
            extra={"order_id": order_id, "action": action, "code": error.code, "role": request.operator.role},
        )
        return refused(request, error, f"/console/orders/{order_id}")
    logger.info(
        "console order action", extra={"order_id": order_id, "action": action, "role": request.operator.role}
    )
    return Page(
        303, "", request.locale, location=f"/console/orders/{order_id}?lang={request.locale}&done={done}"
    )


ROUTES = (
    Route("GET", "orders", (AGENT,), order_page),
    Route("POST", "orders", (AGENT,), order_action),
)
