from __future__ import annotations

import re

import pytest

from orders.domain.place_order import order_id_for, place_order
from orders.models.api import CreateOrderRequest
from orders.models.order import OrderRecord, OrderStatus
from shared.errors import IdempotencyKeyReused, InvalidRequest
from shared.order_numbers import short_order_code
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
    body = order_body(
        currency="JPY", items=[{"sku": "A", "name": "Item A", "quantity": 3, "unit_price": "1200"}]
    )
    placed = place_order(CreateOrderRequest.model_validate(body), "k", InMemoryOrders(), FrozenClock())
    assert placed.order.total == "3600"


def test_an_order_without_a_storefront_number_gets_its_short_code() -> None:
    orders = InMemoryOrders()

    placed = place_order(request(), "key-1", orders, FrozenClock())

    assert placed.order.order_number == short_order_code(placed.order.order_id)
    assert re.fullmatch(r"[2-9A-HJ-NP-TV-Z]{4}-[2-9A-HJ-NP-TV-Z]{4}", placed.order.order_number)
    assert orders.get(placed.order.order_id).order_number == placed.order.order_number  # type: ignore[union-attr]


def test_the_storefront_number_and_line_names_are_stored_and_shown() -> None:
    orders = InMemoryOrders()

    body = order_body(order_number="SO-2025-00042")
    body["items"][0]["image_url"] = "https://shop.example.com/img/tea-oolong-250g.jpg"
    placed = place_order(CreateOrderRequest.model_validate(body), "key-1", orders, FrozenClock())

    view = orders.get(placed.order.order_id).to_view()  # type: ignore[union-attr]
    assert view["order_number"] == "SO-2025-00042"
    assert [line["name"] for line in view["items"]] == ["铁观音乌龙茶 250 克", "白瓷茶杯"]
    assert view["items"][0]["image_url"] == "https://shop.example.com/img/tea-oolong-250g.jpg"


def test_an_order_stored_before_names_and_numbers_reads_as_the_customer_saw_it() -> None:
    stored = place_order(request(), "key-1", InMemoryOrders(), FrozenClock()).order.model_dump(mode="json")
    del stored["order_number"]
    for line in stored["items"]:
        del line["name"]

    legacy = OrderRecord.model_validate(stored)

    assert legacy.order_number == short_order_code(legacy.order_id)
    assert [line.name for line in legacy.items] == ["TEA-OOLONG-250G", "CUP-PORCELAIN"]
