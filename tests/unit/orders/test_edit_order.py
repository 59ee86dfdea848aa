"""Order edits before shipment (docs/reshipments.md), with fakes."""

from __future__ import annotations

from typing import Any

import pytest

from orders.domain.dispatch import Destination, events_for_change
from orders.domain.edit_order import EditPorts, OrderAlreadyShipped, OrderNotEditable, edit_order
from orders.domain.hold_rules import HoldRules, ScreeningPolicy
from orders.domain.place_order import place_order
from orders.domain.reshipment_ports import InsufficientStock
from orders.models.api import CreateOrderRequest
from orders.models.order import OrderRecord, OrderStatus
from orders.models.reshipments import OrderEditRequest
from shared.errors import IdempotencyKeyReused, ValidationFailed
from tests.factories import order_body
from tests.fakes.orders import FrozenClock
from tests.fakes.reshipments import InMemoryLedger, RecordedEvents, ValidatingOrders

ADDRESS = {
    "name": "王芳",
    "line1": "人民路 8 号",
    "city": "杭州",
    "region": "浙江省",
    "postal_code": "310000",
    "country": "CN",
}
TEA = {"sku": "TEA-OOLONG-250G", "name": "铁观音乌龙茶 250 克", "quantity": 2, "unit_price": "88.00"}
CUP = {"sku": "CUP-PORCELAIN", "name": "白瓷茶杯", "quantity": 1, "unit_price": "45.50"}
POT = {"sku": "POT-CLAY", "name": "紫砂壶", "quantity": 1, "unit_price": "300.00"}


class Limits:
    def __init__(self, limits: dict[str, int]) -> None:
        self.limits = limits

    def max_per_order(self, skus: list[str]) -> dict[str, int | None]:
        return {sku: self.limits.get(sku) for sku in skus}


class World:
    def __init__(
        self, status: OrderStatus, stock: dict[str, int] | None = None, limits: dict[str, int] | None = None
    ):
        self.orders = ValidatingOrders()
        placed = place_order(
            CreateOrderRequest.model_validate(order_body()), "order-1", self.orders, FrozenClock()
        )
        self.order_id = placed.order.order_id
        self.ledger = InMemoryLedger(
            self.orders, stock or {"TEA-OOLONG-250G": 10, "CUP-PORCELAIN": 5, "POT-CLAY": 1}
        )
        stored = self.orders.orders[self.order_id]
        reservation = (
            stored.quantities_by_sku() if status in (OrderStatus.RESERVED, OrderStatus.CONFIRMED) else {}
        )
        for sku, quantity in reservation.items():
            self.ledger.reserved[sku] = quantity
        self.orders.orders[self.order_id] = stored.model_copy(
            update={"status": status, "reservation": reservation}
        )
        self.events = RecordedEvents()
        policy = ScreeningPolicy(
            rules=HoldRules(duplicate_window_minutes=0), limits=Limits(limits or {}), recent=self.orders
        )
        self.ports = EditPorts(
            orders=self.orders, ledger=self.ledger, events=self.events, clock=FrozenClock(), policy=policy
        )

    def order(self) -> OrderRecord:
        order = self.orders.get(self.order_id)
        assert order is not None
        return order

    def edit(self, key: str = "edit-1", **body: Any) -> Any:
        return edit_order(self.order_id, OrderEditRequest.model_validate(body), key, self.ports)


def test_an_address_edit_of_a_confirmed_order_changes_it_and_tells_the_customer_what_changed() -> None:
    world = World(OrderStatus.CONFIRMED)

    edited = world.edit(shipping_address=ADDRESS)

    order = world.order()
    assert edited.changed == ["shipping_address"]
    assert order.status == OrderStatus.CONFIRMED
    assert order.shipping_address.city == "杭州"
    assert order.timeline[-1].details == {
        "event": "order_edited",
        "edit": order.timeline[-1].details["edit"],
        "changed": ["shipping_address"],
    }  # type: ignore[index]
    [event] = world.events.published
    assert (event.event_type, event.details) == ("order.updated", {"changed": "shipping_address"})
    assert "杭州" not in event.model_dump_json()  # no personal data in the event
    assert world.ledger.history == []  # no stock moved


def test_changed_lines_release_what_is_gone_and_reserve_what_is_added_in_one_write() -> None:
    world = World(OrderStatus.CONFIRMED)

    world.edit(items=[{**TEA, "quantity": 3}, POT])

    order = world.order()
    assert order.reservation == {"TEA-OOLONG-250G": 3, "POT-CLAY": 1}
    assert order.total == "564.00"
    assert world.ledger.reserved == {"TEA-OOLONG-250G": 3, "CUP-PORCELAIN": 0, "POT-CLAY": 1}
    assert {(h.sku, h.kind.value, h.reserved_delta, h.reason) for h in world.ledger.history} == {
        ("TEA-OOLONG-250G", "reserve", 1, "order_edit"),
        ("POT-CLAY", "reserve", 1, "order_edit"),
        ("CUP-PORCELAIN", "release", -1, "order_edit"),
    }


def test_an_edit_that_would_oversell_is_refused_and_changes_nothing() -> None:
    world = World(OrderStatus.CONFIRMED)
    before = world.order()

    with pytest.raises(InsufficientStock):
        world.edit(items=[TEA, {**POT, "quantity": 2}])

    assert world.order() == before
    assert world.ledger.reserved == {"TEA-OOLONG-250G": 2, "CUP-PORCELAIN": 1}
    assert world.ledger.history == [] and world.events.published == []


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (OrderStatus.SHIPPED, OrderAlreadyShipped),
        (OrderStatus.PARTIALLY_SHIPPED, OrderAlreadyShipped),
        (OrderStatus.DELIVERED, OrderAlreadyShipped),
        (OrderStatus.CANCELLED, OrderNotEditable),
        (OrderStatus.OUT_OF_STOCK, OrderNotEditable),
    ],
)
def test_after_shipment_or_once_closed_nothing_can_be_edited(
    status: OrderStatus, error: type[Exception]
) -> None:
    world = World(status)

    with pytest.raises(error):
        world.edit(shipping_address=ADDRESS)

    assert world.order().version == 1


@pytest.mark.parametrize("status", [OrderStatus.RECEIVED, OrderStatus.ON_HOLD, OrderStatus.RESERVED])
def test_before_shipment_every_status_can_be_edited(status: OrderStatus) -> None:
    world = World(status)

    world.edit(customer={"locale": "en"})

    assert world.order().customer.locale == "en"
    assert world.order().customer.id == "cust-1001"


def test_contact_is_validated_as_at_intake_and_a_bad_one_changes_nothing() -> None:
    world = World(OrderStatus.CONFIRMED)

    world.edit("national", customer={"phone": "13900139000"})  # national: read in the shipping country
    assert world.order().customer.phone == "+8613900139000"
    with pytest.raises(ValidationFailed) as invalid:
        world.edit("bad", customer={"email": "not-an-email", "phone": None})
    assert invalid.value.http_status == 422
    assert world.order().customer.email == "li.wei@example.com"
    with pytest.raises(ValidationFailed):
        world.edit("none", customer={"locale": "zh-CN"})  # changes nothing


def test_an_edit_can_put_the_order_on_hold_releasing_its_stock() -> None:
    world = World(OrderStatus.CONFIRMED, limits={"TEA-OOLONG-250G": 3})

    world.edit(items=[{**TEA, "quantity": 5}])

    order = world.order()
    assert order.status == OrderStatus.ON_HOLD
    assert order.hold_reasons == ["quantity_above_max_per_order:TEA-OOLONG-250G"]
    assert order.reservation == {}
    assert world.ledger.reserved == {"TEA-OOLONG-250G": 0, "CUP-PORCELAIN": 0}


def test_an_incomplete_address_holds_a_received_order() -> None:
    world = World(OrderStatus.RECEIVED)

    world.edit(shipping_address={**ADDRESS, "postal_code": None})

    assert world.order().status == OrderStatus.ON_HOLD
    assert world.order().hold_reasons == ["address_incomplete:postal_code"]


def test_a_replay_changes_nothing_and_a_reused_key_is_refused() -> None:
    world = World(OrderStatus.CONFIRMED)
    first = world.edit(shipping_address=ADDRESS)

    again = world.edit(shipping_address=ADDRESS)

    assert again.replayed and again.changed == ["shipping_address"]
    assert again.order.version == first.order.version
    assert len(set(world.events.ids)) == 1
    with pytest.raises(IdempotencyKeyReused):
        world.edit(shipping_address={**ADDRESS, "city": "宁波"})


def test_an_edited_received_order_asks_for_its_reservation_again() -> None:
    old = {"entity": "order", "order_id": "ord_a", "status": "received", "version": 1, "items": [TEA]}
    new = {**old, "version": 2, "items": [CUP], "updated_at": "2026-11-24T10:00:00.000Z"}

    [outgoing] = events_for_change(old, new)

    assert outgoing.destination == Destination.RESERVATION
    assert events_for_change(old, {**old, "version": 2, "payment_status": "paid"}) == []
