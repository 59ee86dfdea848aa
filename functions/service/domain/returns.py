"""Returns: requested within a window after delivery, never for more than was delivered, and moved
through their statuses one conditional write at a time; every status is an event for the customer.

    requested -> approved | rejected;  approved -> received -> refunded

The units in non-rejected returns are kept per order in one tally item, updated in the same
transaction as the return, so two concurrent requests cannot both claim the last unit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

from carriers.models.tracking import normalize_tracking_number
from orders.models.order import OrderRecord, OrderStatus
from service.domain.complaints import derived_id
from service.domain.errors import IllegalStatusChange, ReturnNotAllowed, ReturnQuantityExceeded
from service.domain.ports import AlreadyExists, CustomerEvents, ReturnStore, StaleWrite
from service.domain.refunds import refund_for, shipping_amount
from service.domain.rules import ServiceRules
from service.models.records import (
    ReturnHistoryEntry,
    ReturnLine,
    ReturnReasonCode,
    ReturnRecord,
    ReturnResolution,
    ReturnStatus,
)
from shared.clock import Clock, isoformat
from shared.errors import Conflict, IdempotencyKeyReused, InvalidRequest, NotFound
from shared.events import OrderEvent

R = ReturnStatus
TRANSITIONS: dict[ReturnStatus, frozenset[ReturnStatus]] = {
    R.REQUESTED: frozenset({R.APPROVED, R.REJECTED}),
    R.APPROVED: frozenset({R.RECEIVED}),
    R.RECEIVED: frozenset({R.REFUNDED}),
    R.REJECTED: frozenset(),
    R.REFUNDED: frozenset(),
}
ACTIONS: dict[str, ReturnStatus] = {
    "approve": R.APPROVED,
    "reject": R.REJECTED,
    "receive": R.RECEIVED,
    "refund": R.REFUNDED,
}
SHIPMENT_STATUSES = frozenset({R.APPROVED})
"""A return tracking number is registered once the return is approved (before it is received)."""


def return_id_for(order_id: str, idempotency_key: str) -> str:
    return derived_id("ret_", f"return:{order_id}:{idempotency_key}")


def return_shipment_id(return_id: str, tracking_number: str) -> str:
    return "rsh_" + hashlib.sha256(f"{return_id}/{tracking_number}".encode()).hexdigest()[:20]


def delivered_at(order: OrderRecord) -> datetime:
    """When the order became delivered: its own status move (not a carrier checkpoint's time)."""
    moves = [
        e for e in order.timeline if e.status == OrderStatus.DELIVERED and not e.by.startswith("carrier:")
    ]
    if not moves:
        moves = [e for e in order.timeline if e.status == OrderStatus.DELIVERED]
    at = moves[-1].at if moves else order.updated_at
    return datetime.fromisoformat(at)


def merged(lines: list[ReturnLine]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for line in lines:
        totals[line.sku] = totals.get(line.sku, 0) + line.quantity
    return totals


def check_returnable(
    order: OrderRecord, wanted: dict[str, int], already: dict[str, int], rules: ServiceRules, now: datetime
) -> None:
    if order.status != OrderStatus.DELIVERED:
        raise ReturnNotAllowed(
            f"Order {order.order_id} is {order.status.value}; only delivered orders can be returned.",
            details={"order_id": order.order_id, "current_status": order.status.value},
        )
    delivered = delivered_at(order)
    closes = delivered + timedelta(days=rules.return_window_days)
    if now > closes:
        raise ReturnNotAllowed(
            f"The return window closed {rules.return_window_days} days after delivery.",
            details={
                "order_id": order.order_id,
                "delivered_at": isoformat(delivered),
                "window_days": rules.return_window_days,
                "closed_at": isoformat(closes),
            },
        )
    bought = order.quantities_by_sku()
    problems = [
        {
            "sku": sku,
            "requested": quantity,
            "delivered": bought.get(sku, 0),
            "already_returned": already.get(sku, 0),
            "returnable": max(bought.get(sku, 0) - already.get(sku, 0), 0),
        }
        for sku, quantity in sorted(wanted.items())
        if quantity > bought.get(sku, 0) - already.get(sku, 0)
    ]
    if problems:
        raise ReturnQuantityExceeded(
            "A return cannot hold more than was delivered, minus what earlier returns hold.",
            details={"lines": problems},
        )


def return_event(record: ReturnRecord, note: str | None = None) -> OrderEvent:
    details = {
        "return_id": record.return_id,
        "status": record.status.value,
        "reason": record.reason_code.value if record.reason_code else record.reason,
        "lines": ", ".join(f"{sku} x{quantity}" for sku, quantity in merged(record.lines).items()),
        "resolution": record.resolution,
    }
    if note:
        details["note"] = note
    if record.tracking_number:
        details["tracking_number"] = record.tracking_number
    money = record.refunded or record.refund or record.expected_refund
    if money is not None and record.resolution == "refund":
        details["refund_amount"], details["refund_currency"] = money.amount, money.currency
    if record.reshipment_id:
        details["reshipment_id"] = record.reshipment_id
    return OrderEvent(
        event_id=f"{record.order_id}:return:{record.return_id}:{record.status.value}",
        event_type=f"return.{record.status.value}",
        order_id=record.order_id,
        status=record.status.value,
        occurred_at=record.updated_at,
        details=details,
    )


def request_hash_of(
    lines: dict[str, int], reason: str, reason_code: str | None = None, resolution: str = "refund"
) -> str:
    canonical = ";".join(f"{sku}={qty}" for sku, qty in sorted(lines.items())) + "|" + reason
    if reason_code is not None:  # requests before reason codes hashed lines and reason only
        canonical += f"|{reason_code}|{resolution}"
    return hashlib.sha256(canonical.encode()).hexdigest()


def request_return(
    order: OrderRecord,
    lines: list[ReturnLine],
    reason: str,
    idempotency_key: str | None,
    store: ReturnStore,
    events: CustomerEvents,
    rules: ServiceRules,
    clock: Clock,
    *,
    reason_code: ReturnReasonCode | None = None,
    resolution: ReturnResolution = "refund",
) -> tuple[ReturnRecord, bool]:
    """(the return, replayed). A retry with the same key and body returns the first answer.
    A refund return carries its `expected_refund` (docs/returns.md)."""
    if not idempotency_key:
        raise InvalidRequest(
            "Send an Idempotency-Key header.",
            details=[{"field": "header.idempotency-key", "issue": "required"}],
        )
    wanted = merged(lines)
    return_id = return_id_for(order.order_id, idempotency_key)
    code = ReturnReasonCode(reason_code) if reason_code is not None else None
    digest = request_hash_of(wanted, reason, code.value if code else None, resolution)
    existing = next((r for r in store.returns(order.order_id) if r.return_id == return_id), None)
    if existing is not None:
        return _replay(existing, digest, events), True
    tally, tally_version = store.returned_quantities(order.order_id)
    now = clock.now()
    check_returnable(order, wanted, tally, rules, now)
    at = isoformat(now)
    record = ReturnRecord(
        return_id=return_id,
        order_id=order.order_id,
        status=R.REQUESTED,
        lines=[ReturnLine(sku=sku, quantity=qty) for sku, qty in sorted(wanted.items())],
        reason=reason,
        reason_code=code,
        resolution=resolution,
        expected_refund=(
            refund_for(order, wanted, tally, rules, shipping_amount(order))
            if resolution == "refund"
            else None
        ),
        requested_at=at,
        updated_at=at,
        history=[ReturnHistoryEntry(status=R.REQUESTED, at=at, by="storefront")],
        request_hash=digest,
    )
    new_tally = {sku: tally.get(sku, 0) + wanted.get(sku, 0) for sku in sorted(set(tally) | set(wanted))}
    try:
        store.create_return(record, new_tally, tally_version)
    except AlreadyExists as exists:
        stored = exists.existing
        assert isinstance(stored, ReturnRecord)
        return _replay(stored, digest, events), True
    except StaleWrite:
        raise Conflict(
            "Another return for this order was requested at the same time; try again.",
            details={"order_id": order.order_id},
        ) from None
    events.publish(return_event(record))
    return record, False


def _replay(stored: ReturnRecord, digest: str, events: CustomerEvents) -> ReturnRecord:
    if stored.request_hash != digest:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used for a different return.", details={"return_id": stored.return_id}
        )
    if stored.status == R.REQUESTED:
        events.publish(return_event(stored))  # the first answer may not have sent it; same event id
    return stored


def load_return(order_id: str, return_id: str, store: ReturnStore) -> ReturnRecord:
    found = next((r for r in store.returns(order_id) if r.return_id == return_id), None)
    if found is None:
        raise NotFound(
            f"Return {return_id} of order {order_id} does not exist.",
            details={"order_id": order_id, "return_id": return_id},
        )
    return found


def move_return(
    order_id: str,
    return_id: str,
    action: str,
    note: str | None,
    actor: str,
    idempotency_key: str | None,
    store: ReturnStore,
    events: CustomerEvents,
    clock: Clock,
    changes: Callable[[ReturnRecord], dict[str, object]] | None = None,
) -> tuple[ReturnRecord, bool]:
    """Apply `action` (approve, reject, receive, refund). A retry with the Idempotency-Key of the
    move that got the return where it is answers the same; any other illegal move is a 409.
    `changes` gives the fields the move sets besides the status (from the return as read)."""
    target = ACTIONS[action]
    record = load_return(order_id, return_id, store)
    if record.status == target and idempotency_key and record.last_request_key == idempotency_key:
        events.publish(return_event(record, note))
        return record, True
    if target not in TRANSITIONS[record.status]:
        raise IllegalStatusChange("return", return_id, record.status.value, target.value)
    at = isoformat(clock.now())
    moved = record.model_copy(
        update={
            "status": target,
            "updated_at": at,
            "history": [*record.history, ReturnHistoryEntry(status=target, at=at, by=actor, note=note)],
            "version": record.version + 1,
            "last_request_key": idempotency_key,
            **(changes(record) if changes else {}),
        }
    )
    tally = None
    if target == R.REJECTED:  # the units become returnable again
        counts, version = store.returned_quantities(order_id)
        for line in record.lines:
            counts[line.sku] = max(counts.get(line.sku, 0) - line.quantity, 0)
        tally = (counts, version)
    try:
        store.update_return(moved, record.version, tally)
    except StaleWrite:
        current = load_return(order_id, return_id, store)
        raise IllegalStatusChange("return", return_id, current.status.value, target.value) from None
    events.publish(return_event(moved, note))
    return moved, False


def register_return_shipment(
    order_id: str,
    return_id: str,
    carrier: str,
    tracking_number: str,
    store: ReturnStore,
    clock: Clock,
) -> ReturnRecord:
    """Link the return parcel's tracking number to the order as a shipment with `direction:
    return`: carrier webhooks then record its checkpoints like any other; the order's own status
    does not follow it (see docs/returns.md)."""
    record = load_return(order_id, return_id, store)
    number = normalize_tracking_number(tracking_number)
    slug = carrier.strip().lower()
    if record.tracking_number:
        if record.tracking_number == number:
            return record  # registered again
        raise Conflict(
            "This return already has a tracking number.",
            details={"return_id": return_id, "tracking_number": record.tracking_number},
        )
    if record.status not in SHIPMENT_STATUSES:
        raise IllegalStatusChange("return", return_id, record.status.value, "shipped")
    at = isoformat(clock.now())
    updated = record.model_copy(
        update={"tracking_number": number, "carrier": slug, "updated_at": at, "version": record.version + 1}
    )
    shipment: dict[str, object] = {
        "shipment_id": return_shipment_id(return_id, number),
        "carrier": slug,
        "tracking_number": number,
        "lines": [line.model_dump() for line in record.lines],
        "status": "shipped",
        "created_at": at,
        "direction": "return",
        "return_id": return_id,
    }
    try:
        store.link_return_shipment(updated, record.version, shipment)
    except StaleWrite:
        raise Conflict(
            "The return changed meanwhile, or the tracking number already belongs to a shipment.",
            details={"return_id": return_id, "tracking_number": number},
        ) from None
    return updated
