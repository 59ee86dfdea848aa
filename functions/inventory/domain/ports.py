"""What stock logic needs from storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from inventory.models.api import StockLevel
from orders.models.api import ShortItem, TimelineEntry
from orders.models.order import OrderRecord


@dataclass(frozen=True)
class Reserved:
    """Every line was reserved and the order confirmed, in one atomic write."""


@dataclass(frozen=True)
class AlreadyDecided:
    """The order had left `received` already (a duplicate delivery): nothing was written."""


@dataclass(frozen=True)
class ShortOfStock:
    short_items: list[ShortItem] = field(default_factory=list)


ReservationOutcome = Reserved | AlreadyDecided | ShortOfStock


class StockLevels(Protocol):
    def get(self, sku: str) -> StockLevel | None: ...

    def set_on_hand(self, sku: str, on_hand: int, now: str) -> StockLevel:
        """Raise StockBelowReserved if `on_hand` is below what is reserved."""
        ...


class StockReservations(Protocol):
    def reserve(
        self, order: OrderRecord, quantities: dict[str, int], entry: TimelineEntry
    ) -> ReservationOutcome:
        """Atomically reserve every quantity and move the order from `received` to `confirmed`."""
        ...

    def mark_out_of_stock(
        self, order: OrderRecord, short_items: list[ShortItem], entry: TimelineEntry
    ) -> bool:
        """Move the order from `received` to `out_of_stock`; False if it had already moved."""
        ...
