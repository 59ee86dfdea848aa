"""In-memory stand-ins for the order and stock ports, with the same rules as the DynamoDB adapters."""

from __future__ import annotations

from datetime import UTC, datetime

from inventory.domain.ports import AlreadyDecided, ReservationOutcome, Reserved, ShortOfStock
from orders.domain.ports import OrderAlreadyExists
from orders.models.api import ShortItem, TimelineEntry
from orders.models.order import OrderRecord, OrderStatus


class FrozenClock:
    def __init__(self, moment: datetime | None = None) -> None:
        self.moment = moment or datetime(2026, 11, 24, 10, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment


class InMemoryOrders:
    def __init__(self) -> None:
        self.orders: dict[str, OrderRecord] = {}
        self.writes = 0

    def create(self, order: OrderRecord) -> None:
        if order.order_id in self.orders:
            raise OrderAlreadyExists(self.orders[order.order_id])
        self.writes += 1
        self.orders[order.order_id] = order.model_copy(deep=True)

    def get(self, order_id: str) -> OrderRecord | None:
        order = self.orders.get(order_id)
        return order.model_copy(deep=True) if order else None


class InMemoryStock:
    """Stock levels and reservations for one set of orders, all-or-nothing like the transaction."""

    def __init__(self, orders: InMemoryOrders, on_hand: dict[str, int] | None = None) -> None:
        self.orders = orders
        self.on_hand = dict(on_hand or {})
        self.reserved: dict[str, int] = {}

    def available(self, sku: str) -> int:
        return self.on_hand.get(sku, 0) - self.reserved.get(sku, 0)

    def reserve(
        self, order: OrderRecord, quantities: dict[str, int], entry: TimelineEntry
    ) -> ReservationOutcome:
        stored = self.orders.orders[order.order_id]
        if stored.status != OrderStatus.RECEIVED or stored.version != order.version:
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
            self.reserved[sku] = self.reserved.get(sku, 0) + quantity
        self._transition(stored, OrderStatus.CONFIRMED, entry, reservation=dict(quantities))
        return Reserved()

    def mark_out_of_stock(
        self, order: OrderRecord, short_items: list[ShortItem], entry: TimelineEntry
    ) -> bool:
        stored = self.orders.orders[order.order_id]
        if stored.status != OrderStatus.RECEIVED or stored.version != order.version:
            return False
        self._transition(stored, OrderStatus.OUT_OF_STOCK, entry, short_items=list(short_items))
        return True

    def _transition(
        self, stored: OrderRecord, status: OrderStatus, entry: TimelineEntry, **changes: object
    ) -> None:
        self.orders.orders[stored.order_id] = stored.model_copy(
            update={
                "status": status,
                "version": stored.version + 1,
                "timeline": [*stored.timeline, entry],
                "updated_at": entry.at,
                **changes,
            }
        )
