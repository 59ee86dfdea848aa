"""Template context of the delivery-exception and review kinds (docs/exceptions.md), from the
event's details: the operator's message (shown as a quoted note), a refund's amount in the
locale's money format, a rejection's category."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from notifications.domain.formatting import format_money

REJECTION_CATEGORIES = ("address_unverified", "payment_unverified", "other")


def _text(details: Mapping[str, str], key: str) -> str | None:
    value = details.get(key)
    return (value.strip() or None) if isinstance(value, str) else None


def exception_context(details: Mapping[str, str], locale: str) -> dict[str, Any]:
    """`exception_note`, `refund_amount` and `rejection_category` (None when the event has none)."""
    amount, currency = _text(details, "refund_amount"), _text(details, "refund_currency")
    category = _text(details, "category")
    return {
        "exception_note": _text(details, "note") if _text(details, "exception_id") else None,
        "refund_amount": format_money(amount, currency, locale) if amount and currency else None,
        "rejection_category": category if category in REJECTION_CATEGORIES else None,
    }
