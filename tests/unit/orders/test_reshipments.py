"""Reshipments (docs/reshipments.md), with fakes: who may be reshipped, how much, all or nothing."""

from __future__ import annotations

import pytest

from orders.adapters.replacements import OrderReplacements
from orders.domain.lifecycle import IllegalTransition
from orders.domain.place_order import place_order
from orders.domain.reshipment_ports import InsufficientStock
from orders.domain.reshipments import (
    Parcel,
    ReshipmentAsked,
    ReshipmentNotAllowed,
    ReshipmentPorts,
    ReshipmentQuantityExceeded,
    open_reshipment,
    ship_reshipment,
)
from orders.models.api import CreateOrderRequest
from orders.models.order import OrderRecord, OrderStatus
from shared.errors import IdempotencyKeyReused
from tests.factories import order_body
from tests.fakes.orders import FrozenClock
from tests.fakes.reshipments import (
    InMemoryCases,
    InMemoryLedger,
    RecordedEvents,
    RecordedShipments,
    ValidatingOrders,
)

STOCK = {"TEA-OOLONG-250G": 10, "CUP-PORCELAIN": 5}


class World:
    def __init__(
        self, status: OrderStatus, categories: list[str] | None = None, stock: dict[str, int] | None = None
    ):
        self.orders = ValidatingOrders()
        placed = place_order(
            CreateOrderRequest.model_validate(order_body()), "order-1", self.orders, FrozenClock()
        )
        self.order_id = placed.order.order_id
        stored = self.orders.orders[self.order_id]
        self.orders.orders[self.order_id] = stored.model_copy(update={"status": status})
        self.ledger = InMemoryLedger(self.orders, dict(STOCK if stock is None else stock))
        self.events = RecordedEvents()
        self.ports = ReshipmentPorts(
            orders=self.orders,
            cases=InMemoryCases({self.order_id: categories or []}),
            ledger=self.ledger,
            stock=self.ledger,
            shipments=RecordedShipments(),
            events=self.events,
            clock=FrozenClock(),
        )

    def order(self) -> OrderRecord:
        order = self.orders.get(self.order_id)
        assert order is not None
        return order

    def reship(self, key: str = "rsp-1", **asked: object) -> object:
        return open_reshipment(self.order_id, ReshipmentAsked(**{"lines": None, **asked}), key, self.ports)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "categories", "allowed"),
    [
        (OrderStatus.DELIVERY_EXCEPTION, [], True),
        (OrderStatus.RETURNED_TO_SENDER, [], True),
        (OrderStatus.DELIVERED, ["damage"], True),
        (OrderStatus.DELIVERED, ["missing_item"], True),
        (OrderStatus.DELIVERED, ["late_delivery", "wrong_item"], True),
        (OrderStatus.DELIVERED, ["late_delivery"], False),
        (OrderStatus.DELIVERED, [], False),
        (OrderStatus.IN_TRANSIT, ["damage"], False),
        (OrderStatus.CONFIRMED, [], False),
        (OrderStatus.CANCELLED, [], False),
    ],
)
def test_who_may_be_reshipped(status: OrderStatus, categories: list[str], allowed: bool) -> None:
    world = World(status, categories)

    if allowed:
        opened = world.reship()
        assert opened.reshipment.reshipment_id.startswith("rsp_")  # type: ignore[attr-defined]
    else:
        with pytest.raises(ReshipmentNotAllowed) as refused:
            world.reship()
        assert refused.value.code == "reshipment_not_allowed"
        assert world.order().version == 1
        assert world.ledger.reserved == {}


def test_every_line_is_reserved_again_with_a_ledger_entry_and_the_customer_told() -> None:
    world = World(OrderStatus.DELIVERY_EXCEPTION)

    opened = world.reship(note="parcel lost")

    order = world.order()
    assert order.status == OrderStatus.DELIVERY_EXCEPTION  # no parcel yet: the status stays
    assert order.reservation == {"CUP-PORCELAIN": 1, "TEA-OOLONG-250G": 2}
    assert world.ledger.reserved == {"CUP-PORCELAIN": 1, "TEA-OOLONG-250G": 2}
    assert {(h.sku, h.kind.value, h.reason) for h in world.ledger.history} == {
        ("CUP-PORCELAIN", "reserve", "reshipment"),
        ("TEA-OOLONG-250G", "reserve", "reshipment"),
    }
    [reshipment] = order.reshipments
    assert reshipment.status == "awaiting_shipment"
    assert reshipment.reason == "exception"
    assert order.timeline[-1].details["reshipment_id"] == opened.reshipment.reshipment_id  # type: ignore[attr-defined,index]
    [event] = world.events.published
    assert event.event_type == "reshipment.created"
    assert event.details["lines"] == "CUP-PORCELAIN x1, TEA-OOLONG-250G x2"


def test_a_short_sku_reserves_nothing_and_changes_nothing() -> None:
    world = World(OrderStatus.DELIVERY_EXCEPTION, stock={"TEA-OOLONG-250G": 10, "CUP-PORCELAIN": 0})

    with pytest.raises(InsufficientStock) as short:
        world.reship()

    assert short.value.code == "insufficient_stock"
    assert short.value.details["short_items"] == [{"sku": "CUP-PORCELAIN", "requested": 1, "available": 0}]
    assert world.ledger.reserved == {}
    assert world.ledger.history == []
    assert world.order().version == 1 and world.order().reshipments == []
    assert world.events.published == []


def test_quantities_never_exceed_the_order_less_what_was_reshipped() -> None:
    world = World(OrderStatus.DELIVERED, ["missing_item"])
    world.reship("first", lines=[("TEA-OOLONG-250G", 1)])

    with pytest.raises(ReshipmentQuantityExceeded) as exceeded:
        world.reship("second", lines=[("TEA-OOLONG-250G", 2)])
    assert exceeded.value.details["lines"] == [{"sku": "TEA-OOLONG-250G", "requested": 2, "remaining": 1}]
    with pytest.raises(ReshipmentQuantityExceeded):
        world.reship("third", lines=[("NOT-IN-ORDER", 1)])

    rest = world.reship("fourth")  # every line left: one tea, one cup
    assert {(line.sku, line.quantity) for line in rest.reshipment.lines} == {  # type: ignore[attr-defined]
        ("TEA-OOLONG-250G", 1),
        ("CUP-PORCELAIN", 1),
    }
    with pytest.raises(ReshipmentQuantityExceeded):
        world.reship("fifth")


def test_a_replay_answers_the_same_and_a_reused_key_is_refused() -> None:
    world = World(OrderStatus.DELIVERY_EXCEPTION)
    first = world.reship(lines=[("CUP-PORCELAIN", 1)])

    again = world.reship(lines=[("CUP-PORCELAIN", 1)])

    assert again.replayed  # type: ignore[attr-defined]
    assert again.reshipment == first.reshipment  # type: ignore[attr-defined]
    assert world.ledger.reserved == {"CUP-PORCELAIN": 1}
    assert len(world.order().reshipments) == 1
    assert len(set(world.events.ids)) == 1  # published again with the same id: told once
    with pytest.raises(IdempotencyKeyReused):
        world.reship(lines=[("TEA-OOLONG-250G", 1)])
    assert world.ledger.reserved == {"CUP-PORCELAIN": 1}


def test_a_parcel_commits_the_stock_links_a_replacement_shipment_and_ships_the_order_again() -> None:
    world = World(OrderStatus.RETURNED_TO_SENDER)

    opened = world.reship(parcel=Parcel("sf-express", "sf 123 456"))

    order = world.order()
    assert order.status == OrderStatus.SHIPPED
    assert world.ledger.reserved == {"CUP-PORCELAIN": 0, "TEA-OOLONG-250G": 0}
    assert world.ledger.on_hand == {"TEA-OOLONG-250G": 8, "CUP-PORCELAIN": 4}
    [shipment] = order.shipments
    assert (shipment.purpose, shipment.tracking_number) == ("replacement", "SF123456")
    assert shipment.reshipment_id == opened.reshipment.reshipment_id  # type: ignore[attr-defined]
    assert opened.reshipment.status == "shipped"  # type: ignore[attr-defined]
    assert world.events.published == []  # the order's own `shipped` message tells it


def test_a_delivered_order_stays_delivered_and_hears_of_its_replacement_parcel() -> None:
    world = World(OrderStatus.DELIVERED, ["damage"])
    opened = world.reship(lines=[("CUP-PORCELAIN", 1)])
    reshipment_id = opened.reshipment.reshipment_id  # type: ignore[attr-defined]

    order = ship_reshipment(
        world.order_id, reshipment_id, Parcel("sf-express", "SF999"), "storefront", world.ports
    )
    again = ship_reshipment(
        world.order_id, reshipment_id, Parcel("sf-express", "SF999"), "storefront", world.ports
    )

    assert order.status == OrderStatus.DELIVERED
    assert again.version == order.version
    assert [event.event_type for event in world.events.published] == [
        "reshipment.created",
        "reshipment.shipped",
    ]
    assert world.events.published[-1].details["tracking_number"] == "SF999"


def test_the_replacements_port_opens_the_same_reshipment_as_the_route() -> None:
    world = World(OrderStatus.DELIVERY_EXCEPTION)
    port = OrderReplacements(world.ports)

    reshipment_id = port.replace(
        world.order_id, [("CUP-PORCELAIN", 1)], reason="exception", by="agent-7", idempotency_key="k"
    )
    again = port.replace(
        world.order_id, [("CUP-PORCELAIN", 1)], reason="exception", by="agent-7", idempotency_key="k"
    )

    assert reshipment_id == again
    assert [r.reshipment_id for r in world.order().reshipments] == [reshipment_id]
    assert world.ledger.reserved == {"CUP-PORCELAIN": 1}


def test_an_exchange_is_a_delivered_orders_replacement_without_a_case() -> None:
    world = World(OrderStatus.DELIVERED)
    port = OrderReplacements(world.ports)

    port.replace(
        world.order_id, [("TEA-OOLONG-250G", 1)], reason="exchange", by="returns", idempotency_key="x"
    )

    assert world.order().reshipments[0].reason == "exchange"


def test_the_lifecycle_lets_only_a_replacement_ship_a_failed_order_again() -> None:
    from orders.domain.lifecycle import can_move, check_move

    assert can_move(OrderStatus.RETURNED_TO_SENDER, OrderStatus.SHIPPED, replacement=True)
    assert not can_move(OrderStatus.RETURNED_TO_SENDER, OrderStatus.SHIPPED)
    assert not can_move(OrderStatus.DELIVERED, OrderStatus.SHIPPED, replacement=True)
    with pytest.raises(IllegalTransition):
        check_move("ord_x", OrderStatus.DELIVERY_EXCEPTION, OrderStatus.SHIPPED)
