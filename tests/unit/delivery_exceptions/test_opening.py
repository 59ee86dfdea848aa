"""A shipment's delivery problem opens one exception per (order, shipment, reason) episode, due
after its reason's hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from delivery_exceptions.domain.opening import exception_for, raised_event
from delivery_exceptions.domain.rules import ExceptionRules
from delivery_exceptions.handlers.open_exceptions import open_exception
from delivery_exceptions.models.records import ExceptionReason, ExceptionStatus
from orders.domain.change_events import domain_events_for_change
from shared.domain_events import ShipmentExceptionRaised
from shared.errors import RetryableError
from tests.unit.delivery_exceptions.fakes import FakeExceptionStore

AT = "2026-11-24T10:00:00.000Z"
OPENED = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def shipment(status: str, reason: str | None = None, version: int = 3, **more: Any) -> dict[str, Any]:
    return {
        "entity": "shipment",
        "order_id": "ord_" + "a" * 24,
        "shipment_id": "shp_1",
        "tracking_number": "SF1234567890123",
        "carrier": "sf-express",
        "status": status,
        "status_reason": reason,
        "tracking_status": more.pop("tracking_status", "exception"),
        "tracking_version": version,
        **more,
    }


def record(event: ShipmentExceptionRaised) -> Any:
    return SimpleNamespace(body=SimpleNamespace(detail=event))


@pytest.mark.parametrize(
    ("status", "carrier_reason", "tracking_status", "reason", "hours"),
    [
        ("delivery_exception", "address_issue", "exception", ExceptionReason.ADDRESS_PROBLEM, 4),
        ("delivery_exception", "lost", "exception", ExceptionReason.LOST, 24),
        ("delivery_exception", "damaged", "exception", ExceptionReason.DAMAGED, 24),
        ("delivery_exception", "refused", "exception", ExceptionReason.REFUSED, 8),
        ("delivery_exception", "stalled", "delivery_exception", ExceptionReason.STALLED, 24),
        ("delivery_exception", "late", "delivery_exception", ExceptionReason.LATE, 24),
        ("delivery_exception", "recipient_unavailable", "attempt_fail", ExceptionReason.FAILED_ATTEMPT, 8),
        ("delivery_exception", None, "delivery_delayed", ExceptionReason.DELAYED, 48),
        ("delivery_exception", "something_new", "exception", ExceptionReason.OTHER, 24),
        ("returned_to_sender", "returned", "return_to_sender", ExceptionReason.RETURNED_TO_SENDER, 24),
    ],
)
def test_each_problem_opens_an_exception_due_after_its_reasons_hours(
    status: str, carrier_reason: str | None, tracking_status: str, reason: ExceptionReason, hours: int
) -> None:
    # Given a shipment in transit that runs into a problem
    old = shipment("in_transit", None, version=2, tracking_status="in_transit")
    new = shipment(status, carrier_reason, version=3, tracking_status=tracking_status)

    # When the change is dispatched and the event is opened
    event = raised_event(old, new, AT)
    assert event is not None
    exception = exception_for(event, ExceptionRules())

    # Then one open, unassigned exception is due after the reason's hours
    assert event.reason == reason.value and event.episode == 3
    assert exception.reason is reason and exception.status is ExceptionStatus.OPEN
    assert exception.assignee == "unassigned"
    assert exception.opened_at == AT
    assert exception.due_at == (OPENED + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert exception.carrier_reason == carrier_reason
    assert [entry.action for entry in exception.timeline] == ["opened"]


def test_due_hours_and_the_default_owner_are_configuration() -> None:
    rules = ExceptionRules.model_validate({"due_hours": {"lost": 2}, "default_assignee": "queue:logistics"})
    event = raised_event(None, shipment("delivery_exception", "lost"), AT)
    assert event is not None

    exception = exception_for(event, rules)

    assert exception.due_at == "2026-11-24T12:00:00.000Z" and exception.assignee == "queue:logistics"
    assert rules.hours_for(ExceptionReason.ADDRESS_PROBLEM) == 4  # not overridden: the default


def test_a_redelivered_change_opens_the_episode_once() -> None:
    store = FakeExceptionStore()
    old, new = shipment("in_transit", None, 2), shipment("delivery_exception", "lost", 3)
    first, again = raised_event(old, new, AT), raised_event(old, new, "2026-11-24T10:05:00.000Z")
    assert first is not None and again is not None
    assert first.event_id == again.event_id

    opened = [open_exception(record(e), store, ExceptionRules()) for e in (first, again, first)]

    assert len(set(opened)) == 1 and len(store.items) == 1
    assert store.items[opened[0]].opened_at == AT  # the first delivery's


def test_the_same_problem_going_on_opens_nothing_a_new_reason_or_a_new_episode_does() -> None:
    lost = shipment("delivery_exception", "lost", 3)
    assert raised_event(lost, shipment("delivery_exception", "lost", 4), AT) is None  # another scan
    damaged = raised_event(lost, shipment("delivery_exception", "damaged", 4), AT)
    assert damaged is not None and damaged.reason == "damaged"
    recovered = shipment("in_transit", None, 5, tracking_status="in_transit")
    again = raised_event(recovered, shipment("delivery_exception", "lost", 6), AT)
    first = raised_event(None, lost, AT)
    assert again is not None and first is not None and again.event_id != first.event_id


def test_changes_without_a_problem_open_nothing() -> None:
    assert raised_event(None, shipment("in_transit", None, tracking_status="in_transit"), AT) is None
    assert raised_event(None, shipment("delivered", None, tracking_status="delivered"), AT) is None
    assert raised_event(None, {"entity": "order", "status": "delivery_exception"}, AT) is None
    assert raised_event(None, None, AT) is None


def test_the_dispatcher_publishes_the_problem_as_a_domain_event() -> None:
    old, new = shipment("in_transit", None, 2), shipment("delivery_exception", "address_issue", 3)

    [event] = domain_events_for_change(old, new, "change-1", AT)

    assert isinstance(event, ShipmentExceptionRaised)
    assert event.event_id == f"{new['order_id']}:shp_1:address_problem:3"
    assert domain_events_for_change(new, {**new, "tracking_version": 4}, "change-2", AT) == []


def test_a_write_that_fails_is_retried_by_the_queue() -> None:
    store = FakeExceptionStore()
    event = raised_event(None, shipment("delivery_exception", "lost"), AT)
    assert event is not None
    store.refuse.add(exception_for(event, ExceptionRules()).exception_id)

    with pytest.raises(RetryableError):
        open_exception(record(event), store, ExceptionRules())
    assert store.items == {}
