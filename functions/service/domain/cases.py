"""The moves of an opened case (docs/cases.md): assign, internal notes, replies to the customer,
resolve, close and reopen. Each lands on the case's timeline with who and when, in one
transaction with the case (conditional on its version) and, when the case enters or leaves its
open statuses, the order's open-case lock.

Status moves follow `case_states.TRANSITIONS`; a move the table does not allow is a 409
`illegal_transition` naming the current and the requested status. A retried request (same
Idempotency-Key for replies and notes; the same move by the same person for the others) answers
as the first did and sends no second message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from service.domain.case_events import reply_event, resolved_event
from service.domain.case_states import check_move, status_after_assign
from service.domain.complaints import derived_id, load_case
from service.domain.errors import CaseAlreadyOpenConflict
from service.domain.ports import CaseAlreadyOpen, ComplaintStore, CustomerEvents, LockMove, StaleWrite
from service.domain.rules import ServiceRules, raise_priority
from service.models.records import CaseEntry, CaseEntryType, ComplaintRecord, ComplaintStatus
from shared.clock import Clock, isoformat
from shared.errors import Conflict, IdempotencyKeyReused

Case = tuple[ComplaintRecord, list[CaseEntry]]
AnswerLinks = Callable[[str, datetime], str | None]
"""(complaint id, resolved time) -> the signed "was this resolved?" token, or None."""

NOT_RESOLVED_REASON = "customer_not_resolved"


def _entry(
    case: ComplaintRecord,
    kind: CaseEntryType,
    at: str,
    by: str,
    text: str | None = None,
    status: ComplaintStatus | None = None,
    entry_id: str | None = None,
    request_hash: str | None = None,
) -> CaseEntry:
    seq = case.version + 1
    return CaseEntry(
        type=kind,
        at=at,
        by=by,
        text=text,
        status=status,
        entry_id=entry_id or derived_id("ent_", f"{case.complaint_id}:v{seq}"),
        seq=seq,
        request_hash=request_hash,
    )


def _commit(
    store: ComplaintStore,
    case: ComplaintRecord,
    entries: list[CaseEntry],
    updates: dict[str, Any],
    entry: CaseEntry,
    lock: LockMove = None,
) -> Case:
    changed = case.model_copy(update={**updates, "version": case.version + 1})
    try:
        store.change_case(changed, case.version, entry, lock)
    except StaleWrite:
        raise Conflict(
            "The case changed at the same time; read it again and retry.",
            details={"complaint_id": case.complaint_id},
        ) from None
    except CaseAlreadyOpen as other:
        raise CaseAlreadyOpenConflict(
            f"Another case of this order and category is open: {other.complaint_id}.",
            details={"complaint_id": case.complaint_id, "open_complaint_id": other.complaint_id},
        ) from None
    return changed, [*entries, entry]


def _same_move_again(entries: list[CaseEntry], kind: CaseEntryType, by: str) -> bool:
    last = next((e for e in reversed(entries) if e.type not in ("note", "reply", "merged")), None)
    return last is not None and last.type == kind and last.by == by


def assign_case(complaint_id: str, assignee: str, by: str, store: ComplaintStore, clock: Clock) -> Case:
    """Give the case an owner; an open case moves to in_progress. Assigning the current owner again
    changes nothing (a retry)."""
    case, entries = load_case(complaint_id, store)
    status = status_after_assign(complaint_id, case.status)
    if case.assignee == assignee and status == case.status:
        return case, entries
    at = isoformat(clock.now())
    moved = status if status != case.status else None
    entry = _entry(case, "assigned", at, by, text=assignee, status=moved)
    return _commit(store, case, entries, {"assignee": assignee, "status": status}, entry)


def _keyed_entry(entries: list[CaseEntry], entry_id: str, request_hash: str) -> CaseEntry | None:
    earlier = next((e for e in entries if e.entry_id == entry_id), None)
    if earlier is not None and earlier.request_hash != request_hash:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used for a different request.", details={"entry_id": entry_id}
        )
    return earlier


def add_note(
    complaint_id: str,
    text: str,
    by: str,
    idempotency_key: str | None,
    request_hash: str,
    store: ComplaintStore,
    clock: Clock,
) -> tuple[Case, bool]:
    """An internal note: on the timeline only, never in a message or a customer page."""
    case, entries = load_case(complaint_id, store)
    entry_id = derived_id("ent_", f"{complaint_id}:note:{idempotency_key}") if idempotency_key else None
    if entry_id and _keyed_entry(entries, entry_id, request_hash):
        return (case, entries), True
    entry = _entry(
        case, "note", isoformat(clock.now()), by, text=text, entry_id=entry_id, request_hash=request_hash
    )
    return _commit(store, case, entries, {}, entry), False


def reply_to_customer(
    complaint_id: str,
    text: str,
    by: str,
    idempotency_key: str,
    request_hash: str,
    store: ComplaintStore,
    events: CustomerEvents,
    clock: Clock,
) -> tuple[Case, bool]:
    """A reply the customer receives as a message (the operator's words quoted). The first one is
    the case's `first_response_at`. A retry with the same key sends nothing new (the event is
    re-published with the same id, which the worker sends once)."""
    case, entries = load_case(complaint_id, store)
    entry_id = derived_id("ent_", f"{complaint_id}:reply:{idempotency_key}")
    earlier = _keyed_entry(entries, entry_id, request_hash)
    if earlier is not None:
        events.publish(reply_event(case, earlier))
        return (case, entries), True
    at = isoformat(clock.now())
    entry = _entry(case, "reply", at, by, text=text, entry_id=entry_id, request_hash=request_hash)
    updates = {"first_response_at": case.first_response_at or at}
    changed, timeline = _commit(store, case, entries, updates, entry)
    events.publish(reply_event(changed, entry))
    return (changed, timeline), False


def resolve_case(
    complaint_id: str,
    resolution: str,
    resolved_by: str,
    store: ComplaintStore,
    events: CustomerEvents,
    clock: Clock,
    answer_links: AnswerLinks | None = None,
) -> tuple[Case, bool]:
    """Record the resolution and tell the customer (with the "was this resolved?" link). The same
    resolution by the same person again answers as the first did; any other resolve of a resolved
    case is a 409 with the current status."""
    case, entries = load_case(complaint_id, store)
    if case.status == ComplaintStatus.RESOLVED and (case.resolution, case.resolved_by) == (
        resolution,
        resolved_by,
    ):
        events.publish(resolved_event(case, _token(answer_links, case)))
        return (case, entries), True
    check_move(complaint_id, case.status, ComplaintStatus.RESOLVED)
    at = isoformat(clock.now())
    updates = {
        "status": ComplaintStatus.RESOLVED,
        "resolution": resolution,
        "resolved_by": resolved_by,
        "resolved_at": at,
        "first_response_at": case.first_response_at or at,
    }
    entry = _entry(case, "resolved", at, resolved_by, text=resolution, status=ComplaintStatus.RESOLVED)
    changed, timeline = _commit(store, case, entries, updates, entry, lock="release")
    events.publish(resolved_event(changed, _token(answer_links, changed)))
    return (changed, timeline), False


def _token(answer_links: AnswerLinks | None, case: ComplaintRecord) -> str | None:
    if answer_links is None or not case.resolved_at:
        return None
    return answer_links(case.complaint_id, datetime.fromisoformat(case.resolved_at))


def _answer(case: ComplaintRecord, customer_answer: bool) -> dict[str, Any]:
    """The customer's answer to "was this resolved?" is recorded with the move it makes."""
    return {"answered_resolution": case.resolved_at} if customer_answer else {}


def close_case(
    complaint_id: str, by: str, store: ComplaintStore, clock: Clock, *, customer_answer: bool = False
) -> tuple[Case, bool]:
    """Close a resolved case (the customer agreed, or the operator is done with it)."""
    case, entries = load_case(complaint_id, store)
    if case.status == ComplaintStatus.CLOSED and _same_move_again(entries, "closed", by):
        return (case, entries), True
    check_move(complaint_id, case.status, ComplaintStatus.CLOSED)
    at = isoformat(clock.now())
    entry = _entry(case, "closed", at, by, status=ComplaintStatus.CLOSED)
    updates = {"status": ComplaintStatus.CLOSED, "closed_at": at, **_answer(case, customer_answer)}
    return _commit(store, case, entries, updates, entry), False


def reopen_case(
    complaint_id: str,
    by: str,
    reason: str | None,
    store: ComplaintStore,
    rules: ServiceRules,
    clock: Clock,
    *,
    raise_one_step: bool = False,
    customer_answer: bool = False,
) -> tuple[Case, bool]:
    """Reopen a resolved or closed case: it takes the order's open-case lock again (a 409
    `case_already_open` when another case of the order and category is open meanwhile) and a new
    due time from now. The customer's "not resolved" raises its priority one step first."""
    case, entries = load_case(complaint_id, store)
    if case.status == ComplaintStatus.REOPENED and _same_move_again(entries, "reopened", by):
        return (case, entries), True
    check_move(complaint_id, case.status, ComplaintStatus.REOPENED)
    now = clock.now()
    priority, reasons = case.priority, list(case.priority_reasons)
    if raise_one_step:
        priority = raise_priority(priority)
        reasons.append(NOT_RESOLVED_REASON)
    updates = {
        "status": ComplaintStatus.REOPENED,
        "priority": priority,
        "priority_reasons": reasons,
        "due_at": isoformat(now + timedelta(hours=rules.response_time_hours(priority))),
        "overdue": False,
        "reopen_count": case.reopen_count + 1,
        **_answer(case, customer_answer),
    }
    entry = _entry(case, "reopened", isoformat(now), by, text=reason, status=ComplaintStatus.REOPENED)
    return _commit(store, case, entries, updates, entry, lock="take"), False
