# ruff: noqa: RUF001  (full-width Chinese punctuation is the text under test)
"""Return messages say the refund amount (in the locale's money format) or the exchange."""

from __future__ import annotations

import pytest

from notifications.domain.model import NotificationKind as K
from notifications.domain.rendering import render_email, render_sms
from tests.unit.notifications.test_rendering_samples import Variant, details_for
from tests.unit.notifications.test_service_notifications import _context

REFUND = {"resolution": "refund", "refund_amount": "127.80", "refund_currency": "CNY"}
MONEY = {"en": "CN¥127.80", "zh-CN": "¥127.80"}


def email(kind: K, locale: str, extra: dict[str, str]):
    sample = details_for(Variant(kind, worst=False), locale)
    plain = {k: v for k, v in sample.items() if k not in ("refund_amount", "refund_currency")}
    details = {**plain, **extra}
    context = _context(kind, locale, details)
    return context, render_email(kind, locale, context)


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
@pytest.mark.parametrize("kind", [K.RETURN_APPROVED, K.RETURN_RECEIVED, K.RETURN_REFUNDED])
def test_a_refund_return_says_its_amount(kind: K, locale: str) -> None:
    context, message = email(kind, locale, REFUND)
    assert context["return_refund"] == MONEY[locale] and context["return_exchange"] is False
    assert MONEY[locale] in message.text and MONEY[locale] in message.html


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_without_an_amount_the_messages_read_as_before(locale: str) -> None:
    context, message = email(K.RETURN_REFUNDED, locale, {})
    assert context["return_refund"] is None
    assert (
        "We've issued the refund for your return" if locale == "en" else "的退货退款已办理，"
    ) in message.text


@pytest.mark.parametrize(
    ("locale", "approved", "received"),
    [
        ("en", "This is an exchange", "We've sent your replacement (shipment rsp_1)"),
        ("zh-CN", "本次为换货", "我们已为您寄出替换商品（发货单 rsp_1）"),
    ],
)
def test_an_exchange_says_the_replacement_instead_of_a_refund(
    locale: str, approved: str, received: str
) -> None:
    _, on_approval = email(K.RETURN_APPROVED, locale, {"resolution": "exchange"})
    assert approved in on_approval.text and approved in on_approval.html
    assert ("refund you" if locale == "en" else "办理退款") not in on_approval.text
    _, on_receipt = email(K.RETURN_RECEIVED, locale, {"resolution": "exchange", "reshipment_id": "rsp_1"})
    assert received in on_receipt.text


def test_an_unreadable_amount_is_left_out() -> None:
    context, _ = email(K.RETURN_REFUNDED, "en", {**REFUND, "refund_amount": "lots"})
    assert context["return_refund"] is None


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
@pytest.mark.parametrize("kind", [K.RETURN_APPROVED, K.RETURN_REFUNDED])
def test_a_text_without_a_link_says_the_amount(kind: K, locale: str) -> None:
    details = {**details_for(Variant(kind, worst=False), locale), **REFUND}
    assert MONEY[locale] in render_sms(kind, locale, _context(kind, locale, details, tracking_url=None))
    linked = render_sms(kind, locale, _context(kind, locale, details))
    assert MONEY[locale] not in linked  # the link leads to the details; the text stays short
