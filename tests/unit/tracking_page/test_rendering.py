# ruff: noqa: RUF001  (full-width Chinese punctuation and the multiplication sign are the text under test)
"""The tracking page as the customer reads it: language, time zone, order, escaping and masking."""

from __future__ import annotations

import base64
import hashlib
import itertools

import pytest

from tests.unit.tracking_page.conftest import Outline
from tests.unit.tracking_page.fakes import a_shipment, a_tracked_order, checkpoint
from tracking_page.rendering import (
    carrier_name,
    choose_locale,
    render_tracking_page,
    style_source,
    stylesheet,
)


def test_a_chinese_customer_reads_status_carrier_times_and_dates_in_chinese_and_china_time() -> None:
    # Given an order of a zh-CN customer shipping to China, in transit with SF Express
    tracked = a_tracked_order(a_shipment())

    # When the page is rendered in the customer's locale
    page = Outline(render_tracking_page(tracked, "zh-CN"))

    # Then it reads in Chinese with times in Beijing time
    assert ("html", {"lang": "zh-CN"}) in page.elements
    text = page.plain_text
    assert page.headings[0] == (1, "运输中")
    assert "顺丰速运" in text and "SF1000000001" in text
    assert "2025年7月2日 06:10（北京时间）" in text  # 06:10+08:00 stays 06:10 in Asia/Shanghai
    assert "预计送达 2025年7月3日 周四" in text
    assert "时间均为北京时间。" in text
    assert "物流详情 （最新在前）" in text
    assert "¥176.00" in text and "¥221.50" in text
    assert "铁观音乌龙茶 250 克 × 2" in text  # the product's name, not its SKU


def test_english_puts_the_same_facts_in_english_words() -> None:
    page = Outline(render_tracking_page(a_tracked_order(a_shipment()), "en"))

    assert ("html", {"lang": "en"}) in page.elements
    text = page.plain_text
    assert page.headings[0] == (1, "On its way")
    assert "Shipment 1 of 1: In transit" in text
    assert "SF Express" in text
    assert "Jul 2, 2025, 6:10 AM China time" in text
    assert "Estimated delivery Thu 3 Jul 2025" in text
    assert "Tracking history (newest first)" in text
    assert "CN¥221.50" in text


def test_the_timeline_is_newest_first_and_only_the_latest_step_is_current() -> None:
    page = Outline(render_tracking_page(a_tracked_order(a_shipment()), "en"))

    times = [step["datetime"] for step in page.steps]
    assert times == [
        "2025-07-02T06:10:00+08:00",
        "2025-07-01T18:40:00+08:00",
        "2025-07-01T09:15:00+08:00",
    ]
    assert [step["aria-current"] for step in page.steps] == ["step", None, None]
    assert (
        "ol",
        {"class": "timeline", "aria-labelledby": "shipment-1-history", "data-order": "newest-first"},
    ) in page.elements


def test_checkpoints_at_the_same_moment_put_the_further_step_first() -> None:
    same_time = "2025-07-02T10:00:00+08:00"
    shipment = a_shipment(
        checkpoints=[
            checkpoint(same_time, "delivered", "已签收"),
            checkpoint(same_time, "out_for_delivery", "派送中"),
        ],
        tracking_status="delivered",
        status="delivered",
    )
    page = Outline(render_tracking_page(a_tracked_order(shipment, status="delivered"), "en"))

    history = page.plain_text.split("Tracking history", 1)[1]  # the stepper above names every step
    assert history.index("Delivered Latest") < history.index("Out for delivery")


def test_outside_china_times_are_in_the_customers_own_zone_and_named() -> None:
    tracked = a_tracked_order(
        a_shipment(carrier="ups"),
        shipping_address={"country": "US", "city": "Portland", "region": "OR", "postal_code": "97201"},
        customer={"locale": "en"},
    )
    text = Outline(render_tracking_page(tracked, "en")).plain_text

    assert "Times are in PDT." in text  # Oregon: Pacific time (shared.customer_time), never bare UTC
    assert "Jul 1, 2025, 3:10 PM PDT" in text  # 2025-07-02T06:10+08:00
    assert "UPS" in text
    assert "Portland, OR, US" in text


def test_headings_descend_one_level_at_a_time_from_a_single_h1() -> None:
    tracked = a_tracked_order(
        a_shipment(1),
        a_shipment(
            2, tracking_status="exception", status="delivery_exception", status_reason="address_issue"
        ),
        status="delivery_exception",
    )
    for locale in ("en", "zh-CN"):
        levels = [level for level, _ in Outline(render_tracking_page(tracked, locale)).headings]
        assert levels.count(1) == 1 and levels[0] == 1
        assert all(later - earlier <= 1 for earlier, later in itertools.pairwise(levels))


def test_the_page_offers_both_languages_and_marks_the_current_one() -> None:
    page = Outline(render_tracking_page(a_tracked_order(a_shipment()), "zh-CN"))

    links = [attributes for tag, attributes in page.elements if tag == "a" and "hreflang" in attributes]
    assert [(link["href"], link.get("aria-current")) for link in links] == [
        ("?lang=en", None),
        ("?lang=zh-CN", "page"),
    ]
    assert ("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}) in page.elements


@pytest.mark.parametrize(
    ("requested", "customer", "expected"),
    [
        (None, "zh-CN", "zh-CN"),
        (None, "en", "en"),
        ("en", "zh-CN", "en"),
        ("zh-CN", "en", "zh-CN"),
        ("fr", "zh-CN", "zh-CN"),
        ("zh-cn<script>", "en", "en"),
        (None, "de", "en"),
    ],
)
def test_the_language_is_the_requested_one_else_the_customers(
    requested: str | None, customer: str, expected: str
) -> None:
    assert choose_locale(requested, customer) == expected


def test_customer_and_carrier_strings_are_escaped() -> None:
    # Given an address and carrier texts that carry markup
    hostile = a_shipment(
        carrier="x-<b>",
        checkpoints=[
            checkpoint(
                "2025-07-02T06:10:00+08:00",
                "in_transit",
                '<script>alert("message")</script>',
                '"><img src=x onerror=alert(1)>',
            )
        ],
    )
    tracked = a_tracked_order(
        hostile,
        shipping_address={"city": "<script>alert('city')</script>", "region": "R&D </section>"},
    )

    # When the page is rendered
    html = render_tracking_page(tracked, "en")

    # Then every one of them is text, never markup
    assert "<script>" not in html and "<img src=x" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#34;message&#34;)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(&#39;city&#39;)&lt;/script&gt;" in html
    assert "R&amp;D &lt;/section&gt;" in html
    assert Outline(html).plain_text.count("alert") == 2 + 1


def test_email_and_phone_are_masked() -> None:
    tracked = a_tracked_order(a_shipment())
    order = tracked.order

    html = render_tracking_page(tracked, "en")

    assert order.customer.email == "li.wei@example.com" and order.customer.phone == "+8613800138000"
    assert order.customer.email not in html and order.customer.phone not in html
    assert "l***@example.com" in html and "+86*******8000" in html
    # and no street line or recipient name either
    assert order.shipping_address.line1 not in html and order.customer.name not in html


@pytest.mark.parametrize(
    ("tracking_status", "reason", "english", "chinese"),
    [
        ("attempt_fail", "recipient_unavailable", "could not deliver", "未能成功派送"),
        ("exception", "address_issue", "problem with the delivery address", "收货地址有问题"),
        ("exception", "lost", "damaged or lost", "破损或丢失"),
        ("on_hold", "customs_hold", "being held", "被暂扣"),
        ("delivery_delayed", "weather", "reports a delay", "延误"),
        ("delivery_exception", "stalled", "no news from the carrier", "未更新物流信息"),
        ("delivery_exception", "late", "later than expected", "超过预计送达时间"),
        ("return_to_sender", "returning", "being returned", "正在退回"),
        ("exception", "something_new", "problem with this delivery", "配送出现问题"),
    ],
)
def test_a_delivery_problem_is_explained_with_what_to_do(
    tracking_status: str, reason: str, english: str, chinese: str
) -> None:
    shipment = a_shipment(tracking_status=tracking_status, status="delivery_exception", status_reason=reason)
    tracked = a_tracked_order(shipment, status="delivery_exception")

    en = Outline(render_tracking_page(tracked, "en")).plain_text
    zh = Outline(render_tracking_page(tracked, "zh-CN")).plain_text

    assert "Delivery problem" in en and english in en and "What to do:" in en
    assert "配送异常" in zh and chinese in zh and "处理建议：" in zh


def test_the_advice_names_the_carrier_and_tracking_number_when_the_carrier_can_help() -> None:
    shipment = a_shipment(
        tracking_status="attempt_fail", status="delivery_exception", status_reason="business_closed"
    )
    text = Outline(
        render_tracking_page(a_tracked_order(shipment, status="delivery_exception"), "en")
    ).plain_text

    assert "contact SF Express with tracking number SF1000000001" in text


def test_a_shipment_in_good_order_shows_no_problem() -> None:
    html = render_tracking_page(a_tracked_order(a_shipment()), "en")

    assert "Delivery problem" not in html and 'class="problem"' not in html


def test_a_delivered_shipment_shows_no_estimate() -> None:
    shipment = a_shipment(
        tracking_status="delivered",
        status="delivered",
        checkpoints=[checkpoint("2025-07-02T14:30:00+08:00", "delivered", "快件已签收")],
    )
    text = Outline(render_tracking_page(a_tracked_order(shipment, status="delivered"), "en")).plain_text

    assert "Delivered" in text and "Estimated delivery" not in text


def test_an_order_before_shipping_says_so() -> None:
    text = Outline(render_tracking_page(a_tracked_order(status="confirmed"), "en")).plain_text

    assert "Confirmed" in text and "Nothing has shipped yet" in text


def test_a_shipment_without_checkpoints_says_so_and_a_datetime_estimate_is_shown_as_its_day() -> None:
    shipment = a_shipment(
        checkpoints=[], tracking_status=None, status="shipped", estimated_delivery="2025-07-03T17:00:00Z"
    )
    text = Outline(render_tracking_page(a_tracked_order(shipment, status="shipped"), "zh-CN")).plain_text

    assert "承运商暂未更新物流信息" in text
    assert "2025年7月4日 周五" in text  # 17:00 UTC is 01:00 the next day in Shanghai


def test_an_unknown_carrier_is_spelled_out() -> None:
    assert carrier_name("dhl-ecommerce", "en") == "DHL Ecommerce"
    assert carrier_name("sf-express", "zh-CN") == "顺丰速运"
    assert carrier_name("fedex", "en") == "FedEx"


def test_the_inline_stylesheet_is_the_one_the_policy_hash_allows() -> None:
    page = Outline(render_tracking_page(a_tracked_order(a_shipment()), "en"))

    digest = base64.b64encode(hashlib.sha256(page.style.encode()).digest()).decode()
    assert page.style == stylesheet()
    assert style_source() == f"'sha256-{digest}'"
    assert not any("style" in attributes for _, attributes in page.elements)  # no inline style attributes
    assert not any(tag in {"script", "iframe", "link"} for tag, _ in page.elements)
    images = [attributes["src"] or "" for tag, attributes in page.elements if tag == "img"]
    assert all(src.startswith("https://") for src in images)  # the policy allows https images only
