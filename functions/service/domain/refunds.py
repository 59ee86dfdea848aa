"""What a return refunds: the returned units at the price paid for them, in the order's currency,
plus the order's shipping amount when the stage's `refund_shipping` rule says so (docs/returns.md).

Decimal arithmetic throughout; the sum is rounded half-up to the currency's minor units once, at
the end. An order listing one SKU on several lines at different prices: units returned earlier
(the other non-rejected returns) are taken from its lines first, in the order's line order, and
this return's units from the lines after them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from orders.models.order import OrderRecord
from service.domain.rules import ServiceRules
from service.models.records import Money
from shared.iso_codes import CURRENCY_MINOR_UNITS


def minor_unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-CURRENCY_MINOR_UNITS.get(currency, 2))


def rounded(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def shipping_amount(order: OrderRecord) -> Decimal | None:
    """The order's shipping amount. Orders carry none today (their `total` is the sum of the
    lines), so shipping is never refunded separately; an order model that gains `shipping_amount`
    is read here without another change."""
    value = getattr(order, "shipping_amount", None)
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def lines_value(order: OrderRecord, returned: dict[str, int], earlier: dict[str, int]) -> Decimal:
    """The paid value of `returned` (SKU -> units), after the `earlier` units of each SKU."""
    skip = dict(earlier)
    left = dict(returned)
    total = Decimal(0)
    for line in order.items:
        available = line.quantity
        skipped = min(skip.get(line.sku, 0), available)
        skip[line.sku] = skip.get(line.sku, 0) - skipped
        available -= skipped
        taken = min(left.get(line.sku, 0), available)
        if taken:
            left[line.sku] -= taken
            total += Decimal(line.unit_price) * taken
    return total


def refund_for(
    order: OrderRecord,
    returned: dict[str, int],
    earlier: dict[str, int],
    rules: ServiceRules,
    shipping: Decimal | None = None,
) -> Money:
    """The refund of `returned` units. `earlier`: the units of the order's other non-rejected
    returns; `shipping`: the order's shipping amount, if it has one (see `shipping_amount`)."""
    amount = lines_value(order, returned, earlier)
    if shipping is not None and shipping > 0:
        bought = order.quantities_by_sku()
        everything = all(
            returned.get(sku, 0) + earlier.get(sku, 0) >= quantity for sku, quantity in bought.items()
        )
        first = not any(earlier.values())  # "always" still refunds the shipping once per order
        if (rules.refund_shipping == "always" and first) or (
            rules.refund_shipping == "full_return_only" and everything
        ):
            amount += shipping
    return Money(amount=str(rounded(amount, order.currency)), currency=order.currency)
