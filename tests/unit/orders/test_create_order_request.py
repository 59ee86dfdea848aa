from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from orders.models.api import CreateOrderRequest
from tests.factories import order_body


def errors_for(body: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as raised:
        CreateOrderRequest.model_validate(body)
    return {".".join(str(part) for part in error["loc"]): error["type"] for error in raised.value.errors()}


def with_customer(**changes: Any) -> dict[str, Any]:
    body = order_body()
    body["customer"].update(changes)
    return body


def test_canonical_sample_is_valid_and_phone_is_e164() -> None:
    order = CreateOrderRequest.model_validate(order_body())
    assert order.customer.phone == "+8613800138000"
    assert order.shipping_address.country == "CN"


def test_national_phone_is_read_in_the_shipping_country_format() -> None:
    order = CreateOrderRequest.model_validate(with_customer(phone="138 0013 8000"))
    assert order.customer.phone == "+8613800138000"


def test_us_national_phone_in_a_us_address() -> None:
    body = with_customer(phone="(415) 555-2671")
    body["shipping_address"]["country"] = "US"
    assert CreateOrderRequest.model_validate(body).customer.phone == "+14155552671"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phone": "12345"}, "customer.phone"),
        ({"phone": "+86 123"}, "customer.phone"),
        ({"email": "not-an-email"}, "customer.email"),
        ({"locale": "fr"}, "customer.locale"),
        ({"id": 42}, "customer.id"),
    ],
)
def test_bad_customer_fields_are_named(changes: dict[str, Any], field: str) -> None:
    assert field in errors_for(with_customer(**changes))


def test_customer_without_email_or_phone_is_refused() -> None:
    assert "customer" in errors_for(with_customer(email=None, phone=None))


def test_unknown_country_and_currency_are_named() -> None:
    body = order_body(currency="XYZ")
    body["shipping_address"]["country"] = "ZZ"
    assert {"shipping_address.country", "currency"} <= set(errors_for(body))


@pytest.mark.parametrize("quantity", [0, -1, 1000, "2", 1.5])
def test_quantity_must_be_an_integer_from_1_to_999(quantity: Any) -> None:
    body = order_body(items=[{"sku": "A", "name": "Item A", "quantity": quantity, "unit_price": "1.00"}])
    assert "items.0.quantity" in errors_for(body)


def test_one_to_one_hundred_lines() -> None:
    line = {"sku": "A", "name": "Item A", "quantity": 1, "unit_price": "1.00"}
    assert "items" in errors_for(order_body(items=[]))
    assert "items" in errors_for(order_body(items=[copy.deepcopy(line) for _ in range(101)]))
    CreateOrderRequest.model_validate(order_body(items=[copy.deepcopy(line) for _ in range(100)]))


@pytest.mark.parametrize("price", ["-1.00", "1.2.3", "abc", 9.99, "1.0001"])
def test_unit_price_is_a_non_negative_decimal_string(price: Any) -> None:
    body = order_body(items=[{"sku": "A", "name": "Item A", "quantity": 1, "unit_price": price}])
    assert "items.0.unit_price" in errors_for(body)


def test_unit_price_decimals_must_fit_the_currency() -> None:
    body = order_body(
        currency="JPY", items=[{"sku": "A", "name": "Item A", "quantity": 1, "unit_price": "10.50"}]
    )
    assert "items" in errors_for(body)


def test_unknown_fields_are_refused() -> None:
    assert "coupon" in errors_for(order_body(coupon="FREE"))


def test_lines_carry_a_trimmed_name_and_an_optional_https_image() -> None:
    body = order_body()
    body["items"][1]["name"] = "  白瓷茶杯 \n"
    body["items"][0]["image_url"] = "https://shop.example.com/img/tea-oolong-250g.jpg"

    order = CreateOrderRequest.model_validate(body)

    assert [line.name for line in order.items] == ["铁观音乌龙茶 250 克", "白瓷茶杯"]
    assert order.items[0].image_url == "https://shop.example.com/img/tea-oolong-250g.jpg"
    assert order.items[1].image_url is None


@pytest.mark.parametrize("name", [None, "", "   ", "x" * 201])
def test_a_line_without_a_usable_name_is_refused(name: Any) -> None:
    body = order_body()
    if name is None:
        del body["items"][0]["name"]
    else:
        body["items"][0]["name"] = name
    assert "items.0.name" in errors_for(body)


@pytest.mark.parametrize(
    "url",
    ["http://shop.example.com/a.jpg", "https://", "javascript:alert(1)", "https://a b/c.jpg", "//x.jpg"],
)
def test_an_image_url_must_be_https(url: str) -> None:
    body = order_body()
    body["items"][0]["image_url"] = url
    assert "items.0.image_url" in errors_for(body)


@pytest.mark.parametrize("number", ["SO-2025-00042", "10045", "W#1001", "A.b_c", "x" * 40])
def test_the_storefront_order_number_is_kept_as_sent(number: str) -> None:
    assert CreateOrderRequest.model_validate(order_body(order_number=number)).order_number == number


@pytest.mark.parametrize("number", ["", "-1", "#1001", "has space", "x" * 41, "订单1"])
def test_a_malformed_order_number_is_refused(number: str) -> None:
    assert "order_number" in errors_for(order_body(order_number=number))
