"""Working a delivery exception: assign, contact the customer, wait for the carrier, reship,
refund, resolve; each action on the timeline with who and when, once per Idempotency-Key; an
alert, once, when it is overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from delivery_exceptions.domain.errors import ExceptionClosed, InvalidDueTime, RefundNotAllowed
from delivery_exceptions.domain.opening import exception_for, raised_event
from delivery_exceptions.domain.overdue import flag_overdue_exceptions
from delivery_exceptions.domain.ports import ExceptionQuery
from delivery_exceptions.domain.rules import ExceptionRules
from delivery_exceptions.domain.work import (
    Action,
    Services,
    act_on_exception,
    assign_exception,
    exception_queue,
)
from delivery_exceptions.models.records import ExceptionRecord, ExceptionStatus
from shared.clock import isoformat
from shared.errors import IdempotencyKeyReused
from tests.fakes.orders import FrozenClock
from tests.unit.delivery_exceptions.fakes import Alerts, Events, FakeExceptionStore, FakeReplacements
from tests.unit.delivery_exceptions.test_opening import shipment
from tests.unit.service.fakes import Orders, delivered_order

OPENED = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
ORDER_ID = "ord_" + "a" * 24


class World:
    def __init__(self, carrier_reason: str = "address_issue") -> None:
        self.clock = FrozenClock(OPENED + timedelta(minutes=30))
        self.store = FakeExceptionStore()
        self.events = Events()
        self.replacements = FakeReplacements()
        order = delivered_order(ORDER_ID, status="delivery_exception", total="176.00")
        self.services = Services(
            orders=Orders(order), events=self.events, replacements=lambda: self.replacements
        )
        event = raised_event(None, shipment("delivery_exception", carrier_reason), isoformat(OPENED))
        assert event is not None
        exception = exception_for(event, ExceptionRules())
        self.store.open_all([exception])
        self.id = exception.exception_id

    def act(self, key: str, action: str, **fields: Any) -> tuple[ExceptionRecord, bool]:
        request = Action(action=action, by=fields.pop("by", "ops-lin"), **fields)
        request_hash = repr(sorted({"action": action, **fields}.items()))
        return act_on_exception(self.id, request, key, request_hash, self.store, self.services, self.clock)

    @property
    def stored(self) -> ExceptionRecord:
        return self.store.items[self.id]


@pytest.fixture
def world() -> World:
    return World()


def test_assigning_an_open_exception_puts_it_in_progress_on_the_timeline(world: World) -> None:
    assigned = assign_exception(world.id, "ops-wang", "ops-lin", world.store, world.clock)

    assert assigned.assignee == "ops-wang" and assigned.status is ExceptionStatus.IN_PROGRESS
    entry = assigned.timeline[-1]
    assert (entry.action, entry.by, entry.at) == ("assigned", "ops-lin", isoformat(world.clock.now()))
    assert entry.details == {"from": "unassigned", "to": "ops-wang"}
    # assigning the same owner again writes nothing
    again = assign_exception(world.id, "ops-wang", "ops-lin", world.store, world.clock)
    assert len(again.timeline) == len(assigned.timeline)


def test_contacting_the_customer_sends_one_message_with_the_operators_note(world: World) -> None:
    note = "The courier could not find your building; they will call before the next try."

    contacted, replayed = world.act("k-contact", "contact_customer", message=note)
    again, replayed_again = world.act("k-contact", "contact_customer", message=note)

    assert not replayed and replayed_again
    assert again.timeline == contacted.timeline  # nothing written twice
    assert contacted.status is ExceptionStatus.IN_PROGRESS
    entry = contacted.timeline[-1]
    assert (entry.action, entry.by, entry.details["message"]) == ("contact_customer", "ops-lin", note)
    first, second = world.events.published
    assert first == second  # the same event id: the notification worker sends it once
    assert first.event_type == "exception.customer_contacted" and first.order_id == ORDER_ID
    assert first.details["note"] == note and first.details["exception_id"] == world.id


def test_a_reused_key_with_another_body_is_refused_and_changes_nothing(world: World) -> None:
    world.act("k-1", "contact_customer", message="first")
    before = world.stored

    with pytest.raises(IdempotencyKeyReused):
        world.act("k-1", "contact_customer", message="second")

    assert world.stored == before and len(world.events.published) == 1


def test_waiting_for_the_carrier_snoozes_it_to_a_new_due_time(world: World) -> None:
    until = OPENED + timedelta(days=2)

    waiting, _ = world.act("k-wait", "wait_for_carrier", until=until, note="carrier promised a redelivery")

    assert waiting.status is ExceptionStatus.WAITING_CARRIER
    assert waiting.due_at == isoformat(until)
    assert waiting.timeline[-1].details["previous_due_at"] == "2026-11-24T14:00:00.000Z"
    assert world.events.published == []  # the customer hears nothing of it
    with pytest.raises(InvalidDueTime):
        world.act("k-past", "wait_for_carrier", until=OPENED)


def test_reship_opens_a_replacement_once_and_records_it(world: World) -> None:
    reshipped, _ = world.act("k-reship", "reship", lines=[("TEA-OOLONG-250G", 1)])
    world.act("k-reship", "reship", lines=[("TEA-OOLONG-250G", 1)])

    [call] = world.replacements.calls
    assert call == {
        "order_id": ORDER_ID,
        "lines": [("TEA-OOLONG-250G", 1)],
        "reason": "exception",
        "by": "ops-lin",
        "key": f"{world.id}:k-reship",
    }
    assert reshipped.reshipment_ids == ["rsp_" + "0" * 23 + "1"]
    assert reshipped.timeline[-1].details["reshipment_id"] == reshipped.reshipment_ids[0]


def test_a_refund_up_to_the_order_total_is_recorded_and_told(world: World) -> None:
    refunded, _ = world.act("k-r1", "refund", amount="100.00")
    refunded, _ = world.act("k-r2", "refund", amount="76", note="Sorry for the wait.")

    assert [(r.amount, r.currency) for r in refunded.refunds] == [("100.00", "CNY"), ("76", "CNY")]
    told = [e for e in world.events.published if e.event_type == "exception.refunded"]
    assert [e.details["refund_amount"] for e in told] == ["100.00", "76"]
    assert told[1].details["refund_currency"] == "CNY" and told[0].event_id != told[1].event_id


@pytest.mark.parametrize(
    ("amount", "currency"), [("176.01", None), ("0", None), ("0.00", None), ("10.00", "USD")]
)
def test_refunds_beyond_the_total_of_nothing_or_in_another_currency_are_refused(
    world: World, amount: str, currency: str | None
) -> None:
    before = world.stored
    with pytest.raises(RefundNotAllowed):
        world.act("k-bad", "refund", amount=amount, currency=currency)
    assert world.stored == before and world.events.published == []


def test_refunds_together_stay_within_the_order_total(world: World) -> None:
    world.act("k-r1", "refund", amount="176.00")
    with pytest.raises(RefundNotAllowed):
        world.act("k-r2", "refund", amount="0.01")
    assert len(world.stored.refunds) == 1


def test_resolving_closes_it_and_later_actions_are_refused(world: World) -> None:
    resolved, _ = world.act("k-done", "resolve", note="delivered on the second try")

    assert resolved.status is ExceptionStatus.RESOLVED and resolved.resolved_at == isoformat(
        world.clock.now()
    )
    assert [e.action for e in resolved.timeline] == ["opened", "resolve"]
    with pytest.raises(ExceptionClosed):
        world.act("k-late", "contact_customer", message="hello")
    with pytest.raises(ExceptionClosed):
        assign_exception(world.id, "ops-wang", "ops-lin", world.store, world.clock)
    assert world.act("k-done", "resolve", note="delivered on the second try")[1] is True  # a replay


def test_an_action_that_loses_to_a_concurrent_write_is_applied_again(world: World) -> None:
    world.store.lose_next_saves = 1

    contacted, _ = world.act("k-1", "contact_customer", message="hello")

    assert contacted.timeline[-1].action == "contact_customer" and len(world.events.published) == 1


def test_the_queue_is_sorted_by_due_time_and_filtered(world: World) -> None:
    lost = World("lost")
    world.store.open_all([lost.stored])  # due after 24 h: after the address problem (4 h)
    now = isoformat(OPENED + timedelta(hours=5))

    everything, _ = exception_queue(ExceptionQuery(now=now), world.store)
    overdue, _ = exception_queue(ExceptionQuery(now=now, overdue=True), world.store)
    by_reason, _ = exception_queue(ExceptionQuery(now=now, reason="lost"), world.store)

    assert [e.reason.value for e in everything] == ["address_problem", "lost"]
    assert [e.exception_id for e in overdue] == [world.id]
    assert [e.exception_id for e in by_reason] == [lost.id]


def test_an_overdue_exception_raises_one_alert(world: World) -> None:
    alerts = Alerts()
    late = FrozenClock(OPENED + timedelta(hours=5))

    assert flag_overdue_exceptions(world.store, alerts, late) == 1
    assert flag_overdue_exceptions(world.store, alerts, late) == 0

    [(subject, details)] = alerts.sent
    assert subject == "ordertrack: delivery exception overdue (address_problem)"
    assert details["exception_id"] == world.id and details["due_at"] == "2026-11-24T14:00:00.000Z"
    assert world.stored.timeline[-1].action == "overdue"


def test_an_exception_not_due_yet_or_resolved_raises_none(world: World) -> None:
    alerts = Alerts()
    assert flag_overdue_exceptions(world.store, alerts, FrozenClock(OPENED + timedelta(hours=3))) == 0
    world.act("k-done", "resolve")
    assert flag_overdue_exceptions(world.store, alerts, FrozenClock(OPENED + timedelta(hours=5))) == 0
    assert alerts.sent == []


def test_a_snoozed_exception_alerts_again_when_its_new_due_time_passes(world: World) -> None:
    alerts = Alerts()
    flag_overdue_exceptions(world.store, alerts, FrozenClock(OPENED + timedelta(hours=5)))
    world.clock.moment = OPENED + timedelta(hours=6)
    world.act("k-wait", "wait_for_carrier", until=OPENED + timedelta(hours=10))

    assert flag_overdue_exceptions(world.store, alerts, FrozenClock(OPENED + timedelta(hours=9))) == 0
    assert flag_overdue_exceptions(world.store, alerts, FrozenClock(OPENED + timedelta(hours=11))) == 1
    assert len(alerts.sent) == 2


def test_an_alert_that_fails_is_sent_by_the_next_run(world: World) -> None:
    alerts = Alerts(fail=1)
    late = FrozenClock(OPENED + timedelta(hours=5))

    with pytest.raises(ConnectionError):
        flag_overdue_exceptions(world.store, alerts, late)
    assert world.stored.overdue_alerted_at is None

    assert flag_overdue_exceptions(world.store, alerts, late) == 1 and len(alerts.sent) == 1
