from __future__ import annotations

import pytest

from inventory.domain.reserve_stock import ReservationResult, reserve_order_stock
from orders.domain.hold_rules import HoldRules, ScreeningPolicy
from orders.domain.place_order import place_order
from orders.models.api import CreateOrderRequest, TimelineEntry
from orders.models.order import OrderStatus
from shared.errors import RetryableError
from tests.factories import order_body
from tests.fakes.orders import FrozenClock, InMemoryOrders, InMemoryStock


def placed(orders: InMemoryOrders, key: str = "k1", **overrides: object) -> str:
    request = CreateOrderRequest.model_validate(order_body(**overrides))
    return place_order(request, key, orders, FrozenClock()).order.order_id


def test_enough_stock_reserves_every_line_and_confirms() -> None:
    orders = InMemoryOrders()
    stock = InMemoryStock(orders, {"TEA-OOLONG-250G": 5, "CUP-PORCELAIN": 1})
    order_id = placed(orders)

    result = reserve_order_stock(order_id, orders, stock, FrozenClock())

    assert result == ReservationResult.CONFIRMED
    assert stock.reserved == {"TEA-OOLONG-250G": 2, "CUP-PORCELAIN": 1}
    order = orders.get(order_id)
    assert order is not None and order.status == OrderStatus.CONFIRMED
    assert [entry.status for entry in order.timeline] == ["received", "confirmed"]
    assert order.timeline[-1].by == "system:stock-reservation"


def test_one_short_line_reserves_nothing_and_names_the_short_sku() -> None:
    orders = InMemoryOrders()
    stock = InMemoryStock(orders, {"TEA-OOLONG-250G": 5, "CUP-PORCELAIN": 0})
    order_id = placed(orders)

    result = reserve_order_stock(order_id, orders, stock, FrozenClock())

    assert result == ReservationResult.OUT_OF_STOCK
    assert stock.reserved == {}
    order = orders.get(order_id)
    assert order is not None and order.status == OrderStatus.OUT_OF_STOCK
    assert [(item.sku, item.requested, item.available) for item in order.short_items] == [
        ("CUP-PORCELAIN", 1, 0)
    ]


def test_duplicate_delivery_reserves_once() -> None:
    orders = InMemoryOrders()
    stock = InMemoryStock(orders, {"TEA-OOLONG-250G": 5, "CUP-PORCELAIN": 5})
    order_id = placed(orders)

    reserve_order_stock(order_id, orders, stock, FrozenClock())
    again = reserve_order_stock(order_id, orders, stock, FrozenClock())

    assert again == ReservationResult.ALREADY_DECIDED
    assert stock.reserved == {"TEA-OOLONG-250G": 2, "CUP-PORCELAIN": 1}


def test_the_same_sku_on_two_lines_is_reserved_as_one_quantity() -> None:
    orders = InMemoryOrders()
    stock = InMemoryStock(orders, {"A": 3})
    lines = [
        {"sku": "A", "name": "Item A", "quantity": 2, "unit_price": "1.00"},
        {"sku": "A", "name": "Item A", "quantity": 2, "unit_price": "1.00"},
    ]
    order_id = placed(orders, items=lines)

    assert reserve_order_stock(order_id, orders, stock, FrozenClock()) == ReservationResult.OUT_OF_STOCK
    order = orders.get(order_id)
    assert order is not None and order.short_items[0].requested == 4


def test_unknown_order_is_reported_not_raised() -> None:
    orders = InMemoryOrders()
    assert (
        reserve_order_stock("ord_missing", orders, InMemoryStock(orders), FrozenClock())
        == ReservationResult.UNKNOWN_ORDER
    )


def test_stock_that_arrives_between_attempt_and_reread_asks_for_a_retry() -> None:
    """An order too large for one transaction is reserved alone, in chunks; a chunk refused on
    stock that a re-read finds sufficient is a transient failure."""
    orders = InMemoryOrders()

    class StockArrivesMeanwhile(InMemoryStock):
        def reserve(self, order, quantities, entry, **_):  # type: ignore[no-untyped-def]
            from inventory.domain.ports import ShortOfStock

            return ShortOfStock([])

    stock = StockArrivesMeanwhile(orders)
    stock.max_group_actions = 2  # not even one order with its SKUs fits: reserved alone
    order_id = placed(orders)
    with pytest.raises(RetryableError):
        reserve_order_stock(order_id, orders, stock, FrozenClock(), retry=lambda call: call())


def policy(orders: InMemoryOrders, stock: InMemoryStock, **rules: object) -> ScreeningPolicy:
    class Limits:
        def max_per_order(self, skus: list[str]) -> dict[str, int | None]:
            return {sku: (level.max_per_order if (level := stock.get(sku)) else None) for sku in skus}

    return ScreeningPolicy(rules=HoldRules(**rules), limits=Limits(), recent=orders, payment_hold_minutes=30)


def test_a_pending_order_is_reserved_with_a_payment_hold() -> None:
    orders = InMemoryOrders()
    stock = InMemoryStock(orders, {"TEA-OOLONG-250G": 5, "CUP-PORCELAIN": 5})
    order_id = placed(orders, payment_status="pending")

    result = reserve_order_stock(order_id, orders, stock, FrozenClock(), policy(orders, stock))

    assert result == ReservationResult.RESERVED
    order = orders.get(order_id)
    assert order is not None and order.status == OrderStatus.RESERVED
    assert order.hold_expires_at == "2026-11-24T10:30:00.000Z"
    assert stock.reserved == {"TEA-OOLONG-250G": 2, "CUP-PORCELAIN": 1}


def test_a_suspicious_order_is_held_with_every_reason_and_nothing_reserved() -> None:
    orders = InMemoryOrders()
    stock = InMemoryStock(orders, {"TEA-OOLONG-250G": 5, "CUP-PORCELAIN": 5})
    address = {**order_body()["shipping_address"], "postal_code": None}
    order_id = placed(orders, shipping_address=address)

    result = reserve_order_stock(
        order_id, orders, stock, FrozenClock(), policy(orders, stock, max_order_value={"CNY": "100"})
    )

    assert result == ReservationResult.ON_HOLD
    order = orders.get(order_id)
    assert order is not None and order.status == OrderStatus.ON_HOLD
    assert order.hold_reasons == ["address_incomplete:postal_code", "order_value_above_limit"]
    assert order.timeline[-1].by == "system:hold-rules"
    assert stock.reserved == {}


def test_the_second_identical_order_within_ten_minutes_is_held() -> None:
    orders = InMemoryOrders()
    stock = InMemoryStock(orders, {"TEA-OOLONG-250G": 50, "CUP-PORCELAIN": 50})
    first, second = placed(orders, key="a"), placed(orders, key="b")

    assert (
        reserve_order_stock(first, orders, stock, FrozenClock(), policy(orders, stock))
        == ReservationResult.CONFIRMED
    )
    assert (
        reserve_order_stock(second, orders, stock, FrozenClock(), policy(orders, stock))
        == ReservationResult.ON_HOLD
    )
    held = orders.get(second)
    assert held is not None and held.hold_reasons == ["duplicate_order"]

    # A reviewer approves it: it is reserved without the rules this time.
    assert orders.transition(
        held, TimelineEntry(status="received", at="t", by="reviewer:r"), {"review": {"decision": "approve"}}
    )
    assert (
        reserve_order_stock(second, orders, stock, FrozenClock(), policy(orders, stock))
        == ReservationResult.CONFIRMED
    )


def test_screening_the_same_order_again_is_not_a_duplicate_of_itself() -> None:
    orders = InMemoryOrders()
    InMemoryStock(orders, {"TEA-OOLONG-250G": 50, "CUP-PORCELAIN": 50})
    order_id = placed(orders)
    order = orders.get(order_id)
    assert order is not None
    assert not orders.has_identical_recent_order(order, 10)
    assert not orders.has_identical_recent_order(order, 10)
