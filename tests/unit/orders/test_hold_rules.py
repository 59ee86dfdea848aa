from __future__ import annotations

from decimal import Decimal

import pytest

from orders.domain.hold_rules import HoldRules, content_fingerprint, hold_reasons
from orders.domain.place_order import place_order
from orders.models.api import CreateOrderRequest
from orders.models.order import OrderRecord
from tests.factories import order_body
from tests.fakes.orders import FrozenClock, InMemoryOrders


class NoRecentOrders:
    def has_identical_recent_order(self, order: OrderRecord, window_minutes: int) -> bool:
        return False


class AlwaysRecent(NoRecentOrders):
    def has_identical_recent_order(self, order: OrderRecord, window_minutes: int) -> bool:
        return True


def order(**overrides: object) -> OrderRecord:
    body = order_body(**overrides)
    return place_order(CreateOrderRequest.model_validate(body), "k", InMemoryOrders(), FrozenClock()).order


def with_address(**changes: object) -> OrderRecord:
    address = {**order_body()["shipping_address"], **changes}
    return order(shipping_address=address)


def test_a_complete_ordinary_order_is_not_held() -> None:
    assert hold_reasons(order(), HoldRules(), {}, NoRecentOrders()) == []


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"postal_code": "20004"}, "address_incomplete:postal_code"),
        ({"postal_code": None}, "address_incomplete:postal_code"),
        ({"region": None}, "address_incomplete:region"),
    ],
)
def test_cn_addresses_need_province_city_and_six_digit_postcode(
    changes: dict[str, object], reason: str
) -> None:
    assert hold_reasons(with_address(**changes), HoldRules(), {}, NoRecentOrders()) == [reason]


def test_us_addresses_need_state_and_zip() -> None:
    us = with_address(country="US", region=None, postal_code="9410")
    assert hold_reasons(us, HoldRules(), {}, NoRecentOrders()) == ["address_incomplete:postal_code,region"]
    fine = with_address(country="US", region="CA", postal_code="94103-1234")
    assert hold_reasons(fine, HoldRules(), {}, NoRecentOrders()) == []


def test_quantity_above_max_per_order() -> None:
    reasons = hold_reasons(
        order(), HoldRules(), {"TEA-OOLONG-250G": 1, "CUP-PORCELAIN": None}, NoRecentOrders()
    )
    assert reasons == ["quantity_above_max_per_order:TEA-OOLONG-250G"]


def test_value_limit_is_per_currency_and_every_reason_is_listed() -> None:
    rules = HoldRules(max_order_value={"CNY": Decimal("200")})
    reasons = hold_reasons(with_address(postal_code=None), rules, {"CUP-PORCELAIN": 0}, AlwaysRecent())
    assert reasons == [
        "address_incomplete:postal_code",
        "quantity_above_max_per_order:CUP-PORCELAIN",
        "order_value_above_limit",
        "duplicate_order",
    ]
    assert hold_reasons(order(), HoldRules(max_order_value={"USD": Decimal("1")}), {}, NoRecentOrders()) == []


def test_rules_can_be_switched_off_by_configuration() -> None:
    rules = HoldRules(address_completeness={}, enforce_max_per_order=False, duplicate_window_minutes=0)
    assert hold_reasons(with_address(postal_code=None), rules, {"CUP-PORCELAIN": 0}, AlwaysRecent()) == []


def test_identical_orders_share_a_fingerprint_whatever_the_line_order() -> None:
    items = order_body()["items"]
    assert content_fingerprint(order(items=items)) == content_fingerprint(order(items=list(reversed(items))))
    assert content_fingerprint(order()) != content_fingerprint(with_address(line1="elsewhere"))
