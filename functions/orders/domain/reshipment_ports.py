"""What reshipments and order edits need beyond the order repository (docs/reshipments.md): an
order's cases, a change of the order's reservation in one write, and the customer's events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from orders.domain.order_lookups import LookupChanges
from orders.models.api import ShortItem, TimelineEntry
from orders.models.order import OrderRecord
from shared.errors import Conflict
from shared.events import OrderEvent


class InsufficientStock(Conflict):
    """A line cannot be reserved: fewer units available than it needs (nothing was written)."""

    code = "insufficient_stock"

    def __init__(self, order_id: str, short_items: list[ShortItem]) -> None:
        super().__init__(
            f"Not enough stock to reserve the lines of order {order_id}; nothing was changed.",
            details={"order_id": order_id, "short_items": [item.model_dump() for item in short_items]},
        )
        self.short_items = short_items


class OrderCases(Protocol):
    def categories(self, order_id: str) -> list[str]:
        """The categories of the order's cases (complaints), any status."""
        ...


class ReservationChanges(Protocol):
    """The stock ledger's change of an order's reservation, in one transaction with the order."""

    def change_reservation(
        self,
        order: OrderRecord,
        entry: TimelineEntry,
        *,
        reserve: dict[str, int],
        release: dict[str, int],
        reason: str,
        order_updates: dict[str, Any] | None = None,
        lookups: LookupChanges | None = None,
    ) -> bool:
        """reserved += q / available -= q for `reserve` (guarded by available >= q: never oversells),
        the reverse for `release`, one audit record per SKU naming `reason`; the order moves to
        `entry.status` with `order_updates` set, if unchanged since it was read (False otherwise,
        nothing written). Raises InsufficientStock (nothing written) when a SKU is short. `lookups`:
        the order lookups an edit of the contact puts and deletes, in the same write."""
        ...


class ShipmentWriter(Protocol):
    def shipment_items(self, order: OrderRecord, shipment: dict[str, Any]) -> list[dict[str, Any]]: ...


class StockCommit(Protocol):
    def commit(
        self,
        order: OrderRecord,
        quantities: dict[str, int],
        entry: TimelineEntry,
        *,
        order_updates: dict[str, Any] | None = None,
        extra_items: Sequence[dict[str, Any]] = (),
    ) -> bool: ...


class CustomerEvents(Protocol):
    def publish(self, event: OrderEvent) -> None: ...
