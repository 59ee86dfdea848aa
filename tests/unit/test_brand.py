from __future__ import annotations

import pytest

from shared.brand import DEV_BRAND, Brand, brand_from_environment


def test_the_environment_variable_reads_back_as_the_same_brand(monkeypatch: pytest.MonkeyPatch) -> None:
    brand = Brand(shop_name={"en": "Acme Tea", "zh-CN": "艾克米茶"}, sms_signature={"zh-CN": "艾克米"})
    monkeypatch.setenv("BRAND", brand.as_variable())
    brand_from_environment.cache_clear()
    try:
        assert brand_from_environment() == brand
    finally:
        brand_from_environment.cache_clear()


def test_the_dev_brand_survives_its_own_variable() -> None:
    assert Brand.model_validate_json(DEV_BRAND.as_variable()) == DEV_BRAND


def test_locales_fall_back_to_english_then_the_shop_name() -> None:
    brand = Brand(shop_name={"en": "Acme Tea"})
    assert brand.name("zh-CN") == "Acme Tea"
    assert brand.signature("zh-CN") == "Acme Tea"
    assert brand.opt_out_hint("zh-CN") == "回TD退订"
    assert brand.opt_out_hint("en") == "Reply STOP to opt out"


@pytest.mark.parametrize("email", ["support", "support@", "a b@example.com", "x@localhost"])
def test_a_support_email_must_look_like_one(email: str) -> None:
    with pytest.raises(ValueError, match="support_email"):
        Brand(shop_name={"en": "Acme"}, support_email=email)


def test_opt_out_hints_are_short_enough_to_pay_for_in_every_text() -> None:
    assert Brand(shop_name={"en": "A"}, sms_opt_out_hint={"zh-CN": "拒收请回复R或回TD退订"})
    with pytest.raises(ValueError, match="zh-CN opt-out hint"):
        Brand(shop_name={"en": "A"}, sms_opt_out_hint={"zh-CN": "拒收请回复R或回复TD退订"})
    with pytest.raises(ValueError, match="at most 24"):
        Brand(shop_name={"en": "A"}, sms_opt_out_hint={"en": "Reply STOP to stop receiving"})
