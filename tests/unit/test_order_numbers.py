from __future__ import annotations

import re

from orders.domain.place_order import order_id_for
from shared.order_numbers import ALPHABET, short_order_code


def test_the_code_is_a_pure_function_of_the_order_id() -> None:
    order_id = order_id_for("checkout-1")
    assert short_order_code(order_id) == short_order_code(order_id)


def test_the_code_has_no_look_alike_symbols_and_two_halves() -> None:
    assert not set("01ILOU") & set(ALPHABET)
    for key in range(200):
        assert re.fullmatch(
            rf"[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}", short_order_code(order_id_for(f"k{key}"))
        )


def test_codes_of_different_orders_differ() -> None:
    codes = {short_order_code(order_id_for(f"checkout-{n}")) for n in range(5000)}
    assert len(codes) == 5000
