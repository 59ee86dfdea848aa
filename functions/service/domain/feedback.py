"""Delivery feedback: once per order, changeable for a while, and a complaint for unhappy customers.

- The survey link (purpose `feedback`) is valid until its expiry; after the first submission it
  accepts changes for `feedback_edit_days`, then says it has expired.
- A rating at or below `low_rating_max`, or a comment with a complaint category, opens a complaint
  ticket, once per order (its id is derived from the order id), in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from orders.models.order import OrderRecord, OrderStatus
from service.domain.case_events import opened_event
from service.domain.complaints import feedback_complaint_id, merged_entry, new_complaint, opened_entry
from service.domain.errors import IllegalStatusChange, LinkExpired
from service.domain.ports import (
    ComplaintStore,
    CustomerEvents,
    FeedbackStore,
    MergeIntoCase,
    NewCase,
    OrderLookup,
    StaleWrite,
)
from service.domain.rules import ServiceRules
from service.models.records import (
    ComplaintCategory,
    ComplaintRecord,
    FeedbackCategory,
    FeedbackRecord,
    FeedbackSource,
)
from shared.clock import Clock, isoformat
from shared.errors import Conflict, NotFound

COMPLAINT_CATEGORIES: dict[FeedbackCategory, ComplaintCategory] = {
    FeedbackCategory.LATE: ComplaintCategory.DELIVERY_DELAY,
    FeedbackCategory.DAMAGED: ComplaintCategory.DAMAGE,
    FeedbackCategory.WRONG_ITEM: ComplaintCategory.WRONG_ITEM,
    FeedbackCategory.COURIER_BEHAVIOUR: ComplaintCategory.SERVICE_ATTITUDE,
}
"""Feedback categories that are complaints (`other` is not, on its own)."""


@dataclass(frozen=True)
class FeedbackInput:
    rating: int
    nps: int | None
    comment: str
    categories: list[FeedbackCategory]


class FeedbackStoreWithComplaints(FeedbackStore, ComplaintStore):
    pass


def editable_until(feedback: FeedbackRecord, rules: ServiceRules) -> datetime:
    return datetime.fromisoformat(feedback.submitted_at) + timedelta(days=rules.feedback_edit_days)


def check_still_open(existing: FeedbackRecord | None, rules: ServiceRules, now: datetime) -> None:
    if existing is not None and now >= editable_until(existing, rules):
        raise LinkExpired(
            "This feedback was submitted more than "
            f"{rules.feedback_edit_days} days ago and can no longer be changed.",
            details={"submitted_at": existing.submitted_at},
        )


def opens_complaint(entry: FeedbackInput, rules: ServiceRules) -> ComplaintCategory | None:
    """The complaint category this feedback opens a ticket in, or None."""
    complained = [COMPLAINT_CATEGORIES[c] for c in entry.categories if c in COMPLAINT_CATEGORIES]
    if entry.comment.strip() and complained:
        return complained[0]
    if entry.rating <= rules.low_rating_max:
        return complained[0] if complained else ComplaintCategory.OTHER
    return None


def _complaint_description(entry: FeedbackInput) -> str:
    text = entry.comment.strip()
    summary = f"Delivery rated {entry.rating}/5 in feedback."
    if entry.categories:
        summary += " Categories: " + ", ".join(c.value for c in entry.categories) + "."
    return f"{summary}\n{text}" if text else summary


def submit_feedback(
    order: OrderRecord,
    entry: FeedbackInput,
    source: FeedbackSource,
    store: FeedbackStoreWithComplaints,
    rules: ServiceRules,
    clock: Clock,
    events: CustomerEvents | None = None,
) -> FeedbackRecord:
    """Store the feedback (or change it within the edit window) and open its complaint once (or,
    while the order has an open case of that category, add the feedback to that case)."""
    if order.status != OrderStatus.DELIVERED:
        raise IllegalStatusChange("order", order.order_id, order.status.value, "feedback")
    now = clock.now()
    existing = store.feedback(order.order_id)
    check_still_open(existing, rules, now)
    at = isoformat(now)
    write: NewCase | MergeIntoCase | None = None
    complaint_id = existing.complaint_id if existing else None
    category = opens_complaint(entry, rules)
    if category is not None and complaint_id is None:
        description = _complaint_description(entry)
        holder = store.open_case_for(order.order_id, category.value)
        if holder is not None:
            merge = merged_entry(description, "feedback", now, f"feedback:{order.order_id}", None)
            write = MergeIntoCase(holder, order.order_id, category.value, merge)
            complaint_id = holder
        else:
            complaint: ComplaintRecord = new_complaint(
                complaint_id=feedback_complaint_id(order.order_id),
                order=order,
                category=category,
                description=description,
                source="feedback",
                store=store,
                rules=rules,
                now=now,
            )
            write = NewCase(complaint, opened_entry(complaint))
            complaint_id = complaint.complaint_id
    feedback = FeedbackRecord(
        order_id=order.order_id,
        rating=entry.rating,
        nps=entry.nps,
        comment=entry.comment,
        categories=entry.categories,
        source=source,
        submitted_at=existing.submitted_at if existing else at,
        updated_at=at,
        complaint_id=complaint_id,
    )
    try:
        store.save_feedback(feedback, existing, write)
    except StaleWrite:
        raise Conflict(
            "The feedback was changed at the same time; reload and try again.",
            details={"order_id": order.order_id},
        ) from None
    if isinstance(write, NewCase) and events is not None:
        events.publish(opened_event(write.case))
    return feedback


def load_order(order_id: str, orders: OrderLookup) -> OrderRecord:
    order = orders.get(order_id)
    if order is None:
        raise NotFound(f"Order {order_id} does not exist.", details={"order_id": order_id})
    return order
