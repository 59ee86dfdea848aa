# ruff: noqa: RUF001  (full-width Chinese punctuation is the text under test)
"""Survey invitations, returns and complaints: the event types that map to them, the default
policy, what `notification_context` makes of the event's details, and messages that render with
partial details, escape what people typed and stay within their text-message budgets."""

from __future__ import annotations

import re
from typing import Any

import pytest
from markupsafe import escape

from notifications.domain.branding import signed_sms
from notifications.domain.model import KIND_BY_EVENT_TYPE, ORDER_KINDS, RETURN_KINDS, SHIPMENT_KINDS, Channel
from notifications.domain.model import NotificationKind as K
from notifications.domain.operator_notes import NOTE_BY_KIND
from notifications.domain.policy import DEFAULT_POLICY
from notifications.domain.rendering import (
    COMPLAINT_CATEGORIES,
    LOCALES,
    RETURN_REASON_BY_CODE,
    RETURN_REASONS,
    RETURN_STATUSES,
    locale_copy,
    notification_context,
    render_email,
    render_sms,
    return_items,
    return_reason_code,
)
from notifications.domain.sms_segments import SmsEncoding, sms_size
from shared.brand import DEV_BRAND
from tests.unit.notifications.test_rendering_samples import (
    COMPLAINT_ID,
    FEEDBACK_URL,
    OCCURRED_AT,
    ORDER_ID,
    PRODUCT_NAMES,
    RETURN_ID,
    RETURN_STATUS,
    SERVICE_KINDS,
    SMS_PHONES,
    TIME_ZONE,
    TRACKING_URL,
    Variant,
    details_for,
    feedback_details,
    order_for,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
SERVICE_CASES = [(kind, locale) for kind in SERVICE_KINDS for locale in LOCALES]
SCRIPT = "<script>alert('x')</script> & more"


def _context(
    kind: K,
    locale: str,
    details: dict[str, str] | None,
    *,
    tracking_url: str | None = TRACKING_URL,
    feedback_url: str | None = None,
    time_zone: str = TIME_ZONE,
) -> dict[str, Any]:
    return notification_context(
        order_for(Variant(kind, worst=False), locale),
        kind,
        locale,
        time_zone=time_zone,
        tracking_url=tracking_url,
        occurred_at=OCCURRED_AT,
        details=details,
        feedback_url=feedback_url,
    )


# -- kinds and policy ------------------------------------------------------------------------------


def test_customer_service_event_types_have_their_own_kinds() -> None:
    assert {event: kind for event, kind in KIND_BY_EVENT_TYPE.items() if not event.startswith("order.")} == {
        "feedback.invite": K.FEEDBACK_INVITE,
        "return.requested": K.RETURN_REQUESTED,
        "return.approved": K.RETURN_APPROVED,
        "return.rejected": K.RETURN_REJECTED,
        "return.received": K.RETURN_RECEIVED,
        "return.refunded": K.RETURN_REFUNDED,
        "complaint.resolved": K.COMPLAINT_RESOLVED,
        "complaint.opened": K.COMPLAINT_OPENED,
        "complaint.replied": K.COMPLAINT_REPLIED,
        "exception.customer_contacted": K.EXCEPTION_CONTACT,
        "exception.refunded": K.EXCEPTION_REFUNDED,
        "reshipment.created": K.RESHIPMENT_CREATED,
        "reshipment.shipped": K.RESHIPMENT_CREATED,
    }
    assert KIND_BY_EVENT_TYPE["order.updated"] is K.ORDER_UPDATED
    assert KIND_BY_EVENT_TYPE["order.delivered"] is K.ORDER_DELIVERED
    assert {f"order.{kind.value.removeprefix('order_')}" for kind in ORDER_KINDS} <= set(KIND_BY_EVENT_TYPE)
    assert set(KIND_BY_EVENT_TYPE.values()) == set(K)
    assert not set(SERVICE_KINDS) & SHIPMENT_KINDS
    assert {RETURN_STATUS[kind] for kind in RETURN_KINDS} == set(RETURN_STATUSES)


def test_default_policy_for_customer_service_events() -> None:
    email, both = (Channel.EMAIL,), (Channel.EMAIL, Channel.SMS)
    assert {event: DEFAULT_POLICY.channels_for(event) for event in KIND_BY_EVENT_TYPE} == {
        **{event: both for event in KIND_BY_EVENT_TYPE if event.startswith("order.")},
        "order.in_transit": email,
        "feedback.invite": email,  # SMS only as the fallback when email is suppressed
        "return.requested": email,
        "return.approved": both,
        "return.rejected": both,
        "return.received": email,
        "return.refunded": both,
        "complaint.resolved": both,
        "complaint.opened": both,
        "complaint.replied": both,
        "exception.customer_contacted": both,
        "exception.refunded": both,
        "reshipment.created": both,
        "reshipment.shipped": both,
    }
    assert DEFAULT_POLICY.critical_events == frozenset({"order.delivery_exception"})


# -- context ---------------------------------------------------------------------------------------


def test_without_details_every_service_key_is_none() -> None:
    context = _context(K.ORDER_CONFIRMED, "en", None)
    assert context["details"] == {} and context["feedback_url"] is None
    for key in (
        "feedback_expires",
        "sms_feedback_expires",
        "return_id",
        "return_status",
        "return_lines",
        "return_reason",
        "return_note",
        "return_tracking_number",
        "complaint_id",
        "complaint_category",
        "complaint_resolution",
    ):
        assert context[key] is None, key
    assert context["return_items"] == []


@pytest.mark.parametrize(
    ("locale", "time_zone", "long", "short"),
    [
        ("en", "Asia/Shanghai", "Dec 24, 2:05 PM China time", "Dec 24"),
        ("zh-CN", "Asia/Shanghai", "12月24日 14:05（北京时间）", "12月24日"),
        ("en", "America/Los_Angeles", "Dec 23, 10:05 PM PST", "Dec 23"),  # the customer's own day
    ],
)
def test_the_survey_link_expiry_is_in_the_customers_zone(
    locale: str, time_zone: str, long: str, short: str
) -> None:
    details = feedback_details()
    assert details["feedback_expires_at"] == "2026-12-24T06:05:00Z"

    context = _context(K.FEEDBACK_INVITE, locale, details, feedback_url=FEEDBACK_URL, time_zone=time_zone)

    assert (context["feedback_expires"], context["sms_feedback_expires"]) == (long, short)
    assert context["feedback_url"] == FEEDBACK_URL
    assert context["details"]["feedback_token"] in FEEDBACK_URL


def test_an_expiry_in_the_next_year_names_the_year_and_a_bad_one_is_left_out() -> None:
    later = _context(K.FEEDBACK_INVITE, "zh-CN", {"feedback_expires_at": "2027-01-30T04:05:00Z"})
    assert (later["feedback_expires"], later["sms_feedback_expires"]) == (
        "2027年1月30日 12:05（北京时间）",
        "2027年1月30日",
    )
    broken = _context(K.FEEDBACK_INVITE, "en", {"feedback_expires_at": "soon"})
    assert broken["feedback_expires"] is None and broken["sms_feedback_expires"] is None


def test_return_details_in_the_locales_words() -> None:
    details = {
        "return_id": RETURN_ID,
        "status": "approved",
        "reason": "Wrong-Size",
        "lines": "TEA-OOLONG-250G x1, CUP x2",
        "note": "  Use the prepaid label.  ",
        "tracking_number": "SF1234567890123",
    }
    en = _context(K.RETURN_APPROVED, "en", details)
    zh = _context(K.RETURN_APPROVED, "zh-CN", details)

    assert (en["return_id"], en["return_status"], zh["return_status"]) == (RETURN_ID, "Approved", "已通过")
    assert (en["return_reason"], zh["return_reason"]) == ("Wrong size or fit", "尺码或规格不合适")
    assert en["return_lines"] == "TEA-OOLONG-250G x1, CUP x2"
    assert en["return_items"] == [  # named as the order names them; a SKU it does not list stays as typed
        {"sku": "TEA-OOLONG-250G", "quantity": 1, "name": "Tieguanyin oolong, 250 g"},
        {"sku": "CUP", "quantity": 2, "name": "CUP"},
    ]
    assert zh["return_items"][0]["name"] == "铁观音乌龙茶 250 克"
    assert en["return_note"] == "Use the prepaid label." and en["return_tracking_number"] == "SF1234567890123"
    assert en["details"] == details  # as given (escaped by the HTML templates that show it)


def test_a_reason_in_the_customers_own_words_is_shown_as_typed() -> None:
    context = _context(K.RETURN_REQUESTED, "zh-CN", {"reason": "颜色和图片不一样", "note": ""})
    assert context["return_reason"] == "颜色和图片不一样" and context["return_note"] is None


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ("A-1 x1", [{"sku": "A-1", "quantity": 1}]),
        ("A x1,B x22", [{"sku": "A", "quantity": 1}, {"sku": "B", "quantity": 22}]),
        ("two cups", []),  # not in the storefront's form: the templates show the text
        ("A x1, B", []),
        ("", []),
        (None, []),
    ],
)
def test_return_lines(lines: str | None, expected: list[dict[str, Any]]) -> None:
    assert return_items(lines) == expected


def test_every_common_return_reason_and_status_has_words_in_every_locale() -> None:
    assert {return_reason_code(code) for code in RETURN_REASON_BY_CODE} == set(RETURN_REASONS)
    assert (
        return_reason_code("Changed Mind") == "changed_mind" and return_reason_code("my dog ate it") is None
    )
    for locale in LOCALES:
        copy = locale_copy(locale)
        assert set(copy.return_reasons) == set(RETURN_REASONS)
        assert set(copy.return_statuses) == set(RETURN_STATUSES)
        assert set(copy.complaint_categories) == set(COMPLAINT_CATEGORIES)
        assert all(copy.return_reasons.values()) and all(copy.complaint_categories.values())


@pytest.mark.parametrize(
    ("category", "en", "zh"),
    [
        ("delivery_delay", "late delivery", "配送延误"),
        ("damage", "damaged item", "商品损坏"),
        ("wrong_item", "wrong item received", "发错商品"),
        ("missing_item", "missing item", "商品缺件"),
        ("service_attitude", "our service", "服务态度"),
        ("other", "other", "其他问题"),
        ("something_new", "other", "其他问题"),
    ],
)
def test_complaint_categories_in_plain_words(category: str, en: str, zh: str) -> None:
    details = {"complaint_id": COMPLAINT_ID, "category": category, "resolution": "Done."}
    assert _context(K.COMPLAINT_RESOLVED, "en", details)["complaint_category"] == en
    assert _context(K.COMPLAINT_RESOLVED, "zh-CN", details)["complaint_category"] == zh
    assert _context(K.COMPLAINT_RESOLVED, "en", details)["complaint_resolution"] == "Done."


# -- rendering -------------------------------------------------------------------------------------


@pytest.mark.parametrize("linked", [True, False], ids=["link", "no-link"])
@pytest.mark.parametrize("details", [None, {}, {"status": "x"}], ids=["none", "empty", "unknown-status"])
@pytest.mark.parametrize(("kind", "locale"), SERVICE_CASES)
def test_renders_without_the_details(
    kind: K, locale: str, details: dict[str, str] | None, linked: bool
) -> None:
    context = _context(
        kind,
        locale,
        details,
        tracking_url=TRACKING_URL if linked else None,
        feedback_url=FEEDBACK_URL if linked else None,
    )

    email = render_email(kind, locale, context)
    sms = render_sms(kind, locale, context)

    assert context["order_number"] in email.subject and context["order_number"] in email.text
    assert ORDER_ID not in re.sub(r"https://\S+", "", email.subject + email.text)  # links aside
    assert "None" not in email.html + email.text + sms
    assert sms_size(sms).segments <= (1 if locale == "en" or not linked else 2)


@pytest.mark.parametrize(("kind", "locale"), SERVICE_CASES)
def test_html_escapes_what_people_typed_and_text_keeps_it(kind: K, locale: str) -> None:
    details = {
        **details_for(Variant(kind, worst=False), locale),
        "reason": SCRIPT,
        "note": SCRIPT,
        "resolution": SCRIPT,
        "reply": SCRIPT,
        "lines": "<b>A</b> x1",
    }
    context = _context(kind, locale, details, feedback_url=FEEDBACK_URL)

    email = render_email(kind, locale, context)
    sms = render_sms(kind, locale, context)

    assert "<script>" not in email.html and "<b>" not in email.html
    body, *note = sms.split("\n")
    assert SCRIPT not in body  # typed words are never part of the text's own sentences
    if kind in NOTE_BY_KIND and locale == "zh-CN":  # on a quoted line of their own
        [line] = note  # the note cut short (SMS_NOTE_BUDGET), never an HTML escape of it
        assert line.startswith("客服备注：“" + SCRIPT[:12]) and line.endswith("…”")
    elif kind in NOTE_BY_KIND:
        assert note == [f'Our note: "{SCRIPT}"']
    else:
        assert note == []
    if kind in RETURN_KINDS or kind in (K.COMPLAINT_RESOLVED, K.COMPLAINT_REPLIED):
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more" in email.html
        assert SCRIPT in email.text
    if kind in RETURN_KINDS:
        assert "&lt;b&gt;A&lt;/b&gt;" in email.html


@pytest.mark.parametrize(("kind", "locale"), SERVICE_CASES)
def test_the_facts_of_the_event_are_in_the_email(kind: K, locale: str) -> None:
    details = details_for(Variant(kind, worst=False), locale)
    context = _context(kind, locale, details, feedback_url=FEEDBACK_URL)

    email = render_email(kind, locale, context)

    for part in (email.subject, email.html, email.text, render_sms(kind, locale, context)):
        assert bool(CJK.search(part)) == (locale == "zh-CN")
    if kind in RETURN_KINDS:
        assert RETURN_ID in email.html and RETURN_ID in email.text
        name = PRODUCT_NAMES[locale]["TEA-OOLONG-250G"]
        assert name in email.text and "TEA-OOLONG-250G" not in email.text
        assert context["return_reason"] in email.text
        if "note" in details:
            assert str(escape(details["note"])) in email.html and details["note"] in email.text
        if "tracking_number" in details:
            assert details["tracking_number"] in email.text
    elif kind is K.COMPLAINT_RESOLVED:
        assert str(escape(details["resolution"])) in email.html and details["resolution"] in email.text
        assert COMPLAINT_ID in email.text
        assert context["complaint_category"] in email.text
    elif kind is K.COMPLAINT_REPLIED:
        assert str(escape(details["reply"])) in email.html and details["reply"] in email.text
        assert COMPLAINT_ID in email.text and context["complaint_category"] in email.text
    elif kind is K.COMPLAINT_OPENED:  # the due time in the customer's zone
        assert context["complaint_due"] in email.html and context["complaint_due"] in email.text
        assert COMPLAINT_ID in email.text and context["complaint_category"] in email.text
    elif kind is K.EXCEPTION_CONTACT:  # the operator's message, quoted
        assert str(escape(details["note"])) in email.html and details["note"] in email.text
    elif kind is K.EXCEPTION_REFUNDED:
        assert context["refund_amount"] in email.html and context["refund_amount"] in email.text
        assert context["refund_amount"] == ("CN¥12.50" if locale == "en" else "¥12.50")
    elif kind is K.RESHIPMENT_CREATED:  # the replacement's products by name, and its parcel
        name = PRODUCT_NAMES[locale]["CUP-CELADON"]
        assert name in email.text and "CUP-CELADON" not in email.text
        assert (
            details["tracking_number"] in email.text
            and details["tracking_number"] in email.subject + email.html
        )
    elif kind is K.ORDER_UPDATED:  # what changed, never the new values
        assert len(context["order_changes"]) == 3
        assert not [line for line in context["shipping_address"][1:] if len(line) > 3 and line in email.text]
    else:
        assert context["feedback_expires"] in email.html and context["feedback_expires"] in email.text


@pytest.mark.parametrize("locale", LOCALES)
def test_the_survey_invitation_has_one_link_the_form(locale: str) -> None:
    context = _context(K.FEEDBACK_INVITE, locale, feedback_details(), feedback_url=FEEDBACK_URL)

    email = render_email(K.FEEDBACK_INVITE, locale, context)
    sms = render_sms(K.FEEDBACK_INVITE, locale, context)

    shop = context["shop"]
    footer = {shop["support_url"], shop["order_page_url"], f"mailto:{shop['support_email']}"}
    assert [href for href in re.findall(r'href="([^"]+)"', email.html) if href not in footer] == [
        FEEDBACK_URL
    ]
    assert FEEDBACK_URL in email.text and FEEDBACK_URL in sms
    assert TRACKING_URL not in email.html + email.text + sms
    assert context["sms_feedback_expires"] in sms


@pytest.mark.parametrize(
    ("kind", "en", "zh"),
    [
        (K.RETURN_REQUESTED, "We'll review it", "我们会尽快审核"),
        (K.RETURN_APPROVED, "Send the parcel back to us", "将包裹寄回给我们"),
        (K.RETURN_REJECTED, "Why we can&#39;t accept it", "未通过原因"),
        (K.RETURN_RECEIVED, "we'll refund you", "将款项原路退回"),
        (K.RETURN_REFUNDED, "We've issued the refund", "退款已办理"),
    ],
)
def test_each_return_status_says_what_happens_next(kind: K, en: str, zh: str) -> None:
    for locale, words in (("en", en), ("zh-CN", zh)):
        html = render_email(
            kind, locale, _context(kind, locale, details_for(Variant(kind, False), locale))
        ).html
        assert words in html, (kind, locale)


def test_an_approved_return_with_its_tracking_number_does_not_ask_for_it() -> None:
    details = {**details_for(Variant(K.RETURN_APPROVED, False), "en"), "tracking_number": "SF1234567890123"}
    email = render_email(K.RETURN_APPROVED, "en", _context(K.RETURN_APPROVED, "en", details))
    assert "We have your return tracking number, SF1234567890123" in email.text
    assert "let us know the carrier" not in email.text


@pytest.mark.parametrize("kind", SERVICE_KINDS)
def test_english_service_texts_stay_gsm7(kind: K) -> None:
    for linked in (True, False):
        context = _context(
            kind,
            "en",
            details_for(Variant(kind, worst=True), "en"),
            tracking_url=TRACKING_URL if linked else None,
            feedback_url=FEEDBACK_URL if linked else None,
        )
        sms = signed_sms(render_sms(kind, "en", context), DEV_BRAND, "en", SMS_PHONES["en"])
        size = sms_size(sms)
        assert size.encoding is SmsEncoding.GSM7
        assert size.segments <= (1 if not linked and kind not in NOTE_BY_KIND else 2), sms
