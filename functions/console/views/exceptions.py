"""The Exceptions pages (docs/console.md): the delivery-exception queue (soonest due first, filters,
cursor paging, owner and a countdown to the due time), one exception with its order, shipment,
reason and timeline, and its actions through `delivery_exceptions.domain.work` as the storefront's
exception routes call it (the same edge model, the form's nonce as the Idempotency-Key). An agent's
refund above the stage's `manager_refund_above` is refused (403) and changes nothing."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from console import pages
from console.pages import Page
from console.sessions import AGENT
from console.views import Request, Route
from console.views.area_messages import area_message, plausible_id
from console.views.exceptions_words import WORDS
from delivery_exceptions.domain.ports import ExceptionQuery
from delivery_exceptions.domain.work import (
    Services,
    act_on_exception,
    assign_exception,
    exception_queue,
    load_exception,
)
from delivery_exceptions.models.api import ActionRequest
from delivery_exceptions.models.records import ExceptionReason, ExceptionRecord, ExceptionStatus
from service.domain.rules import needs_manager
from shared.clock import isoformat
from shared.errors import DomainError, NotFound
from shared.observability import logger

QUEUE_PAGE = 25
STATUSES = tuple(status.value for status in ExceptionStatus)
REASONS = tuple(reason.value for reason in ExceptionReason)
ACTIONS = ("assign", "contact_customer", "wait_for_carrier", "reship", "refund", "resolve")
MAX_WAIT_HOURS = 240
CSRF_FIELDS = frozenset({"nonce", "issued", "csrf"})


def countdown(due_at: str, now: datetime, locale: str) -> tuple[str, bool]:
    """('in 3 h 20 min' | 'overdue by 1 h 5 min', overdue) in the page's language."""
    due = datetime.fromisoformat(due_at.replace("Z", "+00:00"))
    left = due - now
    overdue = left < timedelta(0)
    minutes = int(abs(left).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    words = WORDS[locale]
    span = (
        f"{days} {words['unit_d']} " if days else ""
    ) + f"{hours} {words['unit_h']} {minutes} {words['unit_min']}"
    return (words["overdue_by"] if overdue else words["due_in"]).format(span=span), overdue


def _message(request: Request, status: int, key: str) -> Page:
    return area_message(request, status, key, WORDS, "/console/exceptions")


def queue(request: Request) -> Page:
    if len(request.parts) == 2:
        return detail(request)
    if len(request.parts) != 1:
        return _message(request, 404, "exception_not_found")
    q = request.query
    status, reason = q.get("status") or "", q.get("reason") or ""
    mine, overdue = q.get("mine") == "1", q.get("overdue") == "1"
    if (status and status not in STATUSES) or (reason and reason not in REASONS):
        return _message(request, 400, "bad_filter")
    now = request.services.clock.now()
    query = ExceptionQuery(
        status=status or None,
        reason=reason or None,
        assignee=request.operator.username if mine else None,
        overdue=True if overdue else None,
        now=isoformat(now),
        limit=QUEUE_PAGE,
        cursor=q.get("cursor") or None,
    )
    try:
        found, next_cursor = exception_queue(query, request.services.after_sales.exceptions)
    except DomainError:  # a cursor this page did not give
        return _message(request, 400, "bad_filter")
    rows = [{"item": e, "countdown": countdown(e.due_at, now, request.locale)} for e in found]
    filters = "".join(
        f"&{name}={value}"
        for name, value in (("status", status), ("reason", reason), ("mine", "1" if mine else ""))
        if value
    ) + ("&overdue=1" if overdue else "")
    return pages.page(
        "exceptions_queue.html",
        200,
        request.operator,
        request.locale,
        request.services,
        "/console/exceptions",
        "exceptions_heading",
        words=WORDS,
        language_query=filters,
        statuses=STATUSES,
        reasons=REASONS,
        chosen={"status": status, "reason": reason, "mine": mine, "overdue": overdue},
        rows=rows,
        filters=filters,
        next_cursor=next_cursor,
    )


def detail(request: Request, status: int = 200, error: str | None = None) -> Page:
    exception_id = request.segment(1)
    after = request.services.after_sales
    try:
        if not plausible_id(exception_id):
            raise NotFound("no such exception")
        item = load_exception(exception_id, after.exceptions)
    except NotFound:
        return _message(request, 404, "exception_not_found")
    order = request.services.orders.get(item.order_id)
    now = request.services.clock.now()
    done = request.query.get("done")
    refunded = sum((Decimal(r.amount) for r in item.refunds), Decimal(0))
    return pages.page(
        "exceptions_detail.html",
        status,
        request.operator,
        request.locale,
        request.services,
        f"/console/exceptions/{exception_id}",
        "exception_heading",
        words=WORDS,
        notice=WORDS[request.locale][f"done_{done}"] if done in ACTIONS else None,
        error=error,
        item=item,
        order=order,
        countdown=countdown(item.due_at, now, request.locale),
        refunded=refunded,
        needs_manager_above=_threshold(request, order.currency if order else None),
    )


def _threshold(request: Request, currency: str | None) -> str | None:
    limits = request.services.after_sales.rules.manager_refund_above
    if limits is None or currency is None or request.operator.is_manager:
        return None
    limit = limits.get(currency)
    return f"{limit} {currency}" if limit is not None else f"0 {currency}"


def act(request: Request) -> Page:
    """POST /console/exceptions/{id}/{action}: 303 back to the exception when done."""
    exception_id, action = request.segment(1), request.segment(2)
    if len(request.parts) != 3 or action not in ACTIONS or not plausible_id(exception_id):
        return _message(request, 404, "exception_not_found")
    after = request.services.after_sales
    clock = request.services.clock
    words = WORDS[request.locale]
    try:
        current = load_exception(exception_id, after.exceptions)
        if action == "assign":
            assignee = request.field("assignee", 200)
            if not assignee:
                return detail(request, 400, words["assignee_needed"])
            assign_exception(exception_id, assignee, request.operator.username, after.exceptions, clock)
        else:
            body = _action_body(request, current, action)
            if body is None:
                return detail(request, 400, words[f"bad_{action}"])
            if action == "refund" and _refused(request, current, body):
                logger.info("console refund needs a manager", extra={"exception_id": exception_id})
                return detail(request, 403, words["needs_manager_refused"])
            _act(request, exception_id, body)
    except NotFound:
        return _message(request, 404, "exception_not_found")
    except DomainError as problem:  # closed, refund not allowed, reshipment refused: nothing changed
        return detail(request, problem.http_status, problem.message)
    logger.info("console exception action", extra={"exception_id": exception_id, "action": action})
    return Page(
        303,
        "",
        request.locale,
        location=f"/console/exceptions/{exception_id}?lang={request.locale}&done={action}",
    )


def _action_body(request: Request, current: ExceptionRecord, action: str) -> ActionRequest | None:
    """The storefront's edge model of the action from the form; None when a field is not valid."""
    body: dict[str, Any] = {"action": action, "by": request.operator.username}
    note = request.field("note") or None
    if action == "contact_customer":
        body["message"] = request.field("message") or None
    elif action == "wait_for_carrier":
        hours = request.field("hours", 4)
        if not hours.isdigit() or not 1 <= int(hours) <= MAX_WAIT_HOURS:
            return None
        body.update(until=isoformat(request.services.clock.now() + timedelta(hours=int(hours))), note=note)
    elif action == "reship":
        order = request.services.orders.get(current.order_id)
        lines = []
        for sku in sorted(order.quantities_by_sku()) if order else []:
            text = request.field(f"reship.{sku}", 4) or "0"
            if not text.isdigit():
                return None
            if int(text):
                lines.append({"sku": sku, "quantity": int(text)})
        if not lines:
            return None
        body.update(lines=lines, note=note)
    elif action == "refund":
        body.update(amount=request.field("amount", 20) or None, note=note)
    else:
        body["note"] = note
    try:
        return ActionRequest.model_validate(body)
    except ValidationError:
        return None


def _refused(request: Request, current: ExceptionRecord, body: ActionRequest) -> bool:
    if request.operator.is_manager:
        return False
    order = request.services.orders.get(current.order_id)
    if order is None:
        return False  # the domain answers 404
    return needs_manager(request.services.after_sales.rules, Decimal(body.amount or "0"), order.currency)


def _act(request: Request, exception_id: str, body: ActionRequest) -> None:
    after = request.services.after_sales
    # the form as posted (not the computed `until`): the same form sent again hashes the same
    posted = {name: request.fields(name) for name in sorted(request.form or {}) if name not in CSRF_FIELDS}
    request_hash = hashlib.sha256(
        json.dumps({"action": body.action, **posted}, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    services = Services(orders=request.services.orders, events=after.events, replacements=after.replacements)
    key = f"console:{body.action}:{request.field('nonce')}"  # the form's nonce: a form sent twice acts once
    act_on_exception(
        exception_id, body.to_action(), key, request_hash, after.exceptions, services, request.services.clock
    )


ROUTES = (
    Route("GET", "exceptions", (AGENT,), queue),
    Route("POST", "exceptions", (AGENT,), act),
)
