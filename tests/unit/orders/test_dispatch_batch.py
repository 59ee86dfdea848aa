"""A stream batch planned record by record, sent together, and the undone records reported."""

from __future__ import annotations

from collections.abc import Sequence

from orders.domain.dispatch import Destination
from orders.domain.dispatch_batch import Change, plan, send
from shared.domain_events import DomainEvent
from shared.events import OrderEvent


def order(order_id: str, status: str, version: int) -> dict[str, object]:
    return {
        "entity": "order",
        "order_id": order_id,
        "status": status,
        "version": version,
        "created_at": "2026-11-24T10:00:00.000Z",
        "updated_at": "2026-11-24T10:00:00.000Z",
        "customer": {"id": "c1"},
        "total": "10.00",
        "currency": "CNY",
        "items": [],
    }


def placed(n: int) -> Change:
    return Change(
        f"seq-{n}", None, order(f"ord_{n}", "received", 1), f"change-{n}", "2026-11-24T10:00:00.000Z"
    )


def confirmed(n: int) -> Change:
    return Change(
        f"seq-{n}",
        order(f"ord_{n}", "received", 1),
        order(f"ord_{n}", "confirmed", 2),
        f"change-{n}",
        "2026-11-24T10:00:01.000Z",
    )


class Sender:
    def __init__(self, refuse: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.sent: list[object] = []
        self.refuse = refuse

    def publish_all(self, items: Sequence[object]) -> dict[int, str]:
        self.sent.extend(items)
        refused = {}
        for index, item in enumerate(items):
            event = item[1] if isinstance(item, tuple) else item
            if isinstance(event, OrderEvent | DomainEvent) and event.order_id in self.refuse:
                refused[index] = "InternalError"
        return refused


def test_every_record_is_planned_and_sent_in_one_go() -> None:
    errors: list[Exception] = []
    read, work = plan([lambda: placed(1), lambda: confirmed(2)], None, errors.append)
    assert [change.identifier for change in read] == ["seq-1", "seq-2"] and not errors
    assert [(destination, event.event_id) for destination, event in work.jobs] == [
        (Destination.RESERVATION, "ord_1:v1"),
        (Destination.NOTIFICATION, "ord_2:v2"),
    ]
    assert [event.detail_type for event in work.events] == ["OrderPlaced", "OrderStatusChanged"]
    jobs, events = Sender(), Sender()
    assert send(work, jobs, events) == {}
    assert len(jobs.sent) == 2 and len(events.sent) == 2


def test_a_record_whose_job_or_event_was_refused_is_left_undone() -> None:
    _, work = plan([lambda: placed(1), lambda: confirmed(2), lambda: placed(3)], None, lambda _: None)
    assert send(work, Sender(refuse={"ord_3"}), Sender(refuse={"ord_2"})) == {
        2: "InternalError",
        1: "InternalError",
    }


def test_planning_stops_at_a_record_that_cannot_be_read() -> None:
    def unreadable() -> Change:
        raise ValueError("not a stream record")

    errors: list[Exception] = []
    read, work = plan([lambda: placed(1), unreadable, lambda: placed(3)], None, errors.append)
    assert [change.identifier for change in read] == ["seq-1"]
    assert len(read) == 1 and [event.order_id for _, event in work.jobs] == ["ord_1"]
    assert [str(error) for error in errors] == ["not a stream record"]
