from __future__ import annotations

import pytest

from orders.domain.place_order import order_id_for, place_order
from orders.models.api import CreateOrderRequest
from orders.models.order import OrderStatus
from shared.errors import IdempotencyKeyReused, InvalidRequest
from tests.factories import order_body
from tests.fakes.orders import FrozenClock, InMemoryOrders


def request(**overrides: object) -> CreateOrderRequest:
    return CreateOrderRequest.model_validate(order_body(**overrides))


def test_new_order_is_stored_received_with_one_write_and_a_timeline() -> None:
    orders = InMemoryOrders()

    placed = place_order(request(), "key-1", orders, FrozenClock())

    assert not placed.replayed
    assert orders.writes == 1
    stored = orders.get(placed.order.order_id)
    assert stored is not None
    assert stored.status == OrderStatus.RECEIVED
    assert [entry.status for entry in stored.timeline] == ["received"]
    assert stored.timeline[0].at == "2026-11-24T10:00:00.000Z"
    assert stored.total == "221.50"  # 2 x 88.00 + 1 x 45.50


def test_retry_with_same_key_and_body_returns_the_original_order() -> None:
    orders = InMemoryOrders()
    first = place_order(request(), "key-1", orders, FrozenClock())

    again = place_order(request(), "key-1", orders, FrozenClock())

    assert again.replayed
    assert again.order.order_id == first.order.order_id
    assert again.order.created_at == first.order.created_at
    assert orders.writes == 1


def test_same_key_with_a_different_body_is_refused_and_nothing_changes() -> None:
    orders = InMemoryOrders()
    first = place_order(request(), "key-1", orders, FrozenClock())

    with pytest.raises(IdempotencyKeyReused):
        place_order(request(currency="USD"), "key-1", orders, FrozenClock())

    assert orders.writes == 1
    assert orders.get(first.order.order_id) == first.order


@pytest.mark.parametrize("key", [None, "", "has space", "x" * 256, "中文"])
def test_missing_or_malformed_idempotency_key_is_refused(key: str | None) -> None:
    orders = InMemoryOrders()
    with pytest.raises(InvalidRequest) as raised:
        place_order(request(), key, orders, FrozenClock())
    assert raised.value.details[0]["field"] == "header.idempotency-key"
    assert orders.writes == 0


def test_order_ids_are_derived_from_the_key_and_differ_between_keys() -> None:
    assert order_id_for("a") == order_id_for("a")
    assert order_id_for("a") != order_id_for("b")
    assert order_id_for("a").startswith("ord_") and len(order_id_for("a")) == 28


def test_total_uses_the_currency_minor_units() -> None:
    body = order_body(currency="JPY", items=[{"sku": "A", "quantity": 3, "unit_price": "1200"}])
    placed = place_order(CreateOrderRequest.model_validate(body), "k", InMemoryOrders(), FrozenClock())
    assert placed.order.total == "3600"
