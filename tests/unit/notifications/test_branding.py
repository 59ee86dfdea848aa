# ruff: noqa: RUF001  (full-width brackets and punctuation are the text under test)
"""The merchant in every text: signature and opt-out hint by the recipient's country, the sender id
only where AWS supports one, the shop's facts for emails, and the operator's note on its own line."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from notifications.adapters.sns_sms import SnsSmsSender
from notifications.domain.branding import shop_context, signed_sms, sms_frame, supports_sender_id
from notifications.domain.model import NotificationKind as K
from notifications.domain.operator_notes import SMS_NOTE_BUDGET, sms_note
from notifications.domain.sms_segments import SmsEncoding, sms_size
from shared.brand import DEV_BRAND, Brand
from tests.factories import load_event
from tests.unit.notifications.conftest import event_for, sample_order

ACME = Brand(
    shop_name={"en": "Acme Tea", "zh-CN": "艾克米茶"},
    sms_signature={"zh-CN": "艾克米"},
    support_phone="+86 400 000 0000",
    order_page_url="https://acme.example.com/orders/{order_number}?id={order_id}",
)


# -- signature and opt-out hint ------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_a_mainland_china_number_gets_the_registered_signature_and_td_whatever_the_language(
    locale: str,
) -> None:
    text = signed_sms("BODY", ACME, locale, "+8613800138000")
    assert text == "【艾克米】BODY回TD退订"
    assert sms_size(text).encoding is SmsEncoding.UCS2  # 【】 alone make it UCS-2


def test_a_hint_after_a_link_is_set_apart_so_phones_do_not_read_it_as_part_of_the_url() -> None:
    link = "https://track.example.com/track/ord_k2m4q6s8u0w2y4a6c8e0g2i4.sig"
    assert (
        signed_sms(f"查看物流：{link}", ACME, "zh-CN", "+8613800138000")
        == f"【艾克米】查看物流：{link} 回TD退订"
    )
    # a body ending in anything else (a tracking number, punctuation) keeps the hint right after it
    assert signed_sms("运单号SF1234567890121", ACME, "zh-CN", "+8613800138000").endswith(
        "SF1234567890121回TD退订"
    )


def test_elsewhere_the_text_carries_the_shop_and_the_hint_of_its_language() -> None:
    assert signed_sms("Your order shipped.", ACME, "en", "+14155552671") == (
        "Acme Tea: Your order shipped. Reply STOP to opt out"
    )
    assert (
        signed_sms("您的订单已发货。", ACME, "zh-CN", "+85291234567") == "【艾克米】您的订单已发货。回TD退订"
    )
    assert (
        sms_size(signed_sms("Your order shipped.", ACME, "en", "+447700900123")).encoding is SmsEncoding.GSM7
    )


def test_a_brand_signature_and_hint_of_its_own_are_used() -> None:
    brand = Brand(
        shop_name={"en": "Acme Tea"},
        sms_signature={"en": "ACME", "zh-CN": "艾克米"},
        sms_opt_out_hint={"en": "Text STOP to end", "zh-CN": "拒收请回复R"},
    )
    assert sms_frame(brand, "en", "+14155552671") == ("ACME: ", " Text STOP to end")
    assert sms_frame(brand, "en", "+8613800138000") == ("【艾克米】", "拒收请回复R")


# -- sender id -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "supported"),
    [
        ("+8613800138000", False),  # China
        ("+14155552671", False),  # United States
        ("+14165550123", False),  # Canada
        ("+447700900123", True),  # United Kingdom
        ("+85291234567", True),  # Hong Kong
        ("+6591234567", True),  # Singapore
        ("+886912345678", True),  # Taiwan: +886 is not +86
    ],
)
def test_the_sender_id_goes_only_where_it_is_supported(phone: str, supported: bool) -> None:
    assert supports_sender_id(phone) is supported


@dataclasses.dataclass
class RecordingSns:
    published: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def publish(self, **request: Any) -> dict[str, str]:
        self.published.append(request)
        return load_event("providers/sns/publish_sms_response.json")


@pytest.mark.parametrize(
    ("sample", "sender_id"),
    [("publish_sms_request.json", "DemoShop"), ("publish_sms_without_sender_id_request.json", "DemoShop")],
)
def test_the_publish_request_is_the_documented_one(sample: str, sender_id: str) -> None:
    expected = load_event(f"providers/sns/{sample}")
    client = RecordingSns()

    message_id = SnsSmsSender(client, sender_id).send(expected["PhoneNumber"], expected["Message"])

    assert client.published == [expected]
    assert message_id == "5e3c2b1a-9d8f-4e7a-b6c5-0123456789ab"


def test_without_a_sender_id_none_is_sent_anywhere() -> None:
    client = RecordingSns()
    SnsSmsSender(client).send("+447700900123", "hi")
    assert "AWS.SNS.SMS.SenderID" not in client.published[0]["MessageAttributes"]


# -- emails ------------------------------------------------------------------------------------------


def test_the_shop_context_names_the_shop_in_the_locale_and_links_its_order_page() -> None:
    shop = shop_context(ACME, "zh-CN", "ord_k2m4q6s8u0w2y4a6c8e0g2i4", "SO-42")
    assert shop == {
        "name": "艾克米茶",
        "logo_url": None,
        "support_email": None,
        "support_phone": "+86 400 000 0000",
        "support_url": None,
        "order_page_url": "https://acme.example.com/orders/SO-42?id=ord_k2m4q6s8u0w2y4a6c8e0g2i4",
    }


# -- the operator's note ---------------------------------------------------------------------------


def test_a_note_is_quoted_on_one_line_and_cut_at_a_word() -> None:
    note = "Please send it to:\nReturns, 88 Jiangchang Road, Shanghai 200072, and write the return number on it clearly."
    line = sms_note(K.RETURN_APPROVED, "en", {"return_note": note})
    assert line is not None and "\n" not in line
    assert line.startswith('Our note: "Please send it to: Returns, 88 Jiangchang Road') and line.endswith(
        '..."'
    )
    quoted = line.removeprefix('Our note: "').removesuffix('"')
    assert len(quoted) <= SMS_NOTE_BUDGET["en"] and quoted.removesuffix("...").rstrip() in " ".join(
        note.split()
    )


def test_a_chinese_note_is_cut_without_splitting_a_character_sequence() -> None:
    # a family emoji (joined by zero-width joiners) straddling the cut stays whole or goes whole
    note = "商品已收到" * 4 + "👨\u200d👩\u200d👧" + "谢谢您的耐心"
    for cut_at in range(len(note)):
        line = sms_note(K.RETURN_RECEIVED, "zh-CN", {"return_note": note[: cut_at + 1] + note})
        assert line is not None
        quoted = line.removeprefix("客服备注：“").removesuffix("”")
        assert not quoted.removesuffix("…").endswith("\u200d")
        assert len(quoted) <= SMS_NOTE_BUDGET["zh-CN"]


def test_an_english_text_leaves_a_note_gsm7_cannot_carry_to_the_email() -> None:
    assert sms_note(K.COMPLAINT_RESOLVED, "en", {"complaint_resolution": "已补发 a new cup"}) is None
    assert sms_note(K.COMPLAINT_RESOLVED, "zh-CN", {"complaint_resolution": "已补发 a new cup"}) == (
        "客服备注：“已补发 a new cup”"
    )


def test_kinds_without_operator_words_add_no_note() -> None:
    assert sms_note(K.ORDER_SHIPPED, "en", {"return_note": "x", "complaint_resolution": "y"}) is None
    assert sms_note(K.RETURN_APPROVED, "en", {"return_note": None}) is None
    assert sms_note(K.RETURN_APPROVED, "en", {"return_note": "   "}) is None


# -- the notifier ----------------------------------------------------------------------------------


def test_the_notifier_texts_and_emails_for_its_brand() -> None:
    from tests.unit.notifications.conftest import build_world

    world = build_world()
    world.notifier.brand = ACME
    world.notifier.policy = world.notifier.policy.model_copy(update={"collapse_window_seconds": 0})
    order = sample_order(customer={"phone": "+14155552671"}, order_number="SO-42")
    world.orders.orders[order.order_id] = order

    world.notifier.accept(event_for(order))

    [(_, email)] = world.email.sent
    assert "Acme Tea" in email.html and "SO-42" in email.subject
    assert "https://acme.example.com/orders/SO-42?id=" in email.text
    [(phone, text)] = world.sms.sent
    assert phone == "+14155552671"
    assert text.startswith("Acme Tea: ") and text.endswith(" Reply STOP to opt out") and "SO-42" in text


def test_the_dev_brand_reads_as_the_demo_shop() -> None:
    assert DEV_BRAND.signature("zh-CN") == "演示店"


@pytest.mark.parametrize(
    ("locale", "label"), [("en", "A note from Acme Tea:"), ("zh-CN", "艾克米茶客服备注：")]
)
def test_an_emailed_note_is_a_quote_marked_as_the_shops(locale: str, label: str) -> None:
    from notifications.domain.rendering import notification_context, render_email
    from tests.unit.notifications.test_rendering_samples import OCCURRED_AT, Variant, details_for, order_for

    variant = Variant(K.RETURN_APPROVED, worst=False)
    details = {**details_for(variant, locale), "note": "Use the prepaid label.\nThanks!"}
    context = notification_context(
        order_for(variant, locale),
        K.RETURN_APPROVED,
        locale,
        time_zone="Asia/Shanghai",
        tracking_url=None,
        occurred_at=OCCURRED_AT,
        details=details,
        brand=ACME,
    )

    email = render_email(K.RETURN_APPROVED, locale, context)

    assert (
        f"{label}</p>\n<blockquote" in email.html
        and "Use the prepaid label.\nThanks!</blockquote>" in email.html
    )
    assert f"{label}\n  Use the prepaid label.\n  Thanks!" in email.text


# -- what the frame costs ----------------------------------------------------------------------------


def test_the_frame_counts_against_the_segment_boundaries() -> None:
    # DEV_BRAND: "Demo Shop: " + body + " Reply STOP to opt out" is 33 septets of GSM-7's 160
    assert sms_size(signed_sms("x" * 127, DEV_BRAND, "en", "+14155552671")) == sms_size("x" * 160)
    assert sms_size(signed_sms("x" * 128, DEV_BRAND, "en", "+14155552671")).segments == 2
    # 【演示店】 and 回TD退订 are 10 of UCS-2's 70 units; then 67 a part
    assert sms_size(signed_sms("字" * 60, DEV_BRAND, "zh-CN", "+8613800138000")).segments == 1
    assert sms_size(signed_sms("字" * 61, DEV_BRAND, "zh-CN", "+8613800138000")).segments == 2
    assert sms_size(signed_sms("字" * 124, DEV_BRAND, "zh-CN", "+8613800138000")).segments == 2
    assert sms_size(signed_sms("字" * 125, DEV_BRAND, "zh-CN", "+8613800138000")).segments == 3


def test_a_long_shop_name_standing_in_for_a_signature_is_cut_to_a_signatures_length() -> None:
    brand = Brand(shop_name={"en": "The Hangzhou Tea & Porcelain Trading Co."})
    assert sms_frame(brand, "en", "+447700900123")[0] == "The Hangzhou: "
    assert sms_frame(brand, "zh-CN", "+8613800138000")[0] == "【The Hangzhou】"
