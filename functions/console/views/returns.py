"""The Returns pages (docs/console.md): the queue by status, one return with its lines, refund and
history, and its actions (approve, reject, receive per condition, refund) through the service
capability's return functions, as the storefront's return routes call them. An agent's refund above
the stage's `manager_refund_above` is refused (403) and changes nothing; a manager's goes through."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from console import pages
from console.pages import Page
from console.sessions import AGENT
from console.views import Request, Route
from console.views.area_messages import area_message, plausible_id
from console.views.returns_words import WORDS
from orders.models.order import OrderRecord
from service.domain.return_actions import (
    ReceivedLine,
    approve_return,
    computed_refund,
    receive_return,
    refund_return,
    return_queue,
)
from service.domain.returns import load_return, merged, move_return
from service.domain.rules import needs_manager
from service.models.records import Money, ReturnRecord, ReturnStatus
from shared.errors import DomainError, NotFound
from shared.observability import logger

QUEUE_PAGE = 25
TABS = ("requested", "approved", "received", "refunded", "rejected")
ACTIONS = ("approve", "reject", "receive", "refund")
WAITING_FOR_MONEY = frozenset({ReturnStatus.REQUESTED, ReturnStatus.APPROVED, ReturnStatus.RECEIVED})


def money_of(record: ReturnRecord) -> Money | None:
    """What the return pays or paid: refunded, else the refund approved, else the one expected."""
    if record.resolution != "refund":
        return None
    return record.refunded or record.refund or record.expected_refund


def waits_for_manager(request: Request, record: ReturnRecord) -> bool:
    """Whether the refund this return waits for is above the stage's approval threshold."""
    money = money_of(record)
    return (
        record.status in WAITING_FOR_MONEY
        and money is not None
        and needs_manager(request.services.after_sales.rules, Decimal(money.amount), money.currency)
    )


def _message(request: Request, status: int, key: str) -> Page:
    return area_message(request, status, key, WORDS, "/console/returns")


def queue(request: Request) -> Page:
    if len(request.parts) == 3:
        return detail(request)
    if len(request.parts) != 1:
        return _message(request, 404, "return_not_found")
    status = request.query.get("status") or "requested"
    cursor = request.query.get("cursor") or None
    if status not in TABS:
        return _message(request, 400, "bad_filter")
    try:
        found, next_cursor = return_queue(
            ReturnStatus(status), QUEUE_PAGE, cursor, request.services.after_sales.desk
        )
    except DomainError:  # a cursor this page did not give
        return _message(request, 400, "bad_filter")
    rows = [
        {"record": r, "money": money_of(r), "needs_manager": waits_for_manager(request, r)} for r in found
    ]
    return pages.page(
        "returns_queue.html",
        200,
        request.operator,
        request.locale,
        request.services,
        "/console/returns",
        "returns_heading",
        words=WORDS,
        language_query=f"&status={status}",
        tabs=TABS,
        current=status,
        rows=rows,
        next_cursor=next_cursor,
    )


def _order(request: Request, order_id: str) -> OrderRecord:
    order = request.services.orders.get(order_id) if plausible_id(order_id) else None
    if order is None:
        raise NotFound(f"Order {order_id} does not exist.", details={"order_id": order_id})
    return order


def detail(request: Request, status: int = 200, error: str | None = None) -> Page:
    order_id, return_id = request.segment(1), request.segment(2)
    after = request.services.after_sales
    try:
        order = _order(request, order_id)
        record = load_return(order_id, return_id, after.returns) if plausible_id(return_id) else None
    except NotFound:
        record = None
    if record is None:
        return _message(request, 404, "return_not_found")
    computed = None
    if record.resolution == "refund":
        computed = record.refund or computed_refund(order, record, after.returns, after.rules)
    done = request.query.get("done")
    notice = WORDS[request.locale][f"done_{done}"] if done in ACTIONS else None
    return pages.page(
        "returns_detail.html",
        status,
        request.operator,
        request.locale,
        request.services,
        f"/console/returns/{order_id}/{return_id}",
        "return_heading",
        words=WORDS,
        heading=f"{WORDS[request.locale]['return_heading']} {order.order_number}",
        notice=notice,
        error=error,
        order=order,
        record=record,
        units=sorted(merged(record.lines).items()),
        computed=computed,
        needs_manager=waits_for_manager(request, record),
    )


def act(request: Request) -> Page:
    """POST /console/returns/{order_id}/{return_id}/{action}: 303 back to the return when done."""
    order_id, return_id, action = request.segment(1), request.segment(2), request.segment(3)
    if (
        len(request.parts) != 4
        or action not in ACTIONS
        or not (plausible_id(order_id) and plausible_id(return_id))
    ):
        return _message(request, 404, "return_not_found")
    after = request.services.after_sales
    actor = request.operator.username
    key = f"console:{action}:{request.field('nonce')}"  # the form's nonce: a form sent twice acts once
    note = request.field("note") or None
    try:
        order = _order(request, order_id)
        record = load_return(order_id, return_id, after.returns)
        if action == "approve":
            approve_return(
                order,
                return_id,
                note,
                actor,
                key,
                after.returns,
                after.events,
                after.rules,
                request.services.clock,
            )
        elif action == "reject":
            if not note:
                return detail(request, 400, WORDS[request.locale]["reject_needs_reason"])
            move_return(
                order_id,
                return_id,
                "reject",
                note,
                actor,
                key,
                after.returns,
                after.events,
                request.services.clock,
            )
        elif action == "receive":
            lines = _received_lines(request, record)
            if lines is None:
                return detail(request, 400, WORDS[request.locale]["bad_counts"])
            receive_return(
                order_id,
                return_id,
                lines,
                note,
                actor,
                key,
                after.returns,
                after.desk,
                after.events,
                request.services.clock,
                after.replacements,
            )
        else:
            refused = _refund(request, order, record, key, note)
            if refused is not None:
                return refused
    except NotFound:
        return _message(request, 404, "return_not_found")
    except DomainError as problem:  # illegal move, receipt mismatch, refund amount: nothing changed
        return detail(request, problem.http_status, problem.message)
    logger.info(
        "console return action", extra={"order_id": order_id, "action": action, "role": request.operator.role}
    )
    return Page(
        303,
        "",
        request.locale,
        location=f"/console/returns/{order_id}/{return_id}?lang={request.locale}&done={action}",
    )


def _received_lines(request: Request, record: ReturnRecord) -> list[ReceivedLine] | None:
    """Per SKU of the return, the units that arrived resellable and damaged; None when a count is
    not a whole number (the domain checks that they add up to the return's units)."""
    lines = []
    for sku in sorted(merged(record.lines)):
        for condition in ("resellable", "damaged"):
            units = request.units(f"{condition}.{sku}")
            if units is None:
                return None
            if units:
                lines.append(ReceivedLine(sku, units, condition))  # type: ignore[arg-type]
    return lines


def _refund(
    request: Request, order: OrderRecord, record: ReturnRecord, key: str, note: str | None
) -> Page | None:
    after = request.services.after_sales
    text = request.field("amount", 20)
    reason = request.field("reason") or None
    try:
        amount = Decimal(text) if text else None
    except InvalidOperation:
        amount = None
    if text and (amount is None or not amount.is_finite() or amount <= 0):
        return detail(request, 400, WORDS[request.locale]["bad_amount"])
    computed = record.refund or (
        computed_refund(order, record, after.returns, after.rules) if record.resolution == "refund" else None
    )
    paid = amount if amount is not None else Decimal(computed.amount) if computed else Decimal(0)
    currency = computed.currency if computed else order.currency
    if not request.operator.is_manager and needs_manager(after.rules, paid, currency):
        logger.info("console refund needs a manager", extra={"order_id": order.order_id})
        return detail(request, 403, WORDS[request.locale]["needs_manager_refused"])
    refund_return(
        order,
        record.return_id,
        amount,
        reason,
        note,
        request.operator.username,
        key,
        after.returns,
        after.events,
        after.rules,
        request.services.clock,
    )
    return None


ROUTES = (
    Route("GET", "returns", (AGENT,), queue),
    Route("POST", "returns", (AGENT,), act),
)
