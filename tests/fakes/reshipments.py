"""In-memory stand-ins for the ports of reshipments and order edits (orders.domain.reshipment_ports),
with the rules of the DynamoDB adapters: all or nothing, guarded by the order's status and version."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inventory.models.api import HistoryKind
from orders.domain.reshipment_ports import InsufficientStock
from orders.models.api import Shipment, ShortItem, TimelineEntry
from orders.models.order import OrderRecord, OrderStatus
from shared.events import OrderEvent
from tests.fakes.orders import InMemoryOrders, InMemoryStock


class ValidatingOrders(InMemoryOrders):
    """`InMemoryOrders` whose transitions store values as DynamoDB does: read back as the model."""

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
        values = stored.model_dump()
        values.update(
            status=OrderStatus(entry.status),
            version=stored.version + 1,
            timeline=[*stored.timeline, entry],
            updated_at=entry.at,
        )
        values.update({name: value for name, value in (set_values or {}).items() if name in values})
        values.update({name: None for name in remove if name in values})
        self.writes += 1
        self.orders[order.order_id] = OrderRecord.model_validate(values)
        return True


class InMemoryLedger(InMemoryStock):
    """`InMemoryStock` plus `change_reservation`; the shipments a commit writes join the order."""

    def change_reservation(
        self,
        order: OrderRecord,
        entry: TimelineEntry,
        *,
        reserve: dict[str, int],
        release: dict[str, int],
        reason: str,
        order_updates: dict[str, Any] | None = None,
    ) -> bool:
        stored = self.orders.orders[order.order_id]
        if stored.status != order.status or stored.version != order.version:
            return False
        short = [
            ShortItem(sku=sku, requested=quantity, available=max(self.available(sku), 0))
            for sku, quantity in sorted(reserve.items())
            if sku not in self.on_hand or self.available(sku) < quantity
        ]
        if short:
            raise InsufficientStock(order.order_id, short)
        for sku, quantity in sorted(reserve.items()):
            self._change(sku, entry, HistoryKind.RESERVE, order.order_id, reserved_delta=quantity)
            self.history[-1] = self.history[-1].model_copy(update={"reason": reason})
        for sku, quantity in sorted(release.items()):
            self._change(sku, entry, HistoryKind.RELEASE, order.order_id, reserved_delta=-quantity)
            self.history[-1] = self.history[-1].model_copy(update={"reason": reason})
        self._transition(stored, entry, **(order_updates or {}))
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
        done = super().commit(order, quantities, entry, order_updates=order_updates, extra_items=extra_items)
        if done:
            stored = self.orders.orders[order.order_id]
            written = [
                Shipment.model_validate(item["shipment"]) for item in extra_items if "shipment" in item
            ]
            self.orders.orders[order.order_id] = stored.model_copy(
                update={"shipments": [*stored.shipments, *written]}
            )
        return done

    def _transition(self, stored: OrderRecord, entry: TimelineEntry, **changes: object) -> None:
        values = stored.model_dump()
        values.update(
            status=OrderStatus(entry.status),
            version=stored.version + 1,
            timeline=[*stored.timeline, entry],
            updated_at=entry.at,
        )
        for name, value in changes.items():
            if name in OrderRecord.model_fields:
                values[name] = value
        self.orders.orders[stored.order_id] = OrderRecord.model_validate(values)


class InMemoryCases:
    def __init__(self, by_order: dict[str, list[str]] | None = None) -> None:
        self.by_order = by_order or {}

    def categories(self, order_id: str) -> list[str]:
        return list(self.by_order.get(order_id, []))


class RecordedEvents:
    def __init__(self) -> None:
        self.published: list[OrderEvent] = []

    def publish(self, event: OrderEvent) -> None:
        self.published.append(event)

    @property
    def ids(self) -> list[str]:
        return [event.event_id for event in self.published]


class RecordedShipments:
    """Stands for `DynamoShipments`: the actions name the shipment, the fake ledger adds it."""

    def shipment_items(self, order: OrderRecord, shipment: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"shipment": dict(shipment)}]


def ledger_for(orders: InMemoryOrders, on_hand: dict[str, int]) -> InMemoryLedger:
    return InMemoryLedger(orders, on_hand)
