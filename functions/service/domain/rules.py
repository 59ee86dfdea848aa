"""The configurable rules of customer service: feedback windows, complaint priority and response
times, the return window. One model, set per stage in `cdk.json` under `customer_service` and
given to functions as JSON in `CUSTOMER_SERVICE_RULES`."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.models.records import ComplaintCategory, Priority

DEFAULT_BASE_PRIORITY: dict[ComplaintCategory, Priority] = {
    ComplaintCategory.MISSING_ITEM: Priority.P2,
    ComplaintCategory.DAMAGE: Priority.P2,
    ComplaintCategory.WRONG_ITEM: Priority.P2,
    ComplaintCategory.SERVICE_ATTITUDE: Priority.P2,
    ComplaintCategory.DELIVERY_DELAY: Priority.P3,
    ComplaintCategory.OTHER: Priority.P3,
}


class ServiceRules(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    feedback_edit_days: int = Field(
        default=7, ge=0, le=90, description="a submission can be changed this long"
    )
    low_rating_max: int = Field(default=2, ge=0, le=5, description="ratings up to this open a complaint")
    return_window_days: int = Field(default=30, ge=0, le=365, description="returns after delivery")
    base_priority: dict[ComplaintCategory, Priority] = Field(
        default_factory=lambda: dict(DEFAULT_BASE_PRIORITY)
    )
    response_hours: dict[Priority, int] = Field(
        default_factory=lambda: {Priority.P1: 4, Priority.P2: 24, Priority.P3: 72}
    )
    high_value: dict[str, Decimal] = Field(
        default_factory=lambda: {"CNY": Decimal("1000"), "USD": Decimal("150"), "EUR": Decimal("150")},
        description="an order total at or above this (per currency) raises the priority one step",
    )
    repeat_window_days: int = Field(default=90, ge=1, le=365)
    case_answer_days: int = Field(
        default=30, ge=1, le=365, description='the "was this resolved?" link works this long'
    )
    refund_shipping: Literal["never", "full_return_only", "always"] = Field(
        default="full_return_only",
        description="whether a refund adds the order's shipping amount: never, only when the "
        "order's every unit is returned, or always (orders without a shipping amount: never)",
    )

    manager_refund_above: dict[str, Decimal] | None = Field(
        default_factory=lambda: {"CNY": Decimal("500"), "USD": Decimal("70"), "EUR": Decimal("70")},
        description="a refund above this (per currency) needs a manager in the operations console "
        "(agents are refused); a currency not listed always needs one; null: no limit",
    )

    def response_time_hours(self, priority: Priority) -> int:
        return self.response_hours.get(priority, 72)


def needs_manager(rules: ServiceRules, amount: Decimal, currency: str) -> bool:
    """Whether a refund of `amount` needs a manager's approval (`manager_refund_above`)."""
    if rules.manager_refund_above is None:
        return False
    limit = rules.manager_refund_above.get(currency)
    return limit is None or amount > limit


def raise_priority(priority: Priority) -> Priority:
    order = [Priority.P3, Priority.P2, Priority.P1]
    return order[min(order.index(priority) + 1, len(order) - 1)]
