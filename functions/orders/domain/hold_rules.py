"""Suspicious-order rules: which orders are held for a person to review instead of processed.

Which rules apply, and their limits, is configuration (`HoldRules`, from the reservation
function's environment), not code. Rules only read: the order, each SKU's `max_per_order`, and
whether the same customer placed an identical order shortly before.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from orders.models.order import OrderRecord

DEFAULT_REQUIRED_ADDRESS_FIELDS: dict[str, dict[str, str]] = {
    # field -> regular expression its value must match ("" = just present)
    "CN": {"region": "", "city": "", "postal_code": r"^\d{6}$"},
    "US": {"region": "", "postal_code": r"^\d{5}(-\d{4})?$"},
}


class HoldRules(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    address_completeness: dict[str, dict[str, str]] = Field(
        default_factory=lambda: DEFAULT_REQUIRED_ADDRESS_FIELDS
    )
    enforce_max_per_order: bool = True
    duplicate_window_minutes: int = Field(default=10, ge=0, le=24 * 60)
    max_order_value: dict[str, Decimal] = Field(default_factory=dict, description="currency -> largest total")


class RecentOrders(Protocol):
    def has_identical_recent_order(self, order: OrderRecord, window_minutes: int) -> bool: ...


class OrderLimits(Protocol):
    def max_per_order(self, skus: list[str]) -> dict[str, int | None]: ...


@dataclass(frozen=True)
class ScreeningPolicy:
    """How the reservation worker screens a received order before reserving it."""

    rules: HoldRules
    limits: OrderLimits
    recent: RecentOrders
    payment_hold_minutes: int = 30


def screen(order: OrderRecord, policy: ScreeningPolicy) -> list[str]:
    """Hold reasons for a received order; none for an order a reviewer already approved."""
    if order.review and order.review.get("decision") == "approve":
        return []
    limits = (
        policy.limits.max_per_order(sorted(order.quantities_by_sku()))
        if policy.rules.enforce_max_per_order
        else {}
    )
    return hold_reasons(order, policy.rules, limits, policy.recent)


def content_fingerprint(order: OrderRecord) -> str:
    """What makes two orders 'identical' for the duplicate rule: customer, lines, currency, address."""
    lines = sorted((line.sku, line.quantity, line.unit_price) for line in order.items)
    content = {
        "customer": order.customer.id,
        "currency": order.currency,
        "lines": lines,
        "address": order.shipping_address.model_dump(),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def hold_reasons(
    order: OrderRecord, rules: HoldRules, max_per_order: dict[str, int | None], recent: RecentOrders
) -> list[str]:
    reasons: list[str] = []
    address = order.shipping_address
    required = rules.address_completeness.get(address.country, {})
    missing = [
        name
        for name, pattern in required.items()
        if not (value := getattr(address, name, None)) or (pattern and not re.fullmatch(pattern, value))
    ]
    if missing:
        reasons.append("address_incomplete:" + ",".join(sorted(missing)))
    if rules.enforce_max_per_order:
        over = [
            sku
            for sku, quantity in sorted(order.quantities_by_sku().items())
            if (limit := max_per_order.get(sku)) is not None and quantity > limit
        ]
        if over:
            reasons.append("quantity_above_max_per_order:" + ",".join(over))
    limit = rules.max_order_value.get(order.currency)
    if limit is not None and Decimal(order.total) > limit:
        reasons.append("order_value_above_limit")
    if rules.duplicate_window_minutes and recent.has_identical_recent_order(
        order, rules.duplicate_window_minutes
    ):
        reasons.append("duplicate_order")
    return reasons
