"""A carrier estimate that slips is told once per revision; an earlier or smaller move says nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from orders.models.order import OrderRecord
from shared.events import OrderEvent
from tests.unit.notifications.conftest import EMAIL, PHONE, World, sample_order

SHIPMENT = {
    "shipment_id": "shp_1",
    "carrier": "sf-express",
    "tracking_number": "SF1234567890",
    "lines": [{"sku": "TEA-OOLONG-250G", "quantity": 2}],
    "status": "in_transit",
    "created_at": "2026-11-20T09:00:00.000Z",
}


def _day(world: World, days: int) -> str:
    """A date `days` after the world's today (dates are relative to the frozen clock)."""
    return (world.clock.now().date() + timedelta(days=days)).isoformat()


def _revision(order: OrderRecord, previous: str, revised: str, at: str) -> OrderEvent:
    """As the dispatcher writes it for a shipment whose estimate moved."""
    return OrderEvent(
        event_id=f"{order.order_id}:estimate:shp_1:{revised}",
        event_type="order.estimate_revised",
        order_id=order.order_id,
        status="in_transit",
        occurred_at=at,
        details={
            "shipment_id": "shp_1",
            "previous_estimated_delivery": previous,
            "estimated_delivery": revised,
        },
    )


def _order(world: World, **customer: str) -> OrderRecord:
    order = sample_order(status="in_transit", shipments=[SHIPMENT], customer=customer)
    world.orders.orders[order.order_id] = order
    return order


def test_a_slip_of_a_day_is_told_by_email_and_sms_once(world: World) -> None:
    # Given an order in transit whose carrier estimate moves from in 2 days to in 4 days
    order = _order(world)
    at = world.clock.now().isoformat()
    event = _revision(order, _day(world, 2), _day(world, 4), at)

    # When the revision arrives, and arrives again (a replayed stream record)
    world.notifier.accept(event)
    world.notifier.accept(event)
    world.notifier.deliver(event)

    # Then the customer hears it once on each channel, with the new date and the old
    [(to, email)] = world.email.sent
    [(phone, text)] = world.sms.sent
    assert (to, phone) == (EMAIL, PHONE)
    revised = date.fromisoformat(_day(world, 4))
    told = f"{revised:%b} {revised.day}"
    assert told in email.text and told in text and order.order_number in email.subject
    assert world.log.statuses(order.order_id) == [
        ("order.estimate_revised", "email", "sent"),
        ("order.estimate_revised", "sms", "sent"),
    ]


def test_each_revision_is_told_once(world: World) -> None:
    order = _order(world)
    at = world.clock.now().isoformat()
    world.notifier.accept(_revision(order, _day(world, 2), _day(world, 3), at))
    world.notifier.accept(_revision(order, _day(world, 3), _day(world, 5), at))
    assert len(world.email.sent) == 2 and len(world.sms.sent) == 2


@pytest.mark.parametrize(
    ("previous", "revised"),
    [
        (4, 2),  # earlier: good news needs no apology
        (2, 2),  # the same day (a time within the day changed)
    ],
)
def test_an_earlier_or_same_day_estimate_sends_nothing(world: World, previous: int, revised: int) -> None:
    order = _order(world)
    event = _revision(order, _day(world, previous), _day(world, revised), world.clock.now().isoformat())
    assert world.notifier.accept(event) == []
    world.notifier.deliver(event)
    assert world.email.sent == [] and world.sms.sent == [] and world.log.entries(order.order_id) == []


def test_the_threshold_is_the_policys(world: World) -> None:
    world.use_policy(collapse_window_seconds=0, estimate_slip_days=2)
    order = _order(world)
    at = world.clock.now().isoformat()
    world.notifier.accept(_revision(order, _day(world, 2), _day(world, 3), at))  # one day: below it
    assert world.email.sent == []
    world.notifier.accept(_revision(order, _day(world, 2), _day(world, 4), at))  # two days: told
    assert len(world.email.sent) == 1


def test_dates_are_compared_in_the_customers_zone(world: World) -> None:
    # 23:00 UTC on day 2 is already day 3 in Shanghai: 07:00 on day 3 there -> no slip in days
    order = _order(world)
    previous = f"{_day(world, 2)}T23:00:00Z"
    revised = f"{_day(world, 3)}T08:00:00+08:00"
    world.notifier.accept(_revision(order, previous, revised, world.clock.now().isoformat()))
    assert world.email.sent == []


def test_a_chinese_customer_reads_both_dates(world: World) -> None:
    order = _order(world, locale="zh-CN", name="李伟")
    world.notifier.accept(_revision(order, _day(world, 2), _day(world, 4), world.clock.now().isoformat()))
    [(_, text)] = world.sms.sent
    previous, revised = date.fromisoformat(_day(world, 2)), date.fromisoformat(_day(world, 4))
    assert f"由{previous.month}月{previous.day}日改为{revised.month}月{revised.day}日" in text
