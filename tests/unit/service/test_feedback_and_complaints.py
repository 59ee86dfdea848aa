"""Feedback windows, automatic complaints, priority rules and the overdue sweep, with fakes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from service.domain.cases import resolve_case
from service.domain.complaints import (
    complaint_priority,
    feedback_complaint_id,
    flag_overdue_complaints,
    open_complaint,
)
from service.domain.errors import IllegalStatusChange, LinkExpired, LinkNotFound
from service.domain.feedback import FeedbackInput, submit_feedback
from service.domain.feedback_page import show_feedback_form, submit_feedback_form
from service.domain.links import feedback_token, verify_link
from service.domain.rules import ServiceRules
from service.models.records import ComplaintCategory, FeedbackCategory, Priority
from service.pages import render_page
from shared.errors import IdempotencyKeyReused
from shared.links import TRACK, UNSUBSCRIBE, sign
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
KEY = "test-link-key"
KEYS = (KEY,)
NOW = DELIVERED_AT + timedelta(days=1)


def entry(
    rating: int = 5, comment: str = "", categories: list[FeedbackCategory] | None = None
) -> FeedbackInput:
    return FeedbackInput(rating=rating, nps=9, comment=comment, categories=categories or [])


def token_for(order_id: str, days: int = 30) -> str:
    return feedback_token(KEY, order_id, int((DELIVERED_AT + timedelta(days=days)).timestamp()))


# links ------------------------------------------------------------------------------------------


def test_a_tampered_token_is_not_found_and_an_expired_one_says_so() -> None:
    order = delivered_order()
    token = token_for(order.order_id)
    assert verify_link(KEYS, token, int(NOW.timestamp())).order_id == order.order_id
    with pytest.raises(LinkNotFound):
        verify_link(KEYS, token[:-1] + ("A" if token[-1] != "A" else "B"), int(NOW.timestamp()))
    with pytest.raises(LinkNotFound):
        verify_link(("other-key",), token, int(NOW.timestamp()))
    with pytest.raises(LinkExpired):
        verify_link(KEYS, token, int((DELIVERED_AT + timedelta(days=31)).timestamp()))
    # a tracking link is not a feedback link, unless the caller accepts both
    track = sign(KEY, order.order_id, TRACK)
    with pytest.raises(LinkNotFound):
        verify_link(KEYS, track, int(NOW.timestamp()))
    assert verify_link(KEYS, track, int(NOW.timestamp()), ("feedback", TRACK)).purpose == TRACK
    # nor is an email's unsubscribe link, though it expires like one
    unsubscribe = sign(KEY, order.order_id, UNSUBSCRIBE, expires_at=int(NOW.timestamp()) + 3600)
    with pytest.raises(LinkNotFound):
        verify_link(KEYS, unsubscribe, int(NOW.timestamp()))


# feedback ---------------------------------------------------------------------------------------


def test_feedback_is_stored_once_and_changeable_for_seven_days() -> None:
    order, store = delivered_order(), InMemoryService()
    first = submit_feedback(order, entry(4), "customer_link", store, RULES, FrozenClock(NOW))
    # Given a second submission within the window, then it updates and keeps the first time
    later = FrozenClock(NOW + timedelta(days=6, hours=23))
    second = submit_feedback(order, entry(5, "great"), "customer_link", store, RULES, later)
    assert second.submitted_at == first.submitted_at and second.rating == 5
    assert len(store.feedbacks) == 1
    # When the window is over, the change is refused and nothing is written
    writes = store.writes
    with pytest.raises(LinkExpired):
        submit_feedback(order, entry(1), "customer_link", store, RULES, FrozenClock(NOW + timedelta(days=7)))
    assert store.writes == writes and store.feedbacks[order.order_id].rating == 5


def test_feedback_needs_a_delivered_order() -> None:
    order = delivered_order(status="in_transit")
    with pytest.raises(IllegalStatusChange) as refused:
        submit_feedback(order, entry(), "storefront", InMemoryService(), RULES, FrozenClock(NOW))
    assert refused.value.details["current_status"] == "in_transit"


@pytest.mark.parametrize(
    ("rating", "comment", "categories", "expected"),
    [
        (1, "", [], ComplaintCategory.OTHER),
        (2, "", [FeedbackCategory.LATE], ComplaintCategory.DELIVERY_DELAY),
        (5, "box crushed", [FeedbackCategory.DAMAGED], ComplaintCategory.DAMAGE),
        (4, "", [FeedbackCategory.DAMAGED], None),  # a category without a comment, rated well
        (3, "nice courier", [FeedbackCategory.OTHER], None),
        (5, "", [], None),
    ],
)
def test_low_ratings_and_complaint_comments_open_one_complaint(
    rating: int, comment: str, categories: list[FeedbackCategory], expected: ComplaintCategory | None
) -> None:
    order, store = delivered_order(), InMemoryService()
    feedback = submit_feedback(
        order, entry(rating, comment, categories), "customer_link", store, RULES, FrozenClock(NOW)
    )
    if expected is None:
        assert not store.complaints_by_id and feedback.complaint_id is None
        return
    [complaint] = store.complaints_by_id.values()
    assert complaint.category == expected and complaint.source == "feedback"
    assert feedback.complaint_id == complaint.complaint_id == feedback_complaint_id(order.order_id)
    # a second (changed) submission does not open another one
    submit_feedback(order, entry(1, "still bad", categories), "customer_link", store, RULES, FrozenClock(NOW))
    assert len(store.complaints_by_id) == 1


def test_the_form_page_escapes_comments_and_speaks_the_order_language() -> None:
    order, store = delivered_order(), InMemoryService()
    orders, token = Orders(order), token_for(order.order_id)
    page = submit_feedback_form(
        token,
        {"rating": ["2"], "comment": ["<script>alert(1)</script>"], "categories": ["late"]},
        KEYS,
        orders,
        store,
        RULES,
        FrozenClock(NOW),
    )
    html = render_page(page)
    assert page.status == 200 and page.locale == "zh-CN"
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert 'lang="zh-CN"' in html
    shown = render_page(show_feedback_form(token, KEYS, orders, store, RULES, FrozenClock(NOW)))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in shown and "checked" in shown


@pytest.mark.parametrize(
    "fields",
    [
        {"rating": ["6"]},
        {"rating": ["0"]},
        {"rating": ["x"]},
        {},
        {"rating": ["5"], "nps": ["11"]},
        {"rating": ["5"], "comment": ["x" * 2001]},
        {"rating": ["5"], "categories": ["bribery"]},
    ],
)
def test_bad_form_input_is_a_400_page_and_writes_nothing(fields: dict[str, list[str]]) -> None:
    order, store = delivered_order(), InMemoryService()
    page = submit_feedback_form(
        token_for(order.order_id), fields, KEYS, Orders(order), store, RULES, FrozenClock(NOW)
    )
    assert page.status == 400 and page.context["errors"]
    assert store.writes == 0
    assert 'role="alert"' in render_page(page)


def test_tampered_and_expired_links_get_their_pages() -> None:
    order, store = delivered_order(), InMemoryService()
    token = token_for(order.order_id, days=2)
    tampered = show_feedback_form(token + "x", KEYS, Orders(order), store, RULES, FrozenClock(NOW))
    assert tampered.status == 404 and order.order_id not in render_page(tampered)
    expired = show_feedback_form(
        token, KEYS, Orders(order), store, RULES, FrozenClock(NOW + timedelta(days=2))
    )
    assert expired.status == 410
    post = submit_feedback_form(
        token, {"rating": ["5"]}, KEYS, Orders(order), store, RULES, FrozenClock(NOW + timedelta(days=3))
    )
    assert post.status == 410 and store.writes == 0


# complaints -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "total", "recent", "status", "expected"),
    [
        (ComplaintCategory.OTHER, "100.00", 0, "delivered", Priority.P3),
        (ComplaintCategory.DAMAGE, "100.00", 0, "delivered", Priority.P2),
        (ComplaintCategory.DAMAGE, "1000.00", 0, "delivered", Priority.P1),
        (ComplaintCategory.DELIVERY_DELAY, "100.00", 1, "delivered", Priority.P2),
        (ComplaintCategory.DELIVERY_DELAY, "100.00", 0, "delivery_exception", Priority.P2),
        (ComplaintCategory.DELIVERY_DELAY, "5000.00", 3, "delivery_exception", Priority.P1),
    ],
)
def test_priority_rules(
    category: ComplaintCategory, total: str, recent: int, status: str, expected: Priority
) -> None:
    order = delivered_order(total=total, status=status)
    assert complaint_priority(category, order, recent, RULES).priority == expected


def test_a_complaint_is_created_once_per_key_due_by_its_priority_and_resolved_once() -> None:
    order, store, events = delivered_order(), InMemoryService(), RecordingEvents()
    clock = FrozenClock(NOW)

    def create(description: str = "box arrived crushed"):
        return open_complaint(
            order=order,
            category=ComplaintCategory.DAMAGE,
            description=description,
            source="storefront",
            idempotency_key="k-1",
            request_hash=description,
            store=store,
            rules=RULES,
            clock=clock,
        )

    opened = create()
    assert create().replayed and len(store.complaints_by_id) == 1
    with pytest.raises(IdempotencyKeyReused):
        create("something else")
    complaint = opened.complaint
    assert complaint.priority == Priority.P2
    assert datetime.fromisoformat(complaint.due_at) == NOW + timedelta(hours=24)

    (resolved, _), replayed = resolve_case(
        complaint.complaint_id, "Refunded", "ops-lin", store, events, clock
    )
    assert resolved.status == "resolved" and not replayed
    (again, _), replayed = resolve_case(complaint.complaint_id, "Refunded", "ops-lin", store, events, clock)
    assert replayed and again.resolved_at == resolved.resolved_at
    with pytest.raises(IllegalStatusChange) as refused:
        resolve_case(complaint.complaint_id, "Something else", "ops-lin", store, events, clock)
    assert refused.value.details["current_status"] == "resolved"
    assert {e.event_id for e in events.sent} == {f"{complaint.complaint_id}:resolved"}
    assert events.sent[0].event_type == "complaint.resolved"
    assert events.sent[0].details["resolution"] == "Refunded"


def test_overdue_complaints_alert_once_and_retry_when_the_alert_fails() -> None:
    order, store = delivered_order(), InMemoryService()
    opened = open_complaint(
        order=order,
        category=ComplaintCategory.OTHER,
        description="?",
        source="storefront",
        idempotency_key="k",
        request_hash="h",
        store=store,
        rules=RULES,
        clock=FrozenClock(NOW),
    )
    late = FrozenClock(NOW + timedelta(hours=73))
    assert flag_overdue_complaints(store, RecordingAlerts(), FrozenClock(NOW + timedelta(hours=71))) == 0
    with pytest.raises(ConnectionError):
        flag_overdue_complaints(store, RecordingAlerts(fail=True), late)
    assert not store.complaints_by_id[opened.complaint.complaint_id].overdue
    alerts = RecordingAlerts()
    assert flag_overdue_complaints(store, alerts, late) == 1
    assert flag_overdue_complaints(store, alerts, late) == 0
    assert len(alerts.sent) == 1 and alerts.sent[0][1]["complaint_id"] == opened.complaint.complaint_id
    assert store.complaints_by_id[opened.complaint.complaint_id].overdue


def test_rules_are_configurable() -> None:
    rules = ServiceRules.model_validate({"response_hours": {"p3": 1}, "feedback_edit_days": 1})
    assert rules.response_time_hours(Priority.P3) == 1 and rules.feedback_edit_days == 1
