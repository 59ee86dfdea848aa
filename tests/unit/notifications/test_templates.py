"""Every template renders for every kind and locale with typical and worst-case data; text
messages stay within their segment limits with a real signed tracking link."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import Any

import pytest
from jinja2 import StrictUndefined, UndefinedError, meta

from notifications.domain.branding import signed_sms
from notifications.domain.model import SHIPMENT_KINDS
from notifications.domain.model import NotificationKind as K
from notifications.domain.operator_notes import NOTE_BY_KIND
from notifications.domain.rendering import (
    LOCALES,
    TEMPLATE_FILES,
    TEMPLATES_DIR,
    notification_context,
    render_email,
    render_sms,
    template_environment,
    template_name,
)
from notifications.domain.sms_segments import SmsEncoding, sms_size
from orders.models.api import Shipment
from shared.brand import DEV_BRAND
from tests.unit.notifications.test_rendering_samples import (
    FEEDBACK_URL,
    OCCURRED_AT,
    ORDER_ID,
    SMS_PHONES,
    TIME_ZONE,
    TRACKING_URL,
    WORST_BRAND,
    Variant,
    context_for,
    order_for,
    sample_order,
    sms_for,
    sms_table,
    typical,
    variants,
)

CASES = [(kind, locale) for kind in K for locale in LOCALES]
VARIANT_CASES = [
    pytest.param(
        variant,
        locale,
        id=f"{variant.kind.value}-{locale}-{'worst' if variant.worst else 'typical'}"
        + (f"-{variant.reason}" if variant.reason else "")
        + ("-minimal" if variant.minimal else ""),
    )
    for kind in K
    for variant in variants(kind)
    for locale in LOCALES
]
CJK = re.compile(r"[\u4e00-\u9fff]")
HTML_TAG = re.compile(r"<[A-Za-z/!][^>]*>")
URL = re.compile(r"https://\S+")
HREF = re.compile(r'<a href="([^"]+)"')


def _links_besides_the_shops(html: str, shop: dict[str, Any]) -> list[str]:
    """The email's links other than the footer's (the shop's contacts and its own order page)."""
    footer = {shop["support_url"], shop["order_page_url"]}
    return [
        href for href in HREF.findall(html) if href not in footer and not href.startswith(("mailto:", "tel:"))
    ]


DOC = Path(__file__).resolve().parents[3] / "docs" / "notification-templates.md"


def _template_files() -> list[str]:
    return sorted(
        path.relative_to(TEMPLATES_DIR).as_posix() for path in TEMPLATES_DIR.rglob("*") if path.is_file()
    )


# -- files ---------------------------------------------------------------------------------------


def test_every_kind_has_every_part_in_every_locale() -> None:
    expected = {template_name(kind, part, locale) for kind, locale in CASES for part in TEMPLATE_FILES}
    kinds_on_disk = {name for name in _template_files() if not name.startswith("_")}
    assert kinds_on_disk == expected


def test_shared_templates_exist_for_every_locale() -> None:
    shared = {name for name in _template_files() if name.startswith("_")}
    for locale in LOCALES:
        for pattern in (
            "_layouts/email.{}.html",
            "_layouts/email.{}.txt",
            "_partials/blocks.{}.html",
            "_partials/blocks.{}.txt",
            "_copy/shipment_updates.{}.txt",
            "_copy/customer_service.{}.txt",
        ):
            assert pattern.format(locale) in shared


@pytest.mark.parametrize("name", _template_files())
def test_no_template_uses_a_name_the_context_does_not_offer(name: str) -> None:
    offered = set(context_for(typical(K.ORDER_DELIVERY_EXCEPTION), "en"))
    environment = template_environment()
    source = environment.loader.get_source(environment, name)[0]  # type: ignore[union-attr]

    used = meta.find_undeclared_variables(environment.parse(source))

    assert used <= offered, sorted(used - offered)


# -- rendering -----------------------------------------------------------------------------------


@pytest.mark.parametrize("linked", [True, False], ids=["link", "no-link"])
@pytest.mark.parametrize(("variant", "locale"), VARIANT_CASES)
def test_every_template_renders(variant: Variant, locale: str, linked: bool) -> None:
    assert template_environment().undefined is StrictUndefined
    kind = variant.kind
    context = context_for(variant, locale, TRACKING_URL if linked else None)

    email = render_email(kind, locale, context)
    sms = render_sms(kind, locale, context)

    number = context["order_number"]
    assert email.subject and "\n" not in email.subject and number in email.subject
    assert number in email.html and number in email.text
    assert email.html.startswith("<!DOCTYPE html>") and f'<html lang="{locale}">' in email.html
    assert context["order_ref"] in sms
    # the customer sees the order number and product names, never our ids or bare SKUs (links aside)
    shown = URL.sub("", email.subject + email.html + email.text + sms)
    assert ORDER_ID not in shown and "ord_" not in shown
    if not variant.worst:
        assert "TEA-OOLONG-250G" not in shown and "CUP-CELADON" not in shown
    # every email says who it is from and how to reach them
    shop = context["shop"]
    keys = ("support_email", "support_phone", "support_url", "order_page_url")
    contacts = [shop[key] for key in keys if shop[key]]  # what the brand gives (the worst one: all)
    assert len(contacts) == len(keys) if variant.worst else len(contacts) == len(keys) - 1
    assert escape(shop["name"]) in email.html and shop["name"] in email.text
    assert all(escape(contact) in email.html and contact in email.text for contact in contacts)
    assert (shop["logo_url"] is not None) == (f'<img src="{shop["logo_url"]}"' in email.html)
    assert "None" not in email.subject + email.html + email.text + sms
    assert "\n\n\n" not in email.text
    if kind is K.FEEDBACK_INVITE:  # one link: the survey (never the tracking page)
        assert context["feedback_url"] is not None if linked else context["feedback_url"] is None
        url = context["feedback_url"] or FEEDBACK_URL
        assert (url in email.html and url in email.text and url in sms) == linked
        assert TRACKING_URL not in email.html + email.text + sms
        assert len(_links_besides_the_shops(email.html, context["shop"])) == int(linked)
    elif kind in (K.COMPLAINT_RESOLVED, K.COMPLAINT_OPENED, K.COMPLAINT_REPLIED):
        # the order in the email; the text message has no link
        assert (TRACKING_URL in email.html and TRACKING_URL in email.text) == linked
        assert TRACKING_URL not in sms
    elif kind in SHIPMENT_KINDS or linked:
        assert (TRACKING_URL in email.html and TRACKING_URL in email.text and TRACKING_URL in sms) == linked
    if locale == "zh-CN":
        for part in (email.subject, email.html, email.text, sms):
            assert CJK.search(part)
    else:
        assert not CJK.search(email.subject + email.html + email.text + sms)


@pytest.mark.parametrize(("kind", "locale"), CASES)
def test_a_missing_variable_fails_the_render(kind: K, locale: str) -> None:
    context = context_for(typical(kind), locale)
    for name in ("order_number", "order_ref", "feedback_url"):
        del context[name]

    with pytest.raises(UndefinedError):
        render_email(kind, locale, context)
    with pytest.raises(UndefinedError):
        render_sms(kind, locale, context)


@pytest.mark.parametrize(
    ("kind", "locale"), [(kind, locale) for kind in sorted(SHIPMENT_KINDS) for locale in LOCALES]
)
def test_shipment_kinds_render_without_a_shipment_record(kind: K, locale: str) -> None:
    status = "in_transit" if kind is K.ESTIMATE_REVISED else kind.value.removeprefix("order_")
    order = sample_order(status=status, customer={"locale": locale})
    for url in (TRACKING_URL, None):
        context = notification_context(
            order, kind, locale, time_zone=TIME_ZONE, tracking_url=url, occurred_at=OCCURRED_AT
        )
        render_email(kind, locale, context)
        assert sms_size(render_sms(kind, locale, context)).segments <= 2


@pytest.mark.parametrize("locale", LOCALES)
def test_html_escapes_what_customers_typed_and_text_keeps_it(locale: str) -> None:
    variant = typical(K.ORDER_CONFIRMED)
    order = order_for(variant, locale, name="<script>alert('x')</script> Tom & Jerry")
    order = order.model_copy(
        update={"shipping_address": order.shipping_address.model_copy(update={"line1": '<img src="x">'})}
    )
    context = notification_context(
        order, variant.kind, locale, time_zone=TIME_ZONE, tracking_url=TRACKING_URL, occurred_at=OCCURRED_AT
    )

    email = render_email(variant.kind, locale, context)

    assert "<script>" not in email.html and "<img" not in email.html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Tom &amp; Jerry" in email.html
    assert "&lt;img src=&#34;x&#34;&gt;" in email.html
    assert "<script>alert('x')</script> Tom & Jerry" in email.text


@pytest.mark.parametrize(("variant", "locale"), VARIANT_CASES)
def test_text_parts_have_no_html(variant: Variant, locale: str) -> None:
    context = context_for(variant, locale)
    email = render_email(variant.kind, locale, context)
    assert not HTML_TAG.search(email.text + email.subject)
    assert not HTML_TAG.search(render_sms(variant.kind, locale, context))


@pytest.mark.parametrize(("variant", "locale"), VARIANT_CASES)
def test_sms_names_no_customer_and_no_address(variant: Variant, locale: str) -> None:
    order = order_for(variant, locale)
    context = context_for(variant, locale, None)
    sms = render_sms(variant.kind, locale, context)
    address = order.shipping_address
    for private in (
        order.customer.name,
        address.line1,
        address.line2,
        address.postal_code,
        order.customer.phone,
    ):
        assert private and private not in sms


# -- SMS budgets ---------------------------------------------------------------------------------

# (locale, with a link) -> most segments any kind may take with worst-case data, as sent: with the
# longest signature and opt-out hint a brand may configure (in Chinese: 【signature】 and the hint to
# a mainland China number, which cost up to 25 of a UCS-2 text's 67-unit parts)
SEGMENT_LIMITS = {("en", False): 2, ("en", True): 2, ("zh-CN", False): 2, ("zh-CN", True): 3}


@pytest.mark.parametrize("linked", [False, True], ids=["no-link", "link"])
@pytest.mark.parametrize(("variant", "locale"), VARIANT_CASES)
def test_sms_stays_within_its_segment_limit(variant: Variant, locale: str, linked: bool) -> None:
    assert len(TRACKING_URL) == 86  # https://track.example-shop.com/track/ + a 49-character signed token
    assert len(FEEDBACK_URL) == 96  # https://track.example-shop.com/feedback/ + a 56-character signed token
    sms = sms_for(variant, locale, TRACKING_URL if linked else None)

    size = sms_size(sms)

    assert size.segments <= SEGMENT_LIMITS[(locale, linked)], sms
    assert size.encoding is (SmsEncoding.UCS2 if locale == "zh-CN" else SmsEncoding.GSM7)


@pytest.mark.parametrize(("kind", "locale"), CASES)
def test_typical_sms_without_a_link_is_one_segment_with_the_stage_brand(kind: K, locale: str) -> None:
    if kind in NOTE_BY_KIND:  # the operator's note takes a line of its own (within SEGMENT_LIMITS)
        return
    for variant in variants(kind):
        if not variant.worst:
            sms = sms_for(variant, locale, None)
            assert sms_size(sms).segments == 1, sms


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("count", [1, 2, 3, 10, 100])
@pytest.mark.parametrize("length", [1, 9, 10, 11, 14, 15, 16, 20, 21, 39, 40, 41, 64, 200])
def test_out_of_stock_sms_fits_with_any_product_names(locale: str, count: int, length: int) -> None:
    names = [(str(n) + ("X" if locale == "en" else "茶") * 200)[:length] for n in range(count)]
    skus = [f"SKU-{n}" for n in range(count)]
    order = sample_order(
        status="out_of_stock",
        customer={"locale": locale},
        items=[
            {"sku": sku, "name": name, "quantity": 999, "unit_price": "1.00"}
            for sku, name in zip(skus, names, strict=True)
        ],
        short_items=[{"sku": sku, "requested": 999, "available": 0} for sku in skus],
    )
    for url in (TRACKING_URL, None):
        context = notification_context(
            order,
            K.ORDER_OUT_OF_STOCK,
            locale,
            time_zone=TIME_ZONE,
            tracking_url=url,
            occurred_at=OCCURRED_AT,
            brand=WORST_BRAND,
        )
        body = render_sms(K.ORDER_OUT_OF_STOCK, locale, context)
        assert "SKU-" not in body
        sms = signed_sms(body, WORST_BRAND, locale, SMS_PHONES[locale])
        assert sms_size(sms).segments <= SEGMENT_LIMITS[(locale, bool(url))], sms


@pytest.mark.parametrize("kind", sorted(SHIPMENT_KINDS))
@pytest.mark.parametrize("carrier", ["sf-express", "yunda", "deutsche-post-dhl-ecommerce", "x" * 40])
@pytest.mark.parametrize("tracking_number", ["1Z999AA1", "SF1234567890123", "9" * 30, "9" * 40])
def test_english_sms_without_a_link_fits_any_carrier_and_tracking_number(
    kind: K, carrier: str, tracking_number: str
) -> None:
    for variant in variants(kind):
        order = order_for(variant, "en")
        shipments = [
            Shipment.model_validate(
                {**s.model_dump(), "carrier": carrier, "tracking_number": tracking_number}
            )
            for s in order.shipments
        ]
        context = notification_context(
            order.model_copy(update={"shipments": shipments}),
            kind,
            "en",
            time_zone=TIME_ZONE,
            tracking_url=None,
            occurred_at=OCCURRED_AT,
        )
        sms = signed_sms(render_sms(kind, "en", context), DEV_BRAND, "en", SMS_PHONES["en"])
        assert sms_size(sms).segments <= SEGMENT_LIMITS[("en", False)], sms


def test_the_documented_sms_table_is_the_measured_one() -> None:
    """docs/notification-templates.md shows what the templates measure; regenerate it with
    `PYTHONPATH=functions python -m tests.unit.notifications.test_rendering_samples` after changing
    a text message."""
    text = DOC.read_text(encoding="utf-8")
    documented = text.split("<!-- sms-table:start -->")[1].split("<!-- sms-table:end -->")[0].strip()
    assert documented == sms_table()


def test_the_doc_lists_every_context_variable() -> None:
    text = DOC.read_text(encoding="utf-8")
    context: dict[str, Any] = context_for(typical(K.ORDER_SHIPPED), "en")
    missing = [key for key in [*context, *context["shipment"]] if f"`{key}`" not in text]
    assert not missing


# -- environment -----------------------------------------------------------------------------------


def test_templates_are_loaded_lazily_and_cached() -> None:
    template_environment.cache_clear()
    assert template_environment.cache_info().currsize == 0
    render_sms(K.ORDER_CONFIRMED, "en", context_for(typical(K.ORDER_CONFIRMED), "en"))
    render_sms(K.ORDER_SHIPPED, "zh-CN", context_for(typical(K.ORDER_SHIPPED), "zh-CN"))
    assert template_environment.cache_info().currsize == 1
