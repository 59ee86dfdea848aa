"""Complaint cases: opening one (or adding to the order's open case of the category), priority from
rules, a response due time per priority, and an operations alert (once) for cases past their due
time. The moves of an opened case are `service.domain.cases`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from orders.models.order import OrderRecord, OrderStatus
from service.domain.case_events import opened_event
from service.domain.ports import (
    AlreadyExists,
    CaseAlreadyOpen,
    ComplaintQuery,
    ComplaintStore,
    CustomerEvents,
    MergeIntoCase,
    NewCase,
    OperationsAlerts,
    StaleWrite,
)
from service.domain.rules import ServiceRules, raise_priority
from service.models.records import (
    CaseEntry,
    ComplaintCategory,
    ComplaintRecord,
    ComplaintSource,
    ComplaintStatus,
    Priority,
)
from shared.clock import Clock, isoformat
from shared.derived_ids import derived_id
from shared.errors import Conflict, IdempotencyKeyReused, InvalidRequest, NotFound


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


def repeat_complaints(order: OrderRecord, store: ComplaintStore, since: str) -> int:
    """The customer's cases on OTHER orders opened since `since` (a second complaint about the
    same order is the same trouble, not a repeat complainant)."""
    return sum(
        1
        for case in store.complaints_of_customer(order.customer.id)
        if case.order_id != order.order_id and case.opened_at >= since
    )


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
    recent = repeat_complaints(order, store, since)
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


def opened_entry(case: ComplaintRecord) -> CaseEntry:
    return CaseEntry(
        type="opened",
        at=case.opened_at,
        by=case.source,
        text=case.description,
        status=ComplaintStatus.OPEN,
        entry_id=entry_id_for(case.complaint_id, "opened"),
        seq=1,
    )


def entry_id_for(complaint_id: str, what: str) -> str:
    return derived_id("ent_", f"{complaint_id}:{what}")


def merged_entry(
    description: str, source: ComplaintSource, now: datetime, key: str, request_hash: str | None
) -> CaseEntry:
    """A second complaint on the same order and category, added to the open case's timeline."""
    return CaseEntry(
        type="merged",
        at=isoformat(now),
        by=source,
        text=description,
        entry_id=derived_id("ent_", f"merged:{key}"),
        request_hash=request_hash,
    )


@dataclass(frozen=True)
class Opened:
    complaint: ComplaintRecord
    replayed: bool
    merged: bool = False  # added to the order's open case of the category (answered 200)
    timeline: tuple[CaseEntry, ...] = ()


def _replayed(stored: ComplaintRecord, entries: list[CaseEntry], request_hash: str | None) -> Opened:
    if stored.request_hash != request_hash:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used for a different complaint.",
            details={"complaint_id": stored.complaint_id},
        )
    return Opened(stored, replayed=True, timeline=tuple(entries))


def _merge_replay(holder: tuple[ComplaintRecord, list[CaseEntry]], entry: CaseEntry) -> Opened | None:
    case, entries = holder
    earlier = next((e for e in entries if e.entry_id == entry.entry_id), None)
    if earlier is None:
        return None
    if earlier.request_hash != entry.request_hash:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used for a different complaint.",
            details={"complaint_id": case.complaint_id},
        )
    return Opened(case, replayed=True, merged=True, timeline=tuple(entries))


OPEN_ATTEMPTS = 4


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
    events: CustomerEvents | None = None,
) -> Opened:
    """Open a case, or, while the order has an open case of the category (open, in_progress or
    reopened), add the description to that case's timeline and answer with it (`merged`). The
    order's open-case lock item makes this race-safe: two concurrent complaints cannot both open
    a case; the loser adds to the winner's. A retry with the same key answers the same."""
    if not idempotency_key:
        raise InvalidRequest(
            "Send an Idempotency-Key header.",
            details=[{"field": "header.idempotency-key", "issue": "required"}],
        )
    case_id = complaint_id_for(idempotency_key)
    for _ in range(OPEN_ATTEMPTS):
        now = clock.now()
        stored = store.case(case_id)
        if stored is not None:
            return _replayed(stored[0], stored[1], request_hash)
        merge = merged_entry(description, source, now, idempotency_key, request_hash)
        holder_id = store.open_case_for(order.order_id, category.value)
        if holder_id is not None:
            holder = store.case(holder_id)
            if holder is None:
                continue
            replay = _merge_replay(holder, merge)
            if replay is not None:
                return replay
            try:
                store.merge_into_case(MergeIntoCase(holder_id, order.order_id, category.value, merge))
            except StaleWrite:
                continue  # the case left its open statuses meanwhile: look again
            return Opened(holder[0], replayed=False, merged=True, timeline=(*holder[1], merge))
        case = new_complaint(
            complaint_id=case_id,
            order=order,
            category=category,
            description=description,
            source=source,
            store=store,
            rules=rules,
            now=now,
            request_hash=request_hash,
        )
        first = opened_entry(case)
        try:
            store.open_case(NewCase(case, first))
        except (AlreadyExists, CaseAlreadyOpen):
            continue  # a retry or a concurrent complaint won: answer as it did
        if events is not None:
            events.publish(opened_event(case))
        return Opened(case, replayed=False, timeline=(first,))
    raise Conflict(
        "The order's cases changed while this complaint was filed; send it again.",
        details={"order_id": order.order_id},
    )


def load_complaint(complaint_id: str, store: ComplaintStore) -> ComplaintRecord:
    complaint = store.complaint(complaint_id)
    if complaint is None:
        raise NotFound(f"Complaint {complaint_id} does not exist.", details={"complaint_id": complaint_id})
    return complaint


def load_case(complaint_id: str, store: ComplaintStore) -> tuple[ComplaintRecord, list[CaseEntry]]:
    found = store.case(complaint_id)
    if found is None:
        raise NotFound(f"Complaint {complaint_id} does not exist.", details={"complaint_id": complaint_id})
    return found


def complaint_queue(query: ComplaintQuery, store: ComplaintStore) -> tuple[list[ComplaintRecord], str | None]:
    return store.complaints(query)


def flag_overdue_complaints(
    store: ComplaintStore, alerts: OperationsAlerts, clock: Clock, page: int = 100
) -> int:
    """Alert operations once for every active case (open, in_progress, reopened) past its due time."""
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
