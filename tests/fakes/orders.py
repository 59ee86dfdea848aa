"""In-memory stand-ins for the order and stock ports, with the same rules as the DynamoDB adapters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from inventory.domain.errors import (
    AdjustmentBelowReserved,
    LedgerDrift,
    ShipmentExceedsReservation,
    UnknownSku,
)
from inventory.domain.ports import (
    AlreadyDecided,
    GroupCommitted,
    GroupOutcome,
    GroupRefused,
    OutOfStockDecision,
    ReservationOutcome,
    ReservationRequest,
    Reserved,
    ShortOfStock,
)
from inventory.models.api import AdjustmentResult, HistoryKind, StockHistoryEntry, StockLevel
from orders.domain.ports import OrderAlreadyExists
from orders.models.api import ShortItem, TimelineEntry
from orders.models.order import OrderRecord, OrderStatus
from shared.errors import IdempotencyKeyReused, StockBelowReserved


class FrozenClock:
    def __init__(self, moment: datetime | None = None) -> None:
        self.moment = moment or datetime(2026, 11, 24, 10, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment


class InMemoryOrders:
    def __init__(self) -> None:
        self.orders: dict[str, OrderRecord] = {}
        self.recent: dict[tuple[str, str], tuple[str, datetime]] = {}
        self.writes = 0
        self.lookups: list[Any] = []  # OrderLookup items written with their orders

    def create(self, order: OrderRecord, lookups: Sequence[Any] = ()) -> None:
        if order.order_id in self.orders:
            raise OrderAlreadyExists(self.orders[order.order_id])
        self.writes += 1
        self.orders[order.order_id] = order.model_copy(deep=True)
        self.lookups.extend(lookups)

    def get(self, order_id: str) -> OrderRecord | None:
        order = self.orders.get(order_id)
        return order.model_copy(deep=True) if order else None

    def transition(
        self,
        order: OrderRecord,
        entry: TimelineEntry,
        set_values: dict[str, Any] | None = None,
        remove: tuple[str, ...] = (),
    ) -> bool:
        stored = self.orders.get(order.order_id)
        if stored is None or stored.status != order.status or stored.version != order.version:
            return False
        changes = {
            name: value for name, value in (set_values or {}).items() if name in OrderRecord.model_fields
        }
        changes.update({name: None for name in remove if name in OrderRecord.model_fields})
        self.writes += 1
        self.orders[order.order_id] = stored.model_copy(
            update={
                "status": OrderStatus(entry.status),
                "version": stored.version + 1,
                "timeline": [*stored.timeline, entry],
                "updated_at": entry.at,
                **changes,
            }
        )
        return True

    def has_identical_recent_order(self, order: OrderRecord, window_minutes: int) -> bool:
        """Same rule as the DynamoDB marker: the first order screened with a content holds it."""
        from datetime import datetime, timedelta

        from orders.domain.hold_rules import content_fingerprint

        key = (order.customer.id, content_fingerprint(order))
        created = datetime.fromisoformat(order.created_at)
        holder = self.recent.get(key)
        if (
            holder
            and holder[0] != order.order_id
            and holder[1] >= created - timedelta(minutes=window_minutes)
        ):
            return True
        self.recent[key] = (order.order_id, created)
        return False


class InMemoryStock:
    """The stock ledger for one set of orders, with the rules of `DynamoStock`: all-or-nothing
    like the transactions, guarded by the order's status and version, one audit record per SKU
    change, nothing written on a refusal."""

    def __init__(self, orders: InMemoryOrders, on_hand: dict[str, int] | None = None) -> None:
        self.orders = orders
        self.on_hand = dict(on_hand or {})
        self.reserved: dict[str, int] = {}
        self.history: list[StockHistoryEntry] = []
        self.adjustment_keys: dict[str, str] = {}
        self.thresholds: dict[str, int] = {}
        self.limits: dict[str, int] = {}
        self.extra_items: list[dict[str, Any]] = []  # what commit() was asked to write beside the stock
        self.max_group_actions = 100  # as a DynamoDB transaction: one per order, two per SKU
        self.group_commits: list[list[str]] = []  # the order ids of each committed group
        self.before_group_commit: list[Any] = []  # callables run (once each) just before a group commit

    def available(self, sku: str) -> int:
        return self.on_hand.get(sku, 0) - self.reserved.get(sku, 0)

    def get(self, sku: str) -> StockLevel | None:
        if sku not in self.on_hand:
            return None
        return StockLevel(
            sku=sku,
            on_hand=self.on_hand[sku],
            reserved=self.reserved.get(sku, 0),
            available=self.available(sku),
            low_stock_threshold=self.thresholds.get(sku, 0),
            max_per_order=self.limits.get(sku),
            updated_at="",
        )

    def set_on_hand(
        self,
        sku: str,
        on_hand: int,
        now: str,
        *,
        low_stock_threshold: int | None = None,
        max_per_order: int | None = None,
    ) -> StockLevel:
        if self.reserved.get(sku, 0) > on_hand:
            raise StockBelowReserved("below reserved", details={"sku": sku})
        self._record(
            sku, HistoryKind.SET, now, "storefront", on_hand_delta=on_hand - self.on_hand.get(sku, 0)
        )
        self.on_hand[sku] = on_hand
        if low_stock_threshold is not None:  # a full PUT, as DynamoStock: no limit given means none
            self.thresholds[sku] = low_stock_threshold
            self.limits.pop(sku, None)
        if max_per_order is not None:
            self.limits[sku] = max_per_order
        level = self.get(sku)
        assert level is not None
        return level

    def adjust(
        self,
        sku: str,
        delta: int,
        reason: str,
        now: str,
        *,
        idempotency_key: str,
        note: str | None = None,
        by: str = "storefront",
    ) -> AdjustmentResult:
        fingerprint = f"{sku}|{delta}|{reason}|{note}"
        if idempotency_key in self.adjustment_keys:
            if self.adjustment_keys[idempotency_key] != fingerprint:
                raise IdempotencyKeyReused("reused", details={"sku": sku})
            level = self.get(sku)
            assert level is not None
            return AdjustmentResult(stock=level, replayed=True)
        if sku not in self.on_hand:
            raise UnknownSku(sku)
        if self.available(sku) + delta < 0:
            raise AdjustmentBelowReserved("below reserved", details={"sku": sku})
        self.on_hand[sku] += delta
        self.adjustment_keys[idempotency_key] = fingerprint
        self._record(sku, HistoryKind.ADJUST, now, by, on_hand_delta=delta, reason=reason, note=note)
        level = self.get(sku)
        assert level is not None
        return AdjustmentResult(stock=level)

    def reserve(
        self,
        order: OrderRecord,
        quantities: dict[str, int],
        entry: TimelineEntry,
        *,
        order_updates: dict[str, Any] | None = None,
    ) -> ReservationOutcome:
        stored = self.orders.orders[order.order_id]
        if stored.status != order.status or stored.version != order.version:
            return AlreadyDecided()
        if any(
            sku not in self.on_hand or self.available(sku) < quantity for sku, quantity in quantities.items()
        ):
            return ShortOfStock(
                [
                    ShortItem(sku=sku, requested=quantity, available=max(self.available(sku), 0))
                    for sku, quantity in sorted(quantities.items())
                    if self.available(sku) < quantity
                ]
            )
        for sku, quantity in quantities.items():
            self._change(sku, entry, HistoryKind.RESERVE, order.order_id, reserved_delta=quantity)
        self._transition(
            stored, entry, reservation=dict(quantities), reservation_progress=0, **(order_updates or {})
        )
        return Reserved()

    def read_orders(self, order_ids: Sequence[str]) -> dict[str, OrderRecord | None]:
        return {order_id: self.orders.get(order_id) for order_id in order_ids}

    def available_units(self, skus: Sequence[str]) -> dict[str, int]:
        return {sku: self.available(sku) for sku in skus if sku in self.on_hand}

    def fits_one_transaction(self, requests: Sequence[ReservationRequest]) -> bool:
        skus = {sku for request in requests for sku in request.quantities}
        return len(requests) + 2 * len(skus) <= self.max_group_actions

    def reserve_group(
        self, requests: Sequence[ReservationRequest], out_of_stock: Sequence[OutOfStockDecision] = ()
    ) -> GroupOutcome:
        if self.before_group_commit:
            self.before_group_commit.pop(0)()
        read = [request.order for request in requests] + [decision.order for decision in out_of_stock]
        stale = frozenset(
            order.order_id
            for order in read
            if (stored := self.orders.orders[order.order_id]).status != order.status
            or stored.version != order.version
        )
        totals: dict[str, list[tuple[str, int]]] = {}
        for request in requests:
            for sku, quantity in sorted(request.quantities.items()):
                totals.setdefault(sku, []).append((request.order.order_id, quantity))
        short = frozenset(
            sku
            for sku, lines in totals.items()
            if sku not in self.on_hand or self.available(sku) < sum(q for _, q in lines)
        )
        if stale or short:
            return GroupRefused(stale_orders=stale, short_skus=short)
        for sku, lines in sorted(totals.items()):
            entry = requests[0].entry
            total = sum(quantity for _, quantity in lines)
            self.reserved[sku] = self.reserved.get(sku, 0) + total
            single = {"order_id": lines[0][0]} if len(requests) == 1 else {}
            self._record(
                sku,
                HistoryKind.RESERVE,
                entry.at,
                entry.by,
                reserved_delta=total,
                orders=[{"order_id": order_id, "quantity": quantity} for order_id, quantity in lines],
                **single,
            )
        for request in requests:
            self._transition(
                self.orders.orders[request.order.order_id],
                request.entry,
                reservation=dict(request.quantities),
                reservation_progress=0,
                **request.order_updates,
            )
        for decision in out_of_stock:
            self._transition(
                self.orders.orders[decision.order.order_id],
                decision.entry,
                short_items=list(decision.short_items),
            )
        self.group_commits.append([request.order.order_id for request in requests])
        return GroupCommitted()

    def release(
        self, order: OrderRecord, entry: TimelineEntry, *, order_updates: dict[str, Any] | None = None
    ) -> bool:
        stored = self.orders.orders[order.order_id]
        if stored.status != order.status or stored.version != order.version:
            return False
        live = {sku: quantity for sku, quantity in stored.reservation.items() if quantity > 0}
        if any(self.reserved.get(sku, 0) < quantity for sku, quantity in live.items()):
            raise LedgerDrift("drift", details={"order_id": order.order_id})
        for sku, quantity in live.items():
            self._change(sku, entry, HistoryKind.RELEASE, order.order_id, reserved_delta=-quantity)
        self._transition(stored, entry, reservation={}, reservation_progress=0, **(order_updates or {}))
        return True

    def commit(
        self,
        order: OrderRecord,
        quantities: dict[str, int],
        entry: TimelineEntry,
        *,
        order_updates: dict[str, Any] | None = None,
        extra_items: Sequence[dict[str, Any]] = (),
    ) -> bool:
        if any(quantity > order.reservation.get(sku, 0) for sku, quantity in quantities.items()):
            raise ShipmentExceedsReservation("too many", details={"order_id": order.order_id})
        stored = self.orders.orders[order.order_id]
        if stored.status != order.status or stored.version != order.version:
            return False
        shipped = {sku: quantity for sku, quantity in quantities.items() if quantity > 0}
        if any(
            self.reserved.get(sku, 0) < quantity or self.on_hand.get(sku, 0) < quantity
            for sku, quantity in shipped.items()
        ):
            raise LedgerDrift("drift", details={"order_id": order.order_id})
        for sku, quantity in shipped.items():
            self._change(
                sku,
                entry,
                HistoryKind.COMMIT,
                order.order_id,
                on_hand_delta=-quantity,
                reserved_delta=-quantity,
            )
        remaining = {
            sku: reserved - shipped.get(sku, 0)
            for sku, reserved in stored.reservation.items()
            if reserved - shipped.get(sku, 0) > 0
        }
        self.extra_items.extend(extra_items)
        self._transition(
            stored, entry, reservation=remaining, reservation_progress=0, **(order_updates or {})
        )
        return True

    def mark_out_of_stock(
        self, order: OrderRecord, short_items: list[ShortItem], entry: TimelineEntry
    ) -> bool:
        stored = self.orders.orders[order.order_id]
        if stored.status != order.status or stored.version != order.version:
            return False
        self._transition(stored, entry, short_items=list(short_items))
        return True

    def _change(
        self,
        sku: str,
        entry: TimelineEntry,
        kind: HistoryKind,
        order_id: str,
        *,
        on_hand_delta: int = 0,
        reserved_delta: int = 0,
    ) -> None:
        self.on_hand[sku] = self.on_hand.get(sku, 0) + on_hand_delta
        self.reserved[sku] = self.reserved.get(sku, 0) + reserved_delta
        self._record(
            sku,
            kind,
            entry.at,
            entry.by,
            on_hand_delta=on_hand_delta,
            reserved_delta=reserved_delta,
            order_id=order_id,
        )

    def _record(self, sku: str, kind: HistoryKind, at: str, by: str, **fields: Any) -> None:
        self.history.append(StockHistoryEntry(sku=sku, at=at, kind=kind, by=by, **fields))

    def _transition(self, stored: OrderRecord, entry: TimelineEntry, **changes: object) -> None:
        self.orders.orders[stored.order_id] = stored.model_copy(
            update={
                "status": OrderStatus(entry.status),
                "version": stored.version + 1,
                "timeline": [*stored.timeline, entry],
                "updated_at": entry.at,
                **changes,
            }
        )
