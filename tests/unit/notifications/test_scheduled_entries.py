"""What the order's notification log shows before a message goes out: `scheduled` while the burst
window runs (or until the event's `not_before`), with `release_at`; then what became of it."""

from __future__ import annotations

from datetime import timedelta

from notifications.domain.model import NotificationStatus
from shared.clock import isoformat
from shared.events import OrderEvent
from tests.unit.notifications.conftest import build_world, event_for, sample_order


def test_a_message_in_the_burst_window_is_listed_as_scheduled_until_it_goes_out() -> None:
    # Given the default 120 s burst window
    world = build_world()
    order = sample_order()
    world.orders.orders[order.order_id] = order
    now = world.clock.now()

    # When a confirmation is accepted
    world.notifier.accept(event_for(order))

    # Then both channels are listed as scheduled, due when the window ends
    entries = world.log.entries(order.order_id)
    assert [(e.channel.value, e.status, e.reason, e.release_at) for e in entries] == [
        ("email", NotificationStatus.SCHEDULED, "burst_window", isoformat(now + timedelta(seconds=120))),
        ("sms", NotificationStatus.SCHEDULED, "burst_window", isoformat(now + timedelta(seconds=120))),
    ]
    assert entries[1].recipient == "+86*******8000" and entries[0].template == "order_confirmed"
    assert world.email.sent == [] and world.metrics.counts() == {}

    # And once the window is over they are sent, and accepting the event again changes nothing
    world.run_due()
    world.notifier.accept(event_for(order))
    assert world.log.statuses(order.order_id) == [
        ("order.confirmed", "email", "sent"),
        ("order.confirmed", "sms", "sent"),
    ]


def test_a_message_with_a_later_start_is_scheduled_for_that_time() -> None:
    world = build_world()
    order = sample_order(status="delivered")
    world.orders.orders[order.order_id] = order
    due = world.clock.now() + timedelta(days=1)
    invite = OrderEvent(
        event_id=f"{order.order_id}:feedback",
        event_type="feedback.invite",
        order_id=order.order_id,
        status="delivered",
        occurred_at=isoformat(world.clock.now()),
        not_before=isoformat(due),
    )

    world.notifier.accept(invite)

    [entry] = world.log.entries(order.order_id)
    assert (entry.status, entry.reason, entry.release_at) == (
        NotificationStatus.SCHEDULED,
        "not_before",
        isoformat(due),
    )


def test_without_a_window_nothing_is_scheduled() -> None:
    world = build_world()
    world.use_policy(collapse_window_seconds=0)
    order = sample_order()
    world.orders.orders[order.order_id] = order
    world.notifier.accept(event_for(order))
    assert {e.status for e in world.log.entries(order.order_id)} == {NotificationStatus.SENT}
