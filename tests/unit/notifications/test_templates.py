"""Every template renders for every locale with realistic and worst-case data, and SMS stay short."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import StrictUndefined, UndefinedError

from notifications.domain.model import NotificationKind
from notifications.domain.rendering import (
    LOCALES,
    TEMPLATE_FILES,
    TEMPLATES_DIR,
    format_money,
    notification_context,
    render_email,
    render_sms,
    template_environment,
    template_name,
)
from notifications.domain.sms_segments import SmsEncoding, sms_size
from orders.models.order import OrderRecord
from tests.unit.notifications.conftest import TRACKING, out_of_stock_order, sample_order

CASES = [(kind, locale) for kind in NotificationKind for locale in LOCALES]


def _order_for(kind: NotificationKind, locale: str) -> OrderRecord:
    factory = out_of_stock_order if kind is NotificationKind.ORDER_OUT_OF_STOCK else sample_order
    return factory(customer={"locale": locale})


def _worst_case_order(kind: NotificationKind, locale: str) -> OrderRecord:
    """Longest SKUs (64 chars), many lines, an eight-digit total, many short SKUs."""
    skus = ["S" + str(n) + "-" + "X" * (62 - len(str(n))) for n in range(8)]
    return sample_order(
        status="out_of_stock" if kind is NotificationKind.ORDER_OUT_OF_STOCK else "confirmed",
        customer={"locale": locale, "name": "Maximilian Alexander Featherstonehaugh-Worthington"},
        items=[{"sku": sku, "quantity": 999, "unit_price": "9999.99"} for sku in skus],
        total="79919920.08",
        short_items=[{"sku": sku, "requested": 999, "available": 0} for sku in skus],
    )


def test_every_kind_has_every_part_in_every_locale() -> None:
    expected = {template_name(kind, part, locale) for kind, locale in CASES for part in TEMPLATE_FILES}
    on_disk = {
        path.relative_to(TEMPLATES_DIR).as_posix()
        for path in TEMPLATES_DIR.rglob("*")
        if path.is_file() and not path.relative_to(TEMPLATES_DIR).as_posix().startswith("_layouts/")
    }
    assert on_disk == expected


@pytest.mark.parametrize("tracking_base_url", [TRACKING, ""])
@pytest.mark.parametrize(("kind", "locale"), CASES)
def test_templates_render_without_undefined_variables(
    kind: NotificationKind, locale: str, tracking_base_url: str
) -> None:
    assert template_environment().undefined is StrictUndefined
    context = notification_context(_order_for(kind, locale), locale, tracking_base_url)

    email = render_email(kind, locale, context)
    sms = render_sms(kind, locale, context)

    assert email.subject and "\n" not in email.subject
    assert "ord_k2m4q6s8u0w2y4a6c8e0g2i4" in email.subject + email.text + email.html + sms
    assert (TRACKING in email.text + email.html + sms) == bool(tracking_base_url)
    assert sms_size(sms).segments <= 2


@pytest.mark.parametrize(("kind", "locale"), CASES)
def test_a_missing_variable_fails_the_render(kind: NotificationKind, locale: str) -> None:
    context = notification_context(_order_for(kind, locale), locale, TRACKING)
    del context["order_id"]

    with pytest.raises(UndefinedError):
        render_email(kind, locale, context)
    with pytest.raises(UndefinedError):
        render_sms(kind, locale, context)


@pytest.mark.parametrize(("kind", "locale"), CASES)
def test_sms_stays_within_two_segments_in_the_worst_case(kind: NotificationKind, locale: str) -> None:
    context = notification_context(
        _worst_case_order(kind, locale), locale, "https://track.example.com/orders/"
    )

    size = sms_size(render_sms(kind, locale, context))

    assert size.segments <= 2
    assert size.encoding is (SmsEncoding.UCS2 if locale == "zh-CN" else SmsEncoding.GSM7)


@pytest.mark.parametrize("kind", list(NotificationKind))
def test_typical_sms_is_one_segment_without_a_link(kind: NotificationKind) -> None:
    for locale in LOCALES:
        context = notification_context(_order_for(kind, locale), locale, "")
        assert sms_size(render_sms(kind, locale, context)).segments == 1, locale


def test_english_sms_with_a_link_is_one_segment() -> None:
    context = notification_context(sample_order(), "en", TRACKING)
    assert sms_size(render_sms(NotificationKind.ORDER_CONFIRMED, "en", context)).segments == 1


@pytest.mark.parametrize(
    ("skus", "locale", "expected"),
    [
        (["TEA-OOLONG-250G", "CUP-CELADON"], "en", "not enough stock of TEA-OOLONG-250G, CUP-CELADON."),
        (
            ["TEA-OOLONG-250G", "CUP-CELADON", "POT-YIXING-CLAY-500ML"],
            "en",
            "TEA-OOLONG-250G, CUP-CELADON and 1 more.",
        ),
        (["X" * 60], "en", "could not be confirmed: some items are out of stock."),
        (["TEA-OOLONG-250G"], "zh-CN", "中TEA-OOLONG-250G库存不足"),
        (["TEA-OOLONG-250G", "CUP-CELADON"], "zh-CN", "中TEA-OOLONG-250G等2种商品库存不足"),
        (["X" * 30], "zh-CN", "中部分商品库存不足"),
    ],
)
def test_out_of_stock_sms_names_the_skus_that_fit(skus: list[str], locale: str, expected: str) -> None:
    order = out_of_stock_order(
        customer={"locale": locale},
        short_items=[{"sku": sku, "requested": 2, "available": 0} for sku in skus],
    )
    text = render_sms(NotificationKind.ORDER_OUT_OF_STOCK, locale, notification_context(order, locale, ""))
    assert expected in text


def test_html_is_escaped_and_text_is_not() -> None:
    order = sample_order(customer={"name": "<b>Tom & Jerry</b>"})
    context = notification_context(order, "en", TRACKING)

    email = render_email(NotificationKind.ORDER_CONFIRMED, "en", context)

    assert "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" in email.html and "<b>Tom" not in email.html
    assert "Hello <b>Tom & Jerry</b>," in email.text


def test_templates_are_loaded_lazily() -> None:
    assert Path(TEMPLATES_DIR).is_dir()
    template_environment.cache_clear()
    assert template_environment.cache_info().currsize == 0
    render_sms(NotificationKind.ORDER_CONFIRMED, "en", notification_context(sample_order(), "en"))
    assert template_environment.cache_info().currsize == 1


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        ("1129.00", "CNY", "zh-CN", "¥1,129.00"),
        ("1129.00", "CNY", "en", "CNY 1,129.00"),
        ("19.9", "USD", "zh-CN", "USD 19.9"),
        ("1500", "JPY", "en", "JPY 1,500"),
    ],
)
def test_money_formatting(amount: str, currency: str, locale: str, expected: str) -> None:
    assert format_money(amount, currency, locale) == expected
