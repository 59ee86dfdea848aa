"""Customer-service cases with fakes: the state table, merging into the order's open case (and its
race), the timeline, first responses, idempotent replies, reopening with a raised priority and the
customer's "was this resolved?" answer."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest

from service.domain.case_page import answer_case_question, show_case_question
from service.domain.case_states import TRANSITIONS, check_move
from service.domain.cases import (
    add_note,
    assign_case,
    close_case,
    reopen_case,
    reply_to_customer,
    resolve_case,
)
from service.domain.complaints import flag_overdue_complaints, open_complaint
from service.domain.errors import CaseAlreadyOpenConflict, IllegalStatusChange
from service.domain.feedback import FeedbackInput, submit_feedback
from service.domain.links import case_token
from service.domain.rules import ServiceRules
from service.models.records import ComplaintCategory, ComplaintStatus, FeedbackCategory, Priority
from shared.errors import IdempotencyKeyReused
from tests.fakes.orders import FrozenClock
from tests.unit.service.fakes import (
    DELIVERED_AT,
    InMemoryService,
    Orders,
    RecordingAlerts,
    RecordingEvents,
    delivered_order,
)

RULES = ServiceRules()
NOW = DELIVERED_AT + timedelta(days=1)
KEY = "test-link-key"
S = ComplaintStatus


def _open(store, order, key="k-1", category=ComplaintCategory.DAMAGE, description="Dented tin.", **kw):  # type: ignore[no-untyped-def]
    return open_complaint(
        order=order,
        category=category,
        description=description,
        source="storefront",
        idempotency_key=key,
        request_hash=f"{category}:{description}",
        store=store,
        rules=RULES,
        clock=kw.get("clock", FrozenClock(NOW)),
        events=kw.get("events"),
    )


# the state table --------------------------------------------------------------------------------


@pytest.mark.parametrize(("current", "requested"), list(itertools.product(S, S)))
def test_the_state_table_allows_exactly_its_moves(current: S, requested: S) -> None:
    allowed = {
        (S.OPEN, S.IN_PROGRESS),
        (S.OPEN, S.RESOLVED),
        (S.IN_PROGRESS, S.RESOLVED),
        (S.REOPENED, S.RESOLVED),
        (S.RESOLVED, S.CLOSED),
        (S.RESOLVED, S.REOPENED),
        (S.CLOSED, S.REOPENED),
    }
    assert (requested in TRANSITIONS[current]) == ((current, requested) in allowed)
    if (current, requested) in allowed:
        check_move("cmp_x", current, requested)
    else:
        with pytest.raises(IllegalStatusChange) as refused:
            check_move("cmp_x", current, requested)
        assert refused.value.details == {
            "complaint_id": "cmp_x",
            "current_status": current.value,
            "requested_status": requested.value,
        }
        assert refused.value.http_status == 409 and refused.value.code == "illegal_transition"


# opening and merging ----------------------------------------------------------------------------


def test_opening_tells_the_customer_with_the_due_time_and_a_second_complaint_merges() -> None:
    store, events, order = InMemoryService(), RecordingEvents(), delivered_order()
    first = _open(store, order, events=events)
    assert not first.merged and [e.type for e in first.timeline] == ["opened"]
    [opened] = events.sent
    assert opened.event_type == "complaint.opened" and opened.details["due_at"] == first.complaint.due_at

    second = _open(store, order, key="k-2", description="And the lid is broken.", events=events)
    assert second.merged and not second.replayed
    assert second.complaint.complaint_id == first.complaint.complaint_id
    assert [(e.type, e.text) for e in store.case(first.complaint.complaint_id)[1]] == [
        ("opened", "Dented tin."),
        ("merged", "And the lid is broken."),
    ]
    assert len(store.complaints_by_id) == 1 and len(events.sent) == 1  # no second "opened" message

    again = _open(store, order, key="k-2", description="And the lid is broken.")
    assert again.merged and again.replayed and len(store.entries[first.complaint.complaint_id]) == 2
    with pytest.raises(IdempotencyKeyReused):
        _open(store, order, key="k-2", description="Something else.")

    other = _open(store, order, key="k-3", category=ComplaintCategory.MISSING_ITEM)
    assert not other.merged and other.complaint.complaint_id != first.complaint.complaint_id


def test_a_resolved_case_no_longer_takes_merges() -> None:
    store, events, order = InMemoryService(), RecordingEvents(), delivered_order()
    first = _open(store, order)
    resolve_case(first.complaint.complaint_id, "Refunded.", "ops-1", store, events, FrozenClock(NOW))
    later = _open(store, order, key="k-2")
    assert not later.merged and later.complaint.complaint_id != first.complaint.complaint_id


def test_two_complaints_at_the_same_moment_open_one_case_the_other_merges() -> None:
    store, order = InMemoryService(), delivered_order()
    raced = []

    def a_concurrent_request_opens_first() -> None:  # between our lock read and our write
        if not raced:
            raced.append(_open(InMemoryServiceView(store), order, key="k-other", description="Other."))

    store.before_lock_read = a_concurrent_request_opens_first  # type: ignore[method-assign]
    ours = _open(store, order, key="k-ours", description="Ours.")

    assert ours.merged and ours.complaint.complaint_id == raced[0].complaint.complaint_id
    assert len(store.complaints_by_id) == 1
    assert [e.text for e in store.case(ours.complaint.complaint_id)[1]] == ["Other.", "Ours."]


class InMemoryServiceView:
    """The same store seen by another request (without the race hook)."""

    def __init__(self, store: InMemoryService) -> None:
        self._store = store

    def open_case_for(self, order_id: str, category: str) -> str | None:
        return self._store.locks.get((order_id, category))

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._store, name)


def test_repeat_complainant_counts_cases_on_other_orders_only() -> None:
    store = InMemoryService()
    order, other = delivered_order(), delivered_order("ord_" + "b" * 24)
    _open(store, order)
    same_order = _open(store, order, key="k-2", category=ComplaintCategory.MISSING_ITEM)
    assert "repeat_complainant" not in same_order.complaint.priority_reasons
    other_order = _open(store, other, key="k-3")
    assert "repeat_complainant" in other_order.complaint.priority_reasons
    assert other_order.complaint.priority == Priority.P1


def test_feedback_on_an_order_with_an_open_case_of_its_category_adds_to_it() -> None:
    store, order = InMemoryService(), delivered_order()
    opened = _open(store, order, category=ComplaintCategory.DAMAGE)
    feedback = submit_feedback(
        order,
        FeedbackInput(rating=1, nps=0, comment="Broken again", categories=[FeedbackCategory.DAMAGED]),
        "customer_link",
        store,
        RULES,
        FrozenClock(NOW),
    )
    assert feedback.complaint_id == opened.complaint.complaint_id
    assert [e.type for e in store.case(opened.complaint.complaint_id)[1]] == ["opened", "merged"]


# the moves and the timeline ---------------------------------------------------------------------


def test_assign_note_reply_resolve_close_each_land_on_the_timeline() -> None:
    store, events, order = InMemoryService(), RecordingEvents(), delivered_order()
    case_id = _open(store, order).complaint.complaint_id
    clock = FrozenClock(NOW + timedelta(hours=1))

    case, _ = assign_case(case_id, "ops-1", "lead-1", store, clock)
    assert case.status == S.IN_PROGRESS and case.assignee == "ops-1"
    assert assign_case(case_id, "ops-1", "lead-1", store, clock)[0].version == case.version  # a retry
    (case, _), _ = add_note(case_id, "Customer is a VIP; be generous.", "ops-1", None, "h", store, clock)
    clock.moment += timedelta(hours=1)
    (case, _), replayed = reply_to_customer(
        case_id, "A new tin is on its way.", "ops-1", "r-1", "h1", store, events, clock
    )
    assert not replayed and case.first_response_at == "2026-11-21T10:00:00.000Z"
    clock.moment += timedelta(hours=1)
    (case, _), _ = resolve_case(case_id, "Replaced.", "ops-1", store, events, clock)
    assert case.first_response_at == "2026-11-21T10:00:00.000Z"  # the reply came first
    (case, timeline), _ = close_case(case_id, "ops-1", store, clock)

    assert case.status == S.CLOSED and case.closed_at == case.resolved_at
    assert [(e.type, e.status) for e in timeline] == [
        ("opened", S.OPEN),
        ("assigned", S.IN_PROGRESS),
        ("note", None),
        ("reply", None),
        ("resolved", S.RESOLVED),
        ("closed", S.CLOSED),
    ]
    assert all(e.by for e in timeline) and timeline[1].by == "lead-1" and timeline[1].text == "ops-1"
    # the internal note is in no message
    assert [e.event_type for e in events.sent] == ["complaint.replied", "complaint.resolved"]
    assert not any("VIP" in str(e.model_dump()) for e in events.sent)
    with pytest.raises(IllegalStatusChange) as refused:
        assign_case(case_id, "ops-2", "lead-1", store, clock)
    assert refused.value.details["current_status"] == "closed"


def test_first_response_is_the_resolution_when_no_reply_came_before() -> None:
    store, events = InMemoryService(), RecordingEvents()
    case_id = _open(store, delivered_order()).complaint.complaint_id
    clock = FrozenClock(NOW + timedelta(hours=5))
    (case, _), _ = resolve_case(case_id, "Refunded.", "ops-1", store, events, clock)
    assert case.first_response_at == case.resolved_at == "2026-11-21T13:00:00.000Z"


def test_a_retried_reply_sends_no_second_message_and_a_reused_key_is_refused() -> None:
    store, events = InMemoryService(), RecordingEvents()
    case_id = _open(store, delivered_order()).complaint.complaint_id
    clock = FrozenClock(NOW)
    reply_to_customer(case_id, "On its way.", "ops-1", "r-1", "h1", store, events, clock)
    (_, timeline), replayed = reply_to_customer(
        case_id, "On its way.", "ops-1", "r-1", "h1", store, events, clock
    )
    assert replayed and [e.type for e in timeline].count("reply") == 1
    assert {e.event_id for e in events.sent} == {events.sent[0].event_id}  # the same id: one message
    with pytest.raises(IdempotencyKeyReused):
        reply_to_customer(case_id, "Different.", "ops-1", "r-1", "h2", store, events, clock)


def test_reopening_takes_the_lock_again_and_a_second_open_case_blocks_it() -> None:
    store, events, order = InMemoryService(), RecordingEvents(), delivered_order()
    case_id = _open(store, order).complaint.complaint_id
    clock = FrozenClock(NOW)
    resolve_case(case_id, "Replaced.", "ops-1", store, events, clock)
    other = _open(store, order, key="k-2").complaint.complaint_id
    with pytest.raises(CaseAlreadyOpenConflict) as refused:
        reopen_case(case_id, "ops-1", None, store, RULES, clock)
    assert refused.value.details["open_complaint_id"] == other
    resolve_case(other, "Done.", "ops-1", store, events, clock)
    (case, _), _ = reopen_case(case_id, "ops-1", "Still broken.", store, RULES, clock)
    assert case.status == S.REOPENED and store.locks[(order.order_id, "damage")] == case_id
    assert _open(store, order, key="k-3").complaint.complaint_id == case_id  # merges into it


def test_overdue_flagging_covers_in_progress_and_reopened_cases() -> None:
    store, events = InMemoryService(), RecordingEvents()
    working = _open(store, delivered_order()).complaint.complaint_id
    assign_case(working, "ops-1", "ops-1", store, FrozenClock(NOW))
    again = _open(store, delivered_order("ord_" + "c" * 24), key="k-2").complaint.complaint_id
    resolve_case(again, "Done.", "ops-1", store, events, FrozenClock(NOW))
    reopen_case(again, "ops-1", None, store, RULES, FrozenClock(NOW))
    alerts = RecordingAlerts()
    assert flag_overdue_complaints(store, alerts, FrozenClock(NOW + timedelta(days=4))) == 2
    assert {a[1]["complaint_id"] for a in alerts.sent} == {working, again}


# the customer's answer --------------------------------------------------------------------------


def _answer_page(store: InMemoryService, case_id: str, answer: str, clock: FrozenClock):  # type: ignore[no-untyped-def]
    order = delivered_order()
    token = case_token(KEY, case_id, int((clock.now() + timedelta(days=30)).timestamp()))
    shown = show_case_question(token, (KEY,), store, Orders(order), clock, "n" * 22)
    assert shown.status == 200
    if shown.template != "case_answer.html":
        return shown
    form = shown.context["form"]
    fields = {"nonce": [form.nonce], "issued": [str(form.issued)], "csrf": [form.csrf], "resolved": [answer]}
    return answer_case_question(token, fields, (KEY,), store, Orders(order), RULES, clock)


def test_not_resolved_reopens_with_a_raised_priority_and_a_new_due_time_once() -> None:
    store, events = InMemoryService(), RecordingEvents()
    opened = _open(store, delivered_order(), category=ComplaintCategory.DELIVERY_DELAY)
    assert opened.complaint.priority == Priority.P3
    clock = FrozenClock(NOW + timedelta(days=1))
    resolve_case(opened.complaint.complaint_id, "Sorry!", "ops-1", store, events, clock)

    page = _answer_page(store, opened.complaint.complaint_id, "no", clock)
    assert page.status == 200 and page.context["kind"] == "reopened"
    case, timeline = store.case(opened.complaint.complaint_id)
    assert case.status == S.REOPENED and case.priority == Priority.P2
    assert "customer_not_resolved" in case.priority_reasons
    assert datetime.fromisoformat(case.due_at) == clock.now() + timedelta(hours=24)
    assert timeline[-1].type == "reopened" and timeline[-1].by == "customer"

    again = _answer_page(store, opened.complaint.complaint_id, "no", clock)
    assert again.context["kind"] == "already"
    assert store.case(opened.complaint.complaint_id)[0].version == case.version  # nothing new


def test_resolved_yes_closes_and_a_tampered_form_changes_nothing() -> None:
    store, events = InMemoryService(), RecordingEvents()
    case_id = _open(store, delivered_order()).complaint.complaint_id
    clock = FrozenClock(NOW)
    resolve_case(case_id, "Replaced.", "ops-1", store, events, clock)
    token = case_token(KEY, case_id, int((NOW + timedelta(days=30)).timestamp()))
    forged = {"nonce": ["n" * 22], "issued": [str(int(NOW.timestamp()))], "csrf": ["x"], "resolved": ["no"]}
    refused = answer_case_question(token, forged, (KEY,), store, Orders(delivered_order()), RULES, clock)
    assert refused.status == 400 and store.case(case_id)[0].status == S.RESOLVED

    page = _answer_page(store, case_id, "yes", clock)
    assert page.context["kind"] == "closed" and store.case(case_id)[0].status == S.CLOSED
