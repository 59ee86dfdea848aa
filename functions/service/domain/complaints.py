"""Complaint tickets: priority from rules, a response due time per priority, one resolution, and
an operations alert (once) for tickets past their due time."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from orders.models.order import OrderRecord, OrderStatus
from service.domain.errors import IllegalStatusChange
from service.domain.ports import (
    AlreadyExists,
    ComplaintQuery,
    ComplaintStore,
    CustomerEvents,
    OperationsAlerts,
)
from service.domain.rules import ServiceRules, raise_priority
from service.models.records import (
    ComplaintCategory,
    ComplaintRecord,
    ComplaintSource,
    ComplaintStatus,
    Priority,
)
from shared.clock import Clock, isoformat
from shared.errors import IdempotencyKeyReused, InvalidRequest, NotFound
from shared.events import OrderEvent


def derived_id(prefix: str, key: str) -> str:
    digest = hashlib.sha256(key.encode()).digest()
    return prefix + base64.b32encode(digest).decode().lower()[:24]


def complaint_id_for(idempotency_key: str) -> str:
    return derived_id("cmp_", f"complaint:{idempotency_key}")


def feedback_complaint_id(order_id: str) -> str:
    """The one complaint a piece of feedback can open for an order."""
    return derived_id("cmp_", f"feedback:{order_id}")


@dataclass(frozen=True)
class PriorityDecision:
    priority: Priority
    reasons: list[str]


def complaint_priority(
    category: ComplaintCategory, order: OrderRecord, recent_complaints: int, rules: ServiceRules
) -> PriorityDecision:
    """The category's base priority, raised one step for each of: a high-value order, a customer
    who complained before within the repeat window, an open delivery exception on the order."""
    priority = rules.base_priority.get(category, Priority.P3)
    reasons = [f"category:{category.value}"]
    threshold = rules.high_value.get(order.currency)
    try:
        total = Decimal(order.total)
    except InvalidOperation:
        total = Decimal(0)
    if threshold is not None and total >= threshold:
        priority = raise_priority(priority)
        reasons.append("high_value_order")
    if recent_complaints > 0:
        priority = raise_priority(priority)
        reasons.append("repeat_complainant")
    if order.status == OrderStatus.DELIVERY_EXCEPTION:
        priority = raise_priority(priority)
        reasons.append("open_delivery_exception")
    return PriorityDecision(priority, reasons)


def new_complaint(
    *,
    complaint_id: str,
    order: OrderRecord,
    category: ComplaintCategory,
    description: str,
    source: ComplaintSource,
    store: ComplaintStore,
    rules: ServiceRules,
    now: datetime,
    request_hash: str | None = None,
) -> ComplaintRecord:
    since = isoformat(now - timedelta(days=rules.repeat_window_days))
    recent = store.recent_complaint_count(order.customer.id, since)
    decision = complaint_priority(category, order, recent, rules)
    return ComplaintRecord(
        complaint_id=complaint_id,
        order_id=order.order_id,
        customer_id=order.customer.id,
        category=category,
        description=description,
        priority=decision.priority,
        priority_reasons=decision.reasons,
        status=ComplaintStatus.OPEN,
        opened_at=isoformat(now),
        due_at=isoformat(now + timedelta(hours=rules.response_time_hours(decision.priority))),
        source=source,
        request_hash=request_hash,
    )


@dataclass(frozen=True)
class Opened:
    complaint: ComplaintRecord
    replayed: bool


def open_complaint(
    *,
    order: OrderRecord,
    category: ComplaintCategory,
    description: str,
    source: ComplaintSource,
    idempotency_key: str | None,
    request_hash: str,
    store: ComplaintStore,
    rules: ServiceRules,
    clock: Clock,
) -> Opened:
    if not idempotency_key:
        raise InvalidRequest(
            "Send an Idempotency-Key header.",
            details=[{"field": "header.idempotency-key", "issue": "required"}],
        )
    complaint = new_complaint(
        complaint_id=complaint_id_for(idempotency_key),
        order=order,
        category=category,
        description=description,
        source=source,
        store=store,
        rules=rules,
        now=clock.now(),
        request_hash=request_hash,
    )
    try:
        store.create_complaint(complaint)
    except AlreadyExists as exists:
        stored = exists.existing
        assert isinstance(stored, ComplaintRecord)
        if stored.request_hash != request_hash:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was used for a different complaint.",
                details={"complaint_id": stored.complaint_id},
            ) from None
        return Opened(stored, replayed=True)
    return Opened(complaint, replayed=False)


def load_complaint(complaint_id: str, store: ComplaintStore) -> ComplaintRecord:
    complaint = store.complaint(complaint_id)
    if complaint is None:
        raise NotFound(f"Complaint {complaint_id} does not exist.", details={"complaint_id": complaint_id})
    return complaint


def resolved_event(complaint: ComplaintRecord) -> OrderEvent:
    return OrderEvent(
        event_id=f"{complaint.complaint_id}:resolved",
        event_type="complaint.resolved",
        order_id=complaint.order_id,
        status=ComplaintStatus.RESOLVED.value,
        occurred_at=complaint.resolved_at or complaint.opened_at,
        details={
            "complaint_id": complaint.complaint_id,
            "category": complaint.category.value,
            "resolution": complaint.resolution or "",
        },
    )


def resolve_complaint(
    complaint_id: str,
    resolution: str,
    resolved_by: str,
    store: ComplaintStore,
    events: CustomerEvents,
    clock: Clock,
) -> tuple[ComplaintRecord, bool]:
    """Record the resolution once and tell the customer. A retry of the same resolution (same
    text and resolver) answers as the first did and re-sends the same event (the worker
    deduplicates it by event id); any other second resolve is a 409 with the current status."""
    complaint = load_complaint(complaint_id, store)
    if complaint.status == ComplaintStatus.RESOLVED:
        if complaint.resolution == resolution and complaint.resolved_by == resolved_by:
            events.publish(resolved_event(complaint))
            return complaint, True
        raise IllegalStatusChange("complaint", complaint_id, complaint.status.value, "resolved")
    resolved = complaint.model_copy(
        update={
            "status": ComplaintStatus.RESOLVED,
            "resolution": resolution,
            "resolved_by": resolved_by,
            "resolved_at": isoformat(clock.now()),
        }
    )
    if not store.resolve_complaint(resolved):
        current = load_complaint(complaint_id, store)
        raise IllegalStatusChange("complaint", complaint_id, current.status.value, "resolved")
    events.publish(resolved_event(resolved))
    return resolved, False


def complaint_queue(query: ComplaintQuery, store: ComplaintStore) -> tuple[list[ComplaintRecord], str | None]:
    return store.complaints(query)


def flag_overdue_complaints(
    store: ComplaintStore, alerts: OperationsAlerts, clock: Clock, page: int = 100
) -> int:
    """Alert operations once for every open complaint past its due time."""
    flagged = 0
    while True:
        due = store.due_complaints(isoformat(clock.now()), page)
        for complaint in due:
            if not store.mark_overdue(complaint):
                continue
            alerted = False
            try:
                alerts.alert(
                    f"ordertrack: complaint overdue ({complaint.priority.value})",
                    {
                        "complaint_id": complaint.complaint_id,
                        "order_id": complaint.order_id,
                        "category": complaint.category.value,
                        "priority": complaint.priority.value,
                        "due_at": complaint.due_at,
                    },
                )
                alerted = True
            finally:
                if not alerted:  # the next run alerts again: never a silent loss
                    store.unmark_overdue(complaint)
            flagged += 1
        if len(due) < page:
            return flagged
