"""Working a delivery exception: assign it, contact the customer, wait for the carrier, reship,
refund, resolve. Every action is on the exception's timeline with who and when.

Actions are idempotent by their `Idempotency-Key` (kept on the timeline entry with the request's
hash): a retry answers as the first did and publishes the same customer event again (the
notification worker sends one message per event id); the same key with another body is a 422.
Writes are conditional on the exception's version and retried from a fresh read when an operator's
concurrent change won.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from delivery_exceptions.domain.errors import ExceptionClosed, InvalidDueTime, RefundNotAllowed
from delivery_exceptions.domain.opening import derived_id
from delivery_exceptions.domain.ports import (
    CustomerEvents,
    ExceptionQuery,
    ExceptionStore,
    OrderLookup,
    Replacements,
)
from delivery_exceptions.models.records import (
    ExceptionEntry,
    ExceptionRecord,
    ExceptionStatus,
    Refund,
)
from shared.clock import Clock, isoformat
from shared.errors import Conflict, IdempotencyKeyReused, NotFound

S = ExceptionStatus
SAVE_ATTEMPTS = 3


@dataclass(frozen=True)
class Action:
    """A validated action request (`delivery_exceptions.models.api.ActionRequest`)."""

    action: str
    by: str
    message: str | None = None
    until: datetime | None = None
    lines: list[tuple[str, int]] | None = None
    amount: str | None = None
    currency: str | None = None
    note: str | None = None


@dataclass
class Services:
    """What the actions reach beyond the exception store."""

    orders: OrderLookup
    events: CustomerEvents
    replacements: Callable[[], Replacements]  # resolved only when a reship is asked for


def load_exception(exception_id: str, store: ExceptionStore) -> ExceptionRecord:
    found = store.exception(exception_id)
    if found is None:
        raise NotFound(f"Exception {exception_id} does not exist.", details={"exception_id": exception_id})
    return found


def exception_queue(query: ExceptionQuery, store: ExceptionStore) -> tuple[list[ExceptionRecord], str | None]:
    return store.queue(query)


def _save_with_retry(
    exception_id: str, store: ExceptionStore, change: Callable[[ExceptionRecord], ExceptionRecord | None]
) -> ExceptionRecord:
    """Apply `change` to the stored exception and save it; `change` returns None when there is
    nothing to write (a replay). Retried from a fresh read when a concurrent write won."""
    for _ in range(SAVE_ATTEMPTS):
        current = load_exception(exception_id, store)
        updated = change(current)
        if updated is None:
            return current
        if store.save(updated.model_copy(update={"version": current.version + 1}), current.version):
            return updated.model_copy(update={"version": current.version + 1})
    raise Conflict(
        f"Exception {exception_id} changed while this was applied; try again.",
        details={"exception_id": exception_id},
    )


def assign_exception(
    exception_id: str, assignee: str, by: str, store: ExceptionStore, clock: Clock
) -> ExceptionRecord:
    """Give the exception an owner; an open one is then in progress. Assigning the owner it has
    again changes nothing."""

    def change(current: ExceptionRecord) -> ExceptionRecord | None:
        if not current.active:
            raise ExceptionClosed(exception_id, current.status.value, "assign")
        if current.assignee == assignee:
            return None
        entry = ExceptionEntry(
            action="assigned",
            by=by,
            at=isoformat(clock.now()),
            details={"from": current.assignee, "to": assignee},
        )
        status = S.IN_PROGRESS if current.status is S.OPEN else current.status
        return current.model_copy(
            update={"assignee": assignee, "status": status, "timeline": [*current.timeline, entry]}
        )

    return _save_with_retry(exception_id, store, change)


def _event_suffix(idempotency_key: str) -> str:
    return derived_id("", idempotency_key)[:16]


def contact_event(exception: ExceptionRecord, entry: ExceptionEntry) -> Any:
    from shared.events import OrderEvent

    return OrderEvent(
        event_id=f"{exception.exception_id}:contact:{_event_suffix(entry.idempotency_key or entry.at)}",
        event_type="exception.customer_contacted",
        order_id=exception.order_id,
        status=exception.status.value,
        occurred_at=entry.at,
        details={
            "exception_id": exception.exception_id,
            "reason": exception.reason.value,
            "shipment_id": exception.shipment_id,
            "note": str(entry.details.get("message") or ""),
        },
    )


def refund_event(exception: ExceptionRecord, entry: ExceptionEntry) -> Any:
    from shared.events import OrderEvent

    details = {
        "exception_id": exception.exception_id,
        "reason": exception.reason.value,
        "shipment_id": exception.shipment_id,
        "refund_amount": str(entry.details["amount"]),
        "refund_currency": str(entry.details["currency"]),
    }
    return OrderEvent(
        event_id=f"{exception.exception_id}:refund:{_event_suffix(entry.idempotency_key or entry.at)}",
        event_type="exception.refunded",
        order_id=exception.order_id,
        status=exception.status.value,
        occurred_at=entry.at,
        details=details,
    )


EVENTS = {"contact_customer": contact_event, "refund": refund_event}


def _refund_amount(exception: ExceptionRecord, action: Action, services: Services) -> tuple[str, str]:
    order = services.orders.get(exception.order_id)
    if order is None:
        raise NotFound(
            f"Order {exception.order_id} does not exist.", details={"order_id": exception.order_id}
        )
    currency = action.currency or order.currency
    if currency != order.currency:
        raise RefundNotAllowed(
            f"Refunds of this order are in {order.currency}.",
            details={"currency": currency, "order_currency": order.currency},
        )
    try:
        amount, total = Decimal(action.amount or ""), Decimal(order.total)
    except InvalidOperation:
        raise RefundNotAllowed(
            "The amount is not a decimal number.", details={"amount": action.amount}
        ) from None
    refunded = sum((Decimal(refund.amount) for refund in exception.refunds), Decimal(0))
    if amount <= 0 or amount + refunded > total:
        raise RefundNotAllowed(
            "A refund is more than 0 and at most the order total, less what this exception refunded already.",
            details={
                "amount": action.amount,
                "order_total": order.total,
                "refunded": str(refunded),
                "currency": currency,
            },
        )
    return str(amount), currency


def _act_on(
    current: ExceptionRecord,
    action: Action,
    idempotency_key: str,
    request_hash: str,
    services: Services,
    now: datetime,
) -> ExceptionRecord:
    """The exception after the action (pure but for the reshipment port, which is idempotent)."""
    at = isoformat(now)
    details: dict[str, Any] = {}
    update: dict[str, Any] = {}
    status = S.IN_PROGRESS if current.status is S.OPEN else current.status
    if action.note:
        details["note"] = action.note
    match action.action:
        case "contact_customer":
            details["message"] = action.message
        case "wait_for_carrier":
            assert action.until is not None
            if action.until <= now:
                raise InvalidDueTime(
                    "`until` must be in the future.",
                    details=[{"field": "body.until", "issue": "not in the future"}],
                )
            due = isoformat(action.until)
            details.update(until=due, previous_due_at=current.due_at)
            status = S.WAITING_CARRIER
            update.update(due_at=due, overdue_alerted_at=None)  # a new due time may raise a new alert
        case "reship":
            reshipment = services.replacements().replace(
                current.order_id,
                action.lines,
                reason="exception",
                by=action.by,
                idempotency_key=f"{current.exception_id}:{idempotency_key}",
            )
            details["reshipment_id"] = reshipment
            update["reshipment_ids"] = [*current.reshipment_ids, reshipment]
        case "refund":
            amount, currency = _refund_amount(current, action, services)
            details.update(amount=amount, currency=currency)
            refund = Refund(amount=amount, currency=currency, at=at, by=action.by)
            update["refunds"] = [*current.refunds, refund]
        case "resolve":
            status = S.RESOLVED
            update["resolved_at"] = at
    entry = ExceptionEntry(
        action=action.action,
        by=action.by,
        at=at,
        details=details,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
    )
    return current.model_copy(update={**update, "status": status, "timeline": [*current.timeline, entry]})


def act_on_exception(
    exception_id: str,
    action: Action,
    idempotency_key: str,
    request_hash: str,
    store: ExceptionStore,
    services: Services,
    clock: Clock,
) -> tuple[ExceptionRecord, bool]:
    """Apply the action once; returns the exception and whether this was a replay."""
    replayed = False

    def change(current: ExceptionRecord) -> ExceptionRecord | None:
        nonlocal replayed
        earlier = next((e for e in current.timeline if e.idempotency_key == idempotency_key), None)
        if earlier is not None:
            if earlier.request_hash != request_hash:
                raise IdempotencyKeyReused(
                    "This Idempotency-Key was used for a different action.",
                    details={"exception_id": exception_id, "action": earlier.action},
                )
            replayed = True
            return None
        if not current.active:
            raise ExceptionClosed(exception_id, current.status.value, action.action)
        return _act_on(current, action, idempotency_key, request_hash, services, clock.now())

    exception = _save_with_retry(exception_id, store, change)
    entry = next(e for e in exception.timeline if e.idempotency_key == idempotency_key)
    make_event = EVENTS.get(entry.action)
    if make_event is not None:  # after the write; a replay sends the same event id again
        services.events.publish(make_event(exception, entry))
    return exception, replayed
