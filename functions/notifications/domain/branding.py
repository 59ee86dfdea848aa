"""The merchant in every message: the shop's header and footer facts for emails (`shop_context`), and
the signature and opt-out hint that frame every SMS (`signed_sms`), by the rules of the recipient's
country. Pure functions of the stage's `shared.brand.Brand` and the recipient's E.164 number.

SMS rules
- Mainland China (+86): carriers require the registered signature in full-width brackets at the
  start (`【签名】`) and expect the opt-out hint at the end (`回TD退订`, or the brand's own zh-CN
  text), whatever the customer's language: the signature registered is the Chinese one.
- Everywhere else the text starts with the shop's SMS signature in the customer's language (the
  brand's `sms_signature`, else its name cut to a signature's 12 characters: `Acme Tea: ...` in
  English, `【艾克米茶】...` in Chinese) and ends with the opt-out hint of that language.
- The sender id (`AWS.SNS.SMS.SenderID`) is only sent where AWS supports one (`supports_sender_id`).
"""

from __future__ import annotations

import re
from typing import Any

from shared.brand import SIGNATURE_MAX, Brand

CHINA_MAINLAND_PREFIX = "+86"
CHINA_LOCALE = "zh-CN"

SENDER_ID_UNSUPPORTED_CALLING_CODES: dict[str, str] = {
    "+1": "United States, Canada (and the other countries of the North American Numbering Plan)",
    "+86": "China (mainland)",
}
"""Calling codes whose countries do not support alphanumeric sender ids, from AWS's "Supported
countries and regions for SMS messaging with AWS End User Messaging SMS" (Sender ID column,
https://docs.aws.amazon.com/sms-voice/latest/userguide/phone-numbers-sms-by-country.html) and
"Sender IDs" ("Several major markets (including Canada, China, and the United States) don't support
sender ID", https://docs.aws.amazon.com/sms-voice/latest/userguide/sender-id.html). All of +1 is
left without one: telling the NANP's countries apart needs area codes, and a sender id left out
only costs the name on the screen, while one sent where it is not supported can cost the message."""


def supports_sender_id(phone: str) -> bool:
    """Whether a sender id may be sent with an SMS to this E.164 number."""
    return not any(phone.startswith(code) for code in SENDER_ID_UNSUPPORTED_CALLING_CODES)


def is_china_mainland(phone: str) -> bool:
    return phone.startswith(CHINA_MAINLAND_PREFIX)


def _signature(brand: Brand, locale: str) -> str:
    """The SMS signature; a shop name standing in for a missing one is cut to a signature's length."""
    return brand.signature(locale)[:SIGNATURE_MAX].rstrip()


def sms_frame(brand: Brand, locale: str, phone: str) -> tuple[str, str]:
    """What goes before and after an SMS body to this number: (prefix, suffix)."""
    if is_china_mainland(phone):
        return f"【{_signature(brand, CHINA_LOCALE)}】", brand.opt_out_hint(CHINA_LOCALE)
    signature, hint = _signature(brand, locale), brand.opt_out_hint(locale)
    if locale == CHINA_LOCALE:
        return f"【{signature}】", hint
    return f"{signature}: ", (" " + hint) if hint else ""


_ENDS_IN_LINK = re.compile(r"https?://[\x21-\x7e]+$")


def signed_sms(body: str, brand: Brand, locale: str, phone: str) -> str:
    """The SMS as sent: the body framed by the shop's signature and the opt-out hint."""
    prefix, suffix = sms_frame(brand, locale, phone)
    if suffix and not suffix.startswith(" ") and _ENDS_IN_LINK.search(body):
        suffix = " " + suffix  # phones would read the hint as part of the link
    return prefix + body + suffix


def shop_context(brand: Brand, locale: str, order_id: str, order_number: str) -> dict[str, Any]:
    """The `shop` template variable: who the message is from and how to reach them (None when the
    brand does not say)."""
    return {
        "name": brand.name(locale),
        "logo_url": str(brand.logo_url) if brand.logo_url else None,
        "support_email": str(brand.support_email) if brand.support_email else None,
        "support_phone": brand.support_phone,
        "support_url": str(brand.support_url) if brand.support_url else None,
        "order_page_url": brand.order_page(order_id, order_number),
    }
