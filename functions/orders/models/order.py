"""The stored order: what the orders table holds for one order, and what every capability reads."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import ConfigDict

from orders.models.api import OrderView


class OrderStatus(StrEnum):
    RECEIVED = "received"
    CONFIRMED = "confirmed"
    OUT_OF_STOCK = "out_of_stock"


class OrderRecord(OrderView):
    """The public view of an order plus what only ordertrack itself needs."""

    model_config = ConfigDict(extra="ignore")

    status: OrderStatus
    version: int
    request_hash: str
    reservation: dict[str, int] = {}
    reservation_progress: int = 0  # chunks reserved so far, for orders above 99 distinct SKUs

    def quantities_by_sku(self) -> dict[str, int]:
        """Lines merged per SKU (an order may list the same SKU twice)."""
        totals: dict[str, int] = {}
        for line in self.items:
            totals[line.sku] = totals.get(line.sku, 0) + line.quantity
        return totals

    def to_view(self) -> dict[str, Any]:
        return self.model_dump(
            mode="json", exclude={"version", "request_hash", "reservation", "reservation_progress"}
        )
