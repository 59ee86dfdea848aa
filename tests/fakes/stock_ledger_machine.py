"""A hypothesis state machine over the stock ledger: random sequences of reserve / pay / cancel /
expire / ship / adjust, plus replays of stale messages, checking after every step that the books
balance. Run against the in-memory fake (tests/unit) and against DynamoStock on moto
(tests/integration) through a small `LedgerWorld`."""

from __future__ import annotations

import itertools
from typing import Any, Protocol

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from inventory.domain.errors import AdjustmentBelowReserved, ShipmentExceedsReservation
from inventory.domain.ports import AlreadyDecided, Reserved, ShortOfStock
from orders.models.api import TimelineEntry
from orders.models.order import OrderRecord, OrderStatus

SKUS = ("A", "B", "C")
LIVE = frozenset({OrderStatus.RESERVED, OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED})
AT = "2026-11-24T10:00:00.000Z"


class LedgerWorld(Protocol):
    stock: Any

    def place(self, key: str, quantities: dict[str, int]) -> str: ...

    def order(self, order_id: str) -> OrderRecord: ...

    def mark_paid(self, order: OrderRecord) -> None: ...

    def books(self) -> dict[str, tuple[int, int, int]]:
        """sku -> (on_hand, reserved, available) as stored."""
        ...

    def history_totals(self) -> dict[str, tuple[int, int]]:
        """sku -> (sum of on_hand deltas, sum of reserved deltas) over the audit trail."""
        ...


def place_one_line_per_sku(orders: Any, key: str, quantities: dict[str, int]) -> str:
    """Place an order with one line per SKU through the real intake code; its id."""
    from orders.domain.place_order import place_order
    from orders.models.api import CreateOrderRequest
    from tests.factories import order_body
    from tests.fakes.orders import FrozenClock

    items = [
        {"sku": sku, "name": f"Item {sku}", "quantity": q, "unit_price": "1.00"}
        for sku, q in quantities.items()
    ]
    request = CreateOrderRequest.model_validate(order_body(items=items))
    return place_order(request, key, orders, FrozenClock()).order.order_id


def stored_order(orders: Any, order_id: str) -> OrderRecord:
    order = orders.get(order_id)
    assert order is not None
    return order  # type: ignore[no-any-return]


def entry(status: OrderStatus, by: str = "test") -> TimelineEntry:
    return TimelineEntry(status=status, at=AT, by=by)


class LedgerMachine(RuleBasedStateMachine):
    world: LedgerWorld

    def __init__(self) -> None:
        super().__init__()
        self.world = self.make_world()
        self.order_ids: list[str] = []
        self.stale: list[OrderRecord] = []
        self.keys = itertools.count()
        self.adjustments: list[tuple[str, str, int]] = []
        for sku in SKUS:
            self.world.stock.set_on_hand(sku, 5, AT)

    def make_world(self) -> LedgerWorld:
        raise NotImplementedError

    def _orders_in(self, *statuses: OrderStatus) -> list[OrderRecord]:
        return [order for order in map(self.world.order, self.order_ids) if order.status in statuses]

    def _remember(self, order: OrderRecord) -> None:
        self.stale.append(order)

    # -- rules ----------------------------------------------------------------------------------
    @rule(
        quantities=st.dictionaries(st.sampled_from(SKUS), st.integers(1, 4), min_size=1, max_size=3),
        paid=st.booleans(),
    )
    def place_and_reserve(self, quantities: dict[str, int], paid: bool) -> None:
        order = self.world.order(self.world.place(f"k{next(self.keys)}", quantities))
        self.order_ids.append(order.order_id)
        self._remember(order)
        target = OrderStatus.CONFIRMED if paid else OrderStatus.RESERVED
        outcome = self.world.stock.reserve(order, quantities, entry(target))
        if isinstance(outcome, ShortOfStock):
            assert self.world.stock.mark_out_of_stock(
                order, outcome.short_items, entry(OrderStatus.OUT_OF_STOCK)
            )
        else:
            assert outcome == Reserved()

    @precondition(lambda self: self._orders_in(OrderStatus.RESERVED))
    @rule(data=st.data())
    def pay(self, data: st.DataObject) -> None:
        order = data.draw(st.sampled_from(self._orders_in(OrderStatus.RESERVED)))
        self._remember(order)
        self.world.mark_paid(order)

    @precondition(lambda self: self._orders_in(OrderStatus.RESERVED, OrderStatus.CONFIRMED))
    @rule(data=st.data(), expire=st.booleans())
    def cancel_or_expire(self, data: st.DataObject, expire: bool) -> None:
        order = data.draw(st.sampled_from(self._orders_in(OrderStatus.RESERVED, OrderStatus.CONFIRMED)))
        self._remember(order)
        target = (
            OrderStatus.EXPIRED if expire and order.status == OrderStatus.RESERVED else OrderStatus.CANCELLED
        )
        assert self.world.stock.release(order, entry(target))
        assert self.world.order(order.order_id).reservation == {}

    @precondition(lambda self: self._orders_in(OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED))
    @rule(data=st.data())
    def ship(self, data: st.DataObject) -> None:
        order = data.draw(
            st.sampled_from(self._orders_in(OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED))
        )
        shipped = {
            sku: data.draw(st.integers(0, quantity)) for sku, quantity in sorted(order.reservation.items())
        }
        shipped = {sku: quantity for sku, quantity in shipped.items() if quantity}
        if not shipped:
            return
        self._remember(order)
        remaining = {
            sku: q - shipped.get(sku, 0) for sku, q in order.reservation.items() if q - shipped.get(sku, 0)
        }
        target = OrderStatus.PARTIALLY_SHIPPED if remaining else OrderStatus.SHIPPED
        assert self.world.stock.commit(order, shipped, entry(target))
        assert self.world.order(order.order_id).reservation == remaining

    @precondition(lambda self: self._orders_in(OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED))
    @rule(data=st.data())
    def ship_too_much(self, data: st.DataObject) -> None:
        order = data.draw(
            st.sampled_from(self._orders_in(OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED))
        )
        sku = data.draw(st.sampled_from(SKUS))
        before = self.world.books()
        try:
            self.world.stock.commit(
                order, {sku: order.reservation.get(sku, 0) + 1}, entry(OrderStatus.SHIPPED)
            )
        except ShipmentExceedsReservation:
            pass
        else:
            raise AssertionError("a shipment above the reservation was accepted")
        assert self.world.books() == before

    @rule(sku=st.sampled_from(SKUS), delta=st.integers(-8, 8).filter(bool))
    def adjust(self, sku: str, delta: int) -> None:
        on_hand, reserved, available = self.world.books()[sku]
        key = f"adj-{next(self.keys)}"
        try:
            result = self.world.stock.adjust(sku, delta, "count_correction", AT, idempotency_key=key)
        except AdjustmentBelowReserved:
            assert available + delta < 0
            assert self.world.books()[sku] == (on_hand, reserved, available)
            return
        assert available + delta >= 0
        assert result.stock.on_hand == on_hand + delta
        self.adjustments.append((sku, key, delta))

    @precondition(lambda self: self.adjustments)
    @rule(data=st.data())
    def retry_an_adjustment(self, data: st.DataObject) -> None:
        sku, key, delta = data.draw(st.sampled_from(self.adjustments))
        before = self.world.books()
        assert self.world.stock.adjust(sku, delta, "count_correction", AT, idempotency_key=key).replayed
        assert self.world.books() == before

    @precondition(lambda self: self.stale)
    @rule(data=st.data())
    def replay_a_stale_message(self, data: st.DataObject) -> None:
        """A redelivered message carries an order version that has moved on: nothing changes."""
        order = data.draw(st.sampled_from(self.stale))
        current = self.world.order(order.order_id)
        if current.version == order.version:
            return
        before = self.world.books()
        assert (
            self.world.stock.reserve(order, order.quantities_by_sku(), entry(OrderStatus.CONFIRMED))
            == AlreadyDecided()
        )
        assert self.world.stock.release(order, entry(OrderStatus.CANCELLED)) is False
        shippable = {sku: q for sku, q in order.reservation.items() if q}
        if shippable:
            assert self.world.stock.commit(order, shippable, entry(OrderStatus.SHIPPED)) is False
        assert self.world.books() == before
        assert self.world.order(order.order_id) == current

    # -- the books balance ----------------------------------------------------------------------
    @invariant()
    def books_balance(self) -> None:
        books = self.world.books()
        live: dict[str, int] = {}
        for order in self._orders_in(*LIVE):
            for sku, quantity in order.reservation.items():
                live[sku] = live.get(sku, 0) + quantity
        totals = self.world.history_totals()
        for sku, (on_hand, reserved, available) in books.items():
            assert available == on_hand - reserved, (sku, books[sku])
            assert min(on_hand, reserved, available) >= 0, (sku, books[sku])
            assert reserved == live.get(sku, 0), (sku, reserved, live)
            assert totals.get(sku, (0, 0)) == (on_hand, reserved), (sku, totals.get(sku), books[sku])
