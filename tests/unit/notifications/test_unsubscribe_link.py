"""Every email names the customer's signed settings link for List-Unsubscribe; SMS do not."""

from __future__ import annotations

from tests.unit.notifications.conftest import World, event_for, sample_order

SETTINGS = "https://track.example.com/unsubscribe/"


def test_each_email_carries_the_orders_own_unsubscribe_link(world: World) -> None:
    world.notifier.unsubscribe_link = lambda order_id: SETTINGS + order_id + ".signed"
    order = sample_order()
    world.orders.orders[order.order_id] = order

    world.notifier.accept(event_for(order))
    world.run_due()

    [(_, email)] = world.email.sent
    assert email.unsubscribe_url == SETTINGS + order.order_id + ".signed"
    assert world.sms.sent  # the text went out too, with its own opt-out hint and no link of this kind


def test_without_a_link_configured_the_email_has_none(world: World) -> None:
    order = sample_order()
    world.orders.orders[order.order_id] = order

    world.notifier.accept(event_for(order))
    world.run_due()

    [(_, email)] = world.email.sent
    assert email.unsubscribe_url is None
