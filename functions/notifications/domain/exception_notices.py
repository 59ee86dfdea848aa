"""Template context of the delivery-exception and review kinds (docs/exceptions.md), from the
event's details: the operator's message (shown as a quoted note), a refund's amount in the
locale's money format, a rejection's category."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from notifications.domain.formatting import format_money

REJECTION_CATEGORIES = ("address_unverified", "payment_unverified", "other")


def _text(details: Mapping[str, str], key: str) -> str | None:
    value = details.get(key)
    return (value.strip() or None) if isinstance(value, str) else None


def _money(amount: str | None, currency: str | None, locale: str) -> str | None:
    """The amount in the locale's format; None when missing or unreadable (left out, not shown)."""
    if not amount or not currency:
        return None
    try:
        Decimal(amount)
    except InvalidOperation:
        return None
    return format_money(amount, currency, locale)


def exception_context(details: Mapping[str, str], locale: str) -> dict[str, Any]:
    """`exception_note`, `refund_amount` and `rejection_category` (None when the event has none);
    the note and amount only for a delivery exception's events (`exception_id`)."""
    exception = _text(details, "exception_id") is not None
    category = _text(details, "category")
    return {
        "exception_note": _text(details, "note") if exception else None,
        "refund_amount": (
            _money(_text(details, "refund_amount"), _text(details, "refund_currency"), locale)
            if exception
            else None
        ),
        "rejection_category": category if category in REJECTION_CATEGORIES else None,
    }
