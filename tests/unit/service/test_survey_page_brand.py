"""The survey page speaks for the shop: its name (in the page's language), logo and contacts."""

from __future__ import annotations

import pytest

from service.domain.feedback_page import Page
from service.pages import render_page
from shared.brand import BRAND_VARIABLE, Brand, brand_from_environment

BRAND = Brand(
    shop_name={"en": "Leaf & Cup", "zh-CN": "叶与杯"},
    logo_url="https://cdn.leafcup.example/logo.png",
    support_email="help@leafcup.example",
    support_phone="+86 21 5555 0100",
    sms_opt_out_hint={"zh-CN": "回TD退订", "en": "Reply STOP"},
)


@pytest.fixture
def leaf_and_cup(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(BRAND_VARIABLE, BRAND.as_variable())
    brand_from_environment.cache_clear()
    yield BRAND
    brand_from_environment.cache_clear()


@pytest.mark.parametrize(("locale", "name"), [("en", "Leaf &amp; Cup"), ("zh-CN", "叶与杯")])
def test_the_survey_form_carries_the_shops_name_logo_and_contacts(
    leaf_and_cup: Brand, locale: str, name: str
) -> None:
    html = render_page(
        Page(
            200,
            "feedback_form.html",
            locale,
            {
                "values": {"rating": None, "nps": None, "comment": "", "categories": []},
                "errors": {},
                "editable_until": None,
            },
        )
    )

    assert f"<span>{name}</span>" in html and f"· {name}</title>" in html
    assert '<img src="https://cdn.leafcup.example/logo.png" alt="">' in html
    assert 'href="mailto:help@leafcup.example"' in html and 'href="tel:+862155550100"' in html


def test_a_message_page_carries_them_too(leaf_and_cup: Brand) -> None:
    html = render_page(Page(404, "feedback_message.html", "en", {"kind": "not_found"}))

    assert "Leaf &amp; Cup" in html and "help@leafcup.example" in html
