"""What the customer hears about a case: events for the notification worker (docs/cases.md).

Internal notes are never put in an event: only the description's category, the due time, the
operator's reply to the customer and the resolution text leave customer service.
Every event id is deterministic, so a retried request re-sends the same id and the worker sends
one message."""

from __future__ import annotations

from service.models.records import CaseEntry, ComplaintRecord, ComplaintStatus
from shared.events import OrderEvent


def opened_event(case: ComplaintRecord) -> OrderEvent:
    return OrderEvent(
        event_id=f"{case.complaint_id}:opened",
        event_type="complaint.opened",
        order_id=case.order_id,
        status=ComplaintStatus.OPEN.value,
        occurred_at=case.opened_at,
        details={"complaint_id": case.complaint_id, "category": case.category.value, "due_at": case.due_at},
    )


def reply_event(case: ComplaintRecord, reply: CaseEntry) -> OrderEvent:
    return OrderEvent(
        event_id=f"{case.complaint_id}:reply:{reply.entry_id}",
        event_type="complaint.replied",
        order_id=case.order_id,
        status=case.status.value,
        occurred_at=reply.at,
        details={
            "complaint_id": case.complaint_id,
            "category": case.category.value,
            "reply": reply.text or "",
        },
    )


def resolved_event(case: ComplaintRecord, answer_token: str | None = None) -> OrderEvent:
    """`case_token` (purpose `case`) lets the customer say whether it is resolved. A case resolved
    again after a reopening gets an event of its own (the id counts the reopenings)."""
    details = {
        "complaint_id": case.complaint_id,
        "category": case.category.value,
        "resolution": case.resolution or "",
    }
    if answer_token:
        details["case_token"] = answer_token
    suffix = f":{case.reopen_count}" if case.reopen_count else ""
    return OrderEvent(
        event_id=f"{case.complaint_id}:resolved{suffix}",
        event_type="complaint.resolved",
        order_id=case.order_id,
        status=ComplaintStatus.RESOLVED.value,
        occurred_at=case.resolved_at or case.opened_at,
        details=details,
    )
