"""What stock logic needs from storage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from inventory.models.api import StockLevel
from orders.models.api import ShortItem, TimelineEntry
from orders.models.order import OrderRecord


@dataclass(frozen=True)
class Reserved:
    """Every line was reserved and the order confirmed, in one atomic write."""


@dataclass(frozen=True)
class AlreadyDecided:
    """The order had left the status it was read in (a duplicate delivery): nothing was written."""


@dataclass(frozen=True)
class ShortOfStock:
    short_items: list[ShortItem] = field(default_factory=list)


@dataclass(frozen=True)
class MarkedOutOfStock:
    """The order was moved to `out_of_stock` in its group's transaction."""


ReservationOutcome = Reserved | AlreadyDecided | ShortOfStock | MarkedOutOfStock


@dataclass(frozen=True)
class OutOfStockDecision:
    """An order of a group that could not be given its lines: moved to `entry` (`out_of_stock`)
    with `short_items` in the group's transaction."""

    order: OrderRecord
    short_items: list[ShortItem]
    entry: TimelineEntry


@dataclass(frozen=True)
class ReservationRequest:
    """One order to reserve: its lines by SKU and the timeline entry (and fields) it moves with."""

    order: OrderRecord
    quantities: dict[str, int]
    entry: TimelineEntry
    order_updates: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GroupCommitted:
    """Every order of the group was reserved in one transaction."""


@dataclass(frozen=True)
class GroupRefused:
    """Nothing was written: these orders had changed since they were read (already decided), or
    these SKUs no longer had the units the group needed."""

    stale_orders: frozenset[str] = frozenset()
    short_skus: frozenset[str] = frozenset()


GroupOutcome = GroupCommitted | GroupRefused


class StockLevels(Protocol):
    def get(self, sku: str) -> StockLevel | None: ...

    def set_on_hand(self, sku: str, on_hand: int, now: str) -> StockLevel:
        """Raise StockBelowReserved if `on_hand` is below what is reserved."""
        ...


class StockReservations(Protocol):
    """The ledger primitives. Each moves the order from `order.status` to `entry.status` in the
    same transaction as the stock change and its audit records, guarded by the order's status and
    version (so a redelivered message or replayed record applies nothing twice), sets
    `order_updates` (attribute name -> value) on the order, and splits orders above CHUNK_SKUS
    SKUs into chunks tracked by `reservation_progress`."""

    def reserve(
        self,
        order: OrderRecord,
        quantities: dict[str, int],
        entry: TimelineEntry,
        *,
        order_updates: dict[str, Any] | None = None,
    ) -> ReservationOutcome:
        """All or nothing: reserved += q, available -= q for every SKU (guarded by available >= q);
        `order.reservation` becomes `quantities`."""
        ...

    def read_orders(self, order_ids: Sequence[str]) -> dict[str, OrderRecord | None]:
        """The orders of a batch as stored (None: no such order), read consistently in bulk."""
        ...

    def available_units(self, skus: Sequence[str]) -> dict[str, int]:
        """`available` of each SKU, read consistently (a SKU without stock item is absent)."""
        ...

    def fits_one_transaction(self, requests: Sequence[ReservationRequest]) -> bool:
        """Whether `reserve_group(requests)` is one transaction (its action and size limits)."""
        ...

    def reserve_group(
        self, requests: Sequence[ReservationRequest], out_of_stock: Sequence[OutOfStockDecision] = ()
    ) -> GroupOutcome:
        """Group commit, all or nothing: each order moves to its entry's status with `reservation`
        = its quantities, and each SKU takes one update (reserved += the group's total, guarded
        by available >= that total) and ONE audit record listing the orders and quantities; the
        `out_of_stock` orders move to `out_of_stock` in the same transaction."""
        ...

    def release(
        self, order: OrderRecord, entry: TimelineEntry, *, order_updates: dict[str, Any] | None = None
    ) -> bool:
        """Release all of `order.reservation` (reserved -= q, available += q) and clear it.
        False, nothing written, if the order changed since it was read."""
        ...

    def commit(
        self,
        order: OrderRecord,
        quantities: dict[str, int],
        entry: TimelineEntry,
        *,
        order_updates: dict[str, Any] | None = None,
        extra_items: Sequence[dict[str, Any]] = (),
    ) -> bool:
        """Ship: on_hand -= q and reserved -= q, `order.reservation[sku] -= q`; `extra_items`
        (TransactWriteItems actions) join the same transaction. Raises ShipmentExceedsReservation
        if q is above what the order has reserved; False, nothing written, if the order changed."""
        ...

    def mark_out_of_stock(
        self, order: OrderRecord, short_items: list[ShortItem], entry: TimelineEntry
    ) -> bool:
        """Move the order to `out_of_stock`; False if it had already moved."""
        ...
