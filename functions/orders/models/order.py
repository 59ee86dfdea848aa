"""The stored order: what the orders table holds for one order, and what every capability reads."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, model_validator

from orders.models.api import ERASED, OrderView
from shared.order_numbers import short_order_code


class OrderStatus(StrEnum):
    """Every status an order can have; the allowed moves are in `orders.domain.lifecycle`."""

    RECEIVED = "received"
    ON_HOLD = "on_hold"
    REJECTED = "rejected"
    RESERVED = "reserved"
    CONFIRMED = "confirmed"
    OUT_OF_STOCK = "out_of_stock"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    DELIVERY_EXCEPTION = "delivery_exception"
    RETURNED_TO_SENDER = "returned_to_sender"


class OrderRecord(OrderView):
    """The public view of an order plus what only ordertrack itself needs."""

    model_config = ConfigDict(defer_build=True, extra="ignore")

    status: OrderStatus
    version: int
    request_hash: str
    reservation: dict[str, int] = {}
    review: dict[str, Any] | None = None  # the reviewer's decision on a held order
    reservation_progress: int = 0  # chunks reserved so far, for orders above 99 distinct SKUs
    # idempotency of reshipments and edits (docs/reshipments.md): key digest -> request digest
    reshipment_keys: dict[str, str] = {}
    edit_keys: dict[str, str] = {}

    @model_validator(mode="before")
    @classmethod
    def _recognisable(cls, data: Any) -> Any:
        """Orders stored before lines had names and orders had numbers read as the customer would
        have been shown them: the derived short code, and the SKU as the line's name."""
        if not isinstance(data, dict):
            return data
        if data.get("erased_at"):
            data = erased_placeholders(data)
        if not data.get("order_number") and isinstance(data.get("order_id"), str):
            data = {**data, "order_number": short_order_code(data["order_id"])}
        items = data.get("items")
        if isinstance(items, list) and any(isinstance(line, dict) and "name" not in line for line in items):
            named = [
                {**line, "name": line.get("sku")} if isinstance(line, dict) and "name" not in line else line
                for line in items
            ]
            data = {**data, "items": named}
        return data

    def quantities_by_sku(self) -> dict[str, int]:
        """Lines merged per SKU (an order may list the same SKU twice)."""
        totals: dict[str, int] = {}
        for line in self.items:
            totals[line.sku] = totals.get(line.sku, 0) + line.quantity
        return totals

    def to_view(self) -> dict[str, Any]:
        return self.model_dump(
            mode="json",
            exclude={
                "version",
                "request_hash",
                "reservation",
                "reservation_progress",
                "review",
                "reshipment_keys",
                "edit_keys",
            },
        )


def erased_placeholders(data: dict[str, Any]) -> dict[str, Any]:
    """An order whose customer's personal data was erased (`customers.domain.erasure`) keeps only
    the customer id, locale and shipping country: read as an `ErasedCustomer` and `ErasedAddress`."""
    customer = data.get("customer") if isinstance(data.get("customer"), dict) else {}
    address = data.get("shipping_address") if isinstance(data.get("shipping_address"), dict) else {}
    return {
        **data,
        "customer": {"id": customer.get("id", ""), "name": ERASED, "locale": customer.get("locale", "en")},
        "shipping_address": {
            "name": ERASED,
            "line1": ERASED,
            "city": ERASED,
            "country": address.get("country", ""),
        },
    }
