"""What a customer is told about a review: that their order is being checked (no reason: the hold
rules must not teach anyone how to get past them), and, when it is rejected, why in a category safe
to disclose (docs/exceptions.md)."""

from __future__ import annotations

from typing import Any

ADDRESS_UNVERIFIED = "address_unverified"
PAYMENT_UNVERIFIED = "payment_unverified"
OTHER = "other"

CATEGORY_BY_HOLD_RULE: dict[str, str] = {
    "address_incomplete": ADDRESS_UNVERIFIED,
    "order_value_above_limit": PAYMENT_UNVERIFIED,
    "quantity_above_max_per_order": OTHER,
    "duplicate_order": OTHER,
}
"""A hold reason's rule (`orders.domain.hold_rules`: the part before `:`) -> the customer's category."""
PRECEDENCE = (ADDRESS_UNVERIFIED, PAYMENT_UNVERIFIED, OTHER)


def rejection_category(hold_reasons: list[str] | None) -> str:
    """The one category a rejected order's customer hears (address before payment before other)."""
    found = {CATEGORY_BY_HOLD_RULE.get(reason.split(":", 1)[0], OTHER) for reason in hold_reasons or []}
    return next((category for category in PRECEDENCE if category in found), OTHER)


def review_details(image: dict[str, Any]) -> dict[str, str]:
    """The notification event's details of an order move: a rejection's category, else none."""
    if image.get("status") != "rejected":
        return {}
    reasons = image.get("hold_reasons")
    return {"category": rejection_category([str(r) for r in reasons] if isinstance(reasons, list) else None)}
