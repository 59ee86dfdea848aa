"""What order logic needs from storage, as small interfaces (implemented by adapters and fakes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from orders.domain.order_lookups import LookupChanges, OrderLookup
from orders.models.api import TimelineEntry
from orders.models.order import OrderRecord


@dataclass(frozen=True)
class OrderQuery:
    customer_id: str | None = None
    status: str | None = None
    created_from: str | None = None
    created_to: str | None = None
    limit: int = 50
    cursor: str | None = None
    lookup_kind: str | None = None  # phone | email | number (orders.domain.order_lookups)
    lookup_key: str | None = None  # its keyed hash, or the order number
    tracking_number: str | None = None  # normalised (no spaces, upper case)
    oldest_first: bool = False  # by status only: the oldest orders first (a work queue's order)


class OrderAlreadyExists(Exception):
    def __init__(self, existing: OrderRecord) -> None:
        super().__init__(existing.order_id)
        self.existing = existing


class OrderReader(Protocol):
    def get(self, order_id: str) -> OrderRecord | None: ...


class OrderRepository(OrderReader, Protocol):
    def create(self, order: OrderRecord, lookups: Sequence[OrderLookup] = ()) -> None:
        """Store a new order and its lookups in one write; raise OrderAlreadyExists (with the stored
        order) if the id is taken, writing nothing."""
        ...

    def transition(
        self,
        order: OrderRecord,
        entry: TimelineEntry,
        set_values: dict[str, Any] | None = None,
        remove: tuple[str, ...] = (),
        lookups: LookupChanges | None = None,
    ) -> bool:
        """Move the order to `entry.status` if unchanged since it was read; False otherwise (the
        order lookups an edit of the contact changes, `lookups`, are written in the same write)."""
        ...

    def search(self, query: OrderQuery) -> tuple[list[OrderRecord], str | None]: ...

    def due_holds(self, now: str, limit: int) -> list[OrderRecord]:
        """Orders whose payment hold expires at or before `now`, soonest first."""
        ...
